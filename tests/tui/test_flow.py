"""Home -> lesson -> steps -> quiz -> answers -> back, and what the progress store keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import paths
from engine.course.progress import ProgressStore
from tui.screens.home import HomeScreen
from tui.screens.lesson import LessonScreen
from tui.screens.quiz import QuizScreen

from .conftest import make_app, screen_text

pytestmark = pytest.mark.asyncio


async def test_lesson_and_quiz_round_trip(dojo_home: Path) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        text = screen_text(app)
        assert "Day 1" in text and "Day 2" in text
        assert "A taste of tokenizers" in text and "not started" in text
        assert "Status" in text and "Quiz" in text  # column headers

        await pilot.press("enter")  # the first lesson is highlighted
        await pilot.pause()
        lesson = app.screen
        assert isinstance(lesson, LessonScreen) and lesson.lesson.id == "tokenizers"
        assert "Step 1/3: What is a token" in screen_text(app)

        await pilot.press("n", "right")
        await pilot.pause()
        assert lesson.step == 2
        assert "Step 3/3: Summary" in screen_text(app)
        assert app.store.get("tokenizers").current_step == 2
        await pilot.press("p")
        await pilot.pause()
        assert app.store.get("tokenizers").current_step == 1
        await pilot.press("n", "n")  # past the last step: the quiz
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert "Question 1 of 5" in screen_text(app)

        await pilot.press("2")  # choice: "Tokens" (correct)
        await pilot.pause()
        text = screen_text(app)
        assert "Correct!" in text
        assert "A model takes the ids of the tokens" in text
        assert app.store.get("tokenizers").answers == {"q1": ("1", True)}

        await pilot.press("enter")  # "Next question" button has the focus
        await pilot.pause()
        assert "Question 2 of 5" in screen_text(app)
        await pilot.press(*"1/4", "enter")  # numeric, as a fraction
        await pilot.pause()
        assert "Correct!" in screen_text(app)

        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"BPE ", "enter")  # short: case and spaces ignored
        await pilot.pause()
        assert "Correct!" in screen_text(app)

        await pilot.press("n")
        await pilot.pause()
        await pilot.press("2")  # wrong: the answer is "go down"
        await pilot.pause()
        text = screen_text(app)
        assert "Not quite. The answer is: go down" in text
        assert "Longer pieces enter the vocabulary" in text

        await pilot.press("n")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("enter")  # "See my score"
        await pilot.pause()
        assert "Score: 4 of 5 correct" in screen_text(app)

        progress = app.store.get("tokenizers")
        assert progress.completed and progress.status == "done"
        assert progress.quiz_correct == 4 and progress.quiz_answered == 5
        assert progress.answers["q4"] == ("1", False)

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        row = next(line for line in screen_text(app).splitlines() if "A taste of tokenizers" in line)
        assert "done" in row and "4/5" in row

    # Time on the lesson screen was added when the quiz covered it.
    with ProgressStore(paths.progress_db()) as store:
        assert store.get("tokenizers").time_spent_s > 0
        assert store.last_lesson() == "tokenizers"


async def test_wrong_numeric_answer_and_empty_input(dojo_home: Path) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lesson("lora", step=1)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("enter")  # nothing typed yet: no answer recorded
        await pilot.pause()
        assert app.store.get("lora").answers == {}
        await pilot.press(*"16000", "enter")
        await pilot.pause()
        assert "Not quite. The answer is: 16384" in screen_text(app)
        assert app.store.get("lora").answers == {"q1": ("16000", False)}
        assert not app.store.get("lora").completed


async def test_words_in_a_numeric_question_ask_for_a_number(dojo_home: Path) -> None:
    """Issue 10 item 9: "abc" is not graded wrong (which would reveal the answer)."""
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lesson("lora", step=1)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"abc", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Answer with a number" in text
        assert "16384" not in text and "Not quite" not in text
        assert app.store.get("lora").answers == {}
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and not quiz.answered
        # What a person types with a unit or a decimal comma is read as the number.
        await pilot.press(*["backspace"] * 3, *"16,384 parameters", "enter")
        await pilot.pause()
        assert "Correct!" in screen_text(app)
        assert app.store.get("lora").answers == {"q1": ("16,384 parameters", True)}


async def test_no_choice_is_preselected(dojo_home: Path) -> None:
    """Issue 10 item 9: a stray Enter on a multiple-choice question answers nothing."""
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lesson("lora", step=1)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"16384", "enter", "enter")  # answer q1, then "Next question"
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.index == 1
        await pilot.press("enter")  # a second Enter lands on the choices: nothing happens
        await pilot.pause()
        assert not quiz.answered
        assert "q2" not in app.store.get("lora").answers
        await pilot.press("down", "enter")  # an explicit pick answers
        await pilot.pause()
        assert quiz.answered and app.store.get("lora").answers["q2"] == ("0", True)


async def test_progress_survives_a_restart(dojo_home: Path) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lesson("lora")
        await pilot.pause(0.05)
        await pilot.press("escape")  # back to the map: time on lora is saved
        await pilot.pause()
        await pilot.press("j", "enter")  # second lesson: embeddings
        await pilot.pause()
        assert app.screen.lesson.id == "embeddings"
        await pilot.press("n")
        await pilot.pause(0.05)
        await pilot.press("q")  # quit with the lesson open: its time is saved too
        await pilot.pause()

    with ProgressStore(paths.progress_db()) as store:
        assert store.get("lora").time_spent_s > 0
        assert store.get("embeddings").time_spent_s > 0

    again = make_app("en")  # same LLM_DOJO_HOME, a fresh app
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, HomeScreen)
        row = next(line for line in screen_text(again).splitlines() if "Word embeddings" in line)
        assert "in progress" in row
        await pilot.press("c")
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, LessonScreen)
        assert screen.lesson.id == "embeddings" and screen.step == 1
        assert "Step 2/2: Dense representations" in screen_text(again)


async def test_continue_with_no_progress_opens_lesson_one(dojo_home: Path) -> None:
    """Issue 10 item 21: "c" on a fresh install starts the course instead of refusing."""
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "tokenizers" and app.screen.step == 0


async def test_continue_after_a_finished_lesson_opens_the_next(dojo_home: Path) -> None:
    with ProgressStore(paths.progress_db()) as store:
        store.set_step("tokenizers", 2)
        store.mark_done("tokenizers")
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "embeddings"


async def test_map_at_80x24_shows_practice_rows_and_a_training_run(dojo_home: Path) -> None:
    """Issue 10 item 21: labs, runs and chat on screen at 80x24, and a sign a run trains."""
    import json
    import os

    run = dojo_home / "runs" / "20260101-000000-sft-abcd"
    run.mkdir(parents=True)
    (run / "spec.json").write_text("{}")
    (run / "status.json").write_text(json.dumps({"state": "running", "pid": os.getpid()}))
    from engine.runs.store import SPEC, STATUS, root

    assert root() == run.parent and SPEC == "spec.json" and STATUS == "status.json"
    for lang, words in (("en", ("Labs", "Training runs", "1 training", "Status", "Quiz")),
                        ("ko", ("실습실", "학습 실행", "1개 학습 중", "상태", "퀴즈"))):
        app = make_app(lang)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            text = screen_text(app)
            for word in words:
                assert word in text, (lang, word, text)
    # The shipped course too: every lesson and the three practice rows fit at 80x24.
    from tui.app import create_app
    from tui.services import real_services

    from engine.course.lessons import load_course

    real = create_app(real_services("ko"))
    async with real.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(real)
        for lesson in load_course().lessons:
            assert f"{lesson.order}. " in text
        for word in ("실습실", "학습 실행", "1개 학습 중"):
            assert word in text, (word, text)
        # With 13 lessons the last practice row (chat) is one row below the fold at 80x24:
        # moving down the list scrolls it into view.
        await pilot.press(*["j"] * (len(load_course().lessons) + 3))
        await pilot.pause()
        assert "내 모델과 채팅" in screen_text(real)


async def test_broken_lessons_are_listed_but_cannot_be_opened(dojo_home: Path) -> None:
    app = make_app("en")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Lessons that could not be loaded" in text
        assert "unknown lab 'no-such-lab'" in text
        # Walk the whole list: the cursor never lands on the broken row.
        course_map = app.screen.query_one("#course-map")
        seen = set()
        for _ in range(12):
            seen.add(course_map.highlighted_option.id)
            await pilot.press("j")
        assert seen == {"lesson:tokenizers", "lesson:embeddings", "lesson:lora", "labs", "runs", "chat"}


async def test_coming_soon_pages_and_try_it(dojo_home: Path) -> None:
    app = make_app("en")
    for lab in ("chat", "tokenizer"):  # built by other labs later: this test is about "not built"
        app.services.labs.pop(lab, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(3):
            await pilot.press("j")
        await pilot.press("enter")  # labs
        await pilot.pause()
        assert "Tokenizer (coming)" in screen_text(app)
        assert "Text generation" in screen_text(app) and "Text generation (coming)" not in screen_text(app)
        await pilot.press("escape", "j", "enter")  # runs: a real screen now
        await pilot.pause()
        assert type(app.screen).__name__ == "RunsScreen"
        await pilot.press("escape", "j", "enter")  # chat: not built in this test
        await pilot.pause()
        assert "The chat screen is not built yet" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

        app.open_lesson("tokenizers")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        text = screen_text(app)
        assert "Tokenizes the example sentence with BPE" in text
        assert "text: 오늘 날씨가 맑다" in text and "algorithm: bpe" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_registered_lab_opens_with_the_lessons_example(dojo_home: Path) -> None:
    from textual.screen import Screen
    from textual.widgets import Static

    opened: list[dict] = []

    class FakeLab(Screen[None]):
        def compose(self):
            yield Static("the tokenizer lab")

    def factory(try_it):
        opened.append(dict(try_it))
        return FakeLab()

    app = make_app("en", labs={"tokenizer": factory})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "t")
        await pilot.pause()
        assert isinstance(app.screen, FakeLab)
        assert opened == [{"text": "오늘 날씨가 맑다", "algorithm": "bpe"}]


async def test_opening_a_lesson_from_another_lesson_replaces_it(dojo_home: Path) -> None:
    # Regression: popping back to the map must finish before the next lesson is
    # pushed, or the new lesson is the screen that gets popped.
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lesson("tokenizers", step=2)
        await pilot.pause()
        await pilot.press("n", "1")  # into the quiz, one answer
        app.open_lesson("embeddings")
        await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["HomeScreen", "LessonScreen"]
        assert app.screen.lesson.id == "embeddings"
        assert "Step 1/2: The limits of one-hot encoding" in screen_text(app)


async def test_tags_in_lesson_text_stay_visible(tmp_path, monkeypatch):
    """`</w>` and `<|im_end|>` are text in a lesson, not HTML to be dropped."""
    from tui.widgets.reading import Reading
    from textual.app import App

    class Host(App):
        def compose(self):
            yield Reading("끝 표시 </w>를 붙이고 <|im_end|>로 끝낸다")

    async with Host().run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = " ".join(str(w.render()) for w in pilot.app.query("MarkdownParagraph"))
        assert "</w>" in text and "<|im_end|>" in text


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_try_it_dialogs_fit_80x24_without_raw_lists(dojo_home: Path, lang: str) -> None:
    """Issue 10 item 13: every try-it dialog of the shipped course shows its close
    button at 80x24 and writes its example as text, not as a Python list."""
    from textual.widgets import Button

    from engine.course.lessons import load_course
    from tui.app import create_app
    from tui.screens.modals import TryItModal
    from tui.services import real_services

    app = create_app(real_services(lang))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        checked = 0
        for lesson in load_course().lessons:  # every lesson's dialog (shown until its lab exists)
            app.push_screen(TryItModal(lesson))
            await pilot.pause()
            close = app.screen.query_one("#close", Button)
            region = close.region
            assert region.height > 0 and region.bottom <= 23, (lesson.id, region)  # above the footer
            text = screen_text(app)
            assert "[[" not in text and '["' not in text and "{'" not in text, (lesson.id, text)
            await pilot.press("escape")
            await pilot.pause()
            checked += 1
        assert checked == len(load_course().lessons) >= 12


async def test_exercise_is_checked_by_the_engine(dojo_home: Path) -> None:
    """Issue 20: a lesson's exercise runs the typed answer against the engine."""
    from textual.widgets import Input

    from tui.app import create_app
    from tui.screens.exercise import ExerciseScreen
    from tui.services import real_services

    app = create_app(real_services("en"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lesson("tokenizers")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen)
        assert "Exercise 1 of 3" in screen_text(app)
        await pilot.press(*"ug", "enter")  # one symbol: asked again, not checked
        await pilot.pause()
        text = screen_text(app)
        assert "Type two symbols" in text and "engine computes" not in text
        screen.query_one(Input).value = ""
        await pilot.press(*"h u", "enter")  # a real pair, but not the first merge
        await pilot.pause()
        assert "Not yet: the engine computes u + g" in screen_text(app)
        screen.query_one(Input).value = ""
        await pilot.press(*"(u, g)", "enter")
        await pilot.pause()
        assert "Right: the engine computes u + g too" in screen_text(app)
        await pilot.click("#exercise-next")
        await pilot.pause()
        assert "Exercise 2 of 3" in screen_text(app)
        await pilot.press(*"1/36", "enter")  # a fraction is a value: 0.02778
        await pilot.pause()
        assert "Right" in screen_text(app)
        await pilot.press("l")  # the input has focus: 'l' is typed, not the language toggle
        await pilot.pause()
        assert screen.query_one(Input).value.endswith("l")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_map_says_a_lesson_may_follow_an_earlier_one(dojo_home: Path) -> None:
    """Issue 20: lesson 11 needs only lesson 4, and the map says so."""
    from tui.app import create_app
    from tui.services import real_services

    from engine.course.lessons import load_course

    course = load_course()
    eleven = course.get("transformer-architecture")
    assert eleven is not None and eleven.prerequisites == ("language-models",)
    app = create_app(real_services("en"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(course.lessons.index(eleven)):
            await pilot.press("down")
        await pilot.pause()
        assert "can follow lesson 4 directly" in screen_text(app)
        await pilot.press("up")  # lesson 10 needs only the SFT lesson
        await pilot.pause()
        assert "can follow lesson 7 directly" in screen_text(app)
        await pilot.press("up")  # lesson 9 follows lesson 8: nothing to say
        await pilot.pause()
        assert "can follow lesson" not in screen_text(app)


async def test_emoji_step_loses_no_character(dojo_home: Path) -> None:
    """Issue 10 item 11: the skin-tone emoji made the next character vanish; the step
    now names the code points, and every word of the sentence is on screen."""
    from tui.app import create_app
    from tui.services import real_services

    app = create_app(real_services("ko"))
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        app.open_lesson("tokenizers", step=3)
        await pilot.pause()
        text = screen_text(app)
        assert "바이트 수준 BPE" in text
        assert "코드 포인트" in text and "8바이트" in text and "U+1F3FD" in text


async def test_a_lesson_says_plainly_when_its_lab_is_not_built(dojo_home: Path) -> None:
    """Issue 10 item 22: lesson 11's lab step names a lab that does not exist yet."""
    from engine.course.lessons import load_course
    from tui.app import create_app
    from tui.services import real_services

    course = load_course()
    app = create_app(real_services("en"))
    assert "generation" in app.services.labs  # one built lab, to see the notice absent
    app.services.labs.pop("attention", None)  # and one not built, whatever is merged later
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for lesson_id in ("transformer-architecture", "text-generation"):
            lesson = course.get(lesson_id)
            app.open_lesson(lesson_id, step=len(lesson.steps["en"]) - 1)
            await pilot.pause()
            built = lesson.lab in app.services.labs
            assert ("is not built yet" in screen_text(app)) is not built, lesson_id


async def test_map_notices_a_run_that_starts_while_it_is_shown(dojo_home: Path, monkeypatch) -> None:
    import json
    import os

    monkeypatch.setattr(HomeScreen, "RUNS_POLL_S", 0.1)
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "training" not in screen_text(app).replace("Training runs", "")
        run = dojo_home / "runs" / "20260101-000000-sft-abcd"
        run.mkdir(parents=True)
        (run / "spec.json").write_text("{}")
        (run / "status.json").write_text(json.dumps({"state": "running", "pid": os.getpid()}))
        await pilot.pause(0.5)
        assert "1 training" in screen_text(app)
        (run / "status.json").write_text(json.dumps({"state": "completed"}))
        await pilot.pause(0.5)
        assert "1 training" not in screen_text(app)
