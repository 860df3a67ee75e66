"""The word embeddings lab (lesson 3): train Word2Vec, FastText and GloVe, query, benchmark, map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import EmbeddingsScreen

    return EmbeddingsScreen(dict(try_it))
