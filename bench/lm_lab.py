"""Request-to-widget time of the language-model lab's next-token table and surprise view.

    python bench/lm_lab.py [--runs 30] [--tokens 64] [--json]

On dojo-tiny with a prompt of exactly ``--tokens`` tokens (Korean and English text
from the built-in examples, repeated and cut), two figures per panel:

* engine: ``engine.lm.api.next_token_table`` / ``score_sentence`` alone (one forward pass
  plus the table), model already loaded;
* request-to-widget: the lab headless (Textual ``run_test``, 80x24): from
  ``LanguageModelScreen.request(panel)`` (what a keystroke's debounce or Enter calls)
  to the panel's ``Static`` updated with the new table, as the screen measures it
  (``screen.latency``), the worker thread, the message hop and the render included.

Target: under 200 ms (issue 18). Median and p95 over ``--runs`` requests, after one
untimed warm-up request per panel (the model load and first-call imports).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def prompt_of(tokenizer, n: int) -> str:
    """A text that dojo-tiny's tokenizer reads as exactly ``n`` tokens."""
    from engine.lm.examples import EXAMPLES

    base = " ".join(EXAMPLES[lang]["sentence"] for lang in ("ko", "en")) + " "
    words = (base * (1 + n // 10)).split(" ")
    text = ""
    for w in words:
        longer = (text + " " + w).strip()
        if len(tokenizer.encode(longer)) > n:
            break
        text = longer
    while len(tokenizer.encode(text)) < n:  # pad with single-token pieces up to exactly n
        text += "."
    return text


def stats(values: list[float]) -> dict:
    return {"median_ms": round(statistics.median(values) * 1000, 1), "p95_ms": round(pct(values, 0.95) * 1000, 1),
            "runs": len(values)}


async def widget_times(prompt: str, runs: int, cache) -> dict:
    from textual.app import App

    from tui.labs import register_strings
    from tui.labs.language_model.screen import LanguageModelScreen

    register_strings()

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(LanguageModelScreen({"prompt": prompt}, cache=cache))

    out: dict = {}
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        for panel in ("next", "surprise"):
            await pilot.press("f2" if panel == "next" else "f3")
            times: list[float] = []
            for i in range(runs + 1):
                screen.latency.pop(panel, None)
                screen.request(panel, force=True)
                while panel not in screen.latency and panel not in screen.errors:
                    await asyncio.sleep(0.002)
                if panel in screen.errors:
                    raise RuntimeError(str(screen.errors[panel]))
                if i:  # the first is the warm-up
                    times.append(screen.latency[panel])
            out[panel] = stats(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("LLM_DOJO_HOME", tempfile.mkdtemp(prefix="dojo-bench-"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from engine.lm import api
    from engine.models.cache import ModelCache

    cache = ModelCache()
    loaded = api.load("dojo-tiny", "causal", "bench", cache)
    prompt = prompt_of(loaded.tokenizer, args.tokens)
    n = len(loaded.tokenizer.encode(prompt))
    engine: dict = {}
    for panel, call in (("next", lambda: api.next_token_table(loaded.model, loaded.tokenizer, prompt, 10)),
                        ("surprise", lambda: api.score_sentence(loaded.model, loaded.tokenizer, prompt))):
        call()
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        engine[panel] = stats(times)
    widget = asyncio.run(widget_times(prompt, args.runs, cache))
    result = {"model": "dojo-tiny", "prompt_tokens": n, "threads": __import__("torch").get_num_threads(),
              "engine": engine, "request_to_widget": widget, "loads": cache.loads}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"dojo-tiny, {n}-token prompt, {result['threads']} torch thread(s), {args.runs} runs each "
          f"(model loaded {cache.loads}x)")
    for panel in ("next", "surprise"):
        e, w = engine[panel], widget[panel]
        print(f"  {panel:<9} engine median {e['median_ms']} ms, p95 {e['p95_ms']} ms | request-to-widget median "
              f"{w['median_ms']} ms, p95 {w['p95_ms']} ms  (target < 200 ms)")


if __name__ == "__main__":
    main()
