"""The tokenizer lab's code (issue 21): the playground's split, the step-through written out in plain
Python and the training form's tokenizers call, run on their own, give the lab's tokens, ids, offsets,
merges, scores and vocabularies; F12 shows the code of the tab in view; --show-code prints it."""

from __future__ import annotations

import json

import pytest

from engine.codegen.tokenizer import compare_snippet, inspect_snippet, steps_snippet, train_snippet
from engine.tokenize.steps import StepConfig, run_steps
from engine.tokenize.wordfreqs import read_table
from tests.cli_helpers import dojo
from tui.i18n import set_lang
from tui.labs.tokenizer.screen import TokenizerScreen
from tui.widgets.code_panel import CodePanel

from .helpers import LabApp, run_snippet, text_of

TEXT = "시간이 화살처럼 지나간다 🙂 Time flies"
STEPS = [(StepConfig(algo="bpe", steps=10), "deck-bpe"), (StepConfig(algo="wordpiece", steps=5), "deck-hug"),
         (StepConfig(algo="unigram", steps=4, shrink=0.2), "deck-hug"),
         (StepConfig(algo="bpe", steps=6), "kolaw-top20"),
         (StepConfig(algo="unigram", steps=2), "kolaw-top20")]
TRAIN = [dict(kind="char-bpe", vocab_size=600, min_frequency=2, normalizer="nfc"),
         dict(kind="bert-wordpiece", vocab_size=2600, hangul_alphabet=True),
         dict(kind="sentencepiece-unigram", vocab_size=500)]


def results(out: str) -> list:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def model_of(path) -> dict:
    return json.loads(open(path, encoding="utf-8").read())["model"]


