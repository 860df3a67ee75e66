"""Greedy / beam / sampled side by side, each equal to transformers' own; adapters on their base."""

from __future__ import annotations

import pytest
import torch

from engine.errors import DojoError
from engine.generation.params import SamplingParams
from engine.generation.strategies import compare, sequence_logprob
from engine.generation.stream import generate_text


@pytest.fixture(scope="module")
def tiny(tiny_llama_dir):
    from engine.models.load import load_model

    return load_model(str(tiny_llama_dir))


def test_compare_rows_match_generate(tiny):
    tok, model = tiny.tokenizer, tiny.model
    ids = tok.encode("the cat sat")
    params = SamplingParams(do_sample=True, temperature=0.9, top_k=30, max_new_tokens=12)
    result = compare(model, tok, ids, params, num_beams=3, seeds=(5, 6))
    labels = [c.label for c in result.candidates]
    assert labels == ["greedy", "beam 1", "beam 2", "beam 3", "seed 5", "seed 6"]
    x = torch.tensor([ids])
    mask = torch.ones_like(x)
    greedy = model.generate(x, attention_mask=mask, max_new_tokens=12, do_sample=False, pad_token_id=1)
    assert result.candidates[0].token_ids == greedy[0, len(ids):].tolist()
    beams = model.generate(x, attention_mask=mask, max_new_tokens=12, num_beams=3, num_return_sequences=3,
                           do_sample=False, output_scores=True, return_dict_in_generate=True, pad_token_id=1)
    rows = result.candidates[1:4]
    assert [r.score for r in rows] == pytest.approx(beams.sequences_scores.tolist())
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)
    assert [r.token_ids for r in rows] == [s[len(ids):].tolist() for s in beams.sequences]
    # a sample equals the streamed run with the same seed
    streamed = generate_text(model, tok, ids, SamplingParams(**{**params.to_dict(), "seed": 5, "stop": ()}))
    assert result.candidates[4].token_ids == streamed.token_ids
    assert result.candidates[4].token_ids != result.candidates[5].token_ids
    # beam search finds a sequence at least as likely as greedy's (length-normalised scores aside)
    assert max(r.logprob for r in rows) >= result.candidates[0].logprob - 1e-4


def test_sequence_logprob_matches_step_by_step(tiny):
    tok, model = tiny.tokenizer, tiny.model
    ids, answer = tok.encode("hello"), tok.encode(" world", add_special_tokens=False)
    total = 0.0
    ctx = list(ids)
    with torch.no_grad():
        for t in answer:
            total += float(torch.log_softmax(model(torch.tensor([ctx])).logits[0, -1], -1)[t])
            ctx.append(t)
    assert sequence_logprob(model, ids, answer) == pytest.approx(total, abs=1e-4)


def test_adapter_loads_on_its_base_and_refuses_another(tiny, tiny_llama_dir, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from engine.generation.adapter import apply_adapter

    base = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    peft_model = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    out = tmp_path / "adapter"
    peft_model.save_pretrained(out)
    fresh = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    wrapped = apply_adapter(fresh, out, str(tiny_llama_dir), tiny_llama_dir)
    ids = tiny.tokenizer.encode("the cat")
    with_adapter = generate_text(wrapped, tiny.tokenizer, ids, SamplingParams(max_new_tokens=8))
    assert len(with_adapter.token_ids) == 8
    x = torch.tensor([ids])
    with torch.no_grad():
        assert not torch.allclose(wrapped(x).logits, tiny.model(x).logits)  # the adapter changes the model
    from tests.conftest import make_tiny_llama

    other_dir = make_tiny_llama(tmp_path / "dojo-other", seed=1)
    with pytest.raises(DojoError, match="was trained on .*tiny-llama, not on dojo-other"):
        apply_adapter(AutoModelForCausalLM.from_pretrained(other_dir), out, "dojo-other", other_dir)
    # no recorded base and other shapes: the shape mismatch becomes the same kind of message
    import json

    from transformers import LlamaConfig, LlamaForCausalLM

    cfg_file = out / "adapter_config.json"
    cfg_file.write_text(json.dumps({**json.loads(cfg_file.read_text()), "base_model_name_or_path": None}))
    wide = LlamaForCausalLM(LlamaConfig(vocab_size=300, hidden_size=48, intermediate_size=64, num_hidden_layers=2,
                                        num_attention_heads=2, num_key_value_heads=2))
    with pytest.raises(DojoError, match="does not fit wide"):
        apply_adapter(wide, out, "wide", tmp_path / "wide")
    with pytest.raises(DojoError, match="not a PEFT adapter"):
        apply_adapter(fresh, tiny_llama_dir, "x", tiny_llama_dir)
