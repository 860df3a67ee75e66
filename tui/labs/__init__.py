"""The labs: one package per lab (``tui/labs/<lab>/``), registered here by name.

A lab package holds its screen(s), its widgets, its strings (``strings.py``) and its
styles. Its ``__init__.py`` defines ``open_screen(try_it)``, which imports the screen
lazily (start-up never imports torch) and returns it, pre-filled with a lesson's
``[try_it]`` values. ``strings.py`` defines ``STRINGS = {"ko": {...}, "en": {...}}``
and nothing heavy, so :func:`register_strings` can add every lab's strings to the
app's tables when the app is created (explicitly, never as an import side effect).

See ``tui/labs/README.md`` for the whole contract.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

LAB_ORDER: tuple[str, ...] = (
    "tokenizer", "morphology", "embeddings", "language-model", "attention", "models",
    "generation", "sft", "lora", "dpo", "evaluation", "applications", "chat",
)
"""Every lab the course knows, in course order (``engine.course.lessons.KNOWN_LABS``)."""

PACKAGES: dict[str, str] = {
    "generation": "tui.labs.generation",
    "tokenizer": "tui.labs.tokenizer",
    "morphology": "tui.labs.morphology",
    "sft": "tui.labs.training",
    "lora": "tui.labs.training",
    "dpo": "tui.labs.training",
    "runs": "tui.labs.runs",
    "embeddings": "tui.labs.embeddings",
    "models": "tui.labs.models",
    "chat": "tui.labs.chat",
    "evaluation": "tui.labs.evaluation",
    "applications": "tui.labs.applications",
    "attention": "tui.labs.attention",
    "language-model": "tui.labs.language_model",
}
"""Lab name (as in ``lesson.toml``) -> its package. "runs" is the runs list, not a lesson lab."""

SHARED_STRINGS: tuple[str, ...] = ("tui.widgets.strings",)
"""String tables of widgets several labs share (the run view, sliders)."""

LabFactory = Callable[[Mapping[str, Any]], "Screen[Any]"]
_registered = False


def register_strings() -> None:
    """Add every lab's ``strings.STRINGS`` to the app's tables (once)."""
    global _registered
    if _registered:
        return
    from ..i18n import add_strings

    modules = list(SHARED_STRINGS) + [f"{package}.strings" for package in dict.fromkeys(PACKAGES.values())]
    for name in modules:
        add_strings(importlib.import_module(name).STRINGS)
    _registered = True


def factory(lab: str) -> LabFactory:
    """``factory(lab)(try_it)`` opens the lab; the package is imported only then."""
    package = PACKAGES[lab]

    def open_lab(try_it: Mapping[str, Any]) -> Screen[Any]:
        module = importlib.import_module(package)
        return module.open_screen(lab, dict(try_it))

    return open_lab


def preload_name(lab: str, try_it: Mapping[str, Any]) -> str | None:
    """The model a lab will load for ``try_it`` (its package's ``preload(try_it)``), or None."""
    package = PACKAGES.get(lab)
    if package is None:
        return None
    hook = getattr(importlib.import_module(package), "preload", None)
    return hook(try_it) if hook is not None else None


def real_labs() -> dict[str, LabFactory]:
    """Every registered lab's factory."""
    return {lab: factory(lab) for lab in PACKAGES}
