"""The default LoRA and DPO runs: wall time, what they learned, adapter size, answers before/after.

    python bench/lora_dpo_default.py [--model dojo-tiny] [--kind both] [--prompts 3] [--max-steps N] [--lr LR] [--json]

Starts exactly what ``llm-dojo train lora`` and ``llm-dojo train dpo`` start with no other
options (the suggested defaults for this machine and the built-in data) through the real
run system, and waits for each. Reports:

* wall time from start to "completed" (process start, model load, evaluations, saving);
* LoRA: held-out sentiment accuracy of the untrained model (step 0) and of the saved adapter;
* DPO: held-out reward accuracy and reward margin at step 0 and at the end (trl's
  ``eval_rewards/*``), and greedy answers of the base model and of base + adapter to a few
  held-out prompts of the built-in pairs;
* the adapter's size on disk vs. 4 bytes x its trainable weights (peft stores fp32);
* the worker's peak RSS (polled from /proc), this process's (the answers), cores and load.

Targets (issue 13): each default run under 3 minutes on 2 CPU cores; DPO's held-out reward
accuracy above 0.5.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(spec) -> tuple[dict, list[dict], float]:
    from engine.runs import launcher, store
    from engine.runs.events import read_events

    t0 = time.monotonic()
    run_dir = store.find_run(launcher.start(spec))
    peak = 0
    while store.status(run_dir).get("state") in store.ACTIVE:
        peak = max(peak, worker_peak_kb(store.status(run_dir).get("pid")))
        time.sleep(0.5)
    wall = time.monotonic() - t0
    st = {**store.status(run_dir), "worker_peak_rss_mb": round(peak / 1024, 1)}
    return st, [e.to_dict() for e in read_events(run_dir / store.EVENTS)[0]], wall


def worker_peak_kb(pid) -> int:
    """The worker's peak resident memory so far (Linux ``VmHWM``; the worker is detached, so
    ``RUSAGE_CHILDREN`` never sees it), 0 when unknown."""
    try:
        for line in Path(f"/proc/{int(pid)}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, TypeError, ValueError):
        pass
    return 0


def steps_per_s(events: list[dict]) -> float | None:
    """Training steps per second as transformers reports them (the summary's ``train/runtime``)."""
    summary = next((e for e in events if e["event"] == "summary"), None)
    if not summary or not summary.get("train/runtime"):
        return None
    return round(summary["step"] / summary["train/runtime"], 4)


def adapter_size(out: Path, start: dict) -> dict:
    size = (out / "adapter_model.safetensors").stat().st_size
    weights = start.get("trainable_params", 0)
    return {"adapter_bytes": size, "trainable_params": weights, "fp32_bytes": weights * 4,
            "bytes_per_weight": round(size / weights, 3) if weights else None}


def answers(model_name: str, adapter: Path, prompts: list[str]) -> list[dict]:
    import torch

    from engine.models.load import load_model
    from engine.training.lora import load_adapter

    loaded = load_model(model_name, device="cpu", dtype="float32")
    tok = loaded.tokenizer

    def reply(model, prompt: str) -> str:
        ids = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True,
                                      return_tensors="pt", return_dict=True)
        with torch.no_grad():
            out = model.generate(**ids, max_new_tokens=40, do_sample=False, pad_token_id=tok.pad_token_id)
        return tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True).strip()

    before = [reply(loaded.model, p) for p in prompts]
    tuned = load_adapter(loaded.model, adapter).eval()
    after = [reply(tuned, p) for p in prompts]
    return [{"prompt": p, "before": b, "after": a} for p, b, a in zip(prompts, before, after)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="dojo-tiny")
    parser.add_argument("--kind", choices=("lora", "dpo", "both"), default="both")
    parser.add_argument("--prompts", type=int, default=3)
    parser.add_argument("--max-steps", type=int, default=0,
                        help="cap each run at N steps (0: the defaults; a short look at a bigger model on a CPU)")
    parser.add_argument("--lr", type=float, default=0.0, help="learning rate (0: the suggested one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("LLM_DOJO_HOME", tempfile.mkdtemp(prefix="dojo-bench-"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from engine.runs.spec import RunSpec

    cap = ({"max_steps": args.max_steps} if args.max_steps > 0 else {}) | ({"lr": args.lr} if args.lr > 0 else {})
    result: dict = {"model": args.model, "max_steps": args.max_steps or "default", "lr": args.lr or "default", "cpu_count": os.cpu_count(), "load_before": os.getloadavg()[0]}
    if args.kind in ("lora", "both"):
        st, events, wall = run(RunSpec.suggested("sentiment", kind="sft", method="lora", model=args.model, **cap))
        evals = [e for e in events if e["event"] == "eval" and "eval/accuracy" in e]
        start = next(e for e in events if e["event"] == "start")
        done = events[-1]
        result["lora"] = {"state": st.get("state"), "error": st.get("error"), "wall_s": round(wall, 1),
                          "worker_peak_rss_mb": st["worker_peak_rss_mb"],
                          "steps": done.get("step"), "steps_per_s": steps_per_s(events), "accuracy_before": evals[0]["eval/accuracy"] if evals else None,
                          "accuracy_after": done.get("eval/accuracy"), "best_step": done.get("best_step"),
                          **(adapter_size(Path(st["output"]), start) if st.get("output") else {})}
    if args.kind in ("dpo", "both"):
        from engine.training.dpo import load_preferences

        spec = RunSpec.suggested(kind="dpo", model=args.model, **cap)
        st, events, wall = run(spec)
        evals = [e for e in events if e["event"] == "eval"]
        start = next(e for e in events if e["event"] == "start")
        res = {"state": st.get("state"), "error": st.get("error"), "wall_s": round(wall, 1),
               "worker_peak_rss_mb": st["worker_peak_rss_mb"],
               "steps": events[-1].get("step"), "steps_per_s": steps_per_s(events)}
        if evals:
            res.update({"reward_accuracy_before": evals[0].get("eval/rewards/accuracies"),
                        "reward_accuracy_after": evals[-1].get("eval/rewards/accuracies"),
                        "margin_before": evals[0].get("eval/rewards/margins"),
                        "margin_after": evals[-1].get("eval/rewards/margins"),
                        "eval_loss_before": evals[0].get("eval/loss"), "eval_loss_after": evals[-1].get("eval/loss")})
        if st.get("output"):
            res.update(adapter_size(Path(st["output"]), start))
            # held-out prompts in both languages, alternating (an English-only model shows its change in English)
            rows = [r["prompt"] for r in load_preferences("").test]
            ko = [p for p in rows if any("\uac00" <= ch <= "\ud7a3" for ch in p)]
            en = [p for p in rows if p not in ko]
            prompts = [p for pair in zip(en, ko) for p in pair][: args.prompts]
            res["answers"] = answers(args.model, Path(st["output"]), prompts)
        result["dpo"] = res
    result["peak_rss_mb_this_process"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
