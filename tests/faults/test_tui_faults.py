"""The app stays alive through run faults: the runs screen opens on a run whose worker was
killed mid-write (dead pid, torn last event line) and shows it as crashed at its last
complete step, with the command that resumes it. No worker runs here: the run directory
is what a SIGKILL leaves behind."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from textual.app import App

from engine.runs import store
from engine.runs.spec import RunSpec
from tui.i18n import set_lang
from tui.labs import register_strings
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


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_runs_screen_shows_a_killed_run_as_crashed_with_its_step():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    run_dir = store.create_run(RunSpec())
    (run_dir / "checkpoints" / "checkpoint-2").mkdir(parents=True)
    (run_dir / "checkpoints" / "checkpoint-2" / "trainer_state.json").write_text("{}")
    with open(run_dir / store.EVENTS, "wb") as fh:
        fh.write(json.dumps({"event": "start", "t": 1.0, "step": 0, "total": 8}).encode() + b"\n")
        for i in range(1, 4):
            fh.write(json.dumps({"event": "log", "t": 1.0 + i, "step": i, "total": 8, "train/loss": 3.0 - i / 4})
                     .encode() + b"\n")
        fh.write(b'{"event": "log", "t": 5.0, "step": 4, "tr')  # the kill tore this line
    store.write_status(run_dir, state="running", pid=dead.pid, started=time.time())

    app = Host(RunsScreen(attach=run_dir.name))
    started = time.monotonic()
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert time.monotonic() - started < 10
        assert "failed" in text and "3/8" in text, text
        assert "the run crashed at step 3" in text and "checkpoint of step 2: llm-dojo runs resume" in text, text
        st = store.status(run_dir)
        assert st["error"].startswith("the run crashed at step 3:") and f"runs resume {run_dir.name}" in st["error"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
