"""The SFT lab and the runs list, in a minimal app, against real runs of a tiny model.

A bare ``App`` hosts the lab screens here (with the labs' strings registered); the
runs are real worker processes, so "reattach" means what it means for a student:
the screen opens after the run started and must draw everything it already logged.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input

from engine.runs import control, launcher, store
from engine.runs.faults import SLOW_TEST_ENV
from engine.runs.spec import RunSpec
from tests.engine.test_runs_support import keyword_sentiment, tiny_spec, wait_state, wait_step
from tui.i18n import set_lang
from tui.labs import register_strings
from tui.labs.runs.screen import RunsScreen
from tui.labs.training.screen import TrainingScreen
from tui.widgets.runs.plot import RunPlot
from tui.widgets.runs.view import RunView


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


async def until(pilot, predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def log_steps(run_id: str) -> list[int]:
    from engine.runs.history import RunWatcher

    return [step for step, _ in RunWatcher(store.find_run(run_id)).poll().history.series.get("train/loss", [])]


async def test_runs_screen_reattaches_to_a_running_run_and_draws_its_history(tiny_llama_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(SLOW_TEST_ENV, "0.05")
    data = keyword_sentiment(tmp_path / "kw.jsonl")
    run_id = launcher.start(tiny_spec(tiny_llama_dir, data, max_steps=400, eval_steps=5))
    try:
        wait_step(run_id, 12)
        app = Host(RunsScreen(attach=run_id))
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            view = app.screen.query_one(RunView)
            plot = app.screen.query_one(RunPlot)
            drawn = [s for s, _ in plot.series['train/loss']]
            assert drawn[:12] == list(range(1, 13))  # the whole history, from step 1
            assert len(plot.series['eval/loss']) >= 3 and plot.series['eval/loss'][0][0] == 0
            seen = len(plot.series['train/loss'])
            await until(pilot, lambda: len(plot.series['train/loss']) >= seen + 5, 10, "new points")
            assert [s for s, _ in plot.series['train/loss']] == log_steps(run_id)[: len(plot.series['train/loss'])]
            assert run_id in str(app.screen.query_one("#run-head").render())
            assert app.screen.query_one("#runs-table").row_count == 1

            await pilot.press("s")  # stop: checkpoint at the end of the step
            await until(pilot, lambda: view.run_state == "cancelled", 60, "the run to be cancelled")
            st = store.status(store.find_run(run_id))
            assert "checkpoint saved" in st["error"]
            await pilot.press("r")  # resume from the list
            await until(pilot, lambda: view.run_state in store.ACTIVE, 20, "the run to resume")
            await until(pilot, lambda: len(plot.series['train/loss']) > seen + 5 and view.run_state == "running", 60, "resumed points")
    finally:
        if store.status(store.find_run(run_id)).get("state") in store.ACTIVE:
            control.request_stop(run_id)
            control.request_stop(run_id)
    assert wait_state(run_id, {"cancelled", "completed", "failed"}, 30)["state"] == "cancelled"


async def test_history_of_a_finished_run_is_drawn_in_full(tmp_path):
    run_dir = store.create_run(RunSpec(model="dojo-tiny"))
    lines = [{"event": "start", "step": 0, "total": 300}]
    for step in range(1, 301):
        lines.append({"event": "log", "t": time.time(), "step": step, "total": 300, "train/loss": 5 / step,
                      "lr": 1e-3, "eta": 300 - step})
        if step % 30 == 0:
            lines.append({"event": "eval", "step": step, "total": 300, "eval/loss": 6 / step, "eval/accuracy": 0.9})
    (run_dir / store.EVENTS).write_text("".join(json.dumps(e) + "\n" for e in lines))
    store.write_status(run_dir, state="completed")
    app = Host(RunsScreen())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        plot = app.screen.query_one(RunPlot)
        assert len(plot.series['train/loss']) == 300 and len(plot.series['eval/loss']) == 10 and len(plot.series['lr']) == 300
        stats = str(app.screen.query_one("#run-stats").render())
        assert "step 300/300" in stats and "accuracy 90.0%" in stats
        await pilot.press("x", "x")  # remove, confirmed
        await pilot.pause()
        assert not run_dir.exists() and app.screen.query_one(RunView).run_id is None


async def test_training_screen_starts_a_run_and_follows_it(tiny_llama_dir, tmp_path):
    data = keyword_sentiment(tmp_path / "kw.jsonl")
    screen = TrainingScreen({"task": "sentiment", "model": str(tiny_llama_dir), "dataset": str(data), "epochs": 1})
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#cfg-epochs", Input).value == "1"  # from the lesson's try_it
        assert app.screen.query_one("#cfg-model", Input).value == str(tiny_llama_dir)
        app.screen.query_one("#cfg-max-seq-length", Input).value = "64"
        app.screen.query_one("#cfg-batch-size", Input).value = "abc"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.all_run_dirs() == []  # a bad number starts nothing
        app.screen.query_one("#cfg-batch-size", Input).value = "16"
        await pilot.press("ctrl+s")
        view = app.screen.query_one(RunView)
        await until(pilot, lambda: view.run_id is not None, 30, "the run to start")
        await until(pilot, lambda: view.run_state == "completed", 120, "the run to complete")
        assert [s for s, _ in app.screen.query_one(RunPlot).series['train/loss']] == log_steps(view.run_id)
        assert store.load_spec(store.find_run(view.run_id)).epochs == 1


async def test_training_screen_reports_bad_data_without_starting(tiny_llama_dir, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "a", "label": "pos"}\n{"text": \n')
    app = Host(TrainingScreen({"model": str(tiny_llama_dir), "dataset": str(broken)}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#cfg-max-seq-length", Input).value = "64"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("broken.jsonl:2" in n.message for n in app._notifications), 20, "error")
        assert store.all_run_dirs() == [] and app.screen.query_one(RunView).run_id is None


def test_screens_do_not_import_torch_until_a_run_starts():
    import subprocess
    import sys

    code = ("import sys; import tui.labs.training.screen, tui.labs.runs.screen, tui.widgets.runs.view;"
            "print(sorted(m for m in ('torch', 'transformers', 'gensim') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]", out.stderr
