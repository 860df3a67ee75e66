"""UI responsiveness while the embeddings lab trains in its worker thread.

    python bench/embeddings_ui.py [--algorithms cbow,skipgram,glove] [--json]

Runs the lab headless (Textual ``run_test``, 80x24), starts a training with the lab's
defaults from its form (Ctrl+R), and records how late a 60 Hz timer fires meanwhile
(lateness = interval - 1/60 s), until the training ends. gensim releases the GIL in its
compiled loops and GloVe's torch steps are small, so the screen should stay responsive:
targets p99 < 50 ms and max < 200 ms (as for the training lab). Idle lateness is shown for
reference. The lab imports gensim and torch in a worker when it opens (an import holds the GIL);
the measurement starts after that, as a person's first Ctrl+R would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


async def measure(algorithm: str | None) -> dict:
    from textual.app import App

    from tui.labs import register_strings
    from tui.labs.embeddings.screen import EmbeddingsScreen

    register_strings()
    late: list[float] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(EmbeddingsScreen())

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await app.workers.wait_for_complete()  # the lab warms its imports when it opens
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            late.append(max(0.0, now - last[0] - 1 / 60))
            last[0] = now

        timer = app.set_interval(1 / 60, tick)
        start = time.perf_counter()
        if algorithm is None:
            await asyncio.sleep(3)
        else:
            screen.query_one("#cfg-algorithm").value = algorithm
            await pilot.press("ctrl+r")
            await pilot.pause(0.2)
            while screen.training:
                await asyncio.sleep(0.05)
        seconds = time.perf_counter() - start
        timer.stop()
    late = late[1:]
    return {"algorithm": algorithm or "idle", "seconds": round(seconds, 2), "ticks": len(late),
            "p99_ms": round(pct(late, 0.99) * 1000, 1), "max_ms": round(max(late, default=0) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--algorithms", default="cbow,skipgram,glove")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("LLM_DOJO_HOME", tempfile.mkdtemp(prefix="dojo-bench-"))
    rows = [asyncio.run(measure(None))] + [asyncio.run(measure(a)) for a in args.algorithms.split(",")]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for r in rows:
        print(f"{r['algorithm']:>9}: {r['seconds']:6.2f} s, {r['ticks']} ticks, timer lateness p99 {r['p99_ms']} ms, "
              f"max {r['max_ms']} ms")


if __name__ == "__main__":
    main()
