"""Chat templates: the tokenizer's own, and four classic formats written out by hand.

A chat model only answers well when its input looks exactly like its training data,
so the lab shows the literal string. :func:`render_own` uses the tokenizer's template
(``apply_chat_template``, with or without the assistant header that invites the
reply); :data:`FORMATS` holds the classic formats as their authors define them, for
comparison:

* ``llama3``: Meta Llama 3 instruct: ``<|begin_of_text|>``, then per message
  ``<|start_header_id|>{role}<|end_header_id|>\\n\\n{content, trimmed}<|eot_id|>``.
* ``chatml``: ``<|im_start|>{role}\\n{content}<|im_end|>\\n`` (OpenAI ChatML, used by
  Qwen and by dojo-tiny).
* ``gemma``: ``<bos>``, then ``<start_of_turn>{user|model}\\n{content, trimmed}<end_of_turn>\\n``;
  Gemma has no system role: like Gemma 3's template, a system message is put at the
  top of the first user turn, followed by a blank line.
* ``alpaca``: Stanford Alpaca's instruction prompt (``PROMPT_DICT`` of its
  ``train.py``), in its two variants, with and without an ``### Input:`` section. It
  ends at ``### Response:`` with no newline (the answer follows directly, then EOS in
  training). It is single-turn: the first user message is the instruction,
  ``alpaca_input`` the input; it has no slot for a system message.

Torch-free: the TUI's template viewer needs only the tokenizer.

>>> render_format("chatml", [{"role": "user", "content": "hi"}])
'<|im_start|>user\\nhi<|im_end|>\\n<|im_start|>assistant\\n'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import DojoError
from ..messages import Notice

Messages = list[dict[str, str]]

ALPACA_NO_INPUT = (
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Response:"
)
ALPACA_WITH_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further context. "
    "Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"
)


class NoChatTemplate(DojoError):
    """The tokenizer has no chat template of its own."""


def _check(messages: Messages) -> None:
    if not messages:
        raise DojoError.keyed("chat.no_messages")
    for m in messages:
        if not isinstance(m, dict) or "role" not in m or "content" not in m:
            raise DojoError(f"a chat message needs a role and a content, got {str(m)[:80]!r}")
        if not isinstance(m["role"], str) or not isinstance(m["content"], str):
            raise DojoError(f"a chat message's role and content must be text, got {str(m)[:80]!r}")


def llama3(messages: Messages, add_generation_prompt: bool = True, **_: Any) -> str:
    out = "<|begin_of_text|>"
    for m in messages:
        out += f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content'].strip()}<|eot_id|>"
    if add_generation_prompt:
        out += "<|start_header_id|>assistant<|end_header_id|>\n\n"
    return out


def chatml(messages: Messages, add_generation_prompt: bool = True, **_: Any) -> str:
    out = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    if add_generation_prompt:
        out += "<|im_start|>assistant\n"
    return out


def gemma(messages: Messages, add_generation_prompt: bool = True, **_: Any) -> str:
    messages = list(messages)
    prefix = ""
    if messages and messages[0]["role"] == "system":
        prefix = messages.pop(0)["content"] + "\n\n"
    out = "<bos>"
    for i, m in enumerate(messages):
        if (m["role"] == "user") != (i % 2 == 0):
            raise DojoError.keyed("chat.gemma_alternate")
        role = "model" if m["role"] == "assistant" else m["role"]
        content = (prefix + m["content"]) if i == 0 else m["content"]
        out += f"<start_of_turn>{role}\n{content.strip()}<end_of_turn>\n"
    if add_generation_prompt:
        out += "<start_of_turn>model\n"
    return out


def alpaca(messages: Messages, add_generation_prompt: bool = True, alpaca_input: str | None = None,
           **_: Any) -> str:
    users = [m["content"] for m in messages if m["role"] == "user"]
    if not users:
        raise DojoError.keyed("chat.alpaca_needs_user")
    if alpaca_input:
        out = ALPACA_WITH_INPUT.format(instruction=users[0], input=alpaca_input)
    else:
        out = ALPACA_NO_INPUT.format(instruction=users[0])
    answers = [m["content"] for m in messages if m["role"] == "assistant"]
    if answers:
        out += answers[0]
    return out


FORMATS: dict[str, Callable[..., str]] = {"llama3": llama3, "chatml": chatml, "gemma": gemma, "alpaca": alpaca}


def render_format(name: str, messages: Messages, add_generation_prompt: bool = True, **kwargs: Any) -> str:
    """Render ``messages`` in the built-in format ``name`` (see :data:`FORMATS`)."""
    if name not in FORMATS:
        raise DojoError(f"unknown chat format {name!r}; use one of {', '.join(FORMATS)}")
    _check(messages)
    return FORMATS[name](messages, add_generation_prompt=add_generation_prompt, **kwargs)


def format_notes(name: str, messages: Messages) -> list[Notice]:
    """What a built-in format does with messages it has no slot for (keyed notices)."""
    has_system = any(m.get("role") == "system" for m in messages)
    turns = sum(1 for m in messages if m.get("role") == "user")
    notes = []
    if name == "alpaca" and has_system:
        notes.append(Notice("chat.alpaca_no_system"))
    if name == "alpaca" and turns > 1:
        notes.append(Notice("chat.alpaca_single_turn"))
    if name == "gemma" and has_system:
        notes.append(Notice("chat.gemma_no_system"))
    return notes


def has_template(tokenizer: Any) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def no_template_message(model_name: str = "this model") -> str:
    from ..messages import english

    return english("chat.no_template", model=model_name, formats=" / ".join(FORMATS))


def render_own(tokenizer: Any, messages: Messages, add_generation_prompt: bool = True,
               model_name: str = "this model") -> str:
    """The tokenizer's own template applied to ``messages``, as text."""
    _check(messages)
    if not has_template(tokenizer):
        raise NoChatTemplate(no_template_message(model_name), key="chat.no_template",
                             args={"model": model_name, "formats": " / ".join(FORMATS)})
    try:
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    except Exception as exc:  # a template may raise_exception() on messages it does not accept
        raise DojoError(f"{model_name}'s chat template rejected these messages: {str(exc).splitlines()[0]}") from None


