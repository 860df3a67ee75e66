"""The IME caret follows the input caret; the command palette reaches every place."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette

from tui.screens.info import LabsScreen
from tui.screens.lesson import LessonScreen
from tui.screens.quiz import QuizScreen
from tui.widgets.caret_input import CaretInput

from .conftest import make_app, screen_text

pytestmark = pytest.mark.asyncio


async def test_terminal_cursor_sits_on_the_caret_cell(dojo_home: Path) -> None:
    app = make_app("ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lesson("lora", step=1)
        await pilot.pause()
        await pilot.press("n")  # quiz; question 1 is numeric: an input
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        caret = app.screen.query_one(CaretInput)
        assert caret.has_focus
        x0, y0 = caret.content_region.x, caret.content_region.y
        assert tuple(app.cursor_position) == (x0, y0)

        await pilot.press(*"한국")  # two syllables, four cells
        await pilot.pause()
        assert tuple(app.cursor_position) == (x0 + 4, y0)
        await pilot.press("left")
        await pilot.pause()
        assert tuple(app.cursor_position) == (x0 + 2, y0)
        await pilot.press("end", "a")
        await pilot.pause()
        assert tuple(app.cursor_position) == (x0 + 5, y0)

        # The input moves when the terminal grows; the cursor follows it.
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.1)
        assert tuple(app.cursor_position) == (caret.content_region.x + 5, caret.content_region.y)


async def _palette_run(pilot, app, query: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert CommandPalette.is_open(app)
    await pilot.press(*query)
    await pilot.pause(0.3)  # the palette searches in a worker
    await pilot.press("enter")
    await pilot.pause()


async def test_palette_opens_a_lesson_by_title(dojo_home: Path) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _palette_run(pilot, app, "Open lesson: Word emb")
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "embeddings"


async def test_palette_in_korean_switches_language_and_opens_labs(dojo_home: Path) -> None:
    app = make_app("ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _palette_run(pilot, app, "실습 열기")
        assert isinstance(app.screen, LabsScreen)
        assert "어텐션" in screen_text(app) and "토크나이저" in screen_text(app)
        await _palette_run(pilot, app, "언어 전환")
        assert app.lang == "en"
        assert "Attention" in screen_text(app) and "Tokenizer" in screen_text(app)
        assert app.store.get_setting("lang") == "en"
