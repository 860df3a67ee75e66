"""Evaluation runs in the app (issue 15): Ctrl+B in the evaluation lab starts a background
run per chosen set; the runs list shows its items and, once it completes, its results
table instead of a loss plot."""

from __future__ import annotations

import json
import time

import pytest
from textual.app import App

from engine.runs import store
from tui.i18n import set_lang
from tui.labs import register_strings
from tui.labs.evaluation.screen import EvaluationScreen
from tui.labs.runs.screen import RunsScreen


class Host(App[None]):
    def __init__(self, screen) -> None:
        super().__init__()
        register_strings()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


@pytest.fixture(autouse=True)
def english():
    set_lang("en")
    yield
    set_lang("en")


def wait_done(run_id: str, timeout: float = 120.0) -> dict:
    run_dir = store.find_run(run_id)
    deadline = time.monotonic() + timeout
    while store.status(run_dir).get("state") in store.ACTIVE and time.monotonic() < deadline:
        time.sleep(0.2)
    return store.status(run_dir)


async def test_ctrl_b_starts_a_background_evaluation_and_the_runs_list_shows_its_table(tiny_llama_dir):
    lab = EvaluationScreen({"model": str(tiny_llama_dir), "tasks": ["course-mc"], "limit": 4},
                           load=lambda name: pytest.fail("a background run must not load in the app"))
    app = Host(lab)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+b")
        await pilot.pause()
        notes = "\n".join(n.message for n in app._notifications)
        assert "Started 1 background evaluation" in notes, notes
    [run_dir] = store.all_run_dirs()
    st = wait_done(run_dir.name)
    assert st["state"] == "completed", st
    rows = json.loads((next(run_dir.glob("results/*/result.json"))).read_text(encoding="utf-8"))["rows"]
    acc = next(r for r in rows if r["metric"] == "acc")
    app = Host(RunsScreen())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause(0.3)
        stats = str(app.screen.query_one("#run-stats").render())
        assert "items 4/4" in stats, stats
        table = app.screen.query_one("#run-results")
        assert table.display and not app.screen.query_one("#run-plot").display
        shown = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "acc_norm" in shown and f"{acc['value']:.4f}" in shown, shown
