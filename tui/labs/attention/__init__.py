"""The attention lab (lesson 11): attention heatmaps, positional encoding, RoPE, an encoder from scratch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import AttentionScreen

    return AttentionScreen(dict(try_it))


def preload(try_it: Mapping[str, Any]) -> str | None:
    """The model to start loading when the lesson opens: a causal model only (the app's preload loads with
    the default causal-LM options; a masked LM loads when the lab asks for it)."""
    name = str(try_it.get("model", "dojo-tiny"))
    try:
        from engine.attention.capture import task_for

        return name if task_for(name) == "causal-lm" else None
    except Exception:  # an unknown name: the lab itself will say so
        return None
