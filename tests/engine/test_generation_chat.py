"""Chat templates: the tokenizer's own, and the classic formats exactly as defined."""

from __future__ import annotations

import pytest

from engine.errors import DojoError
from engine.generation import chat_formats as cf

MSGS = [{"role": "system", "content": "You are kind."}, {"role": "user", "content": " 하늘은 왜 파래? "}]


@pytest.fixture(scope="module")
def tok(tiny_llama_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_llama_dir)


def test_own_template_with_and_without_generation_prompt(tok):
    with_prompt = cf.render_own(tok, MSGS, add_generation_prompt=True)
    without = cf.render_own(tok, MSGS, add_generation_prompt=False)
    assert without == "<|im_start|>system\nYou are kind.<|im_end|>\n<|im_start|>user\n 하늘은 왜 파래? <|im_end|>\n"
    assert with_prompt == without + "<|im_start|>assistant\n"
    # dojo-tiny style templates are ChatML: the built-in format renders the same string
    assert cf.render_format("chatml", MSGS) == with_prompt


def test_llama3_header_tokens():
    assert cf.render_format("llama3", MSGS) == (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are kind.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\n하늘은 왜 파래?<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n")
    assert cf.render_format("llama3", MSGS, add_generation_prompt=False).endswith("파래?<|eot_id|>")


def test_gemma_turns():
    msgs = MSGS + [{"role": "assistant", "content": "빛의 산란 때문이야."}, {"role": "user", "content": "더?"}]
    assert cf.render_format("gemma", msgs) == (
        "<bos><start_of_turn>user\nYou are kind.\n\n 하늘은 왜 파래?<end_of_turn>\n"
        "<start_of_turn>model\n빛의 산란 때문이야.<end_of_turn>\n"
        "<start_of_turn>user\n더?<end_of_turn>\n<start_of_turn>model\n")
    with pytest.raises(DojoError, match="alternate"):
        cf.render_format("gemma", [{"role": "assistant", "content": "x"}])
    assert any("system" in n.text for n in cf.format_notes("gemma", MSGS))


def test_alpaca_with_and_without_input():
    msgs = [{"role": "user", "content": "Summarise the text."}]
    assert cf.render_format("alpaca", msgs) == (
        "Below is an instruction that describes a task. Write a response that appropriately completes the "
        "request.\n\n### Instruction:\nSummarise the text.\n\n### Response:")
    assert cf.render_format("alpaca", msgs, alpaca_input="LLMs predict tokens.") == (
        "Below is an instruction that describes a task, paired with an input that provides further context. "
        "Write a response that appropriately completes the request.\n\n### Instruction:\nSummarise the text."
        "\n\n### Input:\nLLMs predict tokens.\n\n### Response:")
    assert any("system" in n.text for n in cf.format_notes("alpaca", MSGS))


def test_chatml():
    assert cf.render_format("chatml", [{"role": "user", "content": "hi"}], add_generation_prompt=False) == \
        "<|im_start|>user\nhi<|im_end|>\n"


def test_no_template_says_so_and_offers_a_builtin(tok):
    from copy import deepcopy

    bare = deepcopy(tok)
    bare.chat_template = None
    with pytest.raises(cf.NoChatTemplate) as err:
        cf.render_own(bare, MSGS, model_name="gpt2")
    msg = str(err.value)
    assert "gpt2" in msg and "no chat template" in msg and "chatml" in msg and "\n" not in msg
    assert cf.render(bare, MSGS, "chatml").startswith("<|im_start|>system")


def test_unknown_format_and_empty_messages():
    with pytest.raises(DojoError, match="unknown chat format 'vicuna'"):
        cf.render_format("vicuna", MSGS)
    with pytest.raises(DojoError, match="no messages"):
        cf.render_format("chatml", [])


def test_encode_prompt(tok):
    plain = cf.encode_prompt(tok, "hello")
    assert plain == tok.encode("hello")
    chat = cf.encode_prompt(tok, "hello", chat=True, system="be brief")
    assert tok.decode(chat) == "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n" \
                               "<|im_start|>assistant\n"
