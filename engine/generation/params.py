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

>>> SamplingParams(do_sample=True, temperature=0.0).resolve()[1][0].key
'gen.greedy_temperature'
>>> SamplingParams(top_p=1.5)
Traceback (most recent call last):
engine.generation.params.ParamError: top-p 1.5 is outside (0, 1]: ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..config import setting
from ..errors import DojoError
from ..messages import Notice


COMPARE_DEFAULTS = {"do_sample": True, "temperature": 0.8, "top_p": 0.95, "max_new_tokens": 40}
"""Compare runs greedy, every beam and several samples: its samples use a usual
temperature and nucleus, and its own short length keeps the whole table to seconds on
a CPU, whatever the generation lab's length slider says."""


class ParamError(DojoError):
    """A sampling setting no generation can use."""


@dataclass(frozen=True)
class SamplingParams:
    do_sample: bool = setting(False, flag="--sample/--greedy")
    """Sample from the distribution, or always take the most likely token (greedy, deterministic, like
    ``model.generate``'s default). Setting a temperature, top-k or top-p turns sampling on."""
    temperature: float = setting(1.0, short="-t", minimum=0.0, maximum=2.0)
    """Divides the logits before softmax; 1.0 leaves the model's distribution as is."""
    top_k: int = setting(50, minimum=0, maximum=100)
    """Keep only the k most likely tokens; 0 turns the cut off. 50 is transformers' default."""
    top_p: float = setting(1.0, minimum=0.05, maximum=1.0)
    """Keep the smallest set of tokens whose probability adds up to p; 1.0 keeps all."""
    repetition_penalty: float = setting(1.0, minimum=1.0, maximum=2.0)
    """Above 1 makes tokens already in the text less likely (CTRL paper: about 1.2); 1.0 is off."""
    no_repeat_ngram_size: int = setting(0, flag="--no-repeat-ngram", minimum=0, maximum=5)
    """Forbid repeating any n-gram of this size; 0 is off."""
    num_beams: int = setting(1, minimum=1, maximum=8)
    """Beams for beam search; 1 means no beam search."""
    length_penalty: float = setting(1.0)
    """Beam scores are divided by length**this; above 0 favours longer beams. 1.0 is the usual value."""
    max_new_tokens: int = setting(64, short="-n", minimum=1, maximum=512)
    """How many tokens to generate at most; 64 is a few sentences, quick even on a CPU."""
    stop: tuple[str, ...] = setting(default_factory=tuple, metavar="TEXT", split=False)
    """Generation ends when the text ends with this string (kept in the output); repeat for several."""
    seed: int | None = setting(None, minimum=0, maximum=999)
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

    def resolve(self) -> tuple[SamplingParams, list[Notice]]:
        """The settings generation will really use, and notices explaining any change.

        Temperature 0 with sampling becomes greedy decoding (softmax of logits/0 is a
        one-hot on the most likely token, and transformers rejects it). Generation
        resolves once (``engine.generation.api.generate``), so each notice is said once.
        """
        notices: list[Notice] = []
        params = self
        if self.do_sample and self.temperature == 0:
            params = replace(self, do_sample=False, temperature=1.0)
            notices.append(Notice("gen.greedy_temperature"))
        elif not self.do_sample and (self.temperature not in (0.0, 1.0) or self.top_p < 1.0):
            notices.append(Notice("gen.knobs_unused"))
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
    def from_options(cls, values: Mapping[str, Any]) -> SamplingParams:
        """Build from what a person set (CLI flags given, a lesson's ``try_it``, JSON),
        ignoring keys that are not settings.

        Sampling is on when ``do_sample`` says so, or, when it is not said, as soon as a
        sampling knob (temperature, top-k, top-p) is set: asking for a temperature means
        asking to sample.

        >>> SamplingParams.from_options({"temperature": 0.7}).do_sample
        True
        >>> SamplingParams.from_options({"prompt": "hi", "max_new_tokens": 8}).do_sample
        False
        """
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in values.items() if k in known and v is not None}
        if "stop" in kwargs and isinstance(kwargs["stop"], list):
            kwargs["stop"] = tuple(kwargs["stop"])
        if "do_sample" not in kwargs:
            kwargs["do_sample"] = any(k in kwargs for k in ("temperature", "top_k", "top_p"))
        return cls(**kwargs)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_number(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ParamError(f"{name} {value!r} is not a finite number")


def check_context(prompt_tokens: int, max_new_tokens: int, context: int | None) -> None:
    """Raise a :class:`ParamError` when the prompt or the whole generation cannot fit."""
    if prompt_tokens == 0:
        raise ParamError.keyed("gen.empty_prompt")
    if context is None:
        return
    if prompt_tokens >= context:
        raise ParamError.keyed("gen.prompt_too_long", prompt=prompt_tokens, context=context)
    if prompt_tokens + max_new_tokens > context:
        raise ParamError.keyed("gen.beyond_context", n=max_new_tokens, prompt=prompt_tokens, context=context,
                               room=context - prompt_tokens)


def room_for_new_tokens(prompt_tokens: int, context: int | None, cap: int = 512) -> int:
    """The most new tokens that fit after a prompt (at least 1), capped at ``cap``.

    >>> room_for_new_tokens(500, 512), room_for_new_tokens(10, None)
    (12, 512)
    """
    if context is None:
        return cap
    return max(1, min(cap, context - prompt_tokens))
