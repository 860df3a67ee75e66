"""Streamed generation: typed token events from transformers' own ``model.generate``.

The tokens come from ``generate`` itself (so greedy output is identical to a plain
call, and a seeded sampling run repeats exactly); this module only listens:

* a pass-through logits processor (appended after transformers' penalties, before
  temperature/top-k/top-p) queues a reference to the scores of each step, from which
  the token's log-probability and the top alternatives are read;
* a streamer (:class:`_Session`) receives each chosen token id, detokenizes it
  incrementally (``detok.Detokenizer``) and hands a :class:`TokenEvent` on;
* the streamer also reads a cancel flag each step and leaves ``generate`` before the
  next forward pass: cancelling costs at most the one pass already running.

Two ways to consume it. :func:`run_stream` runs on the calling thread and calls back
per token: no second thread, so no handing the GIL back and forth every token (the
CLI and the TUI's worker use it). :func:`stream_generate` is the same on a worker
thread, as a generator (``for event in ...``), ending with a :class:`GenerationResult`
(text, ids, time to first token, tokens/s).

>>> for ev in stream_generate(m.model, m.tokenizer, ids, SamplingParams()):   # doctest: +SKIP
...     print(ev.text if isinstance(ev, TokenEvent) else ev.tokens_per_second, end="")
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import torch
from transformers import LogitsProcessor, LogitsProcessorList, StoppingCriteria
from transformers.generation.streamers import BaseStreamer

from ..errors import DojoError
from ..messages import Notice
from ..models.context import context_length
from .detok import Detokenizer, piece_text
from .events import Alternative, GenerationResult, TokenEvent
from .params import ParamError, SamplingParams, check_context


class _Recorder(LogitsProcessor):
    """Returns the scores unchanged and queues a reference to them (no copy, no sync).

    A queue, not a slot: on Apple MPS ``generate`` streams each token one step late
    (``DeferredStopCheck``), so the scores of step t+1 exist before token t is streamed.
    """

    def __init__(self) -> None:
        self.pending: deque[torch.Tensor] = deque()

    def __call__(self, input_ids: torch.LongTensor, scores: torch.Tensor) -> torch.Tensor:
        self.pending.append(scores)
        return scores


class _Cancelled(Exception):
    """Raised from the streamer to leave ``generate`` at once when the user cancels."""


class CancelCriterion(StoppingCriteria):
    """Stops ``generate`` after the step in flight once ``flag`` is set (beam search, which has no
    streamer; a streamed run checks the flag in its streamer, one check less per step)."""

    def __init__(self, flag: threading.Event) -> None:
        self.flag = flag

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        return torch.full((input_ids.shape[0],), self.flag.is_set(), dtype=torch.bool, device=input_ids.device)


class _Session(BaseStreamer):
    """One generation: ``generate`` calls ``put`` on its own thread with the prompt, then each token.

    Each token becomes a :class:`TokenEvent` right there (log-probability from the
    recorded scores, text from the incremental detokenizer) and goes to ``on_event``.
    """

    def __init__(self, model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams,
                 cancel: threading.Event, top_n: int, on_event: Callable[[TokenEvent], Any]) -> None:
        self.tokenizer, self.params, self.cancel, self.top_n, self.on_event = tokenizer, params, cancel, top_n, on_event
        self.prompt_ids = prompt_ids
        self.recorder = _Recorder()
        self.detok = Detokenizer(tokenizer, prompt_ids)
        self.special = set(getattr(tokenizer, "all_special_ids", []) or [])
        self.eos = eos_ids(model, tokenizer)
        self.seen_prompt = False
        self.ids: list[int] = []
        self.parts: list[str] = []
        self.start = time.perf_counter()
        self.first: float | None = None
        self.last: float | None = None
        self.pieces: dict[int, str] = {}  # alternatives recur: each token's text is worked out once

    def put(self, value: torch.Tensor) -> None:
        if not self.seen_prompt:
            self.seen_prompt = True
            return
        now = time.perf_counter()
        self.first = now if self.first is None else self.first
        self.last = now
        scores = self.recorder.pending.popleft() if self.recorder.pending else None
        if self.cancel.is_set():
            raise _Cancelled  # before another forward pass; the token in flight is not shown
        token = int(value.item()) if value.numel() == 1 else int(value.reshape(-1)[0])
        numbers, top_ids = [float("nan")], []
        if scores is not None:
            logp = torch.log_softmax(scores[0].float(), dim=-1)
            if self.top_n:
                top = torch.topk(logp, min(self.top_n, logp.shape[-1]))
                numbers = torch.cat([logp[token:token + 1], top.values]).tolist()
                top_ids = top.indices.tolist()
            else:
                numbers = [float(logp[token])]
        self.ids.append(token)
        text = self.detok.push(token)
        self.parts.append(text)
        alts = tuple(Alternative(i, self._piece(i), lp) for i, lp in zip(top_ids, numbers[1:]))
        self.on_event(TokenEvent(len(self.ids) - 1, token, text, numbers[0], alts, token in self.special,
                                 now - self.start))

    def _piece(self, token_id: int) -> str:
        text = self.pieces.get(token_id)
        if text is None:
            text = self.pieces[token_id] = piece_text(self.tokenizer, token_id, self.detok.table)
        return text

    def end(self) -> None:
        pass

    def finish(self, notices: list[Notice]) -> GenerationResult:
        tail = self.detok.flush()
        if tail:  # bytes that never completed a character: released as U+FFFD, attached to no token
            self.parts.append(tail)
            self.on_event(TokenEvent(len(self.ids), -1, tail, float("nan"), (), False,
                                     time.perf_counter() - self.start))
        text, params = "".join(self.parts), self.params
        reason = _finish_reason(self.ids, text, params, self.cancel, self.eos)
        if reason == "length" and params.stop:
            shown = ", ".join(repr(s) for s in params.stop)
            notices.append(Notice("gen.stop_never_seen", {"stops": shown, "n": params.max_new_tokens}))
        first, last = self.first, self.last
        return GenerationResult(text=text, token_ids=self.ids, prompt_tokens=len(self.prompt_ids),
                                finish_reason=reason, time_to_first_token=None if first is None else first - self.start,
                                seconds=time.perf_counter() - self.start, params=params, notices=tuple(notices),
                                decode_seconds=None if first is None or last is None else last - first)


def out_of_memory(device: Any, prompt_tokens: int, max_new_tokens: int) -> DojoError:
    return DojoError(f"out of memory on {device} generating {max_new_tokens} tokens after a {prompt_tokens}-token "
                     "prompt; try a smaller max-new-tokens, loading the model in 4-bit (--load-in-4bit), "
                     "or a shorter prompt")


def call_generate(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams, **extra: Any) -> Any:
    """``model.generate`` on one prompt with every knob of ``params`` set explicitly: the
    one place the lab calls it (seeding, padding, stop strings, out-of-memory advice)."""
    device = getattr(model, "device", "cpu")
    input_ids = torch.tensor([prompt_ids], dtype=torch.long, device=device)
    kwargs = params.generate_kwargs()
    if params.stop:
        kwargs["tokenizer"] = tokenizer
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    kwargs.update(extra)
    if params.seed is not None:
        from transformers import set_seed

        set_seed(params.seed)
    try:
        with torch.inference_mode():
            return model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), pad_token_id=pad,
                                  **kwargs)
    except torch.OutOfMemoryError:
        raise out_of_memory(device, len(prompt_ids), params.max_new_tokens) from None


def _prepare(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams) -> tuple[SamplingParams,
                                                                                                list[Notice]]:
    params, notices = params.resolve()
    if params.num_beams > 1:
        raise ParamError("beam search keeps several sequences and picks one at the end, so it cannot stream "
                         "token by token; compare beams with `llm-dojo compare` or set num-beams to 1")
    check_context(len(prompt_ids), params.max_new_tokens, context_length(model, tokenizer))
    return params, notices


def run_stream(
    model: Any,
    tokenizer: Any,
    prompt_ids: list[int],
    params: SamplingParams,
    on_event: Callable[[TokenEvent], Any],
    cancel: threading.Event | None = None,
    top_n: int = 5,
    extra_generate_kwargs: dict[str, Any] | None = None,
    logprobs: bool = True,
) -> GenerationResult:
    """Generate on the calling thread, calling ``on_event`` with each :class:`TokenEvent`.

    The path with the least overhead (no second thread): the CLI and the TUI's worker
    use it. Setting ``cancel`` (from any thread) stops after the token in flight.
    ``logprobs=False`` skips recording the scores (events then carry ``nan`` and no
    alternatives): for callers that show only the text, it saves a softmax per token.
    """
    params, notices = _prepare(model, tokenizer, prompt_ids, params)
    return stream_resolved(model, tokenizer, prompt_ids, params, notices, on_event, cancel, top_n,
                           extra_generate_kwargs, logprobs)


def stream_resolved(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams, notices: list[Notice],
                    on_event: Callable[[TokenEvent], Any], cancel: threading.Event | None = None, top_n: int = 5,
                    extra_generate_kwargs: dict[str, Any] | None = None, logprobs: bool = True) -> GenerationResult:
    """:func:`run_stream` for settings already resolved and checked (``api.generate`` resolves once)."""
    cancel = cancel if cancel is not None else threading.Event()
    session = _Session(model, tokenizer, prompt_ids, params, cancel, top_n if logprobs else 0, on_event)
    try:
        call_generate(model, tokenizer, prompt_ids, params,
                      logits_processor=LogitsProcessorList([session.recorder] if logprobs else []),
                      streamer=session, **(extra_generate_kwargs or {}))
    except _Cancelled:
        pass
    return session.finish(notices)


def stream_generate(
    model: Any,
    tokenizer: Any,
    prompt_ids: list[int],
    params: SamplingParams,
    cancel: threading.Event | None = None,
    top_n: int = 5,
    extra_generate_kwargs: dict[str, Any] | None = None,
    logprobs: bool = True,
) -> Iterator[TokenEvent | GenerationResult]:
    """Generate from ``prompt_ids``, yielding a :class:`TokenEvent` per token, then the result.

    :func:`run_stream` on a worker thread, its events handed over through a queue.
    Beam search cannot stream (all beams finish together): use ``strategies.beam_search``.
    Closing the generator early cancels generation.
    """
    _prepare(model, tokenizer, prompt_ids, params)  # bad settings fail here, in the caller
    cancel = cancel if cancel is not None else threading.Event()
    sink: queue.SimpleQueue = queue.SimpleQueue()
    threads = torch.get_num_threads()

    def run() -> None:
        try:
            torch.set_num_threads(threads)  # OpenMP's thread count is per thread: carry the caller's
            sink.put(run_stream(model, tokenizer, prompt_ids, params, sink.put, cancel, top_n, extra_generate_kwargs,
                                logprobs))
        except BaseException as exc:  # handed to the consumer, raised there
            sink.put(exc)

    thread = threading.Thread(target=run, name="dojo-generate", daemon=True)
    thread.start()
    try:
        while True:
            item = sink.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if isinstance(item, GenerationResult):
                break
    finally:
        if thread.is_alive():
            cancel.set()
            thread.join()


def generate_text(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams,
                  **kwargs: Any) -> GenerationResult:
    """Generate to the end on the calling thread and return only the result."""
    return run_stream(model, tokenizer, prompt_ids, params, lambda event: None, **kwargs)


def eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids: set[int] = set()
    for source in (getattr(model, "generation_config", None), getattr(model, "config", None)):
        value = getattr(source, "eos_token_id", None)
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, (list, tuple)):
            ids.update(v for v in value if isinstance(v, int))
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


def _finish_reason(ids: list[int], text: str, params: SamplingParams, cancel: threading.Event,
                   eos: set[int]) -> str:
    if ids and ids[-1] in eos:
        return "eos"
    if params.stop and any(s in text for s in params.stop):
        return "stop"
    if cancel.is_set() and len(ids) < params.max_new_tokens:
        return "cancelled"
    return "length"
