"""The attention lab's engine against independent computations: the deck's PE formula written out,
torch's own attention, a second eager-loaded copy of the model, and hand-built masks and softmaxes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine.attention.capture import capture, capture_config, load_for_attention
from engine.attention.config import (AttentionConfig, AttentionEncoderConfig, AttentionPosEncConfig,
                                     AttentionRopeConfig)
from engine.attention.posenc import positional_encoding, rope_demo, sinusoidal
from engine.errors import DojoError
from engine.models.cache import ModelCache


@pytest.fixture(scope="module")
def cache():
    return ModelCache(capacity=2)


@pytest.fixture(scope="module")
def tiny(cache):
    return load_for_attention("dojo-tiny", cache)


# -- positional encoding --------------------------------------------------------------
@pytest.mark.parametrize("length,dim", [(100, 512), (7, 6), (1, 2)])
def test_pe_matrix_is_the_decks_formula(length, dim):
    expected = np.zeros((length, dim))
    for pos in range(length):
        for i in range(dim // 2):  # i < d/2
            expected[pos, 2 * i] = math.sin(pos / 10000 ** (2 * i / dim))
            expected[pos, 2 * i + 1] = math.cos(pos / 10000 ** (2 * i / dim))
    assert np.abs(sinusoidal(length, dim) - expected).max() < 1e-6
    assert np.abs(positional_encoding(AttentionPosEncConfig(length=length, dim=dim)).matrix - expected).max() < 1e-6


def test_pe_dot_product_depends_on_distance_only():
    r = positional_encoding(AttentionPosEncConfig(length=20, dim=16))
    w = [1 / 10000 ** (2 * i / 16) for i in range(8)]
    for k in range(20):  # PE(p).PE(p+k) = sum_i cos(k w_i), whatever p
        assert r.distance_dot[k] == pytest.approx(sum(math.cos(k * wi) for wi in w), abs=1e-9)
    assert r.dot_spread < 1e-9 and r.distance_dot[0] == pytest.approx(8.0)
    assert max(r.distance_dot[1:]) < r.distance_dot[0]


@pytest.mark.parametrize("kwargs,needle", [({"dim": 7}, "odd"), ({"length": 0}, "length"), ({"base": 1}, "base")])
def test_pe_bad_settings(kwargs, needle):
    with pytest.raises(DojoError, match=needle):
        AttentionPosEncConfig(**kwargs)


# -- capture --------------------------------------------------------------------------
def test_capture_weights_match_an_eager_copy_and_the_scores(tiny):
    from transformers import AutoModelForCausalLM

    text = "The cat sat on the mat"
    r = capture(tiny, text, name="dojo-tiny")
    ref = AutoModelForCausalLM.from_pretrained(tiny.resolved.path, attn_implementation="eager").eval()
    ids = tiny.tokenizer(text)["input_ids"]
    with torch.no_grad():
        expected = torch.stack(ref(torch.tensor([ids]), output_attentions=True).attentions)[:, 0].numpy()
    assert r.weights.shape == (4, 4, len(ids), len(ids)) and r.causal and r.rope
    assert np.abs(r.weights - expected).max() < 1e-5
    assert np.abs(r.weights.sum(-1) - 1).max() < 1e-5  # rows sum to 1
    assert np.triu(r.weights, 1).max() == 0  # the causal mask: nothing above the diagonal
    # softmax(scores + M) with our own mask and softmax, in numpy
    mask = np.triu(np.full((len(ids), len(ids)), -np.inf), 1)
    z = r.scores + mask
    soft = np.exp(z - z.max(-1, keepdims=True))
    soft /= soft.sum(-1, keepdims=True)
    assert np.abs(soft - r.weights).max() < 1e-5 and r.scores_check < 1e-5
    assert np.isfinite(r.scores).all()  # the raw scores are before the mask
    avg = r.map(1)
    assert np.allclose(avg, r.weights[1].mean(0))
    assert r.attends_to(1, 2) == [int(j) for j in r.weights[1, 2].argmax(-1)]
    assert "".join(r.tokens) == text


def test_capture_switches_sdpa_to_eager_and_back(tiny):
    assert tiny.model.config._attn_implementation == "sdpa"
    r = capture(tiny, "hello there", name="dojo-tiny")
    assert any(n.key == "att.switched_eager" for n in r.notices)
    assert tiny.model.config._attn_implementation == "sdpa"


def test_bidirectional_model_has_no_mask(cache):
    r = capture_config(AttentionConfig(model="dojo-tiny-mlm"), "고양이가 매트 위에 앉았다", cache)
    assert not r.causal and r.tokens[0] == "[CLS]" and r.tokens[-1] == "[SEP]"
    assert np.triu(r.weights, 1).max() > 0  # looks right as well as left
    assert r.scores_check < 1e-5 and np.abs(r.weights.sum(-1) - 1).max() < 1e-5


def test_a_model_in_the_shared_cache_is_not_loaded_again():
    cache = ModelCache(capacity=2)
    other_lab = cache.get("dojo-tiny")  # the generation lab loads it (causal-lm, default options)
    assert cache.loads == 1
    capture_config(AttentionConfig(), "The cat sat", cache)
    capture_config(AttentionConfig(layer=2), "The dog sat", cache)
    assert cache.loads == 1 and load_for_attention("dojo-tiny", cache) is other_lab


def test_long_input_is_truncated_with_a_notice(tiny):
    r = capture(tiny, "hi " * 700, name="dojo-tiny")
    assert r.size == 512 and r.truncated_from and r.truncated_from > 512
    assert any(n.key == "att.truncated" for n in r.notices)


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_input_teaches(tiny, text):
    with pytest.raises(DojoError, match="empty"):
        capture(tiny, text)


def test_missing_layer_or_head(cache):
    with pytest.raises(DojoError, match="layers 0 to 3"):
        capture_config(AttentionConfig(layer=9), "hi", cache)
    with pytest.raises(DojoError, match="heads 0 to 3"):
        capture_config(AttentionConfig(head=4), "hi", cache)


# -- RoPE ------------------------------------------------------------------------------
def test_rope_depends_on_relative_position_and_on_content(tiny):
    r = rope_demo(tiny, AttentionRopeConfig(), name="dojo-tiny")
    n = len(r.positions)
    for i in range(n):
        for j in range(i + 1):
            assert r.same[i, j] == pytest.approx(r.same[i - j, 0], abs=1e-4)  # offset only
    assert r.offset_spread < 1e-4
    assert len({round(float(r.same[i, 0]), 3) for i in range(n)}) > 1  # but different offsets differ
    assert r.unrotated_spread < 1e-4  # without rotation: no position at all
    assert r.content_change > 0.1  # another word at one position changes its scores
    untouched = [(i, j) for i in range(n) for j in range(i + 1) if r.changed_at not in (i, j)]
    assert all(abs(r.changed[i, j] - r.same[i, j]) < 1e-5 for i, j in untouched)


def test_rope_needs_a_rotary_model(cache):
    mlm = load_for_attention("dojo-tiny-mlm", cache)
    with pytest.raises(DojoError, match="RoPE"):
        rope_demo(mlm, AttentionRopeConfig(model="dojo-tiny-mlm"))
    with pytest.raises(DojoError, match="one word"):
        AttentionRopeConfig(word="two words")


# -- the encoder from scratch ------------------------------------------------------------
def test_scratch_attention_equals_torch():
    from engine.attention.encoder import verify

    sdpa_error, mha_error = verify(d_model=48, heads=6, length=9, batch=3, seed=3)
    assert sdpa_error < 1e-5 and mha_error < 1e-5


def test_shapes_at_every_sublayer():
    from engine.attention.encoder import trace_shapes

    cfg = AttentionEncoderConfig(d_model=32, heads=4, ff_dim=64, layers=2)
    rows = {r.step: r.shape for r in trace_shapes(cfg, vocab=100, batch=2, length=5)}
    assert rows["Q = x W^Q, split into heads"] == (2, 4, 5, 8)
    assert rows["scores QK^T/sqrt(d_k)"] == (2, 4, 5, 5)
    assert rows["concat heads"] == (2, 5, 32)
    assert rows["FFN hidden max(0, x W1 + b1)"] == (2, 5, 64)
    assert rows["encoder layer 1"] == (2, 5, 32)
    assert rows["classification head (logits)"] == (2, 2)


def test_datasets_split():
    from engine.attention.encoder import sentences

    ko_train, ko_test = sentences("ko")
    en_train, en_test = sentences("en")
    assert (len(ko_train), len(ko_test), len(en_train), len(en_test)) == (300, 60, 160, 40)
    assert {y for _, y in ko_test} == {0, 1}


def test_encoder_config_errors():
    with pytest.raises(DojoError, match="divisible"):
        AttentionEncoderConfig(d_model=30, heads=4)
    with pytest.raises(DojoError, match="ko"):
        AttentionEncoderConfig(data="fr")


@pytest.mark.slow
def test_trainer_trains_the_scratch_encoder():
    from engine.attention.encoder import train_classifiers

    events = []
    r = train_classifiers(AttentionEncoderConfig(data="en", epochs=2, pretrained=False, batch_size=32),
                          on_event=events.append)
    assert r.pretrained is None and r.test_size == 40
    assert len(events) == len(r.scratch.losses) == 10  # 160 / 32 = 5 steps per epoch, logged each step
    assert all(math.isfinite(loss) for _, loss in r.scratch.losses)
    assert 0 <= r.scratch.accuracy <= 1 and 0 <= r.scratch.f1 <= 1
    # accuracy over 40 sentences is a multiple of 1/40
    assert round(r.scratch.accuracy * 40, 6) == int(round(r.scratch.accuracy * 40))


# -- other architectures: grouped-query attention, query/key norms, a short context ----------------
@pytest.mark.parametrize("arch", ["llama-gqa", "qwen3"])
def test_scores_reproduce_weights_on_other_architectures(tmp_path, tiny_llama_dir, arch):
    import shutil

    from transformers import AutoTokenizer

    from engine.models.load import load_model

    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    common = dict(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=16,
                  pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    if arch == "qwen3":  # RMS norms on each query and key head before the rotation
        from transformers import Qwen3Config, Qwen3ForCausalLM

        model = Qwen3ForCausalLM(Qwen3Config(head_dim=8, **common))
    else:
        from transformers import LlamaConfig, LlamaForCausalLM

        model = LlamaForCausalLM(LlamaConfig(**common))
    folder = tmp_path / arch
    model.save_pretrained(folder)
    for f in tiny_llama_dir.iterdir():
        if f.name.startswith(("tokenizer", "special", "chat")):
            shutil.copy(f, folder / f.name)
    loaded = load_model(str(folder))
    r = capture(loaded, "hello world, the cat sat on the mat. " * 3, name=arch)
    assert r.size == 16 and r.truncated_from > 16  # the context is 16 tokens
    assert r.weights.shape == (2, 4, 16, 16) and r.rope
    assert r.scores_check < 1e-5


def test_the_scores_check_can_fail(tiny, monkeypatch):
    """Forget the rotation and softmax(scores + M) no longer matches the model's weights."""
    import engine.attention.capture as cap

    monkeypatch.setattr(cap, "_rotary", lambda model: None)
    r = capture(tiny, "The cat sat on the mat", name="dojo-tiny")
    assert not r.rope and r.scores_check > 1e-2
