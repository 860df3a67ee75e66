"""One-hot vectors vs dense embeddings: x_onehot @ W picks one row of W.

For a sentence, every distinct word gets an index; its one-hot vector has V entries, one 1.
Multiplying the (n x V) one-hot matrix by an embedding matrix W (V x d) gives the same
numbers as looking rows up (``W[ids]``), which is what an embedding layer does instead.
Dot products of two different one-hot vectors are always 0; dense ones are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import DojoError

DECK_SENTENCE = "Time flies like an arrow"


@dataclass(frozen=True)
class OneHotResult:
    tokens: tuple[str, ...]
    vocab: tuple[str, ...]
    onehot: tuple[tuple[int, ...], ...]
    weights: tuple[tuple[float, ...], ...]
    """W, (V x d), seeded random numbers standing for learned values."""
    product: tuple[tuple[float, ...], ...]
    """onehot @ W."""
    lookup: tuple[tuple[float, ...], ...]
    """W[ids]: the rows looked up."""
    equal: bool
    onehot_dots: tuple[tuple[int, ...], ...]
    """Dot products between the one-hot vectors (identity for distinct words)."""
    dense_cosines: tuple[tuple[float, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"tokens": list(self.tokens), "vocab": list(self.vocab), "onehot": [list(r) for r in self.onehot],
                "weights": [list(r) for r in self.weights], "product": [list(r) for r in self.product],
                "lookup": [list(r) for r in self.lookup], "equal": self.equal,
                "onehot_dots": [list(r) for r in self.onehot_dots],
                "dense_cosines": [list(r) for r in self.dense_cosines]}


def onehot_vs_dense(sentence: str = DECK_SENTENCE, dim: int = 4, seed: int = 0) -> OneHotResult:
    import numpy as np

    tokens = tuple(sentence.lower().split())
    if not tokens:
        raise DojoError("the sentence is empty: give a few words, such as 'Time flies like an arrow'")
    if dim < 1:
        raise DojoError(f"dim {dim}: an embedding needs at least 1 dimension (the deck uses 4)")
    vocab = tuple(dict.fromkeys(tokens))
    ids = [vocab.index(t) for t in tokens]
    onehot = np.eye(len(vocab), dtype=np.int64)[ids]
    w = np.round(np.random.default_rng(seed).normal(size=(len(vocab), dim)), 3)
    product = onehot @ w
    lookup = w[ids]
    norms = np.linalg.norm(lookup, axis=1, keepdims=True)
    cos = (lookup @ lookup.T) / (norms @ norms.T)

    def rows(a, digits: int | None = None):
        return tuple(tuple(round(float(x), digits) if digits is not None else int(x) for x in r) for r in a)

    return OneHotResult(tokens, vocab, rows(onehot), rows(w, 3), rows(product, 3), rows(lookup, 3),
                        bool(np.array_equal(product, lookup)), rows(onehot @ onehot.T), rows(cos, 3))
