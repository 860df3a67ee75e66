"""Models kept loaded between labs, so opening another lab on the same model costs nothing.

A student moves from the generation lab to the attention lab to chat on the same
model; loading it each time would cost seconds on a CPU and minutes for an 8B model
on a GPU box. :class:`ModelCache` keeps the most recently used models (two by
default: a base and the one being compared with it), keyed by name and load options,
and loads each at most once even when two labs ask at the same moment (a lock per
key; the second caller waits for the first load and gets the same object).

The cache is process-wide (:func:`shared`); the TUI's labs and the background preload
(a lesson with a model lab starts loading its model as soon as it opens) share it.

>>> cache = ModelCache(capacity=1)
>>> cache.get("dojo-tiny") is cache.get("dojo-tiny")     # doctest: +SKIP
True
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .load import Loaded, LoadOptions


class ModelCache:
    """Name + options -> a loaded model, the ``capacity`` most recently used ones kept."""

    def __init__(self, capacity: int = 2) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()
        self.loads = 0
        """How many real loads happened (tests and benches read it)."""

    @staticmethod
    def key(name: str, options: LoadOptions) -> tuple:
        return (name, options)

    def get(self, name: str, options: LoadOptions | None = None, **overrides: Any) -> Loaded:
        """The loaded model, loading it (once) if it is not cached."""
        from .load import LoadOptions, load_model

        opts = replace(options or LoadOptions(), **overrides)
        key = self.key(name, opts)
        with self._guard:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
            loaded = load_model(name, opts)
            self.loads += 1
            with self._guard:
                self._items[key] = loaded
                self._items.move_to_end(key)
                while len(self._items) > self.capacity:
                    self._items.popitem(last=False)
                self._locks.pop(key, None)
            return loaded

    def peek(self, name: str, options: LoadOptions | None = None, **overrides: Any) -> Loaded | None:
        """The model if it is loaded already, else None (never loads)."""
        from .load import LoadOptions

        key = self.key(name, replace(options or LoadOptions(), **overrides))
        with self._guard:
            return self._items.get(key)

    def clear(self) -> None:
        with self._guard:
            self._items.clear()


_shared: ModelCache | None = None
_shared_guard = threading.Lock()


def shared() -> ModelCache:
    """The process-wide cache."""
    global _shared
    with _shared_guard:
        if _shared is None:
            _shared = ModelCache()
        return _shared
