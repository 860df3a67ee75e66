"""The attention lab's settings: one frozen dataclass per action (capture, posenc, rope, encoder).

The CLI options (``llm-dojo attention --help``...) and the lab's pages are built from these
fields and their docstrings; nothing else repeats a default. Validation raises a
:class:`~engine.errors.DojoError` with one line that says what the value means.
Checks that need the model (is layer 7 there?) happen at capture time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..config import setting
from ..errors import DojoError

DATASETS = ("ko", "en")
"""ko: the project's Korean sentiment sentences (engine/data/sentiment_ko.jsonl); en: Pang & Lee's
polarity sentences shipped with gensim."""


def _whole(name: str, value: Any, minimum: int, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or \
            (maximum is not None and value > maximum):
        if maximum is None:
            raise DojoError.keyed("att.range", name=name, value=value, minimum=minimum)
        raise DojoError.keyed("att.range_to", name=name, value=value, minimum=minimum, maximum=maximum)


@dataclass(frozen=True)
class AttentionConfig:
    model: str = setting("dojo-tiny", short="-m", metavar="NAME")
    """The model whose attention to capture: dojo-tiny (a small Llama, causal), dojo-tiny-mlm (a small BERT,
    bidirectional) or any model name llm-dojo models lists."""
    layer: int = setting(0, minimum=0, maximum=95)
    """Which layer's map to show (0 is the first); every layer is captured."""
    head: int | None = setting(None, minimum=0, maximum=127)
    """Which head's map to show; not given: the average over the layer's heads."""
    scores: bool = setting(False)
    """Show the raw scaled scores QK^T/sqrt(d) (before the mask and softmax) instead of the softmax weights."""

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model.strip():
            raise DojoError("no model name given: try --model dojo-tiny")
        _whole("layer", self.layer, 0)
        if self.head is not None:
            _whole("head", self.head, 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AttentionPosEncConfig:
    length: int = setting(32, minimum=1, maximum=2048)
    """Number of positions (rows of the matrix); 32 fits a terminal heatmap."""
    dim: int = setting(64, minimum=2, maximum=4096)
    """Model dimension d_model (columns); must be even, since dimensions come in sin/cos pairs. The deck
    draws d=512 over 100 positions."""
    base: float = setting(10000.0, minimum=2.0)
    """The n in pos / n^(2i/d); the paper and the deck use 10000."""

    def __post_init__(self) -> None:
        _whole("length", self.length, 1, 100_000)
        _whole("dim", self.dim, 2, 100_000)
        if self.dim % 2:
            raise DojoError.keyed("att.odd_dim", dim=self.dim)
        if isinstance(self.base, bool) or not isinstance(self.base, (int, float)) or not self.base > 1:
            raise DojoError.keyed("att.base", base=self.base)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AttentionRopeConfig:
    model: str = setting("dojo-tiny", short="-m", metavar="NAME")
    """A model that uses RoPE (dojo-tiny is a Llama): its own first-layer query/key projections and rotary
    embedding are used."""
    word: str = setting("apple", metavar="WORD")
    """The word repeated four times ("apple apple apple apple", as in the deck's appendix)."""
    other: str = setting("banana", metavar="WORD")
    """A different word put at the third position, to show the score still depends on content."""
    repeats: int = setting(4, minimum=2, maximum=16)
    """How many times the word is repeated."""
    layer: int = setting(0, minimum=0, maximum=95)
    """Which layer's projections to use. Layer 0 reads only the token embeddings, so the same word gives
    the same query and key everywhere before the rotation."""
    head: int = setting(0, minimum=0, maximum=127)
    """Which head."""

    def __post_init__(self) -> None:
        for name in ("word", "other"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip() or len(value.split()) != 1:
                raise DojoError.keyed("att.one_word", name=name, value=value)
        if self.word.strip() == self.other.strip():
            raise DojoError.keyed("att.same_word", word=self.word)
        _whole("repeats", self.repeats, 2, 64)
        _whole("layer", self.layer, 0)
        _whole("head", self.head, 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AttentionEncoderConfig:
    data: str = setting("ko", choices=DATASETS)
    """ko: 300 Korean sentiment sentences to train on and 60 held out (the project's own set); en: Pang &
    Lee's 200 polarity sentences from gensim (160 to train, 40 held out)."""
    epochs: int = setting(3, minimum=1, maximum=50)
    """Passes over the training sentences; 3 takes a few seconds on a CPU."""
    d_model: int = setting(64, minimum=8, maximum=512)
    """Width of every token vector in the from-scratch encoder (must divide by heads)."""
    heads: int = setting(4, minimum=1, maximum=16)
    """Attention heads per layer; each head works in d_model/heads dimensions."""
    layers: int = setting(2, minimum=1, maximum=8)
    """Encoder layers stacked (attention + feed-forward, each with a residual and layer norm)."""
    ff_dim: int = setting(128, minimum=8, maximum=4096)
    """Hidden width of the position-wise feed-forward network (usually 4 x d_model)."""
    max_length: int = setting(48, minimum=8, maximum=256)
    """Tokens per sentence at most (longer ones are cut); the Korean sentences are about 20-30 tokens."""
    batch_size: int = setting(16, minimum=1, maximum=256)
    """Sentences per training step."""
    learning_rate: float = setting(1e-3, minimum=1e-6, maximum=1.0)
    """AdamW's learning rate for the from-scratch encoder (small models from scratch like 1e-3)."""
    pretrained_learning_rate: float = setting(5e-4, minimum=1e-6, maximum=1.0)
    """AdamW's learning rate for fine-tuning dojo-tiny-mlm; at 1e-4 it stayed at chance after 3 epochs on the
    Korean set (measured), 5e-4 learns."""
    pretrained: bool = setting(True)
    """Also fine-tune dojo-tiny-mlm (AutoModelForSequenceClassification) on the same split, to show what
    pretraining adds."""
    seed: int = setting(0, minimum=0, maximum=2**31 - 1)
    """Seeds the weights and the shuffling, so a run can be repeated."""

    def __post_init__(self) -> None:
        if self.data not in DATASETS:
            raise DojoError.keyed("att.data", data=self.data)
        for name, lo in (("epochs", 1), ("d_model", 8), ("heads", 1), ("layers", 1), ("ff_dim", 8),
                         ("max_length", 8), ("batch_size", 1), ("seed", 0)):
            _whole(name.replace("_", "-"), getattr(self, name), lo)
        if self.d_model % self.heads:
            raise DojoError.keyed("att.heads_divide", d_model=self.d_model, heads=self.heads)
        for lr in (self.learning_rate, self.pretrained_learning_rate):
            if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr <= 1:
                raise DojoError.keyed("att.lr", lr=lr)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
