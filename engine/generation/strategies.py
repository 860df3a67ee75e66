"""Decoding strategies side by side: greedy, every beam of a beam search, seeded samples.

One prompt, several ways to pick tokens, each through ``model.generate`` itself:

* greedy: the most likely token every step;
* beam search with ``num_beams`` beams, all returned (``num_return_sequences``), each
  with the score beam search ranks by: the sum of its token log-probabilities
  divided by ``length ** length_penalty``;
* sampling with the caller's temperature/top-k/top-p, once per seed, so a student
  sees both how runs differ and that one seed always gives the same text.

Every candidate also gets its total log-probability under the model (one teacher-forced
forward pass over prompt + answer), a number comparable across strategies: greedy is
rarely the most likely whole sequence, which is the point of beam search.

>>> c = compare(model, tok, ids, SamplingParams(do_sample=True, temperature=0.8))  # doctest: +SKIP
>>> [x.label for x in c.candidates]                                              # doctest: +SKIP
['greedy', 'beam 1', 'beam 2', 'beam 3', 'beam 4', 'seed 1', 'seed 2', 'seed 3']
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import torch

from ..models.context import context_length
from .params import COMPARE_DEFAULTS, ParamError, SamplingParams, check_context  # noqa: F401 (re-exported)
from .stream import CancelCriterion, call_generate, eos_ids


@dataclass(frozen=True)
class Candidate:
    label: str
    kind: str
    """'greedy', 'beam' or 'sample'."""
    text: str
    token_ids: list[int]
    logprob: float
    """Sum of log P(token) over the answer, under the model (no temperature, no cuts)."""
    score: float | None = None
    """Beam search's own ranking score (beams only)."""
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "kind": self.kind, "text": self.text, "token_ids": self.token_ids,
                "logprob": round(self.logprob, 4), "score": None if self.score is None else round(self.score, 4),
                "seed": self.seed}


@dataclass(frozen=True)
class Comparison:
    prompt_tokens: int
    candidates: tuple[Candidate, ...]
    params: SamplingParams
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"prompt_tokens": self.prompt_tokens, "params": self.params.to_dict(),
                "seconds": round(self.seconds, 3), "candidates": [c.to_dict() for c in self.candidates]}


def _answer(ids: list[int], eos: set[int], pad: int | None) -> list[int]:
    """Generated ids up to and including the first EOS (beams are padded after it)."""
    out = []
    for i in ids:
        out.append(i)
        if i in eos:
            break
    while out and pad is not None and out[-1] == pad and pad not in eos:
        out.pop()
    return out


def sequence_logprob(model: Any, prompt_ids: list[int], answer_ids: list[int]) -> float:
    """log P(answer | prompt) under the model, by one teacher-forced forward pass."""
    if not answer_ids:
        return 0.0
    ids = torch.tensor([prompt_ids + answer_ids], dtype=torch.long, device=model.device)
    with torch.inference_mode():
        logits = model(input_ids=ids, use_cache=False).logits[0, len(prompt_ids) - 1:-1].float()
    logp = torch.log_softmax(logits, dim=-1)
    picked = logp.gather(1, torch.tensor(answer_ids, device=logp.device)[:, None])
    return float(picked.sum())


def _eos(model: Any, tokenizer: Any) -> set[int]:
    return eos_ids(model, tokenizer)


def greedy(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams) -> Candidate:
    p = replace(params, do_sample=False, num_beams=1, seed=None)
    out = call_generate(model, tokenizer, prompt_ids, p)
    ids = _answer(out[0, len(prompt_ids):].tolist(), _eos(model, tokenizer), tokenizer.pad_token_id)
    return Candidate("greedy", "greedy", tokenizer.decode(ids, skip_special_tokens=True), ids,
                     sequence_logprob(model, prompt_ids, ids))


def beam_search(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams,
                num_beams: int | None = None, cancel: Any = None) -> list[Candidate]:
    """Every final beam, best first, with beam search's score and the plain log-probability.

    ``cancel`` (a ``threading.Event``) ends the search after the step in flight; the
    beams found so far are returned.
    """
    beams = num_beams or params.num_beams
    if beams < 2:
        raise ParamError("beam search needs at least 2 beams (1 beam is greedy search)")
    p = replace(params, do_sample=False, num_beams=beams, seed=None)
    extra: dict[str, Any] = {}
    if cancel is not None:
        from transformers import StoppingCriteriaList

        extra["stopping_criteria"] = StoppingCriteriaList([CancelCriterion(cancel)])
    out = call_generate(model, tokenizer, prompt_ids, p, num_return_sequences=beams, output_scores=True,
                    return_dict_in_generate=True, **extra)
    eos = _eos(model, tokenizer)
    result = []
    for rank, (seq, score) in enumerate(zip(out.sequences, out.sequences_scores.tolist()), start=1):
        ids = _answer(seq[len(prompt_ids):].tolist(), eos, tokenizer.pad_token_id)
        result.append(Candidate(f"beam {rank}", "beam", tokenizer.decode(ids, skip_special_tokens=True), ids,
                                sequence_logprob(model, prompt_ids, ids), score=score))
    return result


def sample(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams, seed: int) -> Candidate:
    p = replace(params, do_sample=True, num_beams=1, seed=seed)
    out = call_generate(model, tokenizer, prompt_ids, p)
    ids = _answer(out[0, len(prompt_ids):].tolist(), _eos(model, tokenizer), tokenizer.pad_token_id)
    return Candidate(f"seed {seed}", "sample", tokenizer.decode(ids, skip_special_tokens=True), ids,
                     sequence_logprob(model, prompt_ids, ids), seed=seed)


def compare_iter(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams, num_beams: int = 4,
                 seeds: tuple[int, ...] = (1, 2, 3), cancel: Any = None) -> Iterator[Candidate]:
    """Greedy, then ``num_beams`` beams, then one sample per seed, each yielded when done.

    Sampling uses ``params``' temperature/top-k/top-p (temperature 0 is raised to 1 for
    the samples, since sampling at 0 is greedy and would repeat the first row).
    ``cancel`` (a ``threading.Event``) stops between strategies (and inside the beam search).
    """
    check_context(len(prompt_ids), params.max_new_tokens, context_length(model, tokenizer))
    sampled = params if params.temperature > 0 else replace(params, temperature=1.0)
    yield greedy(model, tokenizer, prompt_ids, params)
    if num_beams >= 2 and not (cancel is not None and cancel.is_set()):
        yield from beam_search(model, tokenizer, prompt_ids, params, num_beams, cancel=cancel)
    for s in seeds:
        if cancel is not None and cancel.is_set():
            return
        yield sample(model, tokenizer, prompt_ids, sampled, s)


def compare(model: Any, tokenizer: Any, prompt_ids: list[int], params: SamplingParams, num_beams: int = 4,
            seeds: tuple[int, ...] = (1, 2, 3)) -> Comparison:
    """Every candidate of :func:`compare_iter`, with the time they took together."""
    start = time.perf_counter()
    rows = list(compare_iter(model, tokenizer, prompt_ids, params, num_beams, seeds))
    return Comparison(len(prompt_ids), tuple(rows), params, time.perf_counter() - start)
