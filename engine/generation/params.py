"""Sampling settings as one frozen, validated value, and the checks that need a model.

Every front (CLI flags, TUI sliders, a lesson's ``try_it``) builds a
:class:`SamplingParams`; a bad value fails at construction with a one-line
:class:`~engine.errors.DojoError` that says what the knob means and which values
work, so the CLI exits 2 and the TUI shows a notice instead of a stack trace.

Some inputs are not errors but need a word: ``temperature 0`` with sampling means
"always the most likely token", which *is* greedy decoding, so :meth:`resolve`
switches to greedy and returns a notice explaining why. Checks that need the model
(the context length) live in :func:`check_context`.

Torch-free on purpose: the TUI imports this at start-up.

>>> SamplingParams(do_sample=True, temperature=0.0).resolve()[1]     # doctest: +ELLIPSIS
['temperature 0 always picks the most likely token, ...']
>>> SamplingParams(top_p=1.5)
Traceback (most recent call last):
engine.generation.params.ParamError: top-p 1.5 is outside (0, 1]: ...
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..errors import DojoError


class ParamError(DojoError):
    """A sampling setting no generation can use."""


@dataclass(frozen=True)
class SamplingParams:
    do_sample: bool = False
    """False: greedy (or beam) search, deterministic, like ``model.generate``'s default."""
    temperature: float = 1.0
    """Divides the logits before softmax; 1.0 leaves the model's distribution as is."""
    top_k: int = 50
    """Keep only the k most likely tokens; 0 turns the cut off. 50 is transformers' default."""
    top_p: float = 1.0
    """Keep the smallest set of tokens whose probability adds up to p; 1.0 keeps all."""
    repetition_penalty: float = 1.0
    """Above 1 makes tokens already in the text less likely (CTRL paper: about 1.2); 1.0 is off."""
    no_repeat_ngram_size: int = 0
    """Forbid repeating any n-gram of this size; 0 is off."""
    num_beams: int = 1
    """Beams for beam search; 1 means no beam search."""
    length_penalty: float = 1.0
    """Beam scores are divided by length**this; above 0 favours longer beams. 1.0 is the usual value."""
    max_new_tokens: int = 64
    """How many tokens to generate at most; 64 is a few sentences, quick even on a CPU."""
    stop: tuple[str, ...] = field(default_factory=tuple)
    """Generation ends when the text ends with one of these strings (the string is kept)."""
    seed: int | None = None
    """Seeds the random generator before sampling, so a run can be repeated exactly; None: fresh randomness."""

    def __post_init__(self) -> None:
        if isinstance(self.stop, (list, str)):
            object.__setattr__(self, "stop", (self.stop,) if isinstance(self.stop, str) else tuple(self.stop))
        _check_number("temperature", self.temperature)
        if self.temperature < 0:
            raise ParamError(f"temperature {self.temperature:g} is negative: use 0 (greedy) or more; "
                             "around 0.7-1.0 is usual, above 1 flattens the distribution")
        if not _is_int(self.top_k) or self.top_k < 0:
            raise ParamError(f"top-k {self.top_k} must be a whole number >= 0: it keeps the k most likely "
                             "tokens, and 0 turns the cut off")
        _check_number("top-p", self.top_p)
        if not 0 < self.top_p <= 1:
            raise ParamError(f"top-p {self.top_p:g} is outside (0, 1]: it is the probability mass of the most "
                             "likely tokens to keep (0.9 keeps the tokens that make up 90%); 1 keeps all")
        _check_number("repetition penalty", self.repetition_penalty)
        if self.repetition_penalty <= 0:
            raise ParamError(f"repetition penalty {self.repetition_penalty:g} must be above 0: 1.0 is off, "
                             "about 1.2 discourages repeats, below 1 encourages them")
        if not _is_int(self.no_repeat_ngram_size) or self.no_repeat_ngram_size < 0:
            raise ParamError(f"no-repeat n-gram size {self.no_repeat_ngram_size} must be a whole number >= 0 "
                             "(0 is off, 3 forbids repeating any three tokens in a row)")
        if not _is_int(self.num_beams) or self.num_beams < 1:
            raise ParamError(f"num-beams {self.num_beams} must be a whole number >= 1 (1 means no beam search)")
        _check_number("length penalty", self.length_penalty)
        if not _is_int(self.max_new_tokens) or self.max_new_tokens < 1:
            raise ParamError(f"max-new-tokens {self.max_new_tokens} must be a whole number >= 1")
        for s in self.stop:
            if not isinstance(s, str) or s == "":
                raise ParamError("a stop string is empty: it would stop before the first token; "
                                 "give a non-empty text such as '\\n\\n' or '.'")
        if self.seed is not None and (not _is_int(self.seed) or not 0 <= self.seed < 2**63):
            raise ParamError(f"seed {self.seed} must be a whole number between 0 and 2**63-1")

    def resolve(self) -> tuple[SamplingParams, list[str]]:
        """The settings generation will really use, and notices explaining any change.

        Temperature 0 with sampling becomes greedy decoding (softmax of logits/0 is a
        one-hot on the most likely token, and transformers rejects it).
        """
        notices: list[str] = []
        params = self
        if self.do_sample and self.temperature == 0:
            params = replace(self, do_sample=False, temperature=1.0)
            notices.append("temperature 0 always picks the most likely token, which is greedy decoding: "
                           "generating greedily (sampling off)")
        elif not self.do_sample and (self.temperature not in (0.0, 1.0) or self.top_p < 1.0):
            notices.append("temperature and top-p only shape sampling; this run is greedy, so they have no "
                           "effect (turn sampling on to use them)")
        return params, notices

    @property
    def mode(self) -> str:
        """'greedy', 'sample', 'beam' or 'beam-sample' (after :meth:`resolve`)."""
        if self.num_beams > 1:
            return "beam-sample" if self.do_sample else "beam"
        return "sample" if self.do_sample else "greedy"

    def generate_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``model.generate`` that set every knob explicitly.

        Every value is passed even when it is the default, so a model's own
        ``generation_config.json`` cannot change what this lab shows. Greedy runs get
        the neutral sampling values, which transformers does not warn about.
        """
        sample = self.do_sample
        kwargs: dict[str, Any] = {
            "do_sample": sample,
            "temperature": self.temperature if sample else 1.0,
            "top_k": self.top_k if sample else 50,
            "top_p": self.top_p if sample else 1.0,
            "repetition_penalty": self.repetition_penalty,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "num_beams": self.num_beams,
            "length_penalty": self.length_penalty,
            "max_new_tokens": self.max_new_tokens,
        }
        if self.stop:
            kwargs["stop_strings"] = list(self.stop)
        return kwargs

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stop"] = list(self.stop)
        return data

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> SamplingParams:
        """Build from a lesson's ``try_it`` or JSON, ignoring keys that are not settings.

        Sampling is switched on when the mapping sets a temperature above 0 and does not
        say otherwise, since a lesson that sets a temperature means to sample.
        """
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in values.items() if k in known}
        if "stop" in kwargs and isinstance(kwargs["stop"], list):
            kwargs["stop"] = tuple(kwargs["stop"])
        if "do_sample" not in kwargs and float(kwargs.get("temperature", 0) or 0) > 0:
            kwargs["do_sample"] = True
        return cls(**kwargs)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_number(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ParamError(f"{name} {value!r} is not a finite number")


def context_length(model: Any, tokenizer: Any = None) -> int | None:
    """The longest sequence (prompt + new tokens) the model was built for, if it says."""
    config = getattr(model, "config", None)
    for attr in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx"):
        value = getattr(config, attr, None)
        if isinstance(value, int) and value > 0:
            return value
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < 10**8:
        return limit
    return None


def check_context(prompt_tokens: int, max_new_tokens: int, context: int | None) -> None:
    """Raise a :class:`ParamError` when the prompt or the whole generation cannot fit."""
    if prompt_tokens == 0:
        raise ParamError("the prompt is empty: give the model some text to continue")
    if context is None:
        return
    if prompt_tokens >= context:
        raise ParamError(f"the prompt is {prompt_tokens} tokens but this model reads at most {context}; "
                         "shorten the prompt so there is room for new tokens")
    if prompt_tokens + max_new_tokens > context:
        raise ParamError(f"max-new-tokens {max_new_tokens} is beyond the context: the prompt takes {prompt_tokens} "
                         f"of this model's {context} tokens, so at most {context - prompt_tokens} new tokens fit")
