"""The morphology lab under Pilot: Okt's analysis of the lesson's sentence with norm/stem keys,
the Java-missing message with the rest of the lab still working, and a Korean 80x24 snapshot."""

from __future__ import annotations

import pytest

from engine.tokenize import morph
from tui.i18n import set_lang

from .conftest import make_app, screen_text

LESSON = {"text": "아버지가 방에 들어가신다", "analyzer": "okt"}


@pytest.fixture(autouse=True)
def _english_after(dojo_home):
    yield
    set_lang("en")


async def settle(pilot, until, seconds: float = 90) -> None:
    """Wait until ``until(screen)`` (the JVM's first start takes seconds on a busy machine)."""
    for _ in range(int(seconds * 10)):
        await pilot.pause(0.1)
        if until(pilot.app.screen):
            break
    await pilot.pause()


@pytest.fixture
def no_java(monkeypatch):
    import jpype

    def missing():
        raise jpype.JVMNotFoundException("No JVM shared library file (libjvm.so) found. Try setting up JAVA_HOME")

    monkeypatch.setattr(jpype, "getDefaultJVMPath", missing)
    monkeypatch.setattr(morph, "_made", {})


async def test_java_missing_one_line_and_the_rest_works(no_java):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_lab("morphology", LESSON)
        await settle(pilot, lambda s: s.splits is not None and "Java" in screen_text(app), 30)
        shown = screen_text(app)
        assert "openjdk-17-jdk" in shown and "the rest of the lab" in shown
        assert "whitespace (3): 아버지가|방에|들어가신다" in shown
        assert "dojo-tiny (6)" in shown  # subwords need no Java
        await pilot.press("f6")  # the OOV table needs no Java either
        await settle(pilot, lambda s: s.vocab is not None, 60)
        assert app.screen.vocab.rows[0].name == "whitespace"


async def test_empty_sentence_says_so(no_java):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_lab("morphology", {"text": "   "})
        await settle(pilot, lambda s: "empty" in screen_text(app), 30)
        assert "The text is empty" in screen_text(app)


@pytest.mark.slow
async def test_okt_analysis_and_stem_key():
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_lab("morphology", LESSON)
        await settle(pilot, lambda s: s.result is not None)
        screen = app.screen
        assert screen.focused.id == "morph-text"
        shown = screen_text(app)
        assert "아버지/Noun 가/Josa 방/Noun 에/Josa 들어가신다/Verb" in shown and "nouns: 아버지, 방" in shown
        await pilot.press("f4")
        await settle(pilot, lambda s: s.result is not None and s.result.stem)
        assert "들어가다/Verb" in screen_text(app) and "stem on" in screen_text(app)


@pytest.mark.slow
def test_snapshot_korean_80x24(snap_compare):
    app = make_app("ko")

    async def run_before(pilot):
        assert app.open_lab("morphology", LESSON)
        await settle(pilot, lambda s: s.result is not None and s.splits is not None)
        app.screen.query_one("#morph-text").cursor_blink = False  # a blinking caret makes the image random
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_the_real_lesson_two_try_it_opens_the_lab(no_java):
    from engine.course.lessons import load_course
    from lessons import ROOT

    lesson = load_course(ROOT).get("korean-morphology")
    assert lesson.lab == "morphology"
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_lab("morphology", dict(lesson.try_it))
        await settle(pilot, lambda s: s.splits is not None, 30)
        screen = app.screen
        assert screen.text == "아버지가 방에 들어가신다" and screen.analyzer == "okt"
        assert screen.query_one("#morph-text").value == screen.text


async def test_language_toggle_relabels(no_java):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_lab("morphology", LESSON)
        await settle(pilot, lambda s: s.splits is not None, 30)
        app.screen.set_focus(None)
        await pilot.press("l")
        await settle(pilot, lambda s: "서브워드" in screen_text(app), 10)
        shown = screen_text(app)
        assert "어절, 단어 토크나이저(NLTK), 서브워드" in shown and "Java를 찾지 못했습니다" in shown
        footer = shown.splitlines()[-1]
        assert "l English" in footer and "명령" in footer  # the whole footer fits 80 columns in Korean
