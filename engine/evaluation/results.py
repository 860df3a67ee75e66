"""Results as plain data: one :class:`EvalResult` per (model, task), a :class:`Comparison`
of several side by side with the difference to the base, and JSON/CSV/Markdown exports.

A metric's standard error comes from the bootstrap (:func:`bootstrap_stderr`): the
items are resampled with replacement and the metric recomputed, so the same code
serves a mean (accuracy) and a corpus metric (BLEU, perplexity) alike.
"""

from __future__ import annotations

import csv
import io
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LOWER_IS_BETTER = {"perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte", "contaminated"}


@dataclass(frozen=True)
class MetricValue:
    name: str
    value: float
    stderr: float | None
    n: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EvalResult:
    """One model (with or without an adapter) on one task."""

    task: str
    data: str
    model: str
    adapter: str | None
    n_shot: int
    chat_template: bool
    metrics: tuple[MetricValue, ...]
    items: tuple[dict[str, Any], ...] = ()
    """Per-item details (choice scores, prediction, reference) for the drill-down."""
    truncated: int = 0
    """Items whose prompt was cut from the left to fit the context."""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    """Task-specific data (labels and confusion matrix, token and byte counts)."""
    notices: tuple[Any, ...] = ()

    @property
    def label(self) -> str:
        """How the table names this model: the adapter's folder name, else the model."""
        return Path(self.adapter).name if self.adapter else self.model

    def metric(self, name: str) -> MetricValue | None:
        return next((m for m in self.metrics if m.name == name), None)

    def to_dict(self, items: bool = True) -> dict[str, Any]:
        return {"task": self.task, "data": self.data, "model": self.model, "adapter": self.adapter,
                "n_shot": self.n_shot, "chat_template": self.chat_template,
                "metrics": [m.to_dict() for m in self.metrics], "truncated": self.truncated,
                "seconds": round(self.seconds, 3), "extra": self.extra,
                "notices": [n.to_dict() if hasattr(n, "to_dict") else str(n) for n in self.notices],
                **({"items": list(self.items)} if items else {})}


@dataclass(frozen=True)
class Row:
    """One line of the comparison table."""

    task: str
    model: str
    adapter: str | None
    n_shot: int
    chat_template: bool
    metric: str
    value: float
    stderr: float | None
    n: int
    delta: float | None
    """value - the base's value (None on the base's own rows)."""
    better: bool | None
    """The change goes the good way (lower perplexity, higher accuracy)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Comparison:
    """The base (first) and each other model on the same task and items."""

    results: tuple[EvalResult, ...]
    created: float = field(default_factory=time.time)

    def rows(self) -> list[Row]:
        base = self.results[0]
        out = []
        for k, r in enumerate(self.results):
            for m in r.metrics:
                ref = base.metric(m.name)
                delta = None if k == 0 or ref is None else m.value - ref.value
                better = None if delta is None or delta == 0 else (delta < 0) == (m.name in LOWER_IS_BETTER)
                out.append(Row(r.task, r.model, r.adapter, r.n_shot, r.chat_template, m.name, m.value, m.stderr,
                               m.n, delta, better))
        return out

    def to_dict(self, items: bool = True) -> dict[str, Any]:
        return {"rows": [r.to_dict() for r in self.rows()], "results": [r.to_dict(items) for r in self.results]}

    def to_csv(self) -> str:
        buf = io.StringIO()
        names = list(Row.__dataclass_fields__)
        writer = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        for row in self.rows():
            writer.writerow(row.to_dict())
        return buf.getvalue()

    def to_markdown(self) -> str:
        lines = ["| task | model | adapter | n-shot | template | metric | value | stderr | n | delta |",
                 "|---|---|---|---:|---|---|---:|---:|---:|---:|"]
        for r in self.rows():
            stderr = "" if r.stderr is None else f"{r.stderr:.4f}"
            delta = "" if r.delta is None else f"{r.delta:+.4f}"
            lines.append(f"| {r.task} | {_md(r.model)} | {_md(r.adapter or '')} | {r.n_shot} | "
                         f"{'chat' if r.chat_template else 'plain'} | {r.metric} | {r.value:.4f} | {stderr} | "
                         f"{r.n} | {delta} |")
        return "\n".join(lines) + "\n"

    def save(self, folder: Path) -> Path:
        """Write result.json, result.csv and result.md into a new folder under ``folder`` -> that folder."""
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.created))
        base = self.results[0]
        target = folder / f"{stamp}-{base.task}"
        k = 1
        while target.exists():
            k += 1
            target = folder / f"{stamp}-{base.task}-{k}"
        target.mkdir(parents=True)
        (target / "result.json").write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1, default=str),
                                            encoding="utf-8")
        (target / "result.csv").write_text(self.to_csv(), encoding="utf-8")
        (target / "result.md").write_text(self.to_markdown(), encoding="utf-8")
        return target


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def bootstrap_stderr(metric: Callable[[Sequence[int]], float], n: int, iters: int, seed: int) -> float | None:
    """Standard deviation of ``metric`` over ``iters`` resamples (with replacement) of the item indices.

    >>> round(bootstrap_stderr(lambda idx: sum(idx) / len(idx), 2, 2000, 0), 2)   # a fair coin: 0.5/sqrt(2)
    0.35
    """
    if iters <= 0 or n < 2:
        return None
    rng = random.Random(seed)
    values = []
    for _ in range(iters):
        idx = [rng.randrange(n) for _ in range(n)]
        values.append(metric(idx))
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
