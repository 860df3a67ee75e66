"""The chat lab: talk to a model and its fine-tuned adapters (issue 14; the home map's Chat entry)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import ChatScreen

    return ChatScreen(try_it.get("model"), dict(try_it))


def preload(try_it: Mapping[str, Any]) -> str | None:
    """The model to start loading as soon as a lesson with this lab opens."""
    model = try_it.get("model")
    return str(model) if model else None
