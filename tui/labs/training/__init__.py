"""The training labs: SFT (lesson 7), LoRA (lesson 9) and DPO (lesson 10) as background runs with live curves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import TrainingScreen

    return TrainingScreen(dict(try_it), kind=lab)
