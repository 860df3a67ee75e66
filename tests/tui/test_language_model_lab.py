"""The language-model lab under Pilot: the lesson's try_it opens the next-token table, F3 the
surprise bars with the perplexity, F4 fill-mask with both models, typing recomputes, bad
input shows one line in the panel; snapshots at 80x24 in Korean and 120x40."""

from __future__ import annotations

import math
import re

import pytest

from engine.lm.examples import EXAMPLES
from tui.i18n import set_lang

from .conftest import make_app, screen_text

LESSON = {"masked_text": "The capital of France is [MASK].", "prompt": "The history of",
          "model_mlm": "dojo-tiny-mlm", "model": "dojo-tiny"}


@pytest.fixture(autouse=True)
def _english_after(dojo_home):
    yield
    set_lang("en")


async def settle(pilot, until, seconds: float = 60) -> None:
    for _ in range(int(seconds * 10)):
        await pilot.pause(0.1)
        if until(pilot.app.screen):
            break
    await pilot.pause()


async def test_lesson_example_next_token_surprise_and_fill_mask(dojo_home):
    app = make_app("en")
    async with app.run_test(size=(100, 40)) as pilot:
        assert app.open_lab("language-model", LESSON)
        await settle(pilot, lambda s: "next" in s.results)
        screen = app.screen
        nxt = screen.results["next"]
        assert nxt.prompt == "The history of" and abs(nxt.total_prob - 1) < 1e-5
        shown = screen_text(app)
        assert "the whole distribution sums to 1.0000" in shown and "log p" in shown
        top = nxt.rows[0]
        assert f"{top.prob:.4f}" in shown and f"{top.logprob:.3f}" in shown

        await pilot.press("f3")
        await settle(pilot, lambda s: "surprise" in s.results)
        scored = screen.results["surprise"]
        assert scored.text == "The history of"
        shown = screen_text(app)
        assert f"perplexity {scored.perplexity:,.2f}" in shown
        assert math.isclose(scored.perplexity, math.exp(scored.mean_nll))

        await pilot.press("f4")
        await settle(pilot, lambda s: "fill" in s.results)
        shown = screen_text(app)
        filled = screen.results["fill"]
        assert filled.text == LESSON["masked_text"] and filled.masks[0].causal_prompt == "The capital of France is"
        assert "reads both sides" in shown and "left context read by dojo-tiny" in shown
        assert app.focused is screen.query_one("#lm-text")
        assert screen.query_one("#lm-text").value == LESSON["masked_text"]


async def test_typing_recomputes_and_bad_input_says_one_line(dojo_home):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_lab("language-model", {**LESSON, "panel": "fill"})
        await settle(pilot, lambda s: "fill" in s.results)
        box = app.screen.query_one("#lm-text")
        box.value = ""
        await pilot.press(*"no blank here", "enter")
        await settle(pilot, lambda s: "fill" in s.errors)
        assert "write [MASK] where the missing word goes" in screen_text(app)
        await pilot.press("f2")
        await settle(pilot, lambda s: "next" in s.results)
        box.value = ""
        await pilot.press("space", "enter")
        await settle(pilot, lambda s: "next" in s.errors)
        assert "The text is empty" in screen_text(app)
        await pilot.press("f5")  # the built-in example (Korean first in English)
        await settle(pilot, lambda s: "next" in s.results and s.results["next"].prompt == EXAMPLES["ko"]["prompt"])
        assert "next" not in app.screen.errors


async def test_wrong_kind_of_model_names_the_right_command(dojo_home):
    app = make_app("ko")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_lab("language-model", {**LESSON, "model": "dojo-tiny-mlm"})
        await settle(pilot, lambda s: "next" in s.errors)
        shown = screen_text(app)
        assert "마스크 언어 모델" in shown and "fill-mask" in shown


def _svg_text(svg: str) -> str:
    return "".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)).replace("&#160;", " ")


def test_snapshot_korean_80x24_surprise(snap_compare, dojo_home):
    app = make_app("ko")

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.open_lab("language-model", {"prompt": EXAMPLES["ko"]["sentence"], "panel": "surprise"})
        await settle(pilot, lambda s: "surprise" in s.results)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_120x40_next_token(snap_compare, dojo_home):
    app = make_app("ko")

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.open_lab("language-model", {"prompt": EXAMPLES["ko"]["prompt"]})
        await settle(pilot, lambda s: "next" in s.results)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


async def test_language_toggle_keeps_text_and_results(dojo_home):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_lab("language-model", LESSON)
        await settle(pilot, lambda s: "next" in s.results)
        before = app.screen.results["next"]
        app.action_toggle_language()
        await pilot.pause(0.3)
        shown = screen_text(app)
        assert "분포 전체의 합" in shown and "다음 토큰" in shown
        assert app.screen.results["next"] is before and app.screen.query_one("#lm-text").value == "The history of"
