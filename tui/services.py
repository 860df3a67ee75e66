"""What the app needs from the outside world, passed in as one object.

The app never reaches for the lesson folder, the progress database or a lab by
itself: it calls what :class:`Services` carries. ``real_services`` wires the engine
(imported lazily, so building the app stays cheap); tests wire a fixture course and
a progress database in a temporary directory. That keeps every screen testable
without touching the user's real data.

A lab plugs in by adding a factory to ``labs``: ``labs["tokenizer"] = factory``,
where ``factory(try_it)`` returns the lab's Screen, pre-filled with the lesson's
``[try_it]`` example values (an empty mapping when opened from the labs list).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from engine.course.lessons import Course
    from engine.course.progress import ProgressStore

LabFactory = Callable[[Mapping[str, Any]], "Screen[Any]"]
"""Builds a lab screen from a lesson's ``[try_it]`` values."""


@dataclass
class Services:
    """The app's connections to content, state and labs."""

    load_course: Callable[[], Course]
    """Loads every lesson; invalid folders come back in ``Course.errors``."""

    open_progress: Callable[[], ProgressStore]
    """Opens the progress database; may raise ``ProgressCorrupt`` / ``ProgressLocked``."""

    recover_progress: Callable[[Path], ProgressStore]
    """Backs up a corrupt database and starts a fresh one (only after the user agrees)."""

    lang: str | None = None
    """Forced UI language ("ko"/"en"); None: the stored "lang" setting, else the locale."""

    labs: dict[str, LabFactory] = field(default_factory=dict)
    """Lab name (as in ``lesson.toml``'s ``lab``) -> screen factory; empty until labs exist.
    The keys "runs" and "chat" also replace the home map's coming-soon pages."""

    preload: Callable[[str, Mapping[str, Any]], None] | None = None
    """Called (in a worker thread) when a lesson opens, with its lab and ``[try_it]``: starts
    loading the lab's model so that "try it" finds it ready. None: no preloading (tests)."""


def real_services(lang: str | None = None) -> Services:
    """Services backed by the installed lessons and the user's progress database."""
    from engine import paths
    from engine.course.lessons import load_course
    from engine.course.progress import ProgressStore

    def open_progress() -> ProgressStore:
        paths.ensure_home()
        return ProgressStore(paths.progress_db())

    return Services(
        load_course=load_course,
        open_progress=open_progress,
        recover_progress=ProgressStore.recover,
        lang=lang,
        labs=real_labs(),
        preload=preload_lab_model,
    )


def preload_lab_model(lab: str, try_it: Mapping[str, Any]) -> None:
    """Load the model the lab will ask for into the app-wide cache (no-op for labs without one)."""
    from .labs import preload_name

    name = preload_name(lab, try_it)
    if name:
        from engine.models.cache import shared

        shared().get(name)


def real_labs() -> dict[str, LabFactory]:
    """The labs that exist (``tui.labs.PACKAGES``), each imported only when opened."""
    from .labs import real_labs as registered

    return registered()
