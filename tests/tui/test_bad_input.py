"""A corrupt or locked progress database, and a terminal that is too small."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import paths
from engine.course.progress import ProgressLocked
from tui.screens.home import HomeScreen
from tui.screens.info import TooSmallScreen
from tui.screens.modals import CorruptDatabaseModal, FatalModal

from .conftest import make_app, screen_text

pytestmark = pytest.mark.asyncio


def _corrupt_db() -> Path:
    db = paths.progress_db()
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"this is not a database, just garbage bytes " * 200)
    return db


async def test_corrupt_db_back_up_and_start_fresh(dojo_home: Path) -> None:
    db = _corrupt_db()
    app = make_app("en")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CorruptDatabaseModal)
        text = screen_text(app)
        assert "cannot be read" in text
        # A long path wraps inside the dialog: compare without spaces and borders.
        assert str(db) in "".join(c for c in text if not c.isspace() and c != "█")
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "A taste of tokenizers" in screen_text(app)
        backups = list(db.parent.glob("progress.sqlite3.corrupt-*.bak"))
        assert len(backups) == 1 and backups[0].read_bytes().startswith(b"this is not")
        assert any(str(backups[0]) in str(n.message) for n in app._notifications)
        app.store.set_step("lora", 1)  # the fresh database works
        assert app.store.last_lesson() == "lora"


async def test_corrupt_db_quit_leaves_the_file_alone(dojo_home: Path) -> None:
    db = _corrupt_db()
    before = db.read_bytes()
    app = make_app("ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "학습 기록 파일을 읽을 수 없습니다" in screen_text(app)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 1
    assert db.read_bytes() == before
    assert not list(db.parent.glob("*.bak"))


async def test_locked_db_explains_and_quits(dojo_home: Path) -> None:
    app = make_app("en")

    def locked():
        raise ProgressLocked(paths.progress_db())

    app.services.open_progress = locked
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FatalModal)
        text = " ".join(screen_text(app).split())
        assert "Another LLM Dojo is using the progress database" in text
        assert "is locked by another" in text, screen_text(app)  # the path's length decides where lines wrap
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 1


async def test_small_terminal_notice_then_normal_ui(dojo_home: Path) -> None:
    app = make_app("en")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = " ".join(screen_text(app).split())
        assert "at least 80x24 (now 60x20)" in text
        assert "80x24 이상으로 키워 주세요 (지금 60x20)" in text
        await pilot.press("j", "enter", "n")  # keys do nothing harmful meanwhile
        await pilot.resize_terminal(79, 30)
        await pilot.pause(0.1)
        assert isinstance(app.screen, TooSmallScreen)
        assert "(now 79x30)" in " ".join(screen_text(app).split())
        await pilot.resize_terminal(100, 30)
        await pilot.pause(0.1)
        assert isinstance(app.screen, HomeScreen)
        assert "A taste of tokenizers" in screen_text(app)
        await pilot.resize_terminal(80, 23)
        await pilot.pause(0.1)
        assert isinstance(app.screen, TooSmallScreen)
