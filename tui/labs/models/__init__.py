"""The models lab (lesson 5): the transformers tour of any model here, imported models included, and the Hub screen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    """The tour of ``try_it["model"]``; ``try_it["screen"] == "hub"`` opens the Hub screen instead."""
    if try_it.get("screen") == "hub":
        from .hub import HubScreen

        return HubScreen()
    from .screen import ModelsScreen

    return ModelsScreen(str(try_it.get("model", "dojo-tiny")))
