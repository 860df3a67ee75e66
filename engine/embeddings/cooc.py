"""Co-occurrence counts: how often word k appears within ``window`` words of word i.

:func:`ratio_table` is the table GloVe starts from (Pennington et al., 2014, table 1):
P(k|i) = X_ik / X_i, where X_i sums X_ik over every k, for two words i and j and probe words k,
and the ratio P(k|i) / P(k|j): large for words tied to i only, small for words tied to j only,
near 1 for words tied to both or neither.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..errors import DojoError
from .corpus import Corpus


def context_counts(corpus: Corpus, word: str, window: int = 5) -> Counter:
    """X_w.: each word's count within ``window`` positions on either side of every ``word``
    (inside one line of the corpus; the word itself at another position counts too)."""
    out: Counter = Counter()
    for sentence in corpus.sentences:
        for pos, token in enumerate(sentence):
            if token != word:
                continue
            lo, hi = max(0, pos - window), min(len(sentence), pos + window + 1)
            out.update(sentence[k] for k in range(lo, hi) if k != pos)
    return out


@dataclass(frozen=True)
class RatioRow:
    word: str
    count_i: int
    count_j: int
    p_i: float
    p_j: float
    ratio: float | None
    """P(k|i) / P(k|j); None when k never occurs near j."""

    def to_dict(self) -> dict[str, Any]:
        return {"k": self.word, "x_ik": self.count_i, "x_jk": self.count_j, "p_k_given_i": self.p_i,
                "p_k_given_j": self.p_j, "ratio": self.ratio}


@dataclass(frozen=True)
class RatioTable:
    i: str
    j: str
    window: int
    total_i: int
    """X_i: every context word counted around i."""
    total_j: int
    rows: tuple[RatioRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"i": self.i, "j": self.j, "window": self.window, "x_i": self.total_i, "x_j": self.total_j,
                "rows": [r.to_dict() for r in self.rows]}


def ratio_table(corpus: Corpus, i: str, j: str, probes: list[str] | tuple[str, ...] = (), window: int = 5,
                top: int = 6) -> RatioTable:
    """The ratio table for ``i`` and ``j``; without ``probes``, the ``top`` most frequent shared
    context words."""
    if i == j:
        raise DojoError.keyed("emb.same_pair", word=i)
    ci, cj = context_counts(corpus, i, window), context_counts(corpus, j, window)
    for word, counts in ((i, ci), (j, cj)):
        if not counts:
            raise DojoError.keyed("emb.no_cooc", word=word)
    xi, xj = sum(ci.values()), sum(cj.values())
    if not probes:
        shared = [w for w, _ in (ci + cj).most_common() if w in ci and w in cj and w not in (i, j)]
        probes = shared[:top]
    rows = []
    for k in probes:
        p_i, p_j = ci[k] / xi, cj[k] / xj
        rows.append(RatioRow(k, ci[k], cj[k], p_i, p_j, p_i / p_j if p_j > 0 else None))
    return RatioTable(i, j, window, xi, xj, tuple(rows))


def glove_counts(corpus: Corpus, vocab: dict[str, int], window: int) -> dict[tuple[int, int], float]:
    """X for GloVe: symmetric counts over the vocabulary, each pair weighted 1/distance as in the paper."""
    counts: dict[tuple[int, int], float] = {}
    for sentence in corpus.sentences:
        ids = [vocab.get(w, -1) for w in sentence]
        for pos, a in enumerate(ids):
            if a < 0:
                continue
            for d in range(1, window + 1):
                if pos + d >= len(ids):
                    break
                b = ids[pos + d]
                if b < 0:
                    continue
                w = 1.0 / d
                counts[(a, b)] = counts.get((a, b), 0.0) + w
                counts[(b, a)] = counts.get((b, a), 0.0) + w
    return counts
