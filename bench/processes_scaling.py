"""One run on two CPU processes (DDP over gloo, through torchrun) vs the same run on one.

    python bench/processes_scaling.py [--model dojo-tiny] [--steps 40] [--pairs 1] [--json]

Both sides are real detached runs (``launcher.start``) of the same model on the same
built-in sentiment sentences with the same *global* batch: one process with 16
examples per step, two processes with 8 each. Throughput is the run's own
``train/samples_per_second`` (transformers' count over the whole global batch, from the
run's ``summary`` event; process start and model loading are not in it), and the
wall time from launch to the final status is shown beside it. ratio = two / one:
above 1 means the second process paid for itself.

On a CPU the two processes share the machine's cores (torchrun gives each one thread;
the single process uses torch's default, a thread per core)
and exchange gradients through gloo every step, so a ratio near or below 1 is what to
expect on a small machine; the point of the CPU path is to try data parallelism, and
the same command scales a run over GPUs. Each side runs with the queue off
(``parallel``) in its own data dir, alternating order per pair.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def one_run(model: str, steps: int, processes: int) -> dict:
    from engine.runs import launcher, store
    from engine.runs.events import read_events
    from engine.runs.spec import RunSpec

    spec = RunSpec(task="sentiment", model=model, max_steps=steps, batch_size=16 // processes, lr=5e-4,
                   logging_steps=1, eval_steps=10**6, save_steps=10**6, eval_on_start=False, keep_best=False,
                   max_seq_length=64, device="cpu", processes=processes, parallel=True)
    t0 = time.monotonic()
    run_id = launcher.start(spec)
    run_dir = store.find_run(run_id)
    while store.status(run_dir).get("state") in store.ACTIVE:
        time.sleep(0.2)
    wall = time.monotonic() - t0
    st = store.status(run_dir)
    if st.get("state") != "completed":
        raise SystemExit(f"run {run_id} {st.get('state')}: {st.get('error')}")
    events = read_events(run_dir / store.EVENTS)[0]
    summary = next(e for e in events if e.kind == "summary")
    losses = [e.get("train/loss") for e in events if e.kind == "log"]
    return {"processes": processes, "samples_per_s": summary.get("train/samples_per_second"),
            "train_s": summary.get("train/runtime"), "wall_s": round(wall, 1), "final_loss": losses[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="dojo-tiny")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument("--keep-threads", action="store_true",
                        help="keep OMP_NUM_THREADS from the environment (default: unset it, as for a user who never "
                             "set it: one process uses torch's threads, torchrun gives each of two one thread)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.keep_threads:
        os.environ.pop("OMP_NUM_THREADS", None)
    rows = []
    with tempfile.TemporaryDirectory(prefix="dojo-bench-mp-") as home:
        os.environ["LLM_DOJO_HOME"] = home
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        for pair in range(args.pairs):
            order = (1, 2) if pair % 2 == 0 else (2, 1)
            got = {n: one_run(args.model, args.steps, n) for n in order}
            ratio = got[2]["samples_per_s"] / got[1]["samples_per_s"]
            rows.append({"one": got[1], "two": got[2], "ratio": round(ratio, 3)})
    result = {"model": args.model, "steps": args.steps, "global_batch": 16, "cores": os.cpu_count(),
              "pairs": rows, "median_ratio": statistics.median(r["ratio"] for r in rows)}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for r in rows:
        for side in ("one", "two"):
            x = r[side]
            print(f"{x['processes']} process(es): {x['samples_per_s']:.1f} samples/s in training "
                  f"({x['train_s']:.1f} s), {x['wall_s']:.1f} s launch to end, final loss {x['final_loss']:.4f}")
        print(f"ratio two/one: {r['ratio']:.3f}")
    print(f"median ratio over {len(rows)} pair(s): {result['median_ratio']:.3f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
