"""A conversation, and the token ids the model reads for its next reply.

A chat model reads the whole conversation, rendered by its chat template, every turn.
When that outgrows the context (``max_position_embeddings``) minus the room for the
reply, :func:`prompt_for_reply` leaves out the oldest messages, a user message with
the answer that followed it, until it fits, and says how many with a notice; the
system prompt is always kept (it says who the assistant is). If the last message
alone does not fit, that is an error that says what to shorten.

A model without a chat template gets the built-in ``chatml`` format, with a notice.

>>> c = Conversation(system="Be brief.")
>>> c.add_user("hi").role
'user'
>>> [m["role"] for m in c.model_messages()]
['system', 'user']
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import DojoError
from ..messages import Notice


@dataclass
class ChatMessage:
    role: str
    """'user' or 'assistant'."""
    content: str
    adapter: str | None = None
    """The adapter that wrote an assistant message (None: the base model)."""
    tokens: int | None = None
    """New tokens in an assistant reply."""
    tokens_per_s: float | None = None
    first_token_ms: float | None = None
    finish_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatMessage:
        if not isinstance(data, dict) or data.get("role") not in ("user", "assistant") \
                or not isinstance(data.get("content"), str):
            raise ValueError(f"a message needs role user/assistant and a text content, got {data!r:.80}")
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Conversation:
    system: str = ""
    messages: list[ChatMessage] = field(default_factory=list)
    model: str = "dojo-tiny"
    adapters: list[str] = field(default_factory=list)
    """Adapter folders loaded for this conversation."""
    settings: dict[str, Any] = field(default_factory=dict)
    """The sampling settings (``SamplingParams.to_dict()``)."""
    title: str = ""
    id: str = field(default_factory=lambda: time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6])
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)

    def add_user(self, text: str) -> ChatMessage:
        """Append the person's message; an empty one is refused."""
        if not text or not text.strip():
            raise DojoError.keyed("convo.empty_message")
        msg = ChatMessage("user", text)
        self.messages.append(msg)
        if not self.title:
            self.title = " ".join(text.split())[:40]
        self.updated = time.time()
        return msg

    def add_reply(self, msg: ChatMessage) -> None:
        self.messages.append(msg)
        self.updated = time.time()

    def model_messages(self, skip: int = 0) -> list[dict[str, str]]:
        """What the template renders: the system prompt, then the messages from ``skip`` on."""
        out = [{"role": "system", "content": self.system}] if self.system.strip() else []
        return out + [{"role": m.role, "content": m.content} for m in self.messages[skip:]]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "model": self.model, "adapters": list(self.adapters),
                "settings": dict(self.settings), "system": self.system, "created": self.created,
                "updated": self.updated, "messages": [m.to_dict() for m in self.messages]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise ValueError("not a conversation (no list of messages)")
        return cls(system=str(data.get("system") or ""), messages=[ChatMessage.from_dict(m) for m in data["messages"]],
                   model=str(data.get("model") or "dojo-tiny"), adapters=list(data.get("adapters") or []),
                   settings=dict(data.get("settings") or {}), title=str(data.get("title") or ""),
                   id=str(data["id"]) if data.get("id") else cls().id,
                   created=float(data.get("created") or time.time()), updated=float(data.get("updated") or time.time()))

    def to_markdown(self) -> str:
        lines = [f"# {self.title or 'Chat'}", "", f"- model: {self.model}"]
        if self.adapters:
            lines.append(f"- adapters: {', '.join(self.adapters)}")
        lines.append("")
        if self.system.strip():
            lines += ["## system", "", self.system, ""]
        for m in self.messages:
            head = "user" if m.role == "user" else f"assistant ({m.adapter or 'base'})"
            lines += [f"## {head}", "", m.content, ""]
        return "\n".join(lines)


@dataclass(frozen=True)
class Prompt:
    ids: list[int]
    dropped: int
    """Messages left out at the start (0: the whole conversation fits)."""
    notices: tuple[Notice, ...]


def template_format(tokenizer: Any) -> str | None:
    """None when the tokenizer has its own chat template, else the built-in format used."""
    from ..generation.chat_formats import has_template

    return None if has_template(tokenizer) else "chatml"


def prompt_for_reply(conversation: Conversation, tokenizer: Any, context: int | None, max_new_tokens: int,
                     model_name: str = "this model") -> Prompt:
    """The ids for the next reply, oldest messages left out while prompt + reply exceed ``context``."""
    from ..generation.chat_formats import encode_chat

    if not conversation.messages or conversation.messages[-1].role != "user":
        raise DojoError.keyed("convo.empty_message")
    fmt = template_format(tokenizer)
    notices: list[Notice] = []
    if fmt is not None:
        notices.append(Notice("convo.builtin_template", {"model": model_name}))
    skip = 0
    last = len(conversation.messages) - 1
    while True:
        ids = encode_chat(tokenizer, conversation.model_messages(skip), fmt, model_name)
        if context is None or len(ids) + max_new_tokens <= context:
            break
        if skip >= last:
            raise DojoError.keyed("convo.too_long", prompt=len(ids), n=max_new_tokens, context=context)
        skip += 1
        while skip < last and conversation.messages[skip].role != "user":
            skip += 1  # start at a user message: an answer without its question confuses the model
    if skip:
        notices.append(Notice("convo.dropped_turns", {"n": skip, "context": context}))
    return Prompt(ids, skip, tuple(notices))
