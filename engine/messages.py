"""Messages the engine says to a person, as keys with arguments, so every front can translate them.

The engine speaks English (its tests, logs and ``--json`` output read the English
text), but it never hands a front a finished sentence only: a :class:`Notice` (a
remark that changes nothing, "temperature 0 is greedy decoding") and a keyed
:class:`~engine.errors.DojoError` carry ``key`` and ``args`` too. The TUI looks the key
up in its Korean table (``tui.i18n.say``) and falls back to the English text.

Each engine package keeps its own catalogue (``MESSAGES`` in a ``messages.py``), listed
in :data:`CATALOGUES`, so a lab adds its messages without touching anyone else's file.
A test checks that every key has a Korean translation.

>>> Notice("gen.greedy_temperature").text.startswith("temperature 0")
True
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

CATALOGUES: tuple[str, ...] = (
    "engine.generation.messages",
    "engine.runs.messages",
    "engine.embeddings.messages",
    "engine.tokenize.messages",
    "engine.chat.messages",
    "engine.evaluation.messages",
    "engine.hub.messages",
    "engine.applications.messages",
    "engine.attention.messages",
    "engine.lm.messages",
)
"""Modules that define a ``MESSAGES`` dict (key -> English template)."""


@lru_cache(maxsize=1)
def catalogue() -> dict[str, str]:
    """Every message key -> its English template, from all catalogues."""
    out: dict[str, str] = {}
    for name in CATALOGUES:
        for key, text in importlib.import_module(name).MESSAGES.items():
            if key in out and out[key] != text:
                raise ValueError(f"message key {key!r} is defined twice with different texts")
            out[key] = text
    return out


def english(key: str, **args: Any) -> str:
    """The English text of ``key`` with ``args`` filled in."""
    template = catalogue()[key]
    return template.format(**args) if args else template


@dataclass(frozen=True)
class Notice:
    """A remark for the person using the lab: ``key`` in a catalogue, with its arguments."""

    key: str
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """English."""
        return english(self.key, **self.args)

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "args": self.args, "text": self.text}
