"""The live language toggle: every visible string switches, and the choice is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import paths
from engine.course.progress import ProgressStore
from tui.screens.lesson import LessonScreen
from tui.screens.quiz import QuizScreen

from .conftest import make_app, screen_text

pytestmark = pytest.mark.asyncio


async def test_toggle_on_home_switches_text_and_is_saved(dojo_home: Path) -> None:
    app = make_app(None)  # no forced language, no Korean locale: English
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Day 1" in text and "A taste of tokenizers" in text and "한국어" in text
        await pilot.press("l")
        await pilot.pause()
        text = screen_text(app)
        assert "1일차" in text and "토크나이저 맛보기" in text and "시작 전" in text
        assert "Day 1" not in text and "A taste of tokenizers" not in text
        assert "English" in text  # the footer now offers the way back
    with ProgressStore(paths.progress_db()) as store:
        assert store.get_setting("lang") == "ko"

    again = make_app(None)  # the stored setting wins over the (English) locale
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "1일차" in screen_text(again)


async def test_korean_locale_picks_korean(dojo_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    app = make_app(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.lang == "ko" and "1일차" in screen_text(app)


async def test_lesson_switches_language_at_the_same_step(dojo_home: Path) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lesson("tokenizers", step=1)
        await pilot.pause()
        assert "Step 2/3: Korean and tokens" in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        text = screen_text(app)
        assert "2/3단계: 한국어와 토큰" in text
        assert "조사와 어미가 붙어서" in text
        assert isinstance(app.screen, LessonScreen) and app.screen.step == 1
        await pilot.press("n")
        await pilot.pause()
        assert "3/3단계: 정리" in screen_text(app)


async def test_quiz_keeps_question_and_feedback_across_a_toggle(dojo_home: Path) -> None:
    app = make_app("ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lesson("tokenizers", step=2)
        await pilot.pause()
        await pilot.press("n", "1")  # quiz, then a wrong choice
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert "아쉽네요. 정답: 토큰" in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        text = screen_text(app)
        assert "Not quite. The answer is: Tokens" in text
        assert "Question 1 of 5" in text
        await pilot.press("enter")
        await pilot.pause()
        assert "Question 2 of 5" in screen_text(app)


async def test_theme_toggle_is_saved(dojo_home: Path) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "textual-light"
    again = make_app("en")
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"


async def test_hangul_columns_line_up_by_cell_width(dojo_home: Path) -> None:
    from rich.cells import cell_len

    with ProgressStore(paths.progress_db()) as store:
        store.set_step("embeddings", 1)  # one "진행 중" among the "시작 전"s
    app = make_app("ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = [line for line in screen_text(app).splitlines() if "시작 전" in line or "진행 중" in line]
        assert len(rows) == 3
        cuts = [max(row.find("시작 전"), row.find("진행 중")) for row in rows]
        # Titles of different lengths in Hangul: the status column starts at the
        # same terminal cell in every row, although the character counts differ.
        assert len({cell_len(row[:cut]) for row, cut in zip(rows, cuts, strict=True)}) == 1, rows
        assert len(set(cuts)) > 1
