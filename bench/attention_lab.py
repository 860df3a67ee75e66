"""The attention lab's heatmap: request-to-widget-update time on a 64-token input, and the shared cache.

    python bench/attention_lab.py [--model dojo-tiny] [--repeats 20] [--json]

1. "Another lab" loads the model through the app-wide cache (``engine.models.cache.shared``):
   one real load, timed.
2. The attention lab runs headless (Textual ``run_test``, 80x24) on a 64-token input and
   asks for its model through the same cache: the bench reports the cache's load count
   after every capture (it must stay 1) and how long the lab's first model request took.
3. ``--repeats`` times: ``request_capture()`` (a worker: one forward pass with eager
   attention, the raw scores from the hooked projections, then the heatmap is rebuilt)
   until the heatmap widget has been updated and the screen has processed its messages
   (``pilot.pause()``), wall time from the request. Also F2 (next layer: no forward pass,
   the heatmap redrawn from the captured maps).

Target (issue 18): the heatmap updates in under 200 ms from the request (median and p95 shown).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def text_of_tokens(tokenizer, n: int) -> str:
    """A text of exactly ``n`` tokens (English and Korean mixed, cut by tokens)."""
    base = ("The cat sat on the mat because it was warm. 고양이가 따뜻한 매트 위에 앉았다. "
            "Attention lets every token look at the others. ")
    ids: list[int] = []
    text = base
    while len(ids) < n + 8:
        text += base
        ids = tokenizer(text)["input_ids"]
    for cut in range(n, n + 8):  # a cut inside a Hangul syllable may re-tokenize differently
        candidate = tokenizer.decode(ids[:cut])
        if len(tokenizer(candidate)["input_ids"]) == n:
            return candidate
    raise SystemExit("could not build a text of exactly the asked number of tokens")


async def measure(model: str, repeats: int) -> dict:
    from textual.app import App

    from engine.models.cache import shared
    from tui.labs import register_strings
    from tui.labs.attention.screen import AttentionScreen

    cache = shared()
    t0 = time.perf_counter()
    other = cache.get(model)  # what the generation lab does when it opens
    first_load_s = time.perf_counter() - t0
    loads_after_other_lab = cache.loads
    text = text_of_tokens(other.tokenizer, 64)
    register_strings()
    lab_request_s: list[float] = []

    def timed_load(name: str):
        from engine.attention.capture import load_for_attention

        start = time.perf_counter()
        loaded = load_for_attention(name)
        lab_request_s.append(time.perf_counter() - start)
        return loaded

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(AttentionScreen({"model": model, "text": text}, load=timed_load))

    captures: list[float] = []
    layer_keys: list[float] = []
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        for _ in range(600):
            await pilot.pause(0.05)
            if screen.result is not None:
                break
        await app.workers.wait_for_complete()
        tokens = screen.result.size
        for _ in range(repeats):
            before = len(screen.latencies)
            start = time.perf_counter()
            screen.request_capture()
            while len(screen.latencies) == before:
                await pilot.pause(0.001)
            await pilot.pause()
            captures.append(time.perf_counter() - start)
        for _ in range(repeats):
            start = time.perf_counter()
            await pilot.press("f2")
            await pilot.pause()
            layer_keys.append(time.perf_counter() - start)
        loads_after_lab = cache.loads
    return {
        "model": model, "tokens": tokens, "repeats": repeats,
        "first_load_s": round(first_load_s, 3), "loads_after_other_lab": loads_after_other_lab,
        "loads_after_attention_lab": loads_after_lab,
        "lab_model_request_ms": [round(s * 1000, 2) for s in lab_request_s],
        "capture_to_heatmap_ms": {"median": round(statistics.median(captures) * 1000, 1),
                                  "p95": round(pct(captures, 0.95) * 1000, 1),
                                  "max": round(max(captures) * 1000, 1)},
        "layer_key_to_heatmap_ms": {"median": round(statistics.median(layer_keys) * 1000, 1),
                                    "p95": round(pct(layer_keys, 0.95) * 1000, 1)},
        "target_ms": 200,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="dojo-tiny")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = asyncio.run(measure(args.model, args.repeats))
    if args.json:
        print(json.dumps(out, indent=2))
        return
    c, k = out["capture_to_heatmap_ms"], out["layer_key_to_heatmap_ms"]
    print(f"{out['model']}, {out['tokens']} tokens, {out['repeats']} repeats")
    print(f"request -> heatmap updated: median {c['median']} ms, p95 {c['p95']} ms, max {c['max']} ms "
          f"(target < {out['target_ms']} ms)")
    print(f"F2 (next layer, no forward pass) -> heatmap: median {k['median']} ms, p95 {k['p95']} ms")
    print(f"shared cache: first load {out['first_load_s']} s; loads after the other lab "
          f"{out['loads_after_other_lab']}, after the attention lab {out['loads_after_attention_lab']}; "
          f"the lab's model request took {out['lab_model_request_ms']} ms")


if __name__ == "__main__":
    main()
