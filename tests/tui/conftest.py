"""Shared fixtures for the TUI tests: a fixed fixture course and a private data dir.

The fixture course (``fixtures/course``) is small, Korean and English, and never
changes with the real lessons, so Pilot assertions and snapshots stay stable. Every
test gets its own ``LLM_DOJO_HOME`` so the user's progress is never touched.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from engine.course.lessons import load_course
from tui.app import DojoApp, create_app
from tui.services import real_services

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"


@pytest.fixture
def dojo_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dojo-home"
    monkeypatch.setenv("LLM_DOJO_HOME", str(home))
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    return home


def make_app(lang: str | None = "en", labs: dict | None = None) -> DojoApp:
    """The real app on the fixture course and the progress db under LLM_DOJO_HOME."""
    services = real_services(lang)
    services.load_course = partial(load_course, FIXTURE_COURSE)
    services.preload = None  # no background model loads in UI tests (one test turns it on)
    if labs:
        services.labs.update(labs)
    return create_app(services)


def screen_text(app: DojoApp) -> str:
    """Everything the active screen shows, as plain text, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
