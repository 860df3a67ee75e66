"""Act on runs from outside their process: stop, resume, follow. No torch here.

* ``request_stop`` asks once (``stop.request`` + SIGTERM): the worker finishes the
  current step, saves a checkpoint and marks the run cancelled. Asking a second time
  kills the worker's whole process group (it leads its own session, so that is
  exactly the worker and anything it spawned), and the run is marked cancelled.
* ``stop`` asks, waits up to ``timeout`` seconds, then kills: no orphan remains
  (``wait_stopped`` is the waiting half, for a front end that asked already).
* ``resume`` restarts a cancelled or failed run from its newest complete checkpoint;
  the worker appends to the same ``events.jsonl`` and transformers' checkpoint
  restores the step counter, optimizer, scheduler and RNG state.
* ``follow`` yields new events as they are appended, until the run ends; it only
  reads files, so any number of viewers can follow one run, and losing a viewer
  (a dropped SSH session) changes nothing for the run.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DojoError
from . import launcher, store


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # the worker is its session's and group's leader
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, signal.SIGKILL)


def _wait_gone(pid: int, start: int | None, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while store.pid_alive(pid, start):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def request_stop(run_id: str) -> str:
    """Ask a run to stop -> "requested", "killed" (second request) or "not running"."""
    run_dir = store.find_run(run_id)
    st = store.status(run_dir)
    if st.get("state") not in store.ACTIVE:
        return "not running"
    pid, start = st.get("pid"), st.get("pid_start")
    if (run_dir / store.STOP).exists() or st.get("state") == "stopping":
        kill(run_dir)
        return "killed"
    (run_dir / store.STOP).write_text(str(time.time()))
    store.write_status(run_dir, state="stopping")
    if pid and store.pid_alive(pid, start):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    return "requested"


def kill(run_dir: Path, reason: str = "killed on a second stop request") -> None:
    """Kill the worker's process group now and record the run as cancelled."""
    st = store.status(run_dir)
    pid, start = st.get("pid"), st.get("pid_start")
    if pid and store.pid_alive(pid, start):
        _kill_group(pid)
        _wait_gone(pid, start, 10.0)
    if store.status(run_dir).get("state") in store.ACTIVE or st.get("state") in store.ACTIVE:
        step = store.last_progress(run_dir).get("step")
        at = f" at step {step}" if step is not None else ""
        store.write_status(run_dir, state="cancelled", ended=time.time(), error=f"{reason}{at}")
    (run_dir / store.STOP).unlink(missing_ok=True)


def stop(run_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """Stop gracefully, waiting up to ``timeout`` s for the checkpoint; then kill."""
    run_dir = store.find_run(run_id)
    outcome = request_stop(run_id)
    if outcome == "not running":
        st = store.status(run_dir)
        raise DojoError(f"run {run_dir.name} is not running (it is {st.get('state')}); nothing to stop")
    if outcome == "requested":
        return wait_stopped(run_dir.name, timeout)
    _wait_final(run_dir)
    return store.status(run_dir)


def wait_stopped(run_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """After a stop request: wait up to ``timeout`` s for the worker to exit, then kill."""
    run_dir = store.find_run(run_id)
    st = store.status(run_dir)
    if st.get("pid") and not _wait_gone(st["pid"], st.get("pid_start"), timeout):
        kill(run_dir, reason=f"killed after waiting {timeout:g} s for a graceful stop")
    _wait_final(run_dir)
    return store.status(run_dir)


def _wait_final(run_dir: Path, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while store.status(run_dir).get("state") in store.ACTIVE and time.monotonic() < deadline:
        time.sleep(0.05)


def resume(run_id: str) -> str:
    """Restart a cancelled or failed run from its last checkpoint -> its id."""
    from .worker import last_checkpoint

    run_dir = store.find_run(run_id)
    st = store.status(run_dir)
    state = st.get("state")
    if state == "completed":
        prog = store.last_progress(run_dir)
        raise DojoError(f"run {run_dir.name} already completed (step {prog.get('step')}/{prog.get('total')}); "
                        "there is nothing to resume. Start a new run to train more")
    if state in store.ACTIVE:
        raise DojoError(f"run {run_dir.name} is {state}; attach to it with: llm-dojo runs attach {run_dir.name}")
    if last_checkpoint(run_dir) is None:
        raise DojoError(f"run {run_dir.name} has no checkpoint to resume from (it ended before its first save); "
                        "start it again as a new run")
    (run_dir / store.STOP).unlink(missing_ok=True)
    store.write_status(run_dir, state="queued", pid=None, pid_start=None, error=None, ended=None,
                       resumes=int(st.get("resumes", 0)) + 1)
    launcher.spawn(run_dir, resume=True)
    return run_dir.name


def follow(run_id: str, *, poll: float = 0.2, from_start: bool = True,
           timeout: float | None = None) -> Iterator[dict[str, Any]]:
    """Yield events (the whole history first, then new ones) until the run ends.

    Ends when the run is no longer active and every line has been read, or after
    ``timeout`` seconds. Stopping the iteration never touches the run."""
    run_dir = store.find_run(run_id)
    offset = 0 if from_start else (run_dir / store.EVENTS).stat().st_size
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        active = store.status(run_dir).get("state") in store.ACTIVE
        events, offset = store.read_events(run_dir, offset)
        yield from events
        if not active:
            events, offset = store.read_events(run_dir, offset)
            yield from events
            return
        if deadline is not None and time.monotonic() > deadline:
            return
        time.sleep(poll)
