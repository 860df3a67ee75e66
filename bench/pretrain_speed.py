"""How long the embedded models' recipe takes on this machine, from a short timed run.

    python bench/pretrain_speed.py [--steps 20]

For each shipped preset it runs the real recipe (corpus, tokenizer, model, training
loop) for a few steps into a temporary directory, measures seconds per step after the
first (warm-up) steps, and extrapolates the full recipe: setup + pretrain steps x
s/step (+ chat steps x their s/step). Run it on an otherwise idle machine: the
recipe's own wall time, printed in each model card, includes whatever else was
running at the time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def time_preset(name: str, steps: int) -> dict:
    from engine.training.presets import get_preset
    from engine.training.pretrain import StepEvent, pretrain

    full = get_preset(name)
    chat = steps if full.chat_steps else 0
    short = replace(full, steps=steps, chat_steps=chat, checkpoint_every=10_000)
    stamps: list[tuple[str, float]] = []
    start = time.perf_counter()
    first_step_at = None
    with tempfile.TemporaryDirectory() as tmp:
        for ev in pretrain(short, Path(tmp) / "m", evaluate=False):
            if isinstance(ev, StepEvent):
                now = time.perf_counter()
                first_step_at = first_step_at or now
                stamps.append((ev.stage, now))
    setup = first_step_at - start

    def per_step(stage: str) -> float:
        times = [t for s, t in stamps if s == stage][3:]  # skip warm-up steps
        return (times[-1] - times[0]) / max(1, len(times) - 1) if len(times) > 1 else 0.0

    pre, ch = per_step("pretrain"), per_step("chat")
    total = setup + full.steps * pre + full.chat_steps * ch
    return {"preset": name, "setup_s": setup, "pretrain_s_per_step": pre, "chat_s_per_step": ch,
            "estimated_recipe_min": total / 60}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    total = 0.0
    for name in ("dojo-tiny", "dojo-tiny-mlm"):
        r = time_preset(name, args.steps)
        total += r["estimated_recipe_min"]
        print(f"{name}: setup {r['setup_s']:.1f} s, {r['pretrain_s_per_step']:.2f} s/step pretrain"
              + (f", {r['chat_s_per_step']:.2f} s/step chat" if r["chat_s_per_step"] else "")
              + f" -> full recipe about {r['estimated_recipe_min']:.1f} min (training, before evaluation)")
    print(f"both presets: about {total:.1f} min (target < 60)")


if __name__ == "__main__":
    main()
