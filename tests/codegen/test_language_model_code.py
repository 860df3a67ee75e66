"""The language-model lab's code (issue 21): the exported next-token, surprise and fill-mask
snippets, run on their own (one fresh process), compute what ``engine.lm`` computed: the same
token ids, probabilities to 1e-6, the same perplexity and the same fill-mask candidates; F12 in
the lab shows the snippet of the tab on show; ``--show-code`` prints it instead of running."""

from __future__ import annotations

import json
import math

import pytest

from engine.codegen.language_model import fill_mask_snippet, next_token_snippet, score_snippet
from engine.lm.config import LmFillMaskConfig, LmNextTokenConfig, LmScoreConfig
from engine.models.cache import ModelCache
from tests.cli_helpers import dojo
from tui.i18n import set_lang
from tui.widgets.code_panel import CodePanel

from .helpers import LabApp, run_snippet, text_of

NEXT = LmNextTokenConfig(text="The history of", top=7)
SCORE = LmScoreConfig(text="고양이가 매트 위에 앉았다. " * 45)
"""Longer than dojo-tiny's 512 positions: the snippet cuts it where the lab does."""
FILL = LmFillMaskConfig(text="나는 [MASK]를 먹었다. 그리고 [MASK]에 갔다.", top=4)
SPLIT = "=====SNIPPET====="


@pytest.fixture(scope="module")
def cache():
    return ModelCache(capacity=2)


def close(a: float, b: float, tol: float = 1e-6) -> bool:
    return abs(a - b) <= tol


def test_snippets_compute_what_the_lab_computed(cache):
    from engine.lm.api import fill, next_token, score

    snippets = [next_token_snippet(NEXT), score_snippet(SCORE), fill_mask_snippet(FILL)]
    code = f"\nprint({SPLIT!r})\n".join(s.text() for s in snippets)  # one process: torch imports once
    got_next, got_score, got_fill = (json.loads(part) for part in run_snippet(code).split(SPLIT + "\n"))

    lab = next_token(NEXT, cache)
    assert got_next["prompt_tokens"] == len(lab.prompt_ids) and got_next["vocab_size"] == lab.vocab_size
    assert [r["id"] for r in got_next["rows"]] == [r.token_id for r in lab.rows] and len(lab.rows) == 7
    for mine, theirs in zip(got_next["rows"], lab.rows):
        assert close(mine["prob"], theirs.prob) and close(mine["logprob"], theirs.logprob, 1e-5)
    assert close(got_next["entropy"], lab.entropy, 1e-5) and close(got_next["total_prob"], lab.total_prob)

    lab = score(SCORE, cache)
    assert len(lab.tokens) == 511 and [n.key for n in lab.notices] == ["lm.truncated_start"]
    assert [t["id"] for t in got_score["tokens"]] == [t.token_id for t in lab.tokens]
    assert [t["rank"] for t in got_score["tokens"]] == [t.rank for t in lab.tokens]
    assert [t["top"]["id"] for t in got_score["tokens"]] == [t.top_id for t in lab.tokens]
    for mine, theirs in zip(got_score["tokens"], lab.tokens):
        assert close(mine["prob"], theirs.prob)
    assert math.isclose(got_score["perplexity"], lab.perplexity, rel_tol=1e-6)
    assert math.isclose(got_score["total_nll"], lab.total_nll, rel_tol=1e-6)

    lab = fill(FILL, cache)
    assert got_fill["tokens"] == list(lab.tokens) and len(got_fill["masks"]) == len(lab.masks) == 2
    for mine, theirs in zip(got_fill["masks"], lab.masks):
        assert mine["position"] == theirs.position
        assert [c["id"] for c in mine["candidates"]] == [c.token_id for c in theirs.candidates]
        assert all(close(a["prob"], b.prob) for a, b in zip(mine["candidates"], theirs.candidates))
        # the causal model read the same left context (the first mask filled with its best guess)
        assert mine["causal_prompt"] == theirs.causal_prompt
        assert [c["id"] for c in mine["causal"]] == [c.token_id for c in theirs.causal]
        assert all(close(a["prob"], b.prob) for a, b in zip(mine["causal"], theirs.causal))


async def wait_for(pilot, condition, tries: int = 600) -> None:
    for _ in range(tries):
        await pilot.pause(0.1)
        if condition():
            return
    raise AssertionError("timed out")


async def test_f12_shows_the_code_of_the_tab_on_show(cache, isolated_home):
    from tui.labs.language_model.screen import TOP, LanguageModelScreen

    set_lang("en")
    example = {"prompt": "The history of", "masked_text": "The capital of France is [MASK]."}
    lab = LanguageModelScreen(example, cache=cache)
    app = LabApp(lab)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: "next" in lab.results)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        shown = text_of(app)
        assert "Next-token probabilities" in shown and "AutoModelForCausalLM" in shown and "Save .py" in shown
        want = next_token_snippet(LmNextTokenConfig(text="The history of", model="dojo-tiny", top=TOP))
        assert app.screen.snippet.code == want.code
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lab

        await pilot.press("f3")
        await wait_for(pilot, lambda: "surprise" in lab.results)
        await pilot.press("f12")
        await pilot.pause()
        assert app.screen.snippet.code == score_snippet(LmScoreConfig(text="The history of", model="dojo-tiny")).code
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("f4")
        await wait_for(pilot, lambda: "fill" in lab.results)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        assert "AutoModelForMaskedLM" in text_of(app)
        assert "The capital of France is [MASK]." in app.screen.snippet.code
        await pilot.press("s")
        await pilot.pause()
        [saved] = list((isolated_home / "code").glob("language-model-*.py"))
        assert "causal_prompt" in saved.read_text(encoding="utf-8")


def test_cli_show_code_prints_the_snippet_instead_of_running():
    shown = dojo("fill-mask", "The capital of France is [MASK].", "--top", "3", "--causal-model", "",
                 "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# Fill each mask with dojo-tiny-mlm (top 3)")
    assert "TOP = 3" in shown.stdout and "AutoModelForCausalLM" not in shown.stdout
    compile(shown.stdout, "fill_mask.py", "exec")
    shown = dojo("score", "The history of", "--show-code")
    assert shown.returncode == 0 and shown.stdout.startswith("# Surprise per token and perplexity"), shown.stderr
    assert "text = 'The history of'" in shown.stdout
