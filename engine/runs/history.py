"""One fold of a run's events, and one watcher that feeds it: what every front shows of a run.

:class:`RunHistory` turns events into the run as a person sees it: a series per
metric (``train/loss``, ``eval/loss``, ``lr``, ``eval/accuracy``, ``rewards/margins``...),
the latest value of everything, and where the run stands (step, total, ETA). A resume
from step N drops what an interrupted session logged after N (those steps were
trained again), so the curve never doubles back.

:class:`RunWatcher` reads a run directory incrementally (byte offset into
``events.jsonl``, status file each poll) and returns a :class:`RunSnapshot`: it never
blocks, so the TUI polls it on a timer and the CLI in a loop. The runs list, the live
view and ``llm-dojo runs attach`` all use these two, so they cannot disagree.

>>> from engine.runs.events import RunEvent as E
>>> h = RunHistory()
>>> h.apply([E("log", 1, 4, 0, {"train/loss": 3.0}), E("log", 2, 4, 0, {"train/loss": 2.0}),
...          E("resume", 1, 4, 0, {}), E("log", 2, 4, 0, {"train/loss": 1.9})])
>>> h.series["train/loss"], h.step, h.total
([(1, 3.0), (2, 1.9)], 2, 4)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import events as ev
from .events import RunEvent


@dataclass
class RunHistory:
    series: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    """Metric key -> (step, value) points in step order, resumes applied."""
    latest: dict[str, Any] = field(default_factory=dict)
    """Every key's newest value (metrics and bookkeeping: eta, tokens/s, message...)."""
    step: int = 0
    total: int | None = None
    applied: int = 0
    """Events folded so far."""
    last_t: float = 0.0
    """Wall time of the newest event."""
    ending: RunEvent | None = None
    """The done / cancelled / failed event, once written."""
    first_eval: dict[str, float] = field(default_factory=dict)
    """The metrics of the first evaluation (the baseline the training has to beat)."""

    def apply(self, events: Iterable[RunEvent]) -> None:
        for e in events:
            self.applied += 1
            self.last_t = max(self.last_t, e.t)
            if e.kind == ev.RESUME:
                for key, points in self.series.items():
                    self.series[key] = [p for p in points if p[0] <= e.step]
                self.ending = None
            if e.kind in (ev.LOG, ev.EVAL):
                for key, value in e.metrics().items():
                    self.series.setdefault(key, []).append((e.step, value))
                if e.kind == ev.EVAL and not self.first_eval:
                    self.first_eval = e.metrics()
            if e.kind in ev.ENDINGS:
                self.ending = e
            if e.kind in (ev.LOG, ev.EVAL, ev.START, ev.RESUME, ev.TRAIN_BEGIN, ev.STOPPING, ev.DONE,
                          ev.CHECKPOINT):
                self.step = e.step
            if e.total is not None:
                self.total = e.total
            self.latest.update(e.values)

    # -- what fronts show ---------------------------------------------------------
    def last(self, key: str) -> float | None:
        points = self.series.get(key)
        return points[-1][1] if points else None

    @property
    def loss(self) -> float | None:
        return self.last("train/loss")

    @property
    def eval_loss(self) -> float | None:
        return self.last("eval/loss")

    @property
    def accuracy(self) -> float | None:
        return self.last("eval/accuracy")

    @property
    def eta(self) -> float | None:
        value = self.latest.get("eta")
        return float(value) if isinstance(value, (int, float)) else None

    def progress(self) -> dict[str, Any]:
        """Step, total, last losses, accuracy, ETA: the numbers of one row in a runs list."""
        return {"step": self.step, "total": self.total, "loss": self.loss, "eval_loss": self.eval_loss,
                "accuracy": self.accuracy, "eta": self.eta, "elapsed": self.latest.get("elapsed")}


@dataclass(frozen=True)
class RunSnapshot:
    """What a watcher saw at one poll."""

    status: dict[str, Any]
    history: RunHistory
    new: tuple[RunEvent, ...]
    """Events read by this poll (already folded into ``history``)."""

    @property
    def state(self) -> str:
        return str(self.status.get("state", "queued"))

    @property
    def active(self) -> bool:
        from .store import ACTIVE

        return self.state in ACTIVE


class RunWatcher:
    """Incremental reader of one run directory: ``poll()`` -> :class:`RunSnapshot`.

    The first poll reads the whole ``events.jsonl`` (the full history, whoever started
    the run and whenever); later polls read only the bytes appended since."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.offset = 0
        self.history = RunHistory()

    def poll(self) -> RunSnapshot:
        from . import store

        status = store.status(self.run_dir)
        new, self.offset = ev.read_events(self.run_dir / store.EVENTS, self.offset)
        self.history.apply(new)
        return RunSnapshot(status, self.history, tuple(new))


def tail_history(run_dir: Path, tail_bytes: int = 65536) -> RunHistory:
    """A fold of the last ``tail_bytes`` of a run's events: enough for a list row, cheap for
    a list of many runs (a long run's whole file is never read for a row)."""
    from . import store

    path = run_dir / store.EVENTS
    size = path.stat().st_size if path.exists() else 0
    start = max(0, size - tail_bytes)
    events, _ = ev.read_events(path, start)
    if start and events:
        events = events[1:]  # the first line may be cut in the middle
    history = RunHistory()
    history.apply(events)
    return history
