"""Snapshots of the SFT lab's form and the runs screen with a finished run (ko/en,
80x24/120x40), in the real app: footers, form labels and table cells must not be cut.

The run is written by hand with a fixed id and fixed numbers, so the picture changes
only when the UI does. Update with ``--snapshot-update`` after looking at the SVGs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.runs import store
from engine.runs.spec import RunSpec

from .conftest import make_app

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
RUN_ID = "20261203-071500-sft-sentiment-3fa2"


@pytest.fixture
def finished_run(dojo_home: Path) -> Path:
    spec = RunSpec(model="dojo-tiny", task="sentiment", epochs=10, lr=1e-3, batch_size=16, device="cpu")
    run_dir = store.create_run(spec).rename(store.root() / RUN_ID)
    lines = [{"event": "start", "step": 0, "total": 190, "t": 1.0}]
    for step in range(1, 191):
        lines.append({"event": "log", "step": step, "total": 190, "t": 1.0 + step, "train/loss": 3.0 / step ** 0.5,
                      "lr": 1e-3 * (1 - step / 190), "elapsed": float(step)})
        if step % 19 == 0:
            lines.append({"event": "eval", "step": step, "total": 190, "t": 1.0 + step, "eval/loss": 2.0 / step ** 0.3,
                          "eval/accuracy": min(0.5 + step / 500, 0.9)})
    (run_dir / store.EVENTS).write_text("".join(json.dumps(e) + "\n" for e in lines))
    store.write_status(run_dir, state="completed", started=1.0, ended=191.0, output=str(run_dir / "model"),
                       best_step=171)
    return run_dir


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_sft_form(snap_compare, dojo_home, lang: str, size: str) -> None:
    app = make_app(lang)

    async def open_form(pilot) -> None:
        await pilot.pause()
        app.open_lab("sft", {})
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=open_form)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_runs_with_a_finished_run(snap_compare, finished_run, lang: str, size: str) -> None:
    app = make_app(lang)

    async def open_runs(pilot) -> None:
        await pilot.pause()
        app.open_lab("runs", {})
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=open_runs)


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_generation_lab_footer_fits_80_columns(dojo_home, lang: str) -> None:
    """The generation lab at 80x24 with a lesson's example: every footer key is on screen.
    (A text check, not a snapshot: the next-token panel's colours follow the model's numbers.)"""
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lab("generation", {"prompt": "옛날 옛적에", "max_new_tokens": 24})
        for _ in range(3):
            await pilot.pause(0.2)
            await app.workers.wait_for_complete()
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        footer = rows[-1]
        for key in ("^r", "esc", "f2", "f3", "f4", "^p"):
            assert key in footer, footer
        assert footer.rstrip().endswith(("명령", "Commands")), footer
        assert "옛날 옛적에" in "\n".join(rows)
