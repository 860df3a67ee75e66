"""The tokenizer lab (lesson 1): playground, BPE/WordPiece/Unigram step-through, compare, train."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import TokenizerScreen

    return TokenizerScreen(dict(try_it))
