"""Run directories: where a run's state lives and how every reader sees it.

One directory per run under ``<data dir>/runs/<run-id>/``::

    spec.json      the frozen RunSpec (written once)
    status.json    state, pid, times, error (rewritten atomically: tmp + rename)
    events.jsonl   one JSON object per logging step, appended and flushed per line
    run.log        the worker's stdout and stderr
    stop.request   present while a stop has been asked for
    checkpoints/   transformers checkpoints (checkpoint-<step>/)
    model/         the result of full fine-tuning (adapter/ for adapters)

The events' schema is :mod:`engine.runs.events`; every reader folds them with
:mod:`engine.runs.history`.

The worker is the only writer of events; status is written by the launcher
(queued), the worker (running ... completed/failed/cancelled) and the controller
(when it had to kill a worker). Writes take an advisory lock so a read-modify-write
never loses a field. A run whose process died without saying so is reported as
failed by ``status`` and written back once, so every front end agrees.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import DojoError
from .spec import RunSpec

STATES = ("queued", "running", "stopping", "completed", "failed", "cancelled")
ACTIVE = frozenset({"queued", "running", "stopping"})
SPEC, STATUS, EVENTS, LOG, STOP = "spec.json", "status.json", "events.jsonl", "run.log", "stop.request"


class RunNotFound(DojoError):
    """A run id that matches no run directory."""


# -- processes ------------------------------------------------------------------
def process_start(pid: int) -> int | None:
    """The kernel's start time of ``pid`` (clock ticks since boot) on Linux, else None.
    Stored with the pid so a recycled pid is never mistaken for our worker."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def pid_alive(pid: int | None, start: int | None = None) -> bool:
    """True while ``pid`` runs (a zombie counts as dead) and is the process we started."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): kill(0) is all we know
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):
        return False
    return start is None or int(fields[19]) == start


# -- ids and directories -------------------------------------------------------
def new_run_id(spec: RunSpec) -> str:
    """``20250301-142233-sft-sentiment-3fa2``: sortable by time, readable, unique."""
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{spec.kind}-{spec.task}-{secrets.token_hex(2)}"


def short_id(run_id: str) -> str:
    """``20250301-142233-sft-sentiment-3fa2`` -> ``0301-1422-3fa2`` (date, time, random tail):
    what lists show; :func:`find_run` accepts it, like any unique prefix of the full id.

    >>> short_id("20250301-142233-sft-sentiment-3fa2")
    '0301-1422-3fa2'
    """
    parts = run_id.split("-")
    if len(parts) >= 3 and len(parts[0]) == 8 and len(parts[1]) == 6:
        return f"{parts[0][4:]}-{parts[1][:4]}-{parts[-1]}"
    return run_id


def root() -> Path:
    return paths.runs_dir()


def create_run(spec: RunSpec) -> Path:
    """A new run directory holding ``spec.json`` and a queued ``status.json``, readable by its
    owner only (0700; files 0600), whatever the umask of the process that starts it."""
    base = paths.ensure_home() / "runs"
    if not base.is_dir():
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(base, 0o700)
    while True:
        run_dir = base / new_run_id(spec)
        try:
            run_dir.mkdir(mode=0o700)
            break
        except FileExistsError:
            continue
    os.chmod(run_dir, 0o700)  # mkdir's mode is filtered by the umask; this is not
    for name, text in ((SPEC, spec.to_json()), (EVENTS, ""), (LOG, "")):
        fd = os.open(run_dir / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    write_status(run_dir, state="queued", created=time.time())
    return run_dir


def all_run_dirs() -> list[Path]:
    base = root()
    if not base.is_dir():
        return []
    return sorted((p for p in base.iterdir() if p.is_dir() and not p.is_symlink() and (p / SPEC).exists()),
                  key=lambda p: p.name)


def find_run(run_id: str) -> Path:
    """The directory of ``run_id`` (a unique prefix is enough)."""
    run_id = run_id.strip().rstrip("/")
    if "/" in run_id or "\\" in run_id or run_id in (".", ".."):
        raise RunNotFound(f"{run_id!r} is not a run id (a run id has no '/'); list runs with: llm-dojo runs")
    if run_id and (root() / run_id / SPEC).exists():
        return root() / run_id
    matches = [p for p in all_run_dirs() if run_id and (p.name.startswith(run_id) or short_id(p.name) == run_id)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise RunNotFound(f"{run_id!r} matches {len(matches)} runs ({', '.join(p.name for p in matches[:3])}...); "
                          "give more of the id")
    recent = [p.name for p in all_run_dirs()[-3:]]
    hint = f"recent runs: {', '.join(recent)}" if recent else "there are no runs yet"
    raise RunNotFound(f"no run {run_id!r} in {root()} ({hint}); list them with: llm-dojo runs")


def load_spec(run_dir: Path) -> RunSpec:
    return RunSpec.load(run_dir / SPEC)


# -- status ---------------------------------------------------------------------
@contextlib.contextmanager
def _locked(run_dir: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: atomic rename only
        yield
        return
    fd = os.open(run_dir / ".status.lock", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_status_file(run_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((run_dir / STATUS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"state": "queued"}
    except (OSError, json.JSONDecodeError) as exc:
        return {"state": "failed", "error": f"status.json is unreadable ({exc})"}


def write_status(run_dir: Path, **changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into status.json atomically and return the new status."""
    with _locked(run_dir):
        status = _read_status_file(run_dir)
        status.update(changes)
        status["updated"] = time.time()
        tmp = run_dir / f".{STATUS}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(status, ensure_ascii=False, indent=1))
        os.replace(tmp, run_dir / STATUS)
    return status


