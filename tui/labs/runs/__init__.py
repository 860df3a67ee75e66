"""The runs list: every background run; show, stop, resume, delete, try a finished model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import RunsScreen

    return RunsScreen(dict(try_it))
