"""The default SFT sentiment run on dojo-tiny: wall time and held-out accuracy before/after.

    python bench/sft_default.py [--model dojo-tiny] [--json]

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
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="dojo-tiny")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("LLM_DOJO_HOME", tempfile.mkdtemp(prefix="dojo-bench-"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from engine.runs import launcher, store
    from engine.runs.events import read_events
    from engine.runs.spec import RunSpec
    from engine.training.sft import load_data

    spec = RunSpec.suggested("sentiment", model=args.model)
    data = load_data(spec)
    load_before = os.getloadavg()[0]
    t0 = time.monotonic()
    run_id = launcher.start(spec)
    run_dir = store.find_run(run_id)
    while store.status(run_dir).get("state") in store.ACTIVE:
        time.sleep(0.5)
    wall = time.monotonic() - t0
    st = store.status(run_dir)
    events = [e.to_dict() for e in read_events(run_dir / store.EVENTS)[0]]
    evals = [e for e in events if e.get("event") == "eval" and "eval/accuracy" in e]
    logs = [e for e in events if e.get("event") == "log"]
    result = {
        "state": st.get("state"), "error": st.get("error"), "wall_s": round(wall, 1),
        "steps": logs[-1]["step"] if logs else 0,
        "accuracy_before": evals[0]["eval/accuracy"] if evals and evals[0]["step"] == 0 else None,
        "accuracy_after": evals[-1]["eval/accuracy"] if evals else None,
        "eval_loss_before": evals[0].get("eval/loss") if evals else None,
        "eval_loss_after": evals[-1].get("eval/loss") if evals else None,
        "heldout": len(data.test), "heldout_per_label": dict(Counter(r["label"] for r in data.test)),
        "train_examples": len(data.train), "spec": spec.to_dict(), "cpu_count": os.cpu_count(),
        "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2), "run_dir": str(run_dir),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    print(f"default SFT sentiment run on {args.model}: {result['state']} in {wall / 60:.2f} min "
          f"({result['steps']} steps, {len(data.train)} training examples, {os.cpu_count()} cores, "
          f"load {result['load_before']} -> {result['load_after']})")
    if result["error"]:
        print(f"error: {result['error']}")
    print(f"held-out accuracy: {result['accuracy_before']} before -> {result['accuracy_after']} after "
          f"(n = {result['heldout']}: {result['heldout_per_label']}); eval loss "
          f"{result['eval_loss_before']} -> {result['eval_loss_after']}")
    ok = result["state"] == "completed" and wall < 180
    print(f"target (< 3 min): {'OK' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main()
