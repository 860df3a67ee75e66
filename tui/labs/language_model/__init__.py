"""The language-model lab (lesson 4): the next-token table, the surprise of every token of a
sentence (perplexity), and fill-mask with a masked model beside a causal one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import LanguageModelScreen

    return LanguageModelScreen(dict(try_it))


def preload(try_it: Mapping[str, Any]) -> str:
    """The causal model to start loading when the lesson opens (the first tab needs it)."""
    return str(try_it.get("model", "dojo-tiny"))
