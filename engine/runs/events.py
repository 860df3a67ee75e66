"""The events a run writes to ``events.jsonl``: one schema, shared by every writer and reader.

One JSON object per line, appended and flushed per line by the worker (the only
writer)::

    {"event": "log", "t": 1735.2, "step": 12, "total": 90, "train/loss": 1.93, "lr": 0.00048,
     "grad_norm": 2.1, "tokens/s": 5210.0, "elapsed": 14.2, "eta": 92.3}
    {"event": "eval", "t": 1736.0, "step": 18, "total": 90, "eval/loss": 1.71, "eval/accuracy": 0.64}

:class:`RunEvent` is that line as a typed value: its ``kind`` (one of :data:`KINDS`),
``step``, ``total``, time ``t``, and ``values``: every other key. Metric keys are
namespaced (``train/loss``, ``eval/loss``, ``eval/accuracy``, ``rewards/margins``,
``logps/chosen``...); bookkeeping keys (``elapsed``, ``eta``, ``tokens/s``, ``epoch``,
``message``, ``device``...) are listed in :data:`BOOKKEEPING`. Readers never pick the
JSON apart themselves: they fold events with ``engine.runs.history.RunHistory``.

>>> e = RunEvent.from_dict({"event": "log", "step": 3, "total": 9, "train/loss": 2.5, "eta": 4.0})
>>> e.kind, e.step, e.metrics()
('log', 3, {'train/loss': 2.5})
>>> RunEvent.from_dict(e.to_dict()) == e
True
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

START, RESUME, TRAIN_BEGIN, LOG, EVAL, CHECKPOINT = "start", "resume", "train_begin", "log", "eval", "checkpoint"
STOPPING, SUMMARY, STAGE, DONE, CANCELLED, FAILED = "stopping", "summary", "stage", "done", "cancelled", "failed"
KINDS = (START, RESUME, TRAIN_BEGIN, LOG, EVAL, CHECKPOINT, STOPPING, SUMMARY, STAGE, DONE, CANCELLED, FAILED)
"""Every event kind. ``stage``: a phase of a recipe (corpus, tokenizer, save...);
``summary``: the trainer's end-of-training totals; the last three end a run."""
ENDINGS = (DONE, CANCELLED, FAILED)
BOOKKEEPING = frozenset({"elapsed", "eta", "tokens/s", "epoch", "message", "device", "data", "notes", "path",
                         "checkpoint", "output", "stage", "detail", "best_step", "best_metric", "seconds",
                         "trainable_params", "total_params", "trainable_pct", "lora_targets", "gpu_peak_mb"})
"""Keys that are not metrics: they are never plotted."""


@dataclass(frozen=True)
class RunEvent:
    kind: str
    step: int = 0
    total: int | None = None
    t: float = 0.0
    values: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def metrics(self) -> dict[str, float]:
        """The numeric, namespaced measurements of this event (what a plot can draw)."""
        return {k: float(v) for k, v in self.values.items()
                if k not in BOOKKEEPING and isinstance(v, (int, float)) and not isinstance(v, bool)}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.kind, "t": self.t, "step": self.step}
        if self.total is not None:
            out["total"] = self.total
        out.update(self.values)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunEvent:
        rest = {k: v for k, v in data.items() if k not in ("event", "step", "total", "t")}
        step = data.get("step", 0)
        total = data.get("total")
        return cls(kind=str(data.get("event", "")), step=int(step) if isinstance(step, (int, float)) else 0,
                   total=int(total) if isinstance(total, (int, float)) else None,
                   t=float(data.get("t", 0.0) or 0.0), values=rest)

    @classmethod
    def make(cls, kind: str, step: int = 0, total: int | None = None, **values: Any) -> RunEvent:
        """A new event stamped with the current time."""
        return cls(kind, step, total, round(time.time(), 3), values)


class EventWriter:
    """Appends one JSON object per line to ``events.jsonl`` and flushes each line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = open(path, "a+b")
        if self._fh.tell() > 0:  # a killed worker may have left half a line: end it
            self._fh.seek(-1, os.SEEK_END)
            if self._fh.read(1) != b"\n":
                self._fh.write(b"\n")

    def write(self, event: RunEvent) -> None:
        line = json.dumps(event.to_dict(), ensure_ascii=False, allow_nan=True) + "\n"
        self._fh.write(line.encode("utf-8"))
        self._fh.flush()

    def emit(self, kind: str, step: int = 0, total: int | None = None, **values: Any) -> RunEvent:
        event = RunEvent.make(kind, step, total, **values)
        self.write(event)
        return event

    def close(self) -> None:
        self._fh.close()


def read_events(path: Path, offset: int = 0) -> tuple[list[RunEvent], int]:
    """Complete event lines of ``path`` from byte ``offset`` on -> (events, next offset).

    A half-written last line is left for the next call; a corrupt line (a torn write
    after a crash) is skipped."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    events = []
    for line in data[: end + 1].splitlines():
        if line.strip():
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
            if isinstance(obj, dict):
                events.append(RunEvent.from_dict(obj))
    return events, offset + end + 1
