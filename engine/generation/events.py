"""What a streamed generation produces: one event per token, then a result.

Plain data, torch-free, so fronts can import the types without the model stack:
``TokenEvent`` (text delta, token id, log-probability, alternatives) per token and
``GenerationResult`` (text, ids, finish reason, timing) at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..messages import Notice
from .params import SamplingParams


class Alternative(NamedTuple):
    """Another token the model considered at this step (a tuple: five are built per token)."""

    token_id: int
    text: str
    logprob: float


@dataclass(frozen=True)
class TokenEvent:
    index: int
    """0 for the first generated token."""
    token_id: int
    text: str
    """The text this token completes: '' while a character is still partial, or for a special token."""
    logprob: float
    """log P(token) under the model's distribution (after repetition penalties, before temperature/top-k/top-p);
    ``nan`` when the caller asked for no log-probabilities."""
    top: tuple[Alternative, ...]
    """The most likely tokens at this step, by the same distribution."""
    special: bool
    seconds: float
    """Since the call started."""


@dataclass(frozen=True)
class GenerationResult:
    text: str
    token_ids: list[int]
    prompt_tokens: int
    finish_reason: str
    """'eos', 'length', 'stop' (a stop string), or 'cancelled'."""
    time_to_first_token: float | None
    seconds: float
    params: SamplingParams
    notices: tuple[Notice, ...] = field(default_factory=tuple)
    """Remarks for the person (keyed; ``str()`` is the English text)."""
    decode_seconds: float | None = None
    """From the first token to the last: the time spent producing tokens 2..n."""
    beams: tuple[Any, ...] = ()
    """Beam search only: every final beam (``strategies.Candidate``), best first."""

    @property
    def tokens_per_second(self) -> float | None:
        """Decode speed: tokens after the first, over the time they took (the prompt's
        processing is measured by ``time_to_first_token``)."""
        n = len(self.token_ids)
        if n < 2 or not self.decode_seconds:
            return None
        return (n - 1) / self.decode_seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "token_ids": self.token_ids, "prompt_tokens": self.prompt_tokens,
            "new_tokens": len(self.token_ids), "finish_reason": self.finish_reason,
            "timing": {"time_to_first_token_s": _round(self.time_to_first_token), "total_s": _round(self.seconds),
                       "tokens_per_s": _round(self.tokens_per_second, 2)},
            "params": self.params.to_dict(), "notices": [str(n) for n in self.notices],
            "notice_keys": [getattr(n, "key", None) for n in self.notices],
            **({"beams": [b.to_dict() for b in self.beams]} if self.beams else {}),
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
