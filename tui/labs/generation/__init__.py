"""The text-generation lab (lesson 6): streamed generation, the sampling pipeline, strategies, chat templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import GenerationScreen

    return GenerationScreen(str(try_it.get("model", "dojo-tiny")), dict(try_it))


def preload(try_it: Mapping[str, Any]) -> str:
    """The model to start loading when the lesson opens (before "try it" is pressed)."""
    return str(try_it.get("model", "dojo-tiny"))
