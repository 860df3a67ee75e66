"""The language-model lab's engine against independent computations on the shipped models:
next-token rows are a direct softmax of the logits (and the distribution sums to 1), fill-mask
candidates a direct softmax at the mask, perplexity exp(mean NLL) from cross-entropy."""

from __future__ import annotations

import math

import pytest
import torch

from engine.errors import DojoError
from engine.lm import api
from engine.lm.config import LmFillMaskConfig, LmNextTokenConfig, LmScoreConfig
from engine.lm.examples import EXAMPLES
from engine.lm.kinds import kind_of_config
from engine.models.cache import ModelCache


@pytest.fixture(scope="module")
def cache():
    return ModelCache(capacity=2)


@pytest.fixture(scope="module")
def clm(cache):
    return api.load("dojo-tiny", "causal", "score", cache)


@pytest.fixture(scope="module")
def mlm(cache):
    return api.load("dojo-tiny-mlm", "masked", "fill-mask", cache)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_next_token_is_the_softmax_of_the_logits(clm, cache, lang):
    prompt = EXAMPLES[lang]["prompt"]
    result = api.next_token(LmNextTokenConfig(text=prompt, top=7), cache)
    ids = clm.tokenizer.encode(prompt)
    with torch.no_grad():
        logits = clm.model(input_ids=torch.tensor([ids])).logits[0, -1].double()
    probs = torch.softmax(logits, -1)
    assert abs(float(probs.sum()) - 1) < 1e-9 and abs(result.total_prob - 1) < 1e-5
    expected = torch.topk(probs, 7)
    assert [r.token_id for r in result.rows] == expected.indices.tolist()
    for row, p in zip(result.rows, expected.values.tolist()):
        assert row.prob == pytest.approx(p, rel=1e-4)
        assert row.logprob == pytest.approx(math.log(p), abs=1e-4)
    assert result.entropy == pytest.approx(float(-(probs * probs.log()).sum()), rel=1e-4)
    assert list(result.prompt_ids) == ids


def test_next_token_json_of_the_generation_pipeline_has_logprobs(clm):
    from engine.generation.pipeline import NextTokenPipeline

    ids = clm.tokenizer.encode("The history of")
    view = NextTokenPipeline(clm.model, clm.tokenizer, ids, show=5).stages(temperature=0.7).to_dict()
    table = api.next_token_table(clm.model, clm.tokenizer, "The history of", 5)
    assert [t["id"] for t in view["tokens"]] == [r.token_id for r in table.rows]
    for t, r in zip(view["tokens"], table.rows):
        assert t["prob"] == pytest.approx(r.prob, abs=1e-6) and t["logprob"] == pytest.approx(r.logprob, abs=1e-5)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_perplexity_is_exp_mean_nll_from_the_logits(clm, cache, lang):
    text = EXAMPLES[lang]["sentence"]
    result = api.score(LmScoreConfig(text=text), cache)
    tok = clm.tokenizer
    ids = [tok.bos_token_id] + tok.encode(text)
    x = torch.tensor([ids])
    with torch.no_grad():
        logits = clm.model(input_ids=x).logits[0].double()
    nll = torch.nn.functional.cross_entropy(logits[:-1], x[0, 1:], reduction="none")
    assert len(result.tokens) == len(ids) - 1
    assert [t.token_id for t in result.tokens] == ids[1:]
    assert result.perplexity == pytest.approx(math.exp(float(nll.mean())), rel=1e-4)
    assert result.total_nll == pytest.approx(float(nll.sum()), rel=1e-4)
    for t, n, row in zip(result.tokens, nll.tolist(), logits[:-1]):
        assert t.surprise == pytest.approx(n, abs=1e-4)
        assert t.rank == int((row > row[t.token_id]).sum()) + 1
        assert t.top_id == int(row.argmax())
    assert result.to_dict()["perplexity"] == pytest.approx(result.perplexity, rel=1e-4)


