"""Fuzzing the chat-template renderer: the four built-in formats and a real tokenizer's own
Jinja template, with random conversations. A render is a string that holds every message's
content (as the format writes it); a refusal is a one-line DojoError."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from engine.errors import DojoError

from .budget import FUZZ, no_hang, one_line

ROLE = st.one_of(st.sampled_from(["system", "user", "assistant", "tool"]), st.text(max_size=10))
CONTENT = st.one_of(st.text(max_size=60), st.sampled_from(["{{ x }}", "{% if %}", "<|im_end|>", "<|eot_id|>", "\x00",
                                                          "  padded  ", "안녕하세요", ""]))
MESSAGE = st.one_of(st.fixed_dictionaries({"role": ROLE, "content": CONTENT}),
                    st.dictionaries(st.sampled_from(["role", "content", "name"]), st.one_of(CONTENT, st.integers()),
                                    max_size=3))
CONVERSATION = st.lists(MESSAGE, max_size=6)



@pytest.fixture(scope="module")
def tokenizer():
    from engine.generation.chat_formats import tokenizer_for

    return tokenizer_for("dojo-tiny")  # loaded once, outside the examples' deadline


@FUZZ
@example("llama3", [{"role": "", "content": 0}], False)  # found by fuzzing: a number as content crashed
@given(st.sampled_from(["llama3", "chatml", "gemma", "alpaca", "own", "vicuna", ""]), CONVERSATION, st.booleans())
def test_chat_template_renderer(tokenizer, fmt, messages, generation_prompt):
    from engine.generation.chat_formats import render

    try:
        with no_hang():
            text = render(tokenizer, messages, fmt, add_generation_prompt=generation_prompt, model_name="dojo-tiny")
    except DojoError as exc:
        one_line(exc)
        return
    assert isinstance(text, str) and messages
    if fmt in ("chatml", "own", "", "llama3", "gemma"):
        for m in messages:
            if isinstance(m.get("content"), str) and m["content"].strip() and m.get("role") in ("user", "assistant"):
                assert m["content"].strip() in text
