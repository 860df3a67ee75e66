"""Can trl's online RL trainer run on a CPU within the course's budgets? (issue 13, PPO/GRPO)

    python bench/grpo_step.py [--model dojo-tiny] [--steps 4] [--json]

trl 1.16 has no ``PPOTrainer``; its online RL trainer is ``GRPOTrainer``. This runs it on
the built-in preference prompts with a stand-in reward (chrF to the chosen answer minus
chrF to the rejected one, so no reward model is needed): 8 prompts x 4 sampled answers of
at most 32 tokens per step, LoRA-free, on the CPU. It reports trl's own ``step_time`` per
step and how many steps fit in the 3 minutes a default CPU run may take. The lesson on
preference tuning quotes the result (11-27 s per step on 2 busy cores: about ten steps in
three minutes, too few to show an effect, so the CPU lab offers DPO only).
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="dojo-tiny")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import sacrebleu
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from engine.models.resolve import resolve_model
    from engine.training.dpo import load_preferences

    path = resolve_model(args.model).path
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    rows = [{"prompt": [{"role": "user", "content": r["prompt"]}], "chosen": r["chosen"], "rejected": r["rejected"]}
            for r in load_preferences("").train[:64]]

    def reward(completions, chosen, rejected, **_):
        texts = [c[0]["content"] if isinstance(c, list) else c for c in completions]
        return [(sacrebleu.sentence_chrf(t, [c]).score - sacrebleu.sentence_chrf(t, [r]).score) / 100
                for t, c, r in zip(texts, chosen, rejected)]

    with tempfile.TemporaryDirectory() as out:
        config = GRPOConfig(output_dir=out, per_device_train_batch_size=8, num_generations=4, max_completion_length=32,
                            max_steps=args.steps, logging_steps=1, learning_rate=5e-4, report_to=[], use_cpu=True,
                            save_strategy="no", beta=0.04)
        trainer = GRPOTrainer(model=model, reward_funcs=reward, args=config, train_dataset=Dataset.from_list(rows),
                              processing_class=tok)
        start = time.perf_counter()
        trainer.train()
        wall = time.perf_counter() - start
    steps = [h for h in trainer.state.log_history if "step_time" in h]
    times = [float(h["step_time"]) for h in steps]
    result = {"model": args.model, "steps": len(times), "step_s": [round(t, 2) for t in times],
              "median_step_s": round(statistics.median(times), 2) if times else None,
              "steps_in_3_min": int(180 // statistics.median(times)) if times else 0,
              "reward": [round(float(h.get("reward", 0.0)), 4) for h in steps], "wall_s": round(wall, 1),
              "cpu_count": os.cpu_count(), "load": round(os.getloadavg()[0], 2)}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"GRPO on {args.model}: {result['steps']} steps, {result['step_s']} s each (median "
          f"{result['median_step_s']} s): about {result['steps_in_3_min']} steps in 3 minutes "
          f"(load {result['load']}, {result['cpu_count']} cores)")


if __name__ == "__main__":
    main()
