"""The models lab (lesson 5): the transformers tour of any model here, imported models included."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import ModelsScreen

    return ModelsScreen(str(try_it.get("model", "dojo-tiny")))
