"""The one entry point for "generate an answer": streamed, or beam search, decided here.

Every front (the CLI's ``generate``, the generation lab, chat) calls :func:`generate`
with one :class:`~engine.generation.params.SamplingParams`. It resolves the settings
once (so each notice is said once), checks the context, and then

* streams token by token (``stream.stream_resolved``: events as tokens arrive), or
* runs beam search when ``num_beams > 1``: beams finish together, so the text arrives
  in one event at the end, with a notice saying why, and every beam comes back in the
  result (``GenerationResult.beams``).

Notices and errors are keyed (``engine.generation.messages``) so fronts translate them.

>>> result = generate(m.model, m.tokenizer, ids, SamplingParams(), on_event=print)  # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..messages import Notice
from ..models.context import context_length
from .events import GenerationResult, TokenEvent
from .params import SamplingParams, check_context


def generate(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams, *,
             on_event: Callable[[TokenEvent], Any] | None = None, cancel: threading.Event | None = None,
             logprobs: bool = False, top_n: int = 5,
             extra_generate_kwargs: dict[str, Any] | None = None) -> GenerationResult:
    """Generate after ``prompt_ids`` -> the result (text, ids, finish reason, timing, notices).

    ``on_event`` gets each token (on the calling thread); ``cancel`` stops after the token
    in flight; ``logprobs`` records each token's log-probability and ``top_n`` alternatives
    (a softmax per token: leave it off when only the text is shown)."""
    params, notices = params.resolve()
    check_context(len(prompt_ids), params.max_new_tokens, context_length(model, tokenizer))
    emit = on_event or (lambda event: None)
    if params.num_beams > 1:
        return _beams(model, tokenizer, prompt_ids, params, notices, emit, cancel)
    from .stream import stream_resolved

    return stream_resolved(model, tokenizer, prompt_ids, params, notices, emit, cancel, top_n,
                           extra_generate_kwargs, logprobs)


def _beams(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams, notices: list[Notice],
           emit: Callable[[TokenEvent], Any], cancel: threading.Event | None) -> GenerationResult:
    from .strategies import beam_search

    start = time.perf_counter()
    beams = beam_search(model, tokenizer, prompt_ids, params, cancel=cancel)
    seconds = time.perf_counter() - start
    best = beams[0]
    notices.append(Notice("gen.beam_not_streamed"))
    emit(TokenEvent(0, -1, best.text, float("nan"), (), False, seconds))
    cancelled = cancel is not None and cancel.is_set()
    eos = best.token_ids[-1:] and best.token_ids[-1] == tokenizer.eos_token_id
    reason = "cancelled" if cancelled else "eos" if eos else "length"
    return GenerationResult(text=best.text, token_ids=list(best.token_ids), prompt_tokens=len(prompt_ids),
                            finish_reason=reason, time_to_first_token=seconds, seconds=seconds, params=params,
                            notices=tuple(notices), decode_seconds=None, beams=tuple(beams))
