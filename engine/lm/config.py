"""The language-model lab's settings: one frozen dataclass per action.

The CLI options (``llm-dojo score --help``, ``llm-dojo fill-mask --help``) and the lab's
form are built from these fields and their docstrings; nothing else repeats a default.
The text itself is the command's argument (``cli=False``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import setting
from ..errors import DojoError

TOP_LIMIT = 50
"""The most candidates a table shows."""
MASK_LIMIT = 8
"""The most masks one fill-mask text may carry."""


def _check_top(top: int) -> None:
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= TOP_LIMIT:
        raise DojoError.keyed("lm.top_range", value=top, limit=TOP_LIMIT)


@dataclass(frozen=True)
class LmScoreConfig:
    text: str = setting("", cli=False)
    """The sentence to score, token by token."""
    model: str = setting("dojo-tiny", short="-m", metavar="NAME")
    """A causal language model (embedded, a local folder or a Hugging Face cache id): it gives every token a
    probability given the tokens before it."""

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise DojoError("the model name is empty: give a causal language model such as dojo-tiny")


@dataclass(frozen=True)
class LmNextTokenConfig:
    text: str = setting("", cli=False)
    """The prompt whose next token we look at."""
    model: str = setting("dojo-tiny", short="-m", metavar="NAME")
    """A causal language model: the next-token distribution is the softmax of its logits at the last position."""
    top: int = setting(10, minimum=1, maximum=TOP_LIMIT)
    """How many of the most likely next tokens to list (the whole distribution sums to 1)."""

    def __post_init__(self) -> None:
        _check_top(self.top)


@dataclass(frozen=True)
class LmFillMaskConfig:
    text: str = setting("", cli=False)
    """The sentence with one or more mask tokens ([MASK] for BERT-style WordPiece models)."""
    model: str = setting("dojo-tiny-mlm", short="-m", metavar="NAME")
    """A masked language model: it predicts each mask from the words on both sides."""
    top: int = setting(5, minimum=1, maximum=TOP_LIMIT)
    """Candidates listed per mask."""
    causal_model: str = setting("dojo-tiny", metavar="NAME")
    """A causal model to read the same sentence beside it, left context only: its next-token distribution at
    each mask given only the text before it. Empty to skip."""

    def __post_init__(self) -> None:
        _check_top(self.top)
        if not self.model.strip():
            raise DojoError("the model name is empty: give a masked language model such as dojo-tiny-mlm")
