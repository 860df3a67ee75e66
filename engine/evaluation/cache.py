"""Scores already computed, kept on disk so a stopped evaluation resumes where it was.

An evaluation run (run kind ``eval``) writes every scored request to one JSON line per
request, per candidate (``<run dir>/scores/<k>.jsonl``), as each batch finishes. When
the run is resumed, the same requests are built again from the same settings; those
found in the file are not computed again, so an 8B evaluation that lost its SSH
session or was stopped at item 900 of 1,000 continues from item 900.

The key is a hash of what the model is asked (token ids, the length it reads, the
generation budget), never of item positions, so a different setting can never pick up
a wrong score: it simply finds nothing. A torn last line (the process killed during a
write) is skipped, and the score it held is computed again.

>>> import tempfile, pathlib
>>> cache = ItemCache(pathlib.Path(tempfile.mkdtemp()) / "0.jsonl", label="dojo-tiny")
>>> key = cache.key("ll", [1, 2], [3], 64)
>>> cache.put(key, [-1.5, True, 1, False]); cache.close()
>>> ItemCache(cache.path, label="dojo-tiny").get(key)
[-1.5, True, 1, False]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ..errors import DojoError

_active: ContextVar[ItemCache | None] = ContextVar("llm_dojo_eval_cache", default=None)


class ItemCache:
    """One candidate's scores: read at open, appended (and flushed) as they are computed."""

    def __init__(self, path: Path, *, label: str) -> None:
        self.path = path
        self.label = label
        self.values: dict[str, Any] = {}
        self.reused = 0
        self.torn = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            self._read()
        self._out = open(path, "a", encoding="utf-8")
        if path.stat().st_size == 0:
            self._write({"candidate": label})

    def _read(self) -> None:
        with open(self.path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for n, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                self.torn += 1  # a write cut short by a kill: that score is computed again
                continue
            if "candidate" in row:
                if row["candidate"] != self.label:
                    raise DojoError(f"{self.path}: these scores belong to {row['candidate']!r}, not {self.label!r}; "
                                    "the run's settings changed: start a new evaluation run")
                continue
            if isinstance(row, dict) and "k" in row and "v" in row:
                self.values[row["k"]] = row["v"]
        with open(self.path, "rb+") as f:  # drop a torn tail so the next line starts clean
            data = f.read()
            if data and not data.endswith(b"\n"):
                f.seek(data.rfind(b"\n") + 1)
                f.truncate()

    @staticmethod
    def key(*parts: Any) -> str:
        return hashlib.sha1(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()

    def get(self, key: str) -> Any:
        value = self.values.get(key)
        if value is not None:
            self.reused += 1
        return value

    def put(self, key: str, value: Any) -> None:
        self.values[key] = value
        self._write({"k": key, "v": value})

    def flush(self) -> None:
        self._out.flush()
        os.fsync(self._out.fileno())

    def _write(self, row: dict[str, Any]) -> None:
        self._out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")

    def close(self) -> None:
        if not self._out.closed:
            self.flush()
            self._out.close()


def active() -> ItemCache | None:
    """The cache of the evaluation running in this context (None outside an evaluation run)."""
    return _active.get()


@contextlib.contextmanager
def using(cache: ItemCache | None) -> Iterator[ItemCache | None]:
    """Make ``cache`` the one :func:`active` returns inside the block; closed at the end."""
    token = _active.set(cache)
    try:
        yield cache
    finally:
        _active.reset(token)
        if cache is not None:
            cache.close()
