"""The default SFT sentiment run on dojo-tiny: wall time and held-out accuracy before/after.

    python bench/sft_default.py [--model dojo-tiny] [--seeds 3] [--json]

Starts exactly what ``llm-dojo train sft`` starts with no options (task sentiment,
the built-in Korean sentiment data, the defaults ``suggested`` picks for this
machine), through the real run system, and waits for it. Reports the wall time from
``start`` to "completed" (process start-up, model load, evaluation and saving
included), the held-out accuracy of the untrained model (the step-0 evaluation) and
after training, the held-out size per label, and the machine's cores and load.
Target (issue 6): under 3 minutes on 2 CPU cores, accuracy well above the untrained.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def one_run(model: str, seed: int | None, overrides: dict | None = None) -> dict:
    from engine.runs import launcher, store
    from engine.runs.events import read_events
    from engine.runs.spec import RunSpec

    spec = RunSpec.suggested("sentiment", model=model, **({} if seed is None else {"seed": seed}), **(overrides or {}))
    t0 = time.monotonic()
    run_dir = store.find_run(launcher.start(spec))
    while store.status(run_dir).get("state") in store.ACTIVE:
        time.sleep(0.5)
    wall = time.monotonic() - t0
    st = store.status(run_dir)
    events = [e.to_dict() for e in read_events(run_dir / store.EVENTS)[0]]
    evals = [e for e in events if e.get("event") == "eval" and "eval/accuracy" in e]
    logs = [e for e in events if e.get("event") == "log"]
    done = next((e for e in events if e.get("event") == "done"), {})
    return {
        "seed": spec.seed, "state": st.get("state"), "error": st.get("error"), "wall_s": round(wall, 1),
        "steps": logs[-1]["step"] if logs else 0,
        "accuracy_before": evals[0]["eval/accuracy"] if evals and evals[0]["step"] == 0 else None,
        "accuracy_last_step": evals[-1]["eval/accuracy"] if evals else None,
        "accuracy_kept": done.get("eval/accuracy"), "best_step": done.get("best_step"),
        "eval_loss_kept": done.get("eval/loss"), "spec": spec.to_dict(), "run_dir": str(run_dir),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="dojo-tiny")
    parser.add_argument("--seeds", type=int, default=1, help="runs with seeds 0..N-1 (1: the default seed only)")
    parser.add_argument("--lr", type=float, help="try another learning rate (tuning; the default is the suggestion)")
    parser.add_argument("--epochs", type=float, help="try another epoch count (tuning)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("LLM_DOJO_HOME", tempfile.mkdtemp(prefix="dojo-bench-"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from engine.runs.spec import RunSpec

    overrides = {k: v for k, v in (("lr", args.lr), ("epochs", args.epochs)) if v is not None}
    from engine.training.sft import load_data

    data = load_data(RunSpec.suggested("sentiment", model=args.model))
    load_before = os.getloadavg()[0]
    runs = [one_run(args.model, None if args.seeds == 1 else seed, overrides) for seed in range(args.seeds)]
    kept = [r["accuracy_kept"] for r in runs if r["accuracy_kept"] is not None]
    result = {
        "runs": runs, "heldout": len(data.test), "heldout_per_label": dict(Counter(r["label"] for r in data.test)),
        "train_examples": len(data.train), "cpu_count": os.cpu_count(), "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "accuracy_kept_mean": round(statistics.mean(kept), 3) if kept else None,
        "accuracy_kept_min": min(kept, default=None), "accuracy_kept_max": max(kept, default=None),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    print(f"default SFT sentiment run on {args.model}: {len(data.train)} training examples, held out "
          f"{result['heldout']} {result['heldout_per_label']}; {os.cpu_count()} cores, load "
          f"{result['load_before']} -> {result['load_after']}")
    for r in runs:
        print(f"seed {r['seed']}: {r['state']} in {r['wall_s'] / 60:.2f} min ({r['steps']} steps); held-out accuracy "
              f"{r['accuracy_before']} untrained -> {r['accuracy_last_step']} at the last step, "
              f"{r['accuracy_kept']} kept (step {r['best_step']})" + (f"; error: {r['error']}" if r["error"] else ""))
    if kept:
        print(f"kept model's held-out accuracy over {len(kept)} run(s): mean {result['accuracy_kept_mean']}, "
              f"min {result['accuracy_kept_min']}, max {result['accuracy_kept_max']} (the same held-out set picks "
              "the step, so this is slightly optimistic; the last step's figure is not)")
    ok = all(r["state"] == "completed" and r["wall_s"] < 180 for r in runs)
    print(f"target (each run < 3 min): {'OK' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main()