def status(run_dir: Path) -> dict[str, Any]:
    """The run's status; a queued/running run whose worker is gone becomes failed."""
    st = _read_status_file(run_dir)
    if st.get("state") in ACTIVE and st.get("pid") and not pid_alive(st["pid"], st.get("pid_start")):
        time.sleep(0.05)  # the worker may be writing its final status right now
        st = _read_status_file(run_dir)
        if st.get("state") in ACTIVE and not pid_alive(st.get("pid"), st.get("pid_start")):
            if (run_dir / STOP).exists():
                st = write_status(run_dir, state="cancelled", ended=time.time(),
                                  error=st.get("error") or "stopped before its first checkpoint")
            else:
                st = write_status(run_dir, state="failed", ended=time.time(), error=crash_message(run_dir))
    return st


def crash_message(run_dir: Path) -> str:
    """What a run whose worker died silently (SIGKILL, the kernel's OOM killer) says: the step it
    reached and, when a checkpoint survived, the command that continues from it."""
    from .history import tail_history

    step = tail_history(run_dir).step
    kept = last_checkpoint(run_dir)
    then = (f"continue from the checkpoint of step {kept.name[11:]}: llm-dojo runs resume {run_dir.name}"
            if kept is not None else "no checkpoint was saved yet, so start it again")
    return (f"the run crashed at step {step}: its worker ended without reporting (killed, or out of memory); "
            f"{then} (details in {run_dir / LOG})")


# -- events and checkpoints -------------------------------------------------------
def events_path(run_dir: Path) -> Path:
    return run_dir / EVENTS


def last_checkpoint(run_dir: Path) -> Path | None:
    """The newest checkpoint that was written completely (transformers writes
    ``trainer_state.json`` last; the pretraining recipe's ``last.pt`` is renamed into place)."""
    base = run_dir / "checkpoints"
    if not base.is_dir():
        return None
    done = [p for p in base.glob("checkpoint-*") if (p / "trainer_state.json").exists() and p.name[11:].isdigit()]
    return max(done, key=lambda p: int(p.name[11:]), default=None)


