"""A chat session: one loaded base, its adapters, the sampling settings, one conversation.

:meth:`ChatSession.reply` appends the person's message, renders the conversation
(oldest turns dropped if it outgrows the context), and streams the answer through
the one generation entry point (``engine.generation.api.generate``: TokenEvents,
cancel), with the active adapter switched on. :meth:`ChatSession.side_by_side`
answers one message with the base and with an adapter, same seed and settings.

>>> s = ChatSession.open("dojo-tiny")                          # doctest: +SKIP
>>> s.reply("안녕", on_event=lambda e: print(e.text, end="")).text  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import DojoError
from ..messages import Notice
from .adapters import AdapterSet
from .conversation import ChatMessage, Conversation, prompt_for_reply

if TYPE_CHECKING:
    from ..generation.events import GenerationResult, TokenEvent
    from ..generation.params import SamplingParams
    from ..models.cache import ModelCache
    from ..models.load import Loaded

CHAT_DEFAULTS = {"max_new_tokens": 128}
"""Chat's own defaults for ``SamplingParams`` (a reply is longer than a continuation demo)."""

PREFERRED = ("HuggingFaceTB/SmolLM2-135M-Instruct",)
"""Chat models used by default when they are in the local cache, best first."""


def default_model() -> tuple[str, list[Notice]]:
    """The best chat model available offline, else dojo-tiny with a notice that it is a toy."""
    from ..models.resolve import cached_repo_ids

    cached = set(cached_repo_ids())
    for name in PREFERRED:
        if name in cached:
            return name, []
    return "dojo-tiny", [Notice("convo.toy_model")]


@dataclass(frozen=True)
class Reply:
    message: ChatMessage
    result: GenerationResult
    dropped: int
    notices: tuple[Notice, ...]

    @property
    def text(self) -> str:
        return self.message.content

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {"text": self.text, "adapter": self.message.adapter, "new_tokens": len(r.token_ids),
                "prompt_tokens": r.prompt_tokens, "finish_reason": r.finish_reason,
                "first_token_ms": self.message.first_token_ms, "tokens_per_s": self.message.tokens_per_s,
                "dropped_messages": self.dropped, "notices": [str(n) for n in self.notices],
                "notice_keys": [n.key for n in self.notices]}