def render(tokenizer: Any, messages: Messages, fmt: str | None = None, add_generation_prompt: bool = True,
           model_name: str = "this model") -> str:
    """The tokenizer's template when ``fmt`` is None or 'own', else the built-in format."""
    if fmt in (None, "", "own"):
        return render_own(tokenizer, messages, add_generation_prompt, model_name)
    return render_format(fmt, messages, add_generation_prompt)


def encode_chat(tokenizer: Any, messages: Messages, fmt: str | None = None, model_name: str = "this model") -> list[int]:
    """Token ids of the rendered conversation, ready for the assistant's reply.

    The rendered text already holds the format's special tokens (BOS included), so no
    more are added.
    """
    text = render(tokenizer, messages, fmt, add_generation_prompt=True, model_name=model_name)
    return tokenizer.encode(text, add_special_tokens=False, verbose=False)  # our own context check speaks


def messages_from(prompt: str, system: str | None = None) -> Messages:
    """A one-turn conversation: optional system message, then the user's prompt."""
    out: Messages = [{"role": "system", "content": system}] if system else []
    out.append({"role": "user", "content": prompt})
    return out


def encode_prompt(tokenizer: Any, prompt: str, chat: bool = False, system: str | None = None,
                  fmt: str | None = None, messages: Messages | None = None, model_name: str = "this model") -> list[int]:
    """Token ids for a plain prompt (the tokenizer adds its BOS, as ``tokenizer(prompt)`` does),
    or, with ``chat`` (or explicit ``messages``), for a conversation rendered by a template."""
    if messages or chat:
        return encode_chat(tokenizer, messages or messages_from(prompt, system), fmt, model_name)
    return tokenizer.encode(prompt, add_special_tokens=True, verbose=False)


def tokenizer_for(name: str, allow_network: bool = False, trust_remote_code: bool = False) -> Any:
    """Only the tokenizer of model ``name`` (the template viewer needs no weights)."""
    from transformers import AutoTokenizer

    from ..models.resolve import resolve_model

    resolved = resolve_model(name, allow_network=allow_network, trust_remote_code=trust_remote_code)
    try:
        return AutoTokenizer.from_pretrained(resolved.path, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as exc:
        raise DojoError(f"{resolved.path} has no usable tokenizer ({str(exc).splitlines()[0][:160]})") from None
