"""Byte pair encoding, one merge at a time, on a word-frequency table (the deck's algorithm).

Every word is split into characters (plus the end-of-word marker ``</w>`` when asked,
as the deck's code does); each step counts the adjacent symbol pairs weighted by the
word's count, merges the most frequent pair everywhere, and records what it did.

Ties: the pair counted first wins (words in table order, pairs left to right), which is
what the deck's ``max(pairs, key=pairs.get)`` over an insertion-ordered dict does.
The ``tokenizers`` library breaks ties differently (the smaller pair by its ids), so the
two agree on every merge whose count is not tied.

>>> steps = bpe_steps((("low", 5), ("lower", 2), ("newest", 6), ("widest", 3)), 3, end_of_word=True)
>>> [s.merged for s in steps]
['es', 'est', 'est</w>']
"""

from __future__ import annotations

from dataclasses import dataclass

END_OF_WORD = "</w>"
SHOWN_CANDIDATES = 20
"""How many of the most frequent pairs each step keeps for the pair table."""


@dataclass(frozen=True)
class PairCount:
    left: str
    right: str
    count: int

    def to_dict(self) -> dict:
        return {"pair": [self.left, self.right], "count": self.count}


@dataclass(frozen=True)
class BpeStep:
    """One merge: which pair, how often it occurred, and the state after merging it."""

    index: int
    """1 for the first merge."""
    left: str
    right: str
    count: int
    """How often the pair occurs, counted over the table (each word's pairs times its count)."""
    merged: str
    tied: int
    """How many pairs shared this count (1: no tie; more: the first one counted won)."""
    candidates: tuple[PairCount, ...]
    """The most frequent pairs before this merge (at most SHOWN_CANDIDATES), best first."""
    vocab: tuple[str, ...]
    """The vocabulary after the merge: the alphabet, then every merged symbol in order."""
    words: tuple[tuple[tuple[str, ...], int], ...]
    """Every word of the table as symbols after the merge, with its count."""

    def to_dict(self) -> dict:
        return {"step": self.index, "pair": [self.left, self.right], "count": self.count, "merged": self.merged,
                "tied": self.tied, "candidates": [c.to_dict() for c in self.candidates],
                "vocab": list(self.vocab), "words": [[" ".join(s), n] for s, n in self.words]}


def initial_words(table, end_of_word: bool) -> list[tuple[list[str], int]]:
    return [(list(word) + ([END_OF_WORD] if end_of_word else []), count) for word, count in table]


def alphabet(words) -> list[str]:
    """Symbols in order of first appearance."""
    return list(dict.fromkeys(sym for symbols, _ in words for sym in symbols))


def count_pairs(words) -> dict[tuple[str, str], int]:
    """Adjacent pairs weighted by word count, in first-seen order (the deck's get_stats)."""
    pairs: dict[tuple[str, str], int] = {}
    for symbols, count in words:
        for a, b in zip(symbols, symbols[1:]):
            pairs[(a, b)] = pairs.get((a, b), 0) + count
    return pairs


def merge_pair(symbols: list[str], a: str, b: str) -> list[str]:
    """Replace every non-overlapping ``a b`` (left to right) by ``ab``."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
            out.append(a + b)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def bpe_steps(table, steps: int, *, end_of_word: bool = True, cancel=None) -> list[BpeStep]:
    """Up to ``steps`` merges (fewer when every word is one symbol)."""
    words = initial_words(table, end_of_word)
    vocab = alphabet(words)
    out: list[BpeStep] = []
    for index in range(1, steps + 1):
        if cancel is not None and cancel.is_set():
            break
        pairs = count_pairs(words)
        if not pairs:
            break
        (a, b), best = max(pairs.items(), key=lambda kv: kv[1])  # max keeps the first of equals
        ranked = sorted(pairs.items(), key=lambda kv: -kv[1])  # sorted is stable: first seen first
        words = [(merge_pair(symbols, a, b), count) for symbols, count in words]
        if a + b not in vocab:
            vocab.append(a + b)
        out.append(BpeStep(index, a, b, best, a + b, sum(1 for c in pairs.values() if c == best),
                           tuple(PairCount(x, y, c) for (x, y), c in ranked[:SHOWN_CANDIDATES]),
                           tuple(vocab), tuple((tuple(s), n) for s, n in words)))
    return out


def bpe_encode(word: str, merges: list[tuple[str, str]], end_of_word: bool = True) -> list[str]:
    """Split a new word with learned merges, applied in the order they were learned."""
    symbols = list(word) + ([END_OF_WORD] if end_of_word else [])
    for a, b in merges:
        symbols = merge_pair(symbols, a, b)
    return symbols
