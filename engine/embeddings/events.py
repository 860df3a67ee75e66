"""What training produces: one event per epoch, then a result (plain data, no model)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class EpochEvent:
    epoch: int
    """1 for the first epoch."""
    epochs: int
    seconds: float
    """This epoch's wall time."""
    words_per_s: float
    """Corpus words in one pass over this epoch's time (gensim's own log reports effective words, after
    its down-sampling of frequent words, so its figure is lower)."""
    loss: float | None
    """Word2Vec: this epoch's summed training loss as gensim computes it (``compute_loss``); GloVe: the mean
    weighted squared error; FastText: None (gensim does not compute it)."""

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 4), "words_per_s": round(self.words_per_s, 1)}


@dataclass(frozen=True)
class TrainResult:
    name: str
    algorithm: str
    corpus: dict[str, Any]
    """Corpus counts: sentences, words, distinct words, tokenizer."""
    vocab_size: int
    """Words kept by min-count (each has its own vector)."""
    vector_size: int
    epochs: list[EpochEvent]
    seconds: float
    words_per_s: float
    """Corpus words times epochs trained, over the whole training time."""
    cancelled: bool
    path: str | None
    """Where the vectors were saved (None when cancelled)."""
    config: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "algorithm": self.algorithm, "corpus": self.corpus, "vocab_size": self.vocab_size,
                "vector_size": self.vector_size, "epochs": [e.to_dict() for e in self.epochs],
                "seconds": round(self.seconds, 3), "words_per_s": round(self.words_per_s, 1),
                "cancelled": self.cancelled, "path": self.path, "config": self.config}
