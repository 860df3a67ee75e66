"""The GPU device check: every GPU path of the course in one short run, one table.

    python bench/gpu_check.py [--model dojo-tiny] [--steps 20] [--json]
    python bench/gpu_check.py --smoke      # the CPU-capable rows, to check the script here

Run it whenever a CUDA machine is available (well under 10 minutes). Rows:

* doctor: each GPU with its compute capability and whether bf16 is native;
* load: the model in the automatic dtype (bf16 on compute 8.0+, fp16 below) and in 4-bit
  NF4 (bitsandbytes), with the true parameter count, load time and GPU memory;
* generation: eager vs static cache vs static cache + torch.compile, streamed, greedy,
  after an untimed warm-up (compile time is paid there, not in the figure);
* training: a short SFT run through the real run system (a detached worker on one GPU,
  mixed precision as the run chose it), steps/s;
* out of memory: an allocation larger than the GPU, and the message a run would show.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def row(check: str, ok: bool, detail: str, **values) -> dict:
    return {"check": check, "ok": ok, "detail": detail, **values}


def gpu_rows(cuda: bool) -> list[dict]:
    from engine.doctor import _gpu_checks

    return [row(f"doctor: {c.name}", c.status == "ok" or not cuda, c.value, fix=c.fix) for c in _gpu_checks()
            if c.name.startswith(("gpu", "bitsandbytes"))]


def load_rows(model: str, device: str, four_bit: bool) -> tuple[list[dict], object]:
    import torch

    from engine.models.load import load_model

    rows, first = [], None
    for quant in ([False, True] if four_bit else [False]):
        if device.startswith("cuda"):
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter()
        try:
            loaded = load_model(model, device=device, load_in_4bit=quant)
        except Exception as exc:  # one failing row must not hide the others
            rows.append(row(f"load {'4-bit' if quant else 'auto dtype'}", False, f"{type(exc).__name__}: {exc}"))
            continue
        seconds = time.perf_counter() - t0
        mem = torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else None
        rows.append(row(f"load {'4-bit' if quant else 'auto dtype'}", True,
                        f"{loaded.dtype}, {loaded.parameters:,} parameters, {seconds:.1f} s"
                        + (f", peak {mem:.2f} GiB" if mem is not None else ""),
                        parameters=loaded.parameters, seconds=round(seconds, 2), peak_gib=mem))
        first = first or loaded
        if quant:
            del loaded
    return rows, first


def generation_rows(loaded, tokens: int, cuda: bool) -> list[dict]:
    from engine.generation.gpu import SpeedOptions, measure

    ids = loaded.tokenizer("Once upon a time in a small village,")["input_ids"]
    arms = {"eager": SpeedOptions(), "static": SpeedOptions(static_cache=True)}
    if cuda:
        arms["static+compile"] = SpeedOptions(static_cache=True, compile=True)
    rows = []
    for name, speed in arms.items():
        t0 = time.perf_counter()
        try:
            rep = measure(loaded.model, loaded.tokenizer, ids, max_new_tokens=tokens, runs=3, speed=speed,
                          label=name, warmup=1)
        except Exception as exc:
            rows.append(row(f"generate {name}", False, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
            continue
        rows.append(row(f"generate {name}", True,
                        f"{rep.tokens_per_second:.1f} tokens/s, first token {rep.time_to_first_token * 1000:.0f} ms "
                        f"(warm-up included in {time.perf_counter() - t0:.1f} s wall)",
                        tokens_per_second=rep.tokens_per_second, first_token_s=rep.time_to_first_token))
    return rows


def training_row(model: str, steps: int, device: str) -> dict:
    from engine.runs import launcher, store
    from engine.runs.events import read_events
    from engine.runs.spec import RunSpec

    spec = RunSpec.suggested("sentiment", model=model, max_steps=steps, device=device, eval_on_start=False)
    t0 = time.monotonic()
    run_dir = store.find_run(launcher.start(spec))
    while store.status(run_dir).get("state") in store.ACTIVE:
        time.sleep(0.5)
    st = store.status(run_dir)
    events = read_events(run_dir / store.EVENTS)[0]
    summary = next((e for e in events if e.kind == "summary"), None)
    if st.get("state") != "completed" or summary is None:
        return row("train sft", False, f"{st.get('state')}: {st.get('error')}")
    runtime = summary.get("train/runtime") or 0.0
    start = next((e for e in events if e.kind == "start"), None)
    return row("train sft", True, f"{steps} steps at {steps / max(runtime, 1e-9):.2f} steps/s on "
               f"{st.get('device') or (start.get('device') if start else '?')}, {time.monotonic() - t0:.0f} s end to end",
               steps_per_s=steps / max(runtime, 1e-9))


def oom_row() -> dict:
    import torch

    from engine.runs.worker import explain

    free, _total = torch.cuda.mem_get_info()
    try:
        torch.empty(int(free * 2), dtype=torch.uint8, device="cuda")
    except torch.OutOfMemoryError as exc:
        message = explain(exc, Path(tempfile.gettempdir()))
        torch.cuda.empty_cache()
        return row("out of memory", "--batch-size" in message, message)
    return row("out of memory", False, "an allocation of twice the free memory did not fail")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="dojo-tiny")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--smoke", action="store_true", help="CPU rows only (checks the script on any machine)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("LLM_DOJO_HOME", tempfile.mkdtemp(prefix="dojo-gpu-check-"))
    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not args.smoke:
        print("bench/gpu_check.py needs a CUDA GPU (torch.cuda.is_available() is False); --smoke runs the CPU rows.")
        return
    device = "cuda" if cuda else "cpu"
    rows = gpu_rows(cuda)
    load, loaded = load_rows(args.model, device, four_bit=cuda)
    rows += load
    if loaded is not None:
        rows += generation_rows(loaded, args.tokens, cuda)
        del loaded
    rows.append(training_row(args.model, args.steps, device))
    if cuda:
        rows.append(oom_row())
    name = torch.cuda.get_device_name(0) if cuda else "cpu (smoke)"
    if args.json:
        print(json.dumps({"device": name, "rows": rows}, indent=1, default=str))
        return
    print(f"GPU check on {name} ({args.model})")
    for r in rows:
        print(f"{'ok ' if r['ok'] else 'BAD'}  {r['check']:<24} {r['detail']}")


if __name__ == "__main__":
    main()