def test_fill_mask_is_the_softmax_at_each_mask(mlm, cache):
    text = "대한민국의 [MASK]은 서울이고 프랑스의 [MASK]은 파리이다."
    result = api.fill(LmFillMaskConfig(text=text, top=4, causal_model=""), cache)
    enc = mlm.tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        logits = mlm.model(**enc).logits[0].double()
    positions = (enc["input_ids"][0] == mlm.tokenizer.mask_token_id).nonzero()[:, 0].tolist()
    assert [m.position for m in result.masks] == positions and len(positions) == 2
    for slot, pos in zip(result.masks, positions):
        probs = torch.softmax(logits[pos], -1)
        top = torch.topk(probs, 4)
        assert [c.token_id for c in slot.candidates] == top.indices.tolist()
        assert [c.prob for c in slot.candidates] == pytest.approx(top.values.tolist(), rel=1e-4)
        assert slot.causal == () and slot.causal_prompt is None


def test_fill_mask_beside_a_causal_model_reads_the_left_side_only(clm, cache):
    text = EXAMPLES["en"]["masked"]
    result = api.fill(LmFillMaskConfig(text=text, top=3), cache)
    slot = result.masks[0]
    assert slot.causal_prompt == text.split("[MASK]")[0].rstrip()
    direct = api.next_token_table(clm.model, clm.tokenizer, slot.causal_prompt, 3)
    assert [c.token_id for c in slot.causal] == [r.token_id for r in direct.rows]
    assert result.causal_model == "dojo-tiny"


def test_kinds_from_config():
    assert kind_of_config({"architectures": ["GPT2LMHeadModel"]}) == "causal"
    assert kind_of_config({"model_type": "roberta"}) == "masked"
    assert kind_of_config({"architectures": ["BertForSequenceClassification"]}) == "other"


@pytest.mark.parametrize("call, needles", [
    (lambda c: api.fill(LmFillMaskConfig(text="no blank here", causal_model=""), c), ("[MASK]", "where")),
    (lambda c: api.fill(LmFillMaskConfig(text="a [MASK]", model="dojo-tiny"), c), ("causal", "score")),
    (lambda c: api.score(LmScoreConfig(text="hello", model="dojo-tiny-mlm"), c), ("masked", "fill-mask")),
    (lambda c: api.next_token(LmNextTokenConfig(text="hello", model="dojo-tiny-mlm"), c), ("next-token",)),
    (lambda c: api.score(LmScoreConfig(text="   "), c), ("empty",)),
    (lambda c: api.next_token(LmNextTokenConfig(text=""), c), ("empty",)),
    (lambda c: api.fill(LmFillMaskConfig(text="[MASK] " * 9, causal_model=""), c), ("at most",)),
    (lambda c: LmNextTokenConfig(text="x", top=0), ("between 1 and",)),
])
def test_bad_input_is_one_teaching_line(cache, call, needles):
    with pytest.raises(DojoError) as err:
        call(cache)
    assert "\n" not in str(err.value)
    for needle in needles:
        assert needle in str(err.value)


def test_too_long_input_is_truncated_and_said(clm, mlm, cache):
    long_text = "the cat sat on the mat and " * 120
    scored = api.score(LmScoreConfig(text=long_text), cache)
    assert len(scored.tokens) == 511 and "only the first 512 tokens" in str(scored.notices[0])
    assert "reads at most 512" in str(scored.notices[0])
    nxt = api.next_token(LmNextTokenConfig(text=long_text, top=3), cache)
    assert len(nxt.prompt_ids) == 511 and "nearest the end" in str(nxt.notices[0])
    filled = api.fill(LmFillMaskConfig(text="[MASK] " + long_text, causal_model=""), cache)
    assert len(filled.tokens) == 256 and filled.tokens[-1] == "[SEP]" and "256" in str(filled.notices[0])
    with pytest.raises(DojoError, match="beyond"):
        api.fill(LmFillMaskConfig(text=long_text + " [MASK]", causal_model=""), cache)


def test_a_loaded_model_is_reused(cache):
    before = cache.loads
    api.next_token(LmNextTokenConfig(text="The history of", top=2), cache)
    api.score(LmScoreConfig(text="The history of the world"), cache)
    assert cache.loads == before