@pytest.mark.slow  # transformers' import (the details part) takes seconds here and in the snippet
def test_snippets_give_the_labs_tokens_steps_and_vocabularies(isolated_home, tmp_path):
    from tokenizers import Tokenizer

    from engine.tokenize.compare import compare
    from engine.tokenize.inspect import inspect

    from engine.tokenize.playground import encode
    from engine.tokenize.train import TokenizerTrainConfig, TrainResult, train

    configs = [TokenizerTrainConfig(**c) for c in TRAIN]
    names = ["dojo-tiny", "dojo-tiny-mlm"]
    snippets = [inspect_snippet("dojo-tiny", TEXT), inspect_snippet("dojo-tiny-mlm", TEXT, details=True),
                compare_snippet(TEXT, names),
                *[steps_snippet(c, read_table(example=ex), ex) for c, ex in STEPS],
                *[train_snippet(c) for c in configs]]
    # one process for all (each start costs a second): the snippets, one after the other
    out = results(run_snippet("\n\n\n".join(s.code for s in snippets), cwd=tmp_path))
    assert len(out) == len(snippets)
    played, mlm, compared, *rest = out
    stepped, trained = rest[:len(STEPS)], rest[len(STEPS):]

    byte_level = encode(TEXT, "dojo-tiny")  # a byte-level BPE: emoji and syllables split into bytes
    assert played["ids"] == byte_level.ids and played["tokens"] == [s.raw for s in byte_level.spans]
    assert played["decoded"] == byte_level.decoded == TEXT
    wordpiece = encode(TEXT, "dojo-tiny-mlm")  # WordPiece: the offsets are the lab's character ranges
    assert mlm["ids"] == wordpiece.ids and mlm["tokens"] == [s.piece for s in wordpiece.spans]
    assert [tuple(o) for o in mlm["offsets"]] == [(s.start, s.end) for s in wordpiece.spans]
    facts = inspect("dojo-tiny-mlm", TEXT)  # transformers' view: [CLS] ... [SEP]
    assert mlm["details"] == {"ids": list(facts.ids), "tokens": list(facts.tokens), "as_string": facts.as_string,
                              "vocab_size": facts.vocab_size}
    lab_rows = compare(TEXT, names).rows
    assert list(compared) == [r.name for r in lab_rows]
    for row in lab_rows:
        got = compared[row.name]
        assert (got["tokens"], got["roundtrip"]) == (row.tokens, row.roundtrip)
        assert [got["chars_per_token"], got["bytes_per_token"], got["unknown_rate"]] == pytest.approx(
            [row.chars_per_token, row.bytes_per_token, row.unknown_rate], abs=1e-9)

    for got, (config, example) in zip(stepped, STEPS):
        lab = run_steps(config, read_table(example=example), example=example)
        if config.algo == "unigram":
            assert [w[1] for w in got["start"]["words"]] == [list(w.tokens) for w in lab.start.words]
            assert [w[2] for w in got["start"]["words"]] == pytest.approx([w.probability for w in lab.start.words],
                                                                         rel=1e-12)
            assert [r["removed"] for r in got["rounds"]] == [list(s.removed) for s in lab.steps]
            assert [r["loss"] for r in got["rounds"]] == pytest.approx([s.state.loss for s in lab.steps], abs=1e-6)
            assert got["rounds"][-1]["vocab"] == list(lab.vocab_at(len(lab.steps)))
        else:
            expect = [[s.left, s.right,
                       s.count if config.algo == "bpe" else f"{s.score.numerator}/{s.score.denominator}"]
                      for s in lab.steps]
            assert got["merges"] == expect and got["vocab"] == list(lab.vocab_at(len(lab.steps)))
    assert len(stepped[1]["merges"]) == 5 and stepped[0]["merges"][0] == ["e", "s", 9]

    for got, config in zip(trained, configs):
        lab = next(e for e in train(config) if isinstance(e, TrainResult))
        mine = tmp_path / config.save_name / "tokenizer.json"
        ours, theirs = model_of(mine), model_of(lab.path)
        assert got["vocab_size"] == lab.vocab_size
        # the same tokens and merges; tokenizers numbers the alphabet in hash-map order, so ids can differ
        # between two trainings (the lab's own included): ids are not compared
        if theirs["type"] == "Unigram":
            # tokenizers' Unigram trainer is not exactly repeatable (its EM sums in parallel: two runs of the lab
            # differ by up to 0.007 in a log-probability, and a piece or two at the edge of the vocabulary can
            # change between processes), so the check is: nearly the same pieces, nearly the same scores
            a, b = dict(map(tuple, ours["vocab"])), dict(map(tuple, theirs["vocab"]))
            shared = a.keys() & b.keys()
            assert len(a) == len(b) and len(shared) >= 0.97 * len(b)
            assert max(abs(a[k] - b[k]) for k in shared) < 0.05
            continue
        else:
            assert set(ours["vocab"]) == set(theirs["vocab"])
            assert ours.get("merges") == theirs.get("merges")
        sample = Tokenizer.from_file(lab.path).encode("시간이 화살처럼 지나간다. Time flies like an arrow.",
                                                      add_special_tokens=False).tokens
        assert got["sample_tokens"] == sample


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_f12_shows_the_code_of_the_tab_in_view(isolated_home):
    set_lang("en")
    app = LabApp(TokenizerScreen({"text": "시간이 화살처럼"}))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        lab = app.screen
        assert "Code" in text_of(app)  # F12 in the footer
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        assert "Tokenizer.from_file" in text_of(app) and "'시간이 화살처럼'" in app.screen.snippet.code
        await pilot.press("escape")
        await pilot.pause()
        lab.set_focus(None)  # the focused text area would pull its tab back into view
        lab.query_one("#tok-tabs").active = "tok-tab-steps"
        await settle(pilot)
        await pilot.press("f12")
        await pilot.pause()
        assert "count_pairs" in app.screen.snippet.code and "('low', 5)" in app.screen.snippet.code
        await pilot.press("escape")
        await pilot.pause()
        lab.query_one("#tok-tabs").active = "tok-tab-play"
        await pilot.pause()
        await pilot.press("f8")  # compare every tokenizer (a key of the playground and compare tabs)
        await settle(pilot)
        await pilot.press("f12")
        await pilot.pause()
        assert "TOKENIZERS = {'dojo-tiny':" in app.screen.snippet.code
        await pilot.press("escape")
        await pilot.pause()
        lab.query_one("#tok-tabs").active = "tok-tab-train"
        await pilot.pause()
        await pilot.press("f12")  # nothing trained yet: a notice, no panel
        await pilot.pause()
        assert app.screen is lab


def test_cli_show_code_prints_the_step_through_instead_of_running(isolated_home):
    shown = dojo("tokenizer", "steps", "--algo", "wordpiece", "--steps", "4", "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# Step through WordPiece training on deck-hug (4 steps)")
    lab = run_steps(StepConfig(algo="wordpiece", steps=4), read_table(example="deck-hug"))
    [got] = results(run_snippet(shown.stdout))
    assert got["merges"] == [[s.left, s.right, f"{s.score.numerator}/{s.score.denominator}"] for s in lab.steps]
    assert got["vocab"] == list(lab.vocab_at(4))
    code = dojo("tokenize", "안녕 hi", "-k", "dojo-tiny-mlm", "--details", "--show-code")
    assert code.returncode == 0, code.stderr
    assert "hf = AutoTokenizer.from_pretrained(" in code.stdout and "text = '안녕 hi'" in code.stdout
    compile(code.stdout, "tokenize.py", "exec")  # transformers' part is not run here (its import alone takes 4 s)
