"""The attention lab's code (issue 21): the exported capture (a Llama with RoPE and a BERT), the
positional-encoding and RoPE snippets, run on their own in one fresh process, give the lab's own
numbers (weights, raw scores, the PE matrix to 1e-6); the encoder's Trainer script runs two steps
with the lab's first two losses; F12 shows the page on show; ``--show-code`` prints instead of running."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from engine.attention.config import AttentionConfig, AttentionEncoderConfig, AttentionPosEncConfig, AttentionRopeConfig
from engine.codegen.attention import capture_snippet, posenc_snippet, rope_snippet
from engine.codegen.encoder import encoder_snippet
from engine.models.cache import ModelCache
from tests.cli_helpers import dojo
from tui.i18n import set_lang
from tui.widgets.code_panel import CodePanel

from .helpers import LabApp, run_snippet, text_of

LLAMA = (AttentionConfig(model="dojo-tiny", layer=1, head=None, scores=True), "The cat sat on the mat")
BERT = (AttentionConfig(model="dojo-tiny-mlm", layer=2, head=1), "고양이가 매트 위에 앉았다")
PE = AttentionPosEncConfig(length=24, dim=16, base=1000.0)
ROPE = AttentionRopeConfig(repeats=5, head=2)
SPLIT = "=====SNIPPET====="


@pytest.fixture(scope="module")
def cache():
    return ModelCache(capacity=2)


def test_snippets_give_the_labs_numbers(cache):
    from engine.attention.capture import capture_config, load_for_attention
    from engine.attention.posenc import positional_encoding, rope_demo

    snippets = [capture_snippet(*LLAMA), capture_snippet(*BERT), posenc_snippet(PE), rope_snippet(ROPE)]
    assert "apply_rotary_pos_emb" in snippets[0].code and "AutoModelForMaskedLM" in snippets[1].code
    code = f"\nprint({SPLIT!r})\n".join(s.text() for s in snippets)
    llama, bert, pe, rope = (json.loads(part) for part in run_snippet(code).split(SPLIT + "\n"))

    for got, (config, text) in ((llama, LLAMA), (bert, BERT)):
        lab = capture_config(config, text, cache)
        assert got["token_ids"] == list(lab.token_ids)
        np.testing.assert_allclose(got["weights"], lab.weights[config.layer], atol=1e-6)
        np.testing.assert_allclose(got["scores"], lab.scores[config.layer], atol=1e-5)
        view = "scores" if config.scores else "weights"
        np.testing.assert_allclose(got["map"], lab.map(config.layer, config.head, view), atol=1e-5)
        assert got["attends_to"] == lab.attends_to(config.layer, config.head)
        assert got["scores_check"] < 1e-5  # softmax(scores + M) gives the model's weights back
    assert bert["map"] != llama["map"] and len(llama["map"]) == len(llama["tokens"])

    lab = positional_encoding(PE)
    np.testing.assert_allclose(pe["matrix"], lab.matrix, atol=1e-6)
    np.testing.assert_allclose(pe["distance_dot"], lab.distance_dot, atol=1e-9)

    lab = rope_demo(load_for_attention("dojo-tiny", cache), ROPE, name="dojo-tiny")
    assert rope["positions"] == list(lab.positions)
    np.testing.assert_allclose(rope["same"], lab.same, atol=1e-5)
    np.testing.assert_allclose(rope["changed"], lab.changed, atol=1e-5)
    assert rope["unrotated_spread"] == pytest.approx(lab.unrotated_spread, abs=1e-6)
    assert rope["content_change"] == pytest.approx(lab.content_change, abs=1e-5)


@pytest.mark.slow
def test_encoder_script_trains_with_the_labs_first_losses():
    from engine.attention import encoder as lab_encoder
    from engine.codegen import encoder as code

    assert code.TOKENIZER_MODEL == lab_encoder.TOKENIZER_MODEL
    config = AttentionEncoderConfig(data="ko", pretrained=True, seed=3)
    out = run_snippet(encoder_snippet(config, max_steps=2).text())
    got = json.loads(out[out.index("{\n"):])  # Trainer's own log lines come first
    assert got["train_size"] == 300 and got["test_size"] == 60
    assert len(got["scratch"]["losses"]) == 2 and len(got["dojo-tiny-mlm"]["losses"]) == 2
    assert 0 <= got["scratch"]["accuracy"] <= 1 and got["dojo-tiny-mlm"]["eval_loss"] > 0

    cancel = threading.Event()

    def stop_after_two(event) -> None:
        if event.step >= 2:
            cancel.set()

    lab = lab_encoder.train_classifiers(AttentionEncoderConfig(data="ko", pretrained=False, seed=3),
                                        on_event=stop_after_two, cancel=cancel)
    # same seed, same weights, same batches: the first two losses are the lab's
    assert got["scratch"]["parameters"] == lab.scratch.parameters
    np.testing.assert_allclose(got["scratch"]["losses"], [loss for _, loss in lab.scratch.losses[:2]], atol=1e-5)


async def wait_for(pilot, condition, tries: int = 600) -> None:
    for _ in range(tries):
        await pilot.pause(0.1)
        if condition():
            return
    raise AssertionError("timed out")


async def test_f12_shows_the_code_of_the_page_on_show(cache):
    from engine.attention.capture import load_for_attention
    from tui.labs.attention.screen import PE_DIM, PE_LENGTH, AttentionScreen

    set_lang("en")
    lab = AttentionScreen({"model": "dojo-tiny", "text": "The cat sat", "layer": 1, "head": 2},
                          load=lambda name: load_for_attention(name, cache))
    app = LabApp(lab)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: lab.result is not None and lab.pe is not None and lab.rope is not None)
        await pilot.press("f4")  # the raw scores
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        shown = text_of(app)
        assert "Attention of dojo-tiny, layer 1, head 2" in shown and "apply_rotary_pos_emb" in shown
        want = capture_snippet(AttentionConfig(model="dojo-tiny", layer=1, head=2, scores=True), "The cat sat")
        assert app.screen.snippet.code == want.code
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lab

        lab.query_one("#att-tabs").active = "att-tab-pe"
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        assert "Sinusoidal positional encoding" in text_of(app)
        assert app.screen.snippet.code == posenc_snippet(AttentionPosEncConfig(length=PE_LENGTH, dim=PE_DIM)).code
        await pilot.press("escape")
        for page, want in (("rope", rope_snippet(AttentionRopeConfig(model="dojo-tiny"))),
                           ("enc", encoder_snippet(AttentionEncoderConfig(data="en")))):  # an English sentence
            lab.query_one("#att-tabs").active = f"att-tab-{page}"
            await pilot.pause()
            await pilot.press("f12")
            await pilot.pause()
            assert isinstance(app.screen, CodePanel) and app.screen.snippet.code == want.code
            await pilot.press("escape")
            await pilot.pause()


def test_cli_show_code_prints_the_snippet_instead_of_running():
    shown = dojo("attention", "The cat sat", "--model", "dojo-tiny-mlm", "--layer", "3", "--head", "1", "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# Attention of dojo-tiny-mlm, layer 3, head 1")
    assert "LAYER, HEAD = 3, 1" in shown.stdout and "AutoModelForMaskedLM" in shown.stdout
    shown = dojo("posenc", "--length", "4", "--dim", "6", "--show-code")
    assert shown.returncode == 0, shown.stderr
    got = json.loads(run_snippet(shown.stdout))  # numpy only: quick
    from engine.attention.posenc import sinusoidal

    np.testing.assert_allclose(got["matrix"], sinusoidal(4, 6), atol=1e-12)
    assert dojo("posenc", "--dim", "5", "--show-code").returncode == 2  # the config checks still hold
