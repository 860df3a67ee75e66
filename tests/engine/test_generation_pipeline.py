"""The visible sampling pipeline equals what generate samples from, without new forward passes."""

from __future__ import annotations

import pytest
import torch

from engine.errors import DojoError
from engine.generation.pipeline import NextTokenPipeline

SETTINGS = [
    dict(temperature=0.7, top_k=50, top_p=0.9),
    dict(temperature=1.6, top_k=0, top_p=0.5),
    dict(temperature=0.3, top_k=5, top_p=1.0),
    dict(temperature=1.0, top_k=50, top_p=1.0),
    dict(temperature=1.2, top_k=20, top_p=0.8, repetition_penalty=1.3),
]


@pytest.fixture(scope="module")
def tiny(tiny_llama_dir):
    from engine.models.load import load_model

    return load_model(str(tiny_llama_dir))


@pytest.fixture(scope="module")
def pipe(tiny):
    # a repeated token in the prompt makes the repetition penalty matter
    return NextTokenPipeline(tiny.model, tiny.tokenizer, tiny.tokenizer.encode("the cat sat on the mat the"))


@pytest.mark.parametrize("settings", SETTINGS)
def test_final_distribution_equals_generates(tiny, pipe, settings):
    ids = torch.tensor([pipe.prompt_ids])
    out = tiny.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=1, do_sample=True,
                              output_scores=True, return_dict_in_generate=True,
                              pad_token_id=tiny.tokenizer.pad_token_id, **settings)
    expected = torch.softmax(out.scores[0][0], dim=-1)
    mine = pipe.final_distribution(**settings)
    assert torch.max(torch.abs(mine - expected)).item() <= 1e-6
    view = pipe.stages(**settings)
    shown = torch.tensor(view.stage("final").probs)
    assert torch.allclose(shown, expected[[r.token_id for r in view.rows]], atol=1e-6)


def test_sliders_recompute_without_a_forward_pass(tiny, pipe):
    calls = []
    handle = tiny.model.register_forward_hook(lambda *a: calls.append(1))
    try:
        views = [pipe.stages(**s) for s in SETTINGS]
    finally:
        handle.remove()
    assert calls == [] and pipe.forward_passes == 1
    assert len({v.stage("final").probs for v in views}) == len(SETTINGS)


def test_stage_semantics(pipe):
    view = pipe.stages(temperature=0.8, top_k=10, top_p=0.5)
    names = [s.name for s in view.stages]
    assert names == ["raw", "temperature", "top-k", "top-p", "final"]
    raw, temp, topk, topp, final = view.stages
    assert raw.kept == temp.kept == view.vocab_size
    assert topk.kept == 10 and topp.kept <= 10 and final.kept == topp.kept
    assert topp.mass >= 0.5 * topk.mass - 1e-6 or topp.kept == 1  # nucleus keeps at least p of the mass
    # cut stages keep the temperature probabilities of surviving tokens, zero the rest
    for p_t, p_k in zip(temp.probs, topk.probs):
        assert p_k in (0.0, p_t)
    assert sum(final.probs) <= 1.0 + 1e-6 and max(final.probs) >= max(topp.probs)
    # lower temperature sharpens: the most likely token gains probability
    assert pipe.stages(temperature=0.3).stage("temperature").probs[0] > pipe.stages(temperature=1.5).stage(
        "temperature").probs[0]
    assert [s.name for s in pipe.stages(repetition_penalty=1.3).stages][:2] == ["raw", "penalty"]


def test_temperature_zero_is_greedy(pipe):
    view = pipe.stages(temperature=0.0, top_k=50, top_p=0.9)
    final = view.stage("final")
    assert final.kept == 1 and final.probs[0] == pytest.approx(1.0) and sum(final.probs[1:]) == 0
    assert view.rows[0].token_id == int(torch.argmax(pipe.logits))
    # the other rows are the real runner-ups, with the model's raw probabilities
    raw = torch.softmax(pipe.logits[0], -1)
    top = torch.topk(raw, 10)
    assert [r.token_id for r in view.rows] == top.indices.tolist()
    assert [r.prob for r in view.rows] == pytest.approx(top.values.tolist(), abs=1e-6)
    assert [s.name for s in view.stages] == ["raw", "final"]  # temperature/top-k/top-p shape sampling only
    assert view.greedy


def test_greedy_params_give_the_same_view_as_temperature_zero(pipe):
    from engine.generation.params import SamplingParams

    greedy = pipe.stages(SamplingParams(do_sample=False, temperature=0.7))
    zero = pipe.stages(temperature=0.0)
    assert greedy.rows == zero.rows and [s.probs for s in greedy.stages] == [s.probs for s in zero.stages]


def test_bad_settings_are_one_line_errors(pipe):
    with pytest.raises(DojoError, match=r"top-p 1.5 is outside \(0, 1\]"):
        pipe.stages(top_p=1.5)
    with pytest.raises(DojoError, match="top-k -1"):
        pipe.stages(top_k=-1)


def test_to_dict_is_json_ready(pipe):
    import json

    data = pipe.stages(temperature=0.9, top_k=5).to_dict()
    json.dumps(data)
    assert [s["name"] for s in data["stages"]][-1] == "final" and len(data["tokens"]) == 10
