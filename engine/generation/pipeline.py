"""The sampling pipeline made visible: one forward pass, then every stage as a table.

For the next position of a prompt, :class:`NextTokenPipeline` runs the model once and
keeps the logits. :meth:`NextTokenPipeline.stages` then applies, to those cached
logits, the very logits-processor classes ``generate`` builds for sampling, in the
order it builds them (``GenerationMixin._get_logits_processor``):

    repetition penalty -> no-repeat n-gram -> temperature -> top-k -> top-p

and reports the distribution after each step:

* ``raw``: softmax of the model's logits;
* ``penalty`` (only when a repetition penalty or n-gram ban is on): after those;
* ``temperature``: softmax of logits / T;
* ``top-k`` and ``top-p``: the temperature distribution with the cut tokens at 0
  (so the bars show the mass each cut removes; nothing is renormalised yet);
* ``final``: softmax of the processed scores, renormalised: exactly the
  distribution ``generate`` draws the next token from (``torch.multinomial``).

Moving a slider calls ``stages`` again: no forward pass, a few vector operations
over the vocabulary (``forward_passes`` counts the passes, for tests and benches).

>>> p = NextTokenPipeline(model, tok, tok.encode("옛날 옛적에"))      # doctest: +SKIP
>>> [s.name for s in p.stages(SamplingParams(do_sample=True, temperature=0.8, top_p=0.9)).stages]  # doctest: +SKIP
['raw', 'temperature', 'top-k', 'top-p', 'final']
>>> [s.name for s in p.stages(SamplingParams()).stages]      # greedy             # doctest: +SKIP
['raw', 'final']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from transformers import (LogitsProcessorList, NoRepeatNGramLogitsProcessor, RepetitionPenaltyLogitsProcessor,
                          TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper)

from .detok import ByteTable, piece_text
from ..models.context import context_length
from .params import SamplingParams, check_context
from .stream import out_of_memory


@dataclass(frozen=True)
class Row:
    token_id: int
    text: str
    prob: float
    logprob: float = 0.0
    """log of ``prob`` (the raw log-probability, log_softmax of the logits)."""


@dataclass(frozen=True)
class Stage:
    name: str
    """'raw', 'penalty' (only when a repetition penalty or n-gram ban is on), 'temperature', 'top-k',
    'top-p' or 'final'."""
    probs: tuple[float, ...]
    """Probability of each of the pipeline's shown tokens at this stage (same order as ``PipelineView.rows``)."""
    kept: int
    """Tokens of the whole vocabulary still possible after this stage."""
    mass: float
    """Probability mass (of the temperature distribution) those tokens hold; 1.0 before any cut."""


@dataclass(frozen=True)
class PipelineView:
    rows: tuple[Row, ...]
    """The shown tokens: the model's most likely (after repetition penalties), with those probabilities."""
    stages: tuple[Stage, ...]
    vocab_size: int
    settings: dict[str, Any]

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)

    @property
    def greedy(self) -> bool:
        return not self.settings.get("do_sample", True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": self.settings, "vocab_size": self.vocab_size,
            "tokens": [{"id": r.token_id, "text": r.text, "prob": round(r.prob, 6), "logprob": round(r.logprob, 6)}
                       for r in self.rows],
            "stages": [{"name": s.name, "kept": s.kept, "mass": round(s.mass, 6),
                        "probs": [round(p, 6) for p in s.probs]} for s in self.stages],
        }


def sampling_processors(temperature: float, top_k: int, top_p: float, repetition_penalty: float = 1.0,
                        no_repeat_ngram_size: int = 0) -> list[tuple[str, Any]]:
    """(stage name, transformers processor) in ``generate``'s order, only those that act.

    The same conditions as ``_get_logits_processor`` for ``do_sample=True`` and one beam.
    """
    out: list[tuple[str, Any]] = []
    if repetition_penalty != 1.0:
        out.append(("penalty", RepetitionPenaltyLogitsProcessor(float(repetition_penalty))))
    if no_repeat_ngram_size > 0:
        out.append(("penalty", NoRepeatNGramLogitsProcessor(no_repeat_ngram_size)))
    if temperature != 1.0:
        out.append(("temperature", TemperatureLogitsWarper(float(temperature))))
    if top_k != 0:
        out.append(("top-k", TopKLogitsWarper(top_k=int(top_k), min_tokens_to_keep=1)))
    if top_p < 1.0:
        out.append(("top-p", TopPLogitsWarper(top_p=float(top_p), min_tokens_to_keep=1)))
    return out


