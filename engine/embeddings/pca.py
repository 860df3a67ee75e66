"""A 2D map of word vectors: principal component analysis in numpy.

Centre the chosen vectors, take the singular value decomposition, and project onto the two
directions of largest variance. The explained-variance share says how much of the spread
the flat picture keeps (with 50 dimensions, often well under half: read the map with care).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import DojoError
from .query import check_words
from .store import Embedding


@dataclass(frozen=True)
class MapResult:
    words: tuple[str, ...]
    points: tuple[tuple[float, float], ...]
    explained: tuple[float, float]
    """Share of the chosen vectors' variance along each axis."""

    def to_dict(self) -> dict[str, Any]:
        return {"points": [{"word": w, "x": round(x, 4), "y": round(y, 4)} for w, (x, y) in zip(self.words, self.points)],
                "explained": [round(e, 4) for e in self.explained]}


def project(vectors, k: int = 2):
    """(points n x k, explained-variance shares) of the rows of ``vectors``."""
    import numpy as np

    x = np.asarray(vectors, dtype=np.float64)
    x = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    var = s ** 2
    share = var / var.sum() if var.sum() > 0 else np.zeros_like(var)
    return x @ vt[:k].T, share[:k]


def word_map(embedding: Embedding, words: list[str] | tuple[str, ...]) -> MapResult:
    words = tuple(dict.fromkeys(w.strip() for w in words if w.strip()))
    if len(words) < 3:
        raise DojoError.keyed("emb.too_few_words", op="map", need="at least 3", got=len(words))
    check_words(embedding, words)
    points, share = project([embedding.wv[w] for w in words])
    return MapResult(words, tuple((float(p[0]), float(p[1])) for p in points),
                     (float(share[0]), float(share[1]) if len(share) > 1 else 0.0))
