"""The transformers tour: every figure checked against a hand computation from the config."""

from __future__ import annotations

import json
import time

import pytest

from engine.errors import ModelNotFound
from engine.models.inspect import inspect_model
from engine.models.resolve import embedded_models


def test_dojo_tiny_by_hand():
    cfg = json.loads((embedded_models()["dojo-tiny"] / "config.json").read_text())
    V, h, i, L = cfg["vocab_size"], cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    heads, kv, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    assert cfg["tie_word_embeddings"]
    attn = h * heads * hd + 2 * h * kv * hd + heads * hd * h  # q, k, v, o (no biases)
    mlp = 3 * h * i  # gate, up, down
    layer = attn + mlp + 2 * h  # two RMSNorm weights
    total = V * h + L * layer + h  # tied head adds nothing
    linear = L * (attn + mlp)
    rows = L * (heads * hd + 2 * kv * hd + h + 2 * i + h)  # output features of every Linear

    r = inspect_model("dojo-tiny")
    assert r.source == "embedded" and r.model_class == "LlamaForCausalLM"
    assert r.parameters == total
    fields = {c["field"]: c for c in r.config}
    assert fields["num_key_value_heads"]["value"] == kv and "grouped-query" in fields["num_key_value_heads"]["meaning"]
    assert {"hidden_size", "num_hidden_layers", "vocab_size", "rope_parameters", "tie_word_embeddings", "dtype"} <= set(fields)

    blocks = {b.name: b for b in r.tree}
    layers = blocks[f"model.layers.0..{L - 1}"]
    assert layers.repeat == L and layers.parameters == layer and layers.bytes == layer * 4
    assert blocks["model.layers.0.self_attn"].parameters == attn
    assert blocks["model.layers.0.mlp"].parameters == mlp
    assert blocks["model.embed_tokens"].parameters == V * h
    assert "tied" in blocks["lm_head"].note

    m = r.memory
    assert m["fp32"] == 4 * total and m["bf16"] == 2 * total
    assert m["quantised_linear_parameters"] == linear
    assert m["int8"] == linear + 4 * rows + 2 * (total - linear)
    assert m["nf4"] == linear // 2 + linear // 64 + 4 * (linear // (64 * 256)) + 2 * (total - linear)
    assert r.kv_cache_per_1k["bf16"] == 2 * L * kv * hd * 2 * 1024 == 4 * 2**20

    heads = {h["task"]: h for h in r.heads}
    assert heads["causal-lm"]["class"] == "LlamaForCausalLM" and heads["causal-lm"]["head_parameters"] == 0  # tied
    assert heads["sequence-classification"]["head"] == [f"score.weight [2, {h}]"]
    assert heads["sequence-classification"]["head_parameters"] == 2 * h
    assert heads["token-classification"]["head_parameters"] == 2 * h + 2
    assert heads["masked-lm"]["class"] is None and heads["seq2seq-lm"]["class"] is None

    t = r.tokenizer
    assert t["vocab_size"] == V and t["chat_template"] is True
    assert t["model_input_names"] == ["input_ids", "attention_mask"] and t["padding_side"] in ("left", "right")


def test_masked_lm_has_no_kv_cache():
    r = inspect_model("dojo-tiny-mlm")
    assert r.model_class == "BertForMaskedLM" and r.kv_cache_per_1k == {}
    assert r.tokenizer["special_tokens"]["mask_token"] == "[MASK]" and r.tokenizer["chat_template"] is False
    h = json.loads((embedded_models()["dojo-tiny-mlm"] / "config.json").read_text())["hidden_size"]
    heads = {x["task"]: x for x in r.heads}
    assert heads["masked-lm"]["class"] == "BertForMaskedLM"
    assert heads["sequence-classification"]["head_parameters"] == 2 * h + 2  # classifier weight and bias
    assert any(x.startswith("cls.predictions.decoder.weight") and x.endswith("(tied)") for x in heads["masked-lm"]["head"])


def test_llama3_8b_shape_on_meta_device(tmp_path):
    """An 8B config, no weights: Meta's published 8,030,261,248 parameters, 128 MiB of bf16 KV cache per 1k tokens."""
    from safetensors.torch import save_file

    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256, "hidden_size": 4096,
           "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
           "max_position_embeddings": 8192, "rms_norm_eps": 1e-5, "tie_word_embeddings": False, "dtype": "bfloat16"}
    folder = tmp_path / "llama-3-8b-shape"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(cfg))
    save_file({}, str(folder / "model.safetensors"))  # resolvable; inspect never reads weights
    inspect_model(str(folder))  # warm the imports
    start = time.perf_counter()
    r = inspect_model(str(folder))
    assert time.perf_counter() - start < 2.0
    assert r.parameters == 8_030_261_248
    assert r.memory["bf16"] == 2 * 8_030_261_248
    assert r.kv_cache_per_1k["bf16"] == 128 * 2**20
    assert "error" in r.tokenizer  # no tokenizer files: said, not raised


def test_unknown_model():
    with pytest.raises(ModelNotFound, match="no model named 'nope'.*dojo-tiny"):
        inspect_model("nope")
