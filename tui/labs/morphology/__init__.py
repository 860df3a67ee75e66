"""The morphology lab (lesson 2): KoNLPy analysers side by side with NLTK word tokenizers and subwords."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import MorphologyScreen

    return MorphologyScreen(dict(try_it))