class ChatSession:
    def __init__(self, loaded: Loaded, model_name: str, params: SamplingParams | None = None,
                 conversation: Conversation | None = None) -> None:
        from ..generation.params import SamplingParams

        self.loaded = loaded
        self.model_name = model_name
        self.params = params or SamplingParams(**CHAT_DEFAULTS)
        self.adapters = AdapterSet.on(loaded, model_name)
        self.conversation = conversation or Conversation(model=model_name)
        self.conversation.model = model_name
        self.extra_generate_kwargs: dict[str, Any] | None = None
        """Passed to ``model.generate`` (the GPU speed options; the bench's ``min_new_tokens``)."""

    @classmethod
    def open(cls, model_name: str, adapters: Sequence[str] = (), params: SamplingParams | None = None,
             system: str = "", cache: ModelCache | None = None) -> ChatSession:
        """Load (or take from the shared cache) ``model_name`` and put ``adapters`` on it.

        Adapter folders are checked before the model loads, so a wrong folder fails fast."""
        for path in adapters:
            from pathlib import Path

            folder = Path(path).expanduser()
            if not folder.is_dir():
                raise DojoError.keyed("convo.no_folder", path=str(folder))
            if not (folder / "adapter_config.json").is_file():
                raise DojoError.keyed("convo.not_adapter", path=str(folder))
        from ..models.cache import shared

        loaded = (cache or shared()).get(model_name)
        session = cls(loaded, model_name, params, Conversation(system=system, model=model_name))
        for path in adapters:
            session.add_adapter(path)
        return session

    def add_adapter(self, path: str) -> str:
        name = self.adapters.add(path)
        if self.adapters.paths[name] not in self.conversation.adapters:
            self.conversation.adapters.append(self.adapters.paths[name])
        return name

    def resume(self, conversation: Conversation) -> list[Notice]:
        """Continue a saved conversation: its settings, its adapters (those whose folders still exist
        and fit this base), the adapter of its last reply active again. Returns what could not be
        restored, as notices."""
        from ..generation.params import SamplingParams

        notices: list[Notice] = []
        if conversation.model != self.model_name:
            notices.append(Notice("convo.other_model", {"saved": conversation.model, "model": self.model_name}))
        if conversation.settings:
            try:
                self.params = SamplingParams.from_options(conversation.settings)
            except DojoError:
                pass  # settings from an older version: keep the current ones
        for path in conversation.adapters:
            try:
                self.adapters.add(path)
            except DojoError as exc:
                notices.append(Notice("convo.adapter_skipped", {"path": path, "why": str(exc)}))
        last = next((m.adapter for m in reversed(conversation.messages) if m.role == "assistant"), None)
        self.adapters.use(last if last in self.adapters.paths else None)
        conversation.model = self.model_name
        conversation.adapters = [self.adapters.paths[n] for n in self.adapters.names]
        self.conversation = conversation
        return notices

    @property
    def context(self) -> int | None:
        from ..models.context import context_length

        return context_length(self.loaded.model, self.loaded.tokenizer)

    def reply(self, text: str, *, on_event: Callable[[TokenEvent], Any] | None = None,
              cancel: threading.Event | None = None, adapter: str | None | type(...) = ...) -> Reply:
        """Add ``text`` as the person's message and generate the answer (streamed to ``on_event``).

        On an error the person's message is taken back, so the conversation stays as it was."""
        conv = self.conversation
        conv.add_user(text)
        try:
            return self._answer(on_event, cancel, adapter)
        except BaseException:
            conv.messages.pop()
            raise

    def regenerate(self, *, on_event: Callable[[TokenEvent], Any] | None = None,
                   cancel: threading.Event | None = None) -> Reply:
        """Drop the last answer and answer the last message again."""
        conv = self.conversation
        if conv.messages and conv.messages[-1].role == "assistant":
            conv.messages.pop()
        return self._answer(on_event, cancel, ...)

    def _answer(self, on_event, cancel, adapter) -> Reply:
        from ..generation.api import generate

        name = self.adapters.active if adapter is ... else adapter
        prompt = prompt_for_reply(self.conversation, self.loaded.tokenizer, self.context,
                                  self.params.max_new_tokens, self.model_name)
        with self.adapters.active_model(name) as model:
            result = generate(model, self.loaded.tokenizer, prompt.ids, self.params, on_event=on_event, cancel=cancel,
                              extra_generate_kwargs=self.extra_generate_kwargs)
        tps = result.tokens_per_second
        msg = ChatMessage("assistant", result.text.strip(), adapter=name, tokens=len(result.token_ids),
                          tokens_per_s=None if tps is None else round(tps, 2),
                          first_token_ms=None if result.time_to_first_token is None
                          else round(result.time_to_first_token * 1000, 1),
                          finish_reason=result.finish_reason)
        self.conversation.add_reply(msg)
        self.conversation.settings = self.params.to_dict()
        return Reply(msg, result, prompt.dropped, prompt.notices + tuple(result.notices))

    def side_by_side(self, text: str, adapter: str | None = None, seed: int = 0) -> tuple[Reply, Reply]:
        """``text`` answered by the base and by ``adapter`` (default: the active one), same seed and settings.

        Neither answer is added to the conversation."""
        name = adapter or self.adapters.active or (self.adapters.names[0] if self.adapters.names else None)
        if name is None:
            raise DojoError("side by side needs an adapter: load one with --adapter PATH (or F4 in the app)")
        saved_params, saved = self.params, list(self.conversation.messages)
        self.params = replace(self.params, seed=self.params.seed if self.params.seed is not None else seed)
        try:
            out = []
            for which in (None, name):
                self.conversation.messages = list(saved)
                out.append(self.reply(text, adapter=which))
            return out[0], out[1]
        finally:
            self.conversation.messages = saved
            self.params = saved_params
