"""Measure the evaluation lab's scoring (the README's evaluation figures).

    python bench/eval_scoring.py [--json] [--limit N] [--skip-default] [--skip-batching]

Shared machines are noisy: every timing is given as wall-clock seconds and as the
process's CPU seconds (``time.process_time``, all threads), and ratios are taken on both.

1. Batched multiple-choice scoring (batch 8 and 32) against one forward pass per
   (item, choice) (batch 1), on dojo-tiny and the built-in course-mc set: the speed-up
   and the largest difference between any two log-likelihoods (batch size must not
   change a score beyond 1e-4).
2. The default evaluation of dojo-tiny plus one LoRA adapter (random, r=8, made here:
   the time does not depend on what the adapter learned) on the built-in sets
   course-mc, sentiment-ko, course-qa and heldout-ko, end to end through
   ``evaluate_candidates`` (loading included).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def batching(limit: int) -> dict:
    from engine.evaluation.config import EvalConfig
    from engine.evaluation.data import load_set
    from engine.evaluation.tasks import run_task
    from engine.models.load import load_model

    m = load_model("dojo-tiny")
    es = load_set("multiple_choice", "course-mc", limit)
    out: dict = {"items": len(es), "requests": sum(2 * len(it["choices"]) for it in es.items)}
    scores = {}
    run_task(m.model, m.tokenizer, es, EvalConfig(limit=2, bootstrap=0))  # warm-up
    for b in (1, 8, 32):
        t, c = time.perf_counter(), time.process_time()
        r = run_task(m.model, m.tokenizer, es, EvalConfig(batch_size=b, bootstrap=0))
        out[f"seconds_batch_{b}"] = round(time.perf_counter() - t, 2)
        out[f"cpu_seconds_batch_{b}"] = round(time.process_time() - c, 2)
        print(f"batch {b}: {out[f'seconds_batch_{b}']} s wall, {out[f'cpu_seconds_batch_{b}']} s CPU",
              file=sys.stderr, flush=True)
        scores[b] = [c[k] for row in r.items for c in row["choices"] for k in ("loglikelihood", "letter_loglikelihood")]
        out[f"acc_batch_{b}"] = r.metric("acc").value
    out["speedup_8_vs_1"] = round(out["seconds_batch_1"] / out["seconds_batch_8"], 2)
    out["speedup_32_vs_1"] = round(out["seconds_batch_1"] / out["seconds_batch_32"], 2)
    out["cpu_speedup_8_vs_1"] = round(out["cpu_seconds_batch_1"] / out["cpu_seconds_batch_8"], 2)
    out["cpu_speedup_32_vs_1"] = round(out["cpu_seconds_batch_1"] / out["cpu_seconds_batch_32"], 2)
    out["max_abs_diff"] = max(abs(a - b) for x in (8, 32) for a, b in zip(scores[1], scores[x]))
    return out


def default_evaluation() -> dict:
    import torch
    from peft import LoraConfig, get_peft_model

    from engine.evaluation.api import Candidate, evaluate_candidates
    from engine.evaluation.config import EvalConfig
    from engine.models.load import load_model

    folder = Path(tempfile.mkdtemp()) / "lora-random"
    base = load_model("dojo-tiny").model
    torch.manual_seed(0)
    peft = get_peft_model(base, LoraConfig(r=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    peft.save_pretrained(folder)
    cache: dict = {}

    def load(name):
        if name not in cache:
            cache[name] = load_model(name)
        return cache[name]

    start, cpu = time.perf_counter(), time.process_time()
    out: dict = {"sets": {}}
    for data, task in (("course-mc", "multiple_choice"), ("sentiment-ko", "classification"),
                       ("course-qa", "generation"), ("heldout-ko", "perplexity")):
        t, c = time.perf_counter(), time.process_time()
        comp = evaluate_candidates([Candidate("dojo-tiny"), Candidate("dojo-tiny", str(folder))],
                                   EvalConfig(task=task, data=data), load=load)
        out["sets"][data] = {"seconds": round(time.perf_counter() - t, 1),
                             "cpu_seconds": round(time.process_time() - c, 1), "items": comp.results[0].metrics[0].n,
                             "rows": [(r.model if not r.adapter else "+adapter", r.metric, round(r.value, 4))
                                      for r in comp.rows()]}
        print(f"{data}: {out['sets'][data]}", file=sys.stderr, flush=True)
    out["total_seconds"] = round(time.perf_counter() - start, 1)
    out["total_cpu_seconds"] = round(time.process_time() - cpu, 1)
    return out


def main() -> None:
    limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 40
    result = {} if "--skip-batching" in sys.argv else {"batching": batching(limit)}
    if "--skip-default" not in sys.argv:
        result["default_evaluation"] = default_evaluation()
    if "--json" in sys.argv:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    b = result.get("batching")
    if b is None:
        b = {}
    else:
        print(f"multiple choice, {b['items']} items, {b['requests']} (context, continuation) requests on dojo-tiny")
    for size in (1, 8, 32) if b else ():
        print(f"  batch {size:2d}: {b[f'seconds_batch_{size}']:.2f} s wall, {b[f'cpu_seconds_batch_{size}']:.2f} s "
              f"CPU, acc {b[f'acc_batch_{size}']:.4f}")
    if b:
        print(f"  speed-up 8 vs 1: {b['speedup_8_vs_1']}x wall, {b['cpu_speedup_8_vs_1']}x CPU; 32 vs 1: "
              f"{b['speedup_32_vs_1']}x wall, {b['cpu_speedup_32_vs_1']}x CPU")
        print(f"  largest log-likelihood difference between batch sizes: {b['max_abs_diff']:.2e}")
    if "default_evaluation" not in result:
        return
    d = result["default_evaluation"]
    print(f"default evaluation, dojo-tiny + one LoRA adapter: {d['total_seconds']} s wall, "
          f"{d['total_cpu_seconds']} s CPU")
    for name, row in d["sets"].items():
        print(f"  {name}: {row['seconds']} s wall, {row['cpu_seconds']} s CPU, {row['items']} items")


if __name__ == "__main__":
    main()
