"""The evaluation lab (lesson 11): models and adapters side by side on built-in sets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import EvaluationScreen

    return EvaluationScreen(dict(try_it))
