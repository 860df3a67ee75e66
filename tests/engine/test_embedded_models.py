"""The two models that ship in the package: load by name offline, generate, fill a mask,
round-trip Korean through both tokenizers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.models.load import load_model
from engine.models.resolve import embedded_models


@pytest.fixture(scope="module")
def tiny():
    return load_model("dojo-tiny")


@pytest.fixture(scope="module")
def tiny_mlm():
    return load_model("dojo-tiny-mlm", task="masked-lm")


def test_both_ship_and_stay_small():
    models = embedded_models()
    assert {"dojo-tiny", "dojo-tiny-mlm"} <= set(models)
    total = sum(f.stat().st_size for name in ("dojo-tiny", "dojo-tiny-mlm") for f in models[name].iterdir())
    assert total < 30 * 2**20, total
    for name in ("dojo-tiny", "dojo-tiny-mlm"):
        card = (models[name] / "README.md").read_text(encoding="utf-8")
        ev = json.loads((models[name] / "eval.json").read_text(encoding="utf-8"))
        assert "held-out" in card and ev["eval"]["heldout"]["ko"]


def test_tiny_is_a_llama_chat_model_on_cpu(tiny):
    assert type(tiny.model).__name__ == "LlamaForCausalLM"
    assert tiny.resolved.source == "embedded" and tiny.dtype == "float32"
    assert 1_000_000 < tiny.parameters < 20_000_000
    tok = tiny.tokenizer
    text = tok.apply_chat_template([{"role": "user", "content": "안녕하세요"}], tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>user\n안녕하세요<|im_end|>\n<|im_start|>assistant\n"
    assert tok.pad_token_id not in (tok.eos_token_id, None)


def test_tiny_generates_text_of_the_language(tiny):
    import torch

    tok, model = tiny.tokenizer, tiny.model
    for prompt in ("The history of the", "대한민국의 국민은"):
        ids = tok(prompt, return_tensors="pt")
        out = model.generate(**ids, max_new_tokens=30, do_sample=False)
        text = tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
        assert len(text.strip()) > 5
        if prompt.startswith("대한"):
            hangul = sum("\uac00" <= c <= "\ud7a3" for c in text)
            assert hangul >= 5, text
        else:
            assert sum(c.isascii() and c.isalpha() for c in text) >= 10, text
    torch.manual_seed(0)
    out = model.generate(**tok("The", return_tensors="pt"), max_new_tokens=10, do_sample=True)
    assert out.shape[1] > 1


def test_tiny_mlm_fills_a_mask(tiny_mlm):
    import torch

    tok, model = tiny_mlm.tokenizer, tiny_mlm.model
    assert type(model).__name__ == "BertForMaskedLM"
    enc = tok("The capital of France is [MASK].", return_tensors="pt")
    pos = (enc["input_ids"][0] == tok.mask_token_id).nonzero()[0, 0]
    with torch.no_grad():
        probs = model(**enc).logits[0, pos].softmax(-1)
    top = tok.convert_ids_to_tokens(probs.topk(5).indices.tolist())
    assert len(top) == 5 and all(t not in ("[PAD]", "[CLS]") for t in top)
    assert abs(float(probs.sum()) - 1) < 1e-4


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_byte_bpe_round_trips_any_unicode(text):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_models()["dojo-tiny"])
    assert tok.decode(tok.encode(text, add_special_tokens=False)) == text


KOREAN = ["대한민국은 민주공화국이다", "아버지가 방에 들어가신다", "시간이 화살처럼 지나간다", "토크나이저는 텍스트를 토큰으로 나눈다"]


@pytest.mark.parametrize("text", KOREAN)
def test_korean_round_trips_through_both_tokenizers(text):
    from transformers import AutoTokenizer

    clm = AutoTokenizer.from_pretrained(embedded_models()["dojo-tiny"])
    assert clm.decode(clm.encode(text, add_special_tokens=False)) == text
    mlm = AutoTokenizer.from_pretrained(embedded_models()["dojo-tiny-mlm"])
    ids = mlm.encode(text, add_special_tokens=False)
    assert mlm.unk_token_id not in ids
    assert mlm.decode(ids) == text