@dataclass(frozen=True)
class RunInfo:
    id: str
    path: Path
    spec: RunSpec
    status: dict[str, Any]
    progress: dict[str, Any]
    """``RunHistory.progress()`` of the tail of the run's events."""
    queue: dict[str, Any] | None = None
    """For a run waiting for its device: ``{"position": n, "devices": [...], "behind": run id}``
    (``engine.runs.queue.positions``); None otherwise."""

    @property
    def state(self) -> str:
        return self.status.get("state", "queued")

    def to_dict(self) -> dict[str, Any]:
        p, s = self.progress, self.status
        return {
            "id": self.id, "short_id": short_id(self.id), "title": self.spec.title, "kind": self.spec.kind,
            "task": self.spec.task, "model": self.spec.model,
            "dataset": self.spec.dataset or "(built-in)", "state": self.state,
            "step": p.get("step"), "total": p.get("total"), "loss": p.get("loss"), "eval_loss": p.get("eval_loss"),
            "accuracy": p.get("accuracy"),
            "eta_s": p.get("eta") if self.state in ACTIVE else None, "started": s.get("started"),
            "ended": s.get("ended"), "error": s.get("error"), "path": str(self.path), "output": s.get("output"),
            "best_step": s.get("best_step"),
            "queue_position": (self.queue or {}).get("position"), "devices": s.get("devices"),
            "waiting_for": (self.queue or {}).get("behind"), "processes": s.get("processes"),
        }


def queue_info(run_dir: Path, st: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Where a run waiting for its device stands (``{"position", "devices", "behind"}``), else None."""
    from .queue import positions

    st = status(run_dir) if st is None else st
    if st.get("state") != "queued" or not st.get("waiting"):
        return None
    return positions({d.name: (st if d.name == run_dir.name else _read_status_file(d))
                      for d in all_run_dirs()}).get(run_dir.name)


def info(run_dir: Path) -> RunInfo:
    from .history import tail_history

    st = status(run_dir)
    return RunInfo(run_dir.name, run_dir, load_spec(run_dir), st, tail_history(run_dir).progress(),
                   queue_info(run_dir, st))


def list_runs() -> list[RunInfo]:
    """Every run, oldest first; a damaged directory is listed as failed, not skipped."""
    from dataclasses import replace

    from .queue import positions

    out = []
    for run_dir in all_run_dirs():
        try:
            out.append(info_without_queue(run_dir))
        except DojoError as exc:
            out.append(RunInfo(run_dir.name, run_dir, RunSpec(), {"state": "failed", "error": str(exc)}, {}))
    queue = positions({r.id: r.status for r in out})
    return [replace(r, queue=queue[r.id]) if r.id in queue else r for r in out]


def info_without_queue(run_dir: Path) -> RunInfo:
    from .history import tail_history

    return RunInfo(run_dir.name, run_dir, load_spec(run_dir), status(run_dir), tail_history(run_dir).progress())


def remove_run(run_id: str) -> Path:
    """Delete a run's directory: a finished run, or a queued one still waiting for its device
    (its waiting process is ended first); a running run must be stopped first.

    Only the run directory itself goes: it must be a real directory directly under the runs
    directory (not a symlink to elsewhere), and a symlink inside it is removed as a link,
    never followed (``shutil.rmtree`` on Linux works through directory descriptors)."""
    run_dir = find_run(run_id)
    st = status(run_dir)
    state = st.get("state")
    if state == "queued" and st.get("waiting"):
        _end_waiting(st)
    elif state in ACTIVE:
        raise DojoError(f"run {run_dir.name} is {state}; stop it first: llm-dojo runs stop {run_dir.name}")
    if run_dir.is_symlink() or run_dir.resolve().parent != root().resolve():
        raise DojoError(f"{run_dir} is a link out of {root()}; remove the link yourself if it is not wanted")
    if not shutil.rmtree.avoids_symlink_attacks:  # pragma: no cover - platforms without fd-based rmtree
        for link in [p for p in run_dir.rglob("*") if p.is_symlink()]:
            link.unlink()
    shutil.rmtree(run_dir)
    return run_dir


def _end_waiting(st: dict[str, Any]) -> None:
    """End a queued run's waiting worker (it holds no device and has trained nothing)."""
    import signal

    pid, start = st.get("pid"), st.get("pid_start")
    if not pid_alive(pid, start):
        return
    try:
        os.killpg(pid, signal.SIGKILL)  # the worker leads its own group
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid_alive(pid, start) and time.monotonic() < deadline:
        time.sleep(0.05)
