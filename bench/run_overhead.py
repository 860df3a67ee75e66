"""Overhead of the run system: our detached run vs a plain Trainer/SFTTrainer script.

    python bench/run_overhead.py [--model dojo-tiny] [--pairs 3] [--steps 60] [--task both] [--json]

Both sides train the same model on the same data with the same TrainingArguments
(``engine.training.sft.training_kwargs``), each in a fresh process:

* ours: ``launcher.start`` -> detached worker with the events callback, the token
  counting collator, status.json and the default (automatic) checkpointing of a real run;
* plain: a script that loads the model with ``from_pretrained``, tokenises the same
  way and calls ``Trainer``/``SFTTrainer.train()`` with no callbacks of ours and no
  checkpoints at all.

For each pair it prints where our training time went: checkpoint saves (their seconds
come from the run's own ``checkpoint`` events), the training loop, and process start.

Both processes get the same environment (``launcher.worker_env``: the OpenMP wait
policy, tokenizer threads, and the worker's CPU thread count from
``engine.runs.priority``), so only the run path differs.
Evaluation during training is off on both sides (it is configuration, not overhead:
ours would also score label accuracy), so the ratio compares the training loops.
steps/s = steps / ``train_runtime`` as transformers reports it; each pair runs both,
in alternating order, to share the machine's background load; the median ratio is printed
(ratio = ours / plain, target >= 0.95).
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


def bench_spec(task: str, model: str, steps: int):
    from engine.runs.spec import RunSpec

    return RunSpec(task=task, model=model, max_steps=steps, batch_size=16, lr=5e-4, logging_steps=1,
                   eval_steps=10**6, eval_on_start=False, max_seq_length=128)


def plain(spec_json: str, out: str) -> None:
    """The baseline, run in its own process: what a user would write by hand."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

    from engine.models.resolve import resolve_model
    from engine.runs.spec import RunSpec
    from engine.training import sft

    spec = RunSpec.from_json(spec_json)
    path = resolve_model(spec.model).path
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    data = sft.load_data(spec)
    from engine.device import pick_device

    device = pick_device(spec.device)
    kwargs = sft.training_kwargs(spec, Path(out), sft.total_steps(spec, len(data.train)), device, False)
    kwargs["save_strategy"] = "no"  # a hand-written script that never checkpoints
    if spec.task == "sentiment":
        enc = [sft.encode_sentiment(tok, r["text"], r["label"], spec.max_seq_length) for r in data.train]
        test = [sft.encode_sentiment(tok, r["text"], r["label"], spec.max_seq_length) for r in data.test]
        trainer = Trainer(model=model, args=TrainingArguments(**kwargs), train_dataset=enc, eval_dataset=test,
                          data_collator=sft.PadCollator(tok.pad_token_id), processing_class=tok)
    else:
        from datasets import Dataset
        from trl import SFTConfig, SFTTrainer

        trainer = SFTTrainer(model=model, args=SFTConfig(**kwargs, max_length=spec.max_seq_length,
                                                         assistant_only_loss=True),
                             train_dataset=Dataset.from_list(data.train), eval_dataset=Dataset.from_list(data.test),
                             processing_class=tok)
    metrics = trainer.train().metrics
    print("RESULT " + json.dumps({"steps": trainer.state.global_step, "runtime": metrics["train_runtime"]}))


def run_plain(spec) -> dict:
    with tempfile.TemporaryDirectory() as out:
        from engine.runs.launcher import worker_env

        # the same process environment as a worker (OpenMP wait policy, tokenizers threads)
        from engine.runs.priority import worker_threads

        threads = worker_threads()  # the worker's own thread count, so only the run path differs
        env = worker_env({"OMP_NUM_THREADS": str(threads)} if threads else None)
        res = subprocess.run([sys.executable, __file__, "--plain", spec.to_json(), out], capture_output=True,
                             text=True, cwd=ROOT, env=env)
    line = next((x for x in res.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"baseline failed:\n{res.stderr[-3000:]}")
    return json.loads(line[7:])


def run_ours(spec) -> dict:
    from engine.runs import launcher, store
    from engine.runs.events import read_events

    t0 = time.monotonic()
    run_id = launcher.start(spec)
    run_dir = store.find_run(run_id)
    while store.status(run_dir).get("state") in store.ACTIVE:
        time.sleep(0.2)
    wall = time.monotonic() - t0
    st = store.status(run_dir)
    if st.get("state") != "completed":
        raise SystemExit(f"our run failed: {st.get('error')}")
    events = read_events(run_dir / store.EVENTS)[0]
    summary = next(e.to_dict() for e in events if e.kind == "summary")
    saves = [e for e in events if e.kind == "checkpoint"]
    return {"steps": summary["step"], "runtime": summary["train/runtime"], "wall": wall,
            "checkpoints": len(saves), "checkpoint_s": sum(e.get("seconds", 0.0) for e in saves)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="dojo-tiny")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--task", choices=("sentiment", "instruction", "both"), default="both")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--plain", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain:
        plain(*args.plain)
        return
    os.environ.setdefault("LLM_DOJO_HOME", tempfile.mkdtemp(prefix="dojo-bench-"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results = {}
    for task in (("sentiment", "instruction") if args.task == "both" else (args.task,)):
        spec = bench_spec(task, args.model, args.steps)
        rows = []
        for i in range(args.pairs):
            if i % 2 == 0:  # alternate the order, so a drift in background load favours neither
                p, o = run_plain(spec), run_ours(spec)
            else:
                o, p = run_ours(spec), run_plain(spec)
            rows.append({"plain_steps_s": p["steps"] / p["runtime"], "ours_steps_s": o["steps"] / o["runtime"],
                         "ours_wall_s": o["wall"], "ours_train_s": o["runtime"], "plain_train_s": p["runtime"],
                         "checkpoints": o["checkpoints"], "checkpoint_s": o["checkpoint_s"]})
            rows[-1]["ratio"] = rows[-1]["ours_steps_s"] / rows[-1]["plain_steps_s"]
            if not args.json:
                r = rows[-1]
                print(f"{task}: plain {r['plain_steps_s']:.2f} steps/s, ours {r['ours_steps_s']:.2f} steps/s, "
                      f"ratio {r['ratio']:.3f}", flush=True)
                loop = r["ours_train_s"] - r["checkpoint_s"]
                print(f"    where our {r['ours_train_s']:.1f} s of training went: {r['checkpoint_s']:.1f} s in "
                      f"{r['checkpoints']} automatic checkpoints, {loop:.1f} s in the loop with our callback and "
                      f"collator (plain loop: {r['plain_train_s']:.1f} s); process start and model load outside "
                      f"the loop: {r['ours_wall_s'] - r['ours_train_s']:.1f} s", flush=True)
        results[task] = {"pairs": rows, "median_ratio": statistics.median(r["ratio"] for r in rows),
                         "steps": args.steps, "model": args.model, "cpu_count": os.cpu_count()}
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for task, res in results.items():
        verdict = "OK" if res["median_ratio"] >= 0.95 else "BELOW TARGET"
        print(f"== {task}: median steps/s ratio ours/plain = {res['median_ratio']:.3f} over {args.pairs} pairs "
              f"({args.steps} steps, {args.model}) {verdict}")


if __name__ == "__main__":
    main()