class NextTokenPipeline:
    """One forward pass over ``prompt_ids``; any number of pipeline views from its logits."""

    def __init__(self, model: Any, tokenizer: Any, prompt_ids: list[int], show: int = 10) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.prompt_ids = list(prompt_ids)
        self.show = show
        self.forward_passes = 0
        check_context(len(self.prompt_ids), 1, context_length(model, tokenizer))
        device = getattr(model, "device", "cpu")
        self.input_ids = torch.tensor([self.prompt_ids], dtype=torch.long, device=device)
        try:
            with torch.inference_mode():
                out = model(input_ids=self.input_ids, attention_mask=torch.ones_like(self.input_ids),
                            logits_to_keep=1, use_cache=False)
        except torch.OutOfMemoryError:
            raise out_of_memory(device, len(self.prompt_ids), 1) from None
        self.forward_passes += 1
        # the same copy generate makes: float32, last position, shape (1, vocab)
        self.logits = out.logits[:, -1].to(copy=True, dtype=torch.float32)
        self._table = ByteTable.build(tokenizer)
        self._texts: dict[int, str] = {}

    def text(self, token_id: int) -> str:
        if token_id not in self._texts:
            self._texts[token_id] = piece_text(self.tokenizer, token_id, self._table)
        return self._texts[token_id]

    def processed_scores(self, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                         repetition_penalty: float = 1.0, no_repeat_ngram_size: int = 0) -> torch.Tensor:
        """The scores after every processor: what ``generate`` passes to softmax + multinomial."""
        procs = LogitsProcessorList(p for _, p in sampling_processors(temperature, top_k, top_p, repetition_penalty,
                                                                         no_repeat_ngram_size))
        with torch.inference_mode():
            return procs(self.input_ids, self.logits)

    def final_distribution(self, **settings: Any) -> torch.Tensor:
        """Softmax of :meth:`processed_scores`, shape (vocab,)."""
        with torch.inference_mode():
            return torch.softmax(self.processed_scores(**settings), dim=-1)[0]

    def stages(self, params: SamplingParams | None = None, **settings: Any) -> PipelineView:
        """Every stage's distribution over the shown tokens, from the cached logits.

        ``params`` are the lab's settings (``do_sample=False`` is greedy decoding); keyword
        settings (``temperature=0.8, top_k=50``...) are a shorthand for sampling with them.
        Rows are the model's most likely tokens (after repetition penalties) with their raw
        probabilities, whatever the settings. Greedy decoding (sampling off, or temperature
        0) shows ``raw`` and ``final`` only: the final stage is all on the one greedy choice,
        since temperature, top-k and top-p shape sampling alone.
        """
        if params is None:
            params = SamplingParams(do_sample=True, **settings)
        temperature = params.temperature if params.do_sample else 0.0
        greedy = temperature == 0
        top_k, top_p = (0, 1.0) if greedy else (params.top_k, params.top_p)
        view_settings = {"do_sample": not greedy, "temperature": temperature, "top_k": top_k, "top_p": top_p,
                         "repetition_penalty": params.repetition_penalty,
                         "no_repeat_ngram_size": params.no_repeat_ngram_size}
        with torch.inference_mode():
            named: dict[str, torch.Tensor] = {}
            scores = self.logits
            for name, proc in sampling_processors(1.0 if greedy else temperature, top_k, top_p,
                                                  params.repetition_penalty, params.no_repeat_ngram_size):
                scores = proc(self.input_ids, scores)
                named[name] = scores
            raw = named.get("penalty", self.logits)[0]
            p_raw = torch.softmax(raw, -1)
            order = torch.topk(p_raw, min(self.show, p_raw.shape[-1])).indices
            finite_raw = torch.isfinite(raw)
            stages = [self._stage("raw", torch.softmax(self.logits[0], -1), order, torch.isfinite(self.logits[0]),
                                  p_raw)]
            if "penalty" in named:
                stages.append(self._stage("penalty", p_raw, order, finite_raw, p_raw))
            if greedy:
                final = torch.zeros_like(p_raw)
                final[int(torch.argmax(raw))] = 1.0
                stages.append(self._stage("final", final, order, final > 0, p_raw))
            else:
                warm = named.get("temperature", raw[None])[0]
                p_warm = torch.softmax(warm, -1)
                keep = torch.isfinite(warm)
                stages.append(self._stage("temperature", p_warm, order, keep, p_warm))
                for name in ("top-k", "top-p"):
                    if name in named:
                        keep = keep & torch.isfinite(named[name][0])
                    stages.append(self._stage(name, p_warm * keep, order, keep, p_warm))
                final_scores = scores[0]
                stages.append(self._stage("final", torch.softmax(final_scores, -1), order,
                                          torch.isfinite(final_scores), p_warm))
            ids = order.tolist()
            logp_raw = torch.log_softmax(raw, -1)[order].tolist()
        rows = tuple(Row(i, self.text(i), float(p), float(lp))
                     for i, p, lp in zip(ids, p_raw[order].tolist(), logp_raw))
        return PipelineView(rows, tuple(stages), int(self.logits.shape[-1]), view_settings)

    @staticmethod
    def _stage(name: str, probs: torch.Tensor, order: torch.Tensor, keep: torch.Tensor,
               reference: torch.Tensor) -> Stage:
        shown = probs[order].tolist()
        kept = int(keep.sum())
        mass = float((reference * keep).sum()) if name not in ("raw", "penalty") else 1.0
        return Stage(name, tuple(shown), kept, min(mass, 1.0))
