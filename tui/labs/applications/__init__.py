"""The LLM applications lab (lesson 8): datasets, prompts and in-context learning, RAG."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from .screen import ApplicationsScreen

    return ApplicationsScreen(dict(try_it))


def preload(try_it: Mapping[str, Any]) -> str | None:
    """The model that counts prompt tokens, scores shots and answers from passages."""
    return str(try_it.get("model", "dojo-tiny"))
