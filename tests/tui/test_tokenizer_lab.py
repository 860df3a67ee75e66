"""The tokenizer lab under Pilot: typing re-tokenizes, F5/F6 step through the deck's BPE and
WordPiece examples (showing the deck's slips), F8 compares, Ctrl+R trains; it fits 80x24 in Korean
with Hangul and emoji on screen."""

from __future__ import annotations

import pytest

from engine.tokenize.playground import encode
from tui.i18n import set_lang

from .conftest import make_app, screen_text

LESSON_TRY_IT = {"text": "시간이 화살처럼 지나간다 🙂", "algorithm": "bpe",
                 "corpus": [["low", 5], ["lower", 2], ["newest", 6], ["widest", 3]], "merges": 10}


@pytest.fixture(autouse=True)
def _english_after(dojo_home):
    yield
    set_lang("en")


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_lab(pilot, try_it):
    await pilot.pause()
    assert pilot.app.open_lab("tokenizer", try_it)
    await settle(pilot)
    return pilot.app.screen


async def test_typing_retokenizes_with_korean_and_emoji():
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, {"text": "hi"})
        assert screen.focused.id == "tok-text"
        screen.query_one("#tok-text").text = ""
        await pilot.press(*"ok ")
        await settle(pilot)
        text = "ok 시간 🙂"
        screen.query_one("#tok-text").insert("시간 🙂")
        await settle(pilot)
        assert screen.encoded.ids == encode(text, "dojo-tiny").ids
        shown = screen_text(app)
        assert "<F0>" in shown and "시간" in shown and "decodes back exactly" in shown
        await pilot.press("f2")  # next tokenizer: the WordPiece one
        await settle(pilot)
        assert screen.tokenizer == "dojo-tiny-mlm" and "unknown token" in screen_text(app)


async def test_empty_text_says_so_and_recovers():
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, {"text": "a"})
        screen.query_one("#tok-text").text = ""
        await settle(pilot)
        assert "empty" in screen_text(app)
        screen.query_one("#tok-text").text = "시간"
        await settle(pilot)
        assert "empty" not in screen.query_one("#tok-stats").render().plain


@pytest.mark.slow
async def test_a_megabyte_paste_is_counted_and_truncated():
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, {"text": "a"})
        screen.query_one("#tok-text").text = "시간이 화살처럼 " * 48_000  # about 1 MB of UTF-8
        await settle(pilot)
        assert screen.encoded.truncated and screen.encoded.text_chars == 432_000
        assert "shows the first 4,000" in screen_text(app)


async def test_lesson_try_it_steps_through_the_deck_bpe():
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, LESSON_TRY_IT)
        assert screen.query_one("#tok-tabs").active == "tok-tab-steps"
        assert "step 0/10" in screen_text(app) and "e s" in screen_text(app)
        for _ in range(3):
            await pilot.press("f6")
        await pilot.pause()
        shown = screen_text(app)
        assert "merge 3: est + </w> -> est</w> (count 9)" in shown
        assert "because of the" in shown  # the deck's list is the marker-free run
        await pilot.press("f5")
        await pilot.pause()
        assert "merge 2: es + t" in screen_text(app)
        await pilot.press("f4")  # no marker: the deck's printed vocabulary
        await settle(pilot)
        for _ in range(8):
            await pilot.press("f6")
        await pilot.pause()
        assert "newest wi wid widest" in screen_text(app) and "matches the deck" in screen_text(app)


async def test_wordpiece_step_three_and_unigram_start():
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, LESSON_TRY_IT)
        await pilot.press("f3")  # BPE on Korean words from the constitution
        await settle(pilot)
        assert (screen.algo, screen.example_name) == ("bpe", "kolaw-top20")
        await pilot.press("f6")
        await pilot.pause()
        first = screen.steps.steps[0]
        assert (first.left, first.right) == ("는", "</w>")  # 또는, 때에는 ... end in 는
        assert f"merge 1: 는 + </w> -> 는</w> (count {first.count})" in screen_text(app)
        await pilot.press("f3")
        await settle(pilot)
        assert (screen.algo, screen.example_name, screen.at) == ("wordpiece", "deck-hug", 0)
        for _ in range(3):
            await pilot.press("f6")
        await pilot.pause()
        shown = screen_text(app)
        assert "hu + ##gs -> hugs (score 1/15)" in shown and "2/45" in shown
        await pilot.press("f3", "f3")
        await settle(pilot)
        shown = screen_text(app)
        assert "hug 10: hug  P=0.071429" in shown and "pug 5: pu g  P=0.007710" in shown


