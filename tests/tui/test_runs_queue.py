"""Queued runs in the runs lab and the CLI: their place in line, stop and delete.

The runs are run directories whose statuses say what a real queue says (a run holding
the CPU, two waiting in order); their "workers" are real sleeping processes, so stop
and delete act on live processes, as they would on a waiting worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable

from engine.runs import store
from engine.runs.spec import RunSpec
from tests.cli_helpers import ROOT, dojo
from tests.engine.test_runs_scale import _listening_sockets
from tests.tui.conftest import make_app
from tui.i18n import set_lang
from tui.labs import register_strings
from tui.labs.runs.screen import RunsScreen
from tui.widgets.runs.view import RunView


class Host(App[None]):
    def __init__(self, screen) -> None:
        super().__init__()
        register_strings()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


@pytest.fixture
def queue():
    """(holder, first waiter, second waiter) run dirs, each with a live process of its own."""
    procs = [subprocess.Popen(["sleep", "120"], start_new_session=True) for _ in range(3)]
    dirs = []
    for k, proc in enumerate(procs):
        run_dir = store.create_run(RunSpec(model="dojo-tiny"))
        status = {"state": "running", "devices": ["cpu"], "waiting": False} if k == 0 else \
            {"state": "queued", "devices": ["cpu"], "waiting": True, "queued_at": 100.0 + k}
        store.write_status(run_dir, pid=proc.pid, pid_start=store.process_start(proc.pid), **status)
        dirs.append(run_dir)
    yield dirs
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    set_lang("en")


async def until(pilot, predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_runs_lab_shows_places_in_line_and_stops_and_deletes_queued_runs(queue):
    holder, first, second = queue
    set_lang("ko")
    app = Host(RunsScreen(attach=first.name))
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert str(table.get_cell(first.name, "state")) == "대기 #1"
        assert str(table.get_cell(second.name, "state")) == "대기 #2"
        assert str(table.get_cell(holder.name, "state")) == "학습 중"
        head = str(app.screen.query_one("#run-head").render())
        assert f"cpu 대기열 1번째 ({store.short_id(holder.name)} 다음)" in head

        table.move_cursor(row=table.get_row_index(first.name))
        await pilot.press("s")  # stop the first waiter: it leaves the line
        await until(pilot, lambda: store.status(first)["state"] == "cancelled", what="the queued run to stop")
        await until(pilot, lambda: str(table.get_cell(second.name, "state")) == "대기 #1", what="the line to move")

        table.move_cursor(row=table.get_row_index(second.name))
        await pilot.press("x", "x")  # delete the other waiter, confirmed
        await until(pilot, lambda: not second.exists(), what="the queued run to be deleted")
        assert app.screen.query_one(RunView).run_id == first.name
        assert _listening_sockets([os.getpid()]) == []  # the app opened no port


def test_a_new_run_knows_what_it_queues_behind(queue):
    from engine.runs import launcher

    holder, first, second = queue
    assert sorted(launcher.busy(RunSpec(device="cpu"))) == sorted([holder.name, first.name, second.name])
    assert launcher.busy(RunSpec(device="cpu", parallel=True)) == []
    if not Path("/proc/driver/nvidia/gpus").is_dir():  # the CPU queue is not a GPU's
        assert launcher.busy(RunSpec(device="mps")) == []


def test_cli_lists_and_attaches_to_a_queued_run(queue):
    holder, first, second = queue
    res = dojo("runs", "--json")
    rows = {r["id"]: r for r in json.loads(res.stdout)}
    assert rows[first.name]["queue_position"] == 1 and rows[second.name]["queue_position"] == 2
    assert rows[second.name]["waiting_for"] == holder.name and rows[holder.name]["queue_position"] is None
    table = dojo("runs").stdout
    assert "queued #2" in table and f"queued #1 for cpu, after run {store.short_id(holder.name)}" in table

    viewer = subprocess.Popen([sys.executable, "-m", "tui.cli", "runs", "attach", second.name], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    time.sleep(4)
    viewer.send_signal(signal.SIGINT)
    _, err = viewer.communicate(timeout=20)
    assert viewer.returncode == 130, err
    assert "queued #2 for cpu" in err and "detached" in err


IDS = ("20261203-090000-sft-sentiment-aaaa", "20261203-090100-sft-sentiment-bbbb", "20261203-090200-sft-sentiment-cccc")


@pytest.fixture
def fixed_queue(dojo_home):
    """The same queue with fixed ids and a few logged steps of the run holding the CPU (for a snapshot)."""
    procs = [subprocess.Popen(["sleep", "120"], start_new_session=True) for _ in range(3)]
    for k, (proc, run_id) in enumerate(zip(procs, IDS)):
        run_dir = store.create_run(RunSpec(model="dojo-tiny", device="cpu")).rename(store.root() / run_id)
        status = {"state": "running", "devices": ["cpu"], "waiting": False} if k == 0 else \
            {"state": "queued", "devices": ["cpu"], "waiting": True, "queued_at": 100.0 + k}
        store.write_status(run_dir, pid=proc.pid, pid_start=store.process_start(proc.pid), **status)
        if k == 0:
            (run_dir / store.EVENTS).write_text("".join(
                json.dumps({"event": "log", "step": s, "total": 90, "t": 1.0 + s, "train/loss": 3.0 / s,
                            "eta": 90.0 - s}) + "\n" for s in range(1, 31)))
    yield
    for proc in procs:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_snapshot_queued_runs_korean_80x24(snap_compare, fixed_queue) -> None:
    app = make_app("ko")

    async def open_runs(pilot) -> None:
        await pilot.pause()
        app.open_lab("runs", {"run": IDS[1]})
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_runs)
