"""The training labs: SFT (lesson 7) as a background run with a live loss curve."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import TrainingScreen

    return TrainingScreen(dict(try_it))