async def test_play_runs_to_the_end():
    from tui.labs.tokenizer import screen as module

    module.PLAY_SECONDS = 0.01
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, LESSON_TRY_IT)
        await pilot.press("f7")
        await pilot.pause(0.5)
        assert screen.at == 10 and screen.player is None
    module.PLAY_SECONDS = 0.7


async def test_compare_and_train(tmp_path):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, {"text": "시간이 화살처럼 지나간다"})
        await pilot.press("f8")
        await settle(pilot)
        assert screen.query_one("#tok-tabs").active == "tok-tab-compare"
        shown = screen_text(app)
        assert "words (spaces)" in shown and "dojo-tiny-mlm" in shown
        screen.query_one("#tok-tabs").active = "tok-tab-train"
        await pilot.pause()
        form = screen.query_one("#tok-train-form")
        form.set_value("vocab_size", 400)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "byte-level-bpe-kolaw-400" in screen.names
        assert "byte-level-bpe-kolaw-400: 400 tokens" in screen_text(app)


def test_snapshot_steps_korean_80x24(snap_compare, dojo_home):
    app = make_app("ko")

    async def run_before(pilot):
        await open_lab(pilot, LESSON_TRY_IT)
        for _ in range(3):
            await pilot.press("f6")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_playground_korean_emoji_80x24(snap_compare, dojo_home):
    app = make_app("ko")

    async def run_before(pilot):
        screen = await open_lab(pilot, {"text": "시간이 화살처럼 지나간다 👨‍👩‍👧 🙂"})
        screen.query_one("#tok-text").cursor_blink = False  # a blinking caret makes the image random
        await settle(pilot)  # a re-tokenize or redraw still queued under load would change the image
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_the_real_lesson_one_try_it_opens_the_step_through():
    from engine.course.lessons import load_course
    from lessons import ROOT

    lesson = load_course(ROOT).get("tokenizers")
    assert lesson.lab == "tokenizer"
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, dict(lesson.try_it))
        assert screen.steps is not None and screen.steps.example == "deck-bpe"
        assert len(screen.steps.steps) == 10 and screen.text == "시간이 화살처럼 지나간다"
        assert screen.encoded is not None and screen.encoded.roundtrip


def test_snapshot_compare_english_120x40(snap_compare, dojo_home):
    app = make_app("en")

    async def run_before(pilot):
        await open_lab(pilot, {"text": "시간이 화살처럼 지나간다 🙂"})
        await pilot.press("f8")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


@pytest.mark.slow
async def test_details_show_what_transformers_says():
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, {"text": "시간이", "tokenizer": "dojo-tiny-mlm"})
        await pilot.press("f9")
        await settle(pilot)
        assert screen._facts is not None and screen._facts.tokens[0] == "[CLS]"
        screen.query_one("#tok-spans-box").scroll_end(animate=False)
        await pilot.pause()
        assert "model_max_length: 256" in screen_text(app)


async def test_language_toggle_keeps_the_state():
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(pilot, LESSON_TRY_IT)
        await pilot.press("f6", "f6")
        screen.set_focus(None)
        await pilot.press("l")  # the app's language key
        await settle(pilot)
        assert app.screen is screen and screen.at == 2
        shown = screen_text(app)
        assert "병합 2: es + t" in shown and "단계별 학습" in shown
        footer = shown.splitlines()[-1]
        assert "l English" in footer and "명령" in footer  # the whole footer fits 80 columns in Korean
