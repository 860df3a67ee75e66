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
* ``follow`` yields a snapshot per poll (``RunWatcher``) until the run ends; it only
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
from .history import RunSnapshot, RunWatcher


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
        from .history import tail_history

        step = tail_history(run_dir).step or None
        at = f" at step {step}" if step is not None else ""
        store.write_status(run_dir, state="cancelled", ended=time.time(), error=f"{reason}{at}")
    (run_dir / store.STOP).unlink(missing_ok=True)


def stop(run_id: str, timeout: float = 120.0, *, now: bool = False) -> dict[str, Any]:
    """Stop gracefully, waiting up to ``timeout`` s for the checkpoint, then kill;
    ``now``: kill at once (no checkpoint). -> the final status."""
    run_dir = store.find_run(run_id)
    if now:
        st = store.status(run_dir)
        if st.get("state") not in store.ACTIVE:
            raise DojoError.keyed("runs.not_running", id=run_dir.name, state=st.get("state"))
        kill(run_dir, reason="killed at once (stop --now)")
        return store.status(run_dir)
    outcome = request_stop(run_id)
    if outcome == "not running":
        st = store.status(run_dir)
        raise DojoError.keyed("runs.not_running", id=run_dir.name, state=st.get("state"))
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


def resumable(run_dir: Path) -> bool:
    """Whether the run left a checkpoint to continue from (the Trainer's, or the recipe's)."""
    spec = store.load_spec(run_dir)
    if spec.kind == "eval":  # scores are kept as they are computed: a resume skips those
        return True
    if spec.kind == "pretrain":
        from ..training.pretrain import CKPT
        return (spec.pretrain_output() / CKPT).exists()
    return store.last_checkpoint(run_dir) is not None


def resume(run_id: str) -> str:
    """Restart a cancelled or failed run from its last checkpoint -> its id."""
    from .history import tail_history

    run_dir = store.find_run(run_id)
    st = store.status(run_dir)
    state = st.get("state")
    if state == "completed":
        h = tail_history(run_dir)
        raise DojoError.keyed("runs.already_completed", id=run_dir.name, step=h.step, total=h.total)
    if state in store.ACTIVE:
        raise DojoError.keyed("runs.is_active", id=run_dir.name, state=state)
    from .events import RESUME, START, read_events

    started = any(e.kind in (START, RESUME) for e in read_events(run_dir / store.EVENTS)[0]) \
        or not st.get("stopped_queued")
    if started and not resumable(run_dir):
        raise DojoError.keyed("runs.no_checkpoint", id=run_dir.name)
    (run_dir / store.STOP).unlink(missing_ok=True)
    store.write_status(run_dir, state="queued", pid=None, pid_start=None, error=None, ended=None,
                       stopped_queued=None, resumes=int(st.get("resumes", 0)) + 1)
    launcher.spawn(run_dir, resume=started)  # a run stopped while queued never started: it starts now
    return run_dir.name


def follow(run_id: str, *, poll: float = 0.2, timeout: float | None = None) -> Iterator[RunSnapshot]:
    """Yield a :class:`~engine.runs.history.RunSnapshot` per poll (the first holds the whole
    history) until the run has ended and every line has been read, or ``timeout`` s.

    Stopping the iteration never touches the run."""
    watcher = RunWatcher(store.find_run(run_id))
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        snap = watcher.poll()
        yield snap
        if not snap.active:
            last = watcher.poll()  # lines written between the status read and the end
            if last.new:
                yield last
            return
        if deadline is not None and time.monotonic() > deadline:
            return
        time.sleep(poll)
