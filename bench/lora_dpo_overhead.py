"""Overhead of LoRA and DPO runs: our detached run vs a plain peft + Trainer / trl script.

    python bench/lora_dpo_overhead.py [--model dojo-tiny] [--pairs 3] [--steps 30] [--kind both] [--json]

Both sides train the same model on the same data with the same TrainingArguments
(``engine.training.sft.training_kwargs``), each in a fresh process with the same
environment (``launcher.worker_env``):

* lora: ours is ``llm-dojo train lora`` (sentiment, the built-in Korean sentences);
  plain is ``get_peft_model`` with the same ``LoraConfig`` and ``Trainer.train()``;
* dpo: ours is ``llm-dojo train dpo`` (built-in preference pairs, fresh LoRA adapter);
  plain is ``DPOTrainer(peft_config=...)`` on the same pairs.

Evaluation during training is off on both sides. steps/s = steps / ``train_runtime`` as
transformers reports it; pairs run in alternating order; the median ratio ours / plain is
printed (target >= 0.95).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_spec(kind: str, model: str, steps: int):
    from engine.runs.spec import RunSpec

    common = dict(model=model, max_steps=steps, logging_steps=1, eval_steps=10**6, save_steps=10**6,
                  eval_on_start=False, keep_best=False)
    if kind == "dpo":
        return RunSpec.suggested(kind="dpo", gpu=False, **common)
    return RunSpec.suggested("sentiment", gpu=False, kind="sft", method="lora", **common)


def plain(spec_json: str, out: str) -> None:
    """The baseline, in its own process: what a user would write by hand with peft / trl.

    It runs at the worker's priority (``engine.runs.priority.apply``: niceness 10 by default,
    the same thread count), so the ratio measures our code path, not the scheduler: a niced
    run loses to any other busy process, and the first measurements (0.92) compared a niced
    worker with a baseline at normal priority."""
    from engine.runs.priority import apply

    apply()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from engine.device import pick_device
    from engine.models.resolve import resolve_model
    from engine.runs.spec import RunSpec
    from engine.training import dpo, lora, sft

    spec = RunSpec.from_json(spec_json)
    path = resolve_model(spec.model).path
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    device = pick_device(spec.device)
    targets = lora.linear_modules(model)
    config = lora.lora_config(spec, targets)
    if spec.kind == "dpo":
        from datasets import Dataset
        from trl import DPOConfig, DPOTrainer

        data = dpo.load_preferences(spec.dataset)
        kwargs = sft.training_kwargs(spec, Path(out), sft.total_steps(spec, len(data.train)), device, False)
        trainer = DPOTrainer(model=model, args=DPOConfig(**kwargs, beta=spec.beta, max_length=spec.max_seq_length),
                             train_dataset=Dataset.from_list(dpo.as_conversation(data.train, True)),
                             eval_dataset=Dataset.from_list(dpo.as_conversation(data.test, True)),
                             processing_class=tok, peft_config=config)
    else:
        from peft import get_peft_model
        from transformers import Trainer, TrainingArguments

        data = sft.load_data(spec)
        kwargs = sft.training_kwargs(spec, Path(out), sft.total_steps(spec, len(data.train)), device, False)
        enc = [sft.encode_sentiment(tok, r["text"], r["label"], spec.max_seq_length) for r in data.train]
        test = [sft.encode_sentiment(tok, r["text"], r["label"], spec.max_seq_length) for r in data.test]
        trainer = Trainer(model=get_peft_model(model, config), args=TrainingArguments(**kwargs), train_dataset=enc,
                          eval_dataset=test, data_collator=sft.PadCollator(tok.pad_token_id), processing_class=tok)
    metrics = trainer.train().metrics
    print("RESULT " + json.dumps({"steps": trainer.state.global_step, "runtime": metrics["train_runtime"]}))


def run_plain(spec) -> dict:
    from engine.runs.launcher import worker_env

    with tempfile.TemporaryDirectory() as out:
        res = subprocess.run([sys.executable, __file__, "--plain", spec.to_json(), out], capture_output=True,
                             text=True, cwd=ROOT, env=worker_env())
    line = next((x for x in res.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"baseline failed:\n{res.stderr[-3000:]}")
    return json.loads(line[7:])


def run_ours(spec) -> dict:
    from engine.runs import launcher, store
    from engine.runs.events import read_events

    t0 = time.monotonic()
    run_dir = store.find_run(launcher.start(spec))
    while store.status(run_dir).get("state") in store.ACTIVE:
        time.sleep(0.2)
    wall = time.monotonic() - t0
    st = store.status(run_dir)
    if st.get("state") != "completed":
        raise SystemExit(f"our run failed: {st.get('error')}")
    summary = next(e.to_dict() for e in read_events(run_dir / store.EVENTS)[0] if e.kind == "summary")
    return {"steps": summary["step"], "runtime": summary["train/runtime"], "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="dojo-tiny")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--kind", choices=("lora", "dpo", "both"), default="both")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--plain", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain:
        plain(*args.plain)
        return
    os.environ.setdefault("LLM_DOJO_HOME", tempfile.mkdtemp(prefix="dojo-bench-"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results = {}
    for kind in (("lora", "dpo") if args.kind == "both" else (args.kind,)):
        spec = bench_spec(kind, args.model, args.steps)
        rows = []
        for i in range(args.pairs):
            if i % 2 == 0:
                p, o = run_plain(spec), run_ours(spec)
            else:
                o, p = run_ours(spec), run_plain(spec)
            row = {"plain_steps_s": p["steps"] / p["runtime"], "ours_steps_s": o["steps"] / o["runtime"],
                   "ours_wall_s": o["wall"]}
            row["ratio"] = row["ours_steps_s"] / row["plain_steps_s"]
            rows.append(row)
            if not args.json:
                print(f"{kind}: plain {row['plain_steps_s']:.2f} steps/s, ours {row['ours_steps_s']:.2f} steps/s, "
                      f"ratio {row['ratio']:.3f} (our run end to end: {row['ours_wall_s']:.1f} s)", flush=True)
        results[kind] = {"pairs": rows, "median_ratio": statistics.median(r["ratio"] for r in rows),
                         "steps": args.steps, "model": args.model, "cpu_count": os.cpu_count()}
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for kind, res in results.items():
        verdict = "OK" if res["median_ratio"] >= 0.95 else "BELOW TARGET"
        print(f"== {kind}: median steps/s ratio ours/plain = {res['median_ratio']:.3f} over {args.pairs} pairs "
              f"({args.steps} steps, {args.model}) {verdict}")


if __name__ == "__main__":
    main()
