"""The chat lab as plain transformers + peft: the base model, its LoRA adapters (``PeftModel``),
the conversation through ``apply_chat_template``, and ``model.generate`` with the chat's settings.

Two shapes: the reply the lab just wrote (the conversation up to the last message, the
adapter that answered on, the same settings and seed), or, from ``llm-dojo chat --show-code``
without a conversation, a small read-reply loop on stdin, like ``llm-dojo chat --plain``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..generation.params import SamplingParams
from .generation import model_path
from .snippet import Snippet

if TYPE_CHECKING:
    from ..chat.session import ChatSession

CHATML = "chatml"


def chat_snippet(model: str, params: SamplingParams, *, messages: list[dict[str, str]] | None = None,
                 system: str = "", adapters: dict[str, str] | None = None, active: str | None = None,
                 builtin_format: bool = False, dropped: int = 0, device: str = "cpu",
                 dtype: str = "float32") -> Snippet:
    """``messages`` (ending with the person's message): the reply to them; None: a chat loop on stdin.

    ``adapters``: name -> folder, all put on the base as peft named adapters; ``active``: the one
    that answers (None: the base, adapters switched off). ``builtin_format``: the model has no chat
    template, so the conversation is laid out in ChatML, as the lab does. ``dropped``: oldest
    messages the lab left out to fit the context (said in a comment)."""
    params, _ = params.resolve()
    adapters = dict(adapters or {})
    kwargs = params.generate_kwargs()
    seeded = params.seed is not None
    lines = (["import sys", ""] if messages is None else []) + ["import torch", "from transformers import AutoModelForCausalLM, AutoTokenizer" +
             (", set_seed" if seeded else "")]
    if adapters:
        lines.append("from peft import PeftModel")
    lines += ["", "", f"MODEL = {model_path(model)!r}",
              "tokenizer = AutoTokenizer.from_pretrained(MODEL)",
              f"model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.{dtype}).to({device!r})"]
    if adapters:
        lines.append("# LoRA adapters on the one base, by name: switching between them reloads nothing")
        for i, (name, path) in enumerate(adapters.items()):
            if i == 0:
                lines.append(f"model = PeftModel.from_pretrained(model, {path!r}, adapter_name={name!r})")
            else:
                lines.append(f"model.load_adapter({path!r}, adapter_name={name!r})")
        if active is not None:
            lines.append(f"model.set_adapter({active!r})  # the adapter that answers")
    lines += ["model.eval()", "", ""]
    if builtin_format:
        lines += ["def render(messages):",
                  "    '''The model has no chat template: ChatML, as LLM Dojo lays it out.'''",
                  "    text = ''.join(f\"<|im_start|>{m['role']}\\n{m['content']}<|im_end|>\\n\" for m in messages)",
                  "    return text + '<|im_start|>assistant\\n'"]
    else:
        lines += ["def render(messages):",
                  "    '''The model's own chat template (it writes the special tokens, BOS included, as text).'''",
                  "    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)"]
    args = ",\n            ".join(f"{k}={v!r}" for k, v in kwargs.items())
    base_only = bool(adapters) and active is None
    call = ["        output = model.generate(",
            "            input_ids=input_ids, attention_mask=torch.ones_like(input_ids), pad_token_id=pad,",
            f"            {args}," + ("\n            tokenizer=tokenizer,  # stop_strings need it" if params.stop else ""),
            "        )"]
    if base_only:
        call = ["        with model.disable_adapter():  # the base model answers, adapters off",
                *["    " + c for c in call]]
    lines += ["", "",
              "def reply(messages):",
              "    input_ids = tokenizer(render(messages), add_special_tokens=False, return_tensors='pt').input_ids",
              f"    input_ids = input_ids.to({device!r})",
              "    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id"]
    if seeded:
        lines.append(f"    set_seed({params.seed})  # the same seed gives the same sample")
    lines += ["    with torch.inference_mode():", *call,
              "    return tokenizer.decode(output[0, input_ids.shape[1]:], skip_special_tokens=True).strip()", "", ""]
    if messages is not None:
        if dropped:
            lines.append(f"# the {dropped} oldest message(s) were left out so the conversation fits the context")
        lines += ["messages = ["]
        lines += [f"    {m!r}," for m in messages]
        lines += ["]", "print(reply(messages))"]
    else:
        start = repr([{"role": "system", "content": system}] if system.strip() else [])
        lines += [f"messages = {start}",
                  "while True:  # one message per line; end with Ctrl-D",
                  "    try:",
                  "        text = input('> ' if sys.stdin.isatty() else '')",
                  "    except EOFError:",
                  "        break",
                  "    messages.append({'role': 'user', 'content': text})",
                  "    answer = reply(messages)",
                  "    messages.append({'role': 'assistant', 'content': answer})",
                  "    print(answer, flush=True)"]
    libs = ("torch", "transformers") + (("peft",) if adapters else ())
    who = f"adapter {active}" if active else "the base model"
    what = "Answer the conversation" if messages is not None else "Chat"
    return Snippet(f"{what} with {model} ({who}, {params.mode})", "\n".join(lines), libs)


def session_snippet(session: ChatSession) -> Snippet | None:
    """The snippet of the session's last reply (None before any message): the conversation up to
    the last message of the person, answered by the adapter that answered it, with the session's
    settings and, when the conversation outgrew the context, the same oldest turns left out."""
    from ..chat.conversation import Conversation, prompt_for_reply, template_format

    messages = session.conversation.messages
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users:
        return None
    last = users[-1]
    answered = messages[last + 1] if last + 1 < len(messages) else None
    active = answered.adapter if answered is not None else session.adapters.active
    if active not in session.adapters.paths:
        active = None
    upto = Conversation(system=session.conversation.system, messages=messages[: last + 1],
                        model=session.model_name)
    prompt = prompt_for_reply(upto, session.loaded.tokenizer, session.context, session.params.max_new_tokens,
                              session.model_name)
    loaded: Any = session.loaded
    return chat_snippet(session.model_name, session.params, messages=upto.model_messages(prompt.dropped),
                        adapters=dict(session.adapters.paths), active=active,
                        builtin_format=template_format(loaded.tokenizer) == CHATML, dropped=prompt.dropped,
                        device=str(getattr(loaded, "device", "cpu")), dtype=str(getattr(loaded, "dtype", "float32")))
