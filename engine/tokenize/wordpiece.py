"""WordPiece training as the deck (and the Hugging Face course) describes it, one merge a step.

Words start as their first character plus ``##``-prefixed continuations
(``hug`` -> ``h ##u ##g``). Each step scores every adjacent pair by

    score(a, b) = freq(ab) / (freq(a) * freq(b))

(all frequencies weighted by word counts, over the current splits), merges the best
pair and records every candidate's score. Scores are exact fractions, so a six-way tie
is a tie and not a rounding accident; ties go to the pair counted first (words in table
order, pairs left to right), like BPE.

Note: the ``tokenizers`` library's ``WordPieceTrainer`` does not use this score; it
trains with BPE's pair counts and adds the ``##`` prefix (a teaching point the lab shows).

>>> [s.merged for s in wordpiece_steps((("hug", 10), ("pug", 5), ("pun", 12), ("bun", 4), ("hugs", 5)), 3)]
['##gs', 'hu', 'hugs']
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

PREFIX = "##"


@dataclass(frozen=True)
class ScoredPair:
    left: str
    right: str
    pair_freq: int
    left_freq: int
    right_freq: int
    score: Fraction

    def to_dict(self) -> dict:
        return {"pair": [self.left, self.right], "pair_freq": self.pair_freq, "left_freq": self.left_freq,
                "right_freq": self.right_freq, "score": float(self.score), "fraction": fraction_text(self.score)}


@dataclass(frozen=True)
class WordPieceStep:
    index: int
    left: str
    right: str
    merged: str
    score: Fraction
    tied: int
    """How many pairs share the best score (the first counted won)."""
    candidates: tuple[ScoredPair, ...]
    """Every pair of this step with its score, best first (ties in counting order)."""
    vocab: tuple[str, ...]
    words: tuple[tuple[tuple[str, ...], int], ...]

    def to_dict(self) -> dict:
        return {"step": self.index, "pair": [self.left, self.right], "merged": self.merged,
                "score": float(self.score), "fraction": fraction_text(self.score), "tied": self.tied,
                "candidates": [c.to_dict() for c in self.candidates], "vocab": list(self.vocab),
                "words": [[" ".join(s), n] for s, n in self.words]}


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def split_word(word: str) -> list[str]:
    return [word[0]] + [PREFIX + ch for ch in word[1:]]


def merge_symbols(a: str, b: str) -> str:
    """``h`` + ``##u`` -> ``hu``; ``##g`` + ``##s`` -> ``##gs``."""
    return a + (b[len(PREFIX):] if b.startswith(PREFIX) else b)


def score_pairs(words) -> list[ScoredPair]:
    """Every adjacent pair with its score, in first-counted order."""
    symbol_freq: dict[str, int] = {}
    pair_freq: dict[tuple[str, str], int] = {}
    for symbols, count in words:
        for sym in symbols:
            symbol_freq[sym] = symbol_freq.get(sym, 0) + count
        for a, b in zip(symbols, symbols[1:]):
            pair_freq[(a, b)] = pair_freq.get((a, b), 0) + count
    return [ScoredPair(a, b, f, symbol_freq[a], symbol_freq[b], Fraction(f, symbol_freq[a] * symbol_freq[b]))
            for (a, b), f in pair_freq.items()]


def wordpiece_steps(table, steps: int, cancel=None) -> list[WordPieceStep]:
    words = [(split_word(word), count) for word, count in table]
    vocab = list(dict.fromkeys(sym for symbols, _ in words for sym in symbols))
    out: list[WordPieceStep] = []
    for index in range(1, steps + 1):
        if cancel is not None and cancel.is_set():
            break
        scored = score_pairs(words)
        if not scored:
            break
        best = max(scored, key=lambda p: p.score)  # the first of equal scores
        merged = merge_symbols(best.left, best.right)
        words = [(_merge(symbols, best.left, best.right, merged), count) for symbols, count in words]
        if merged not in vocab:
            vocab.append(merged)
        ranked = sorted(scored, key=lambda p: -p.score)
        out.append(WordPieceStep(index, best.left, best.right, merged, best.score,
                                 sum(1 for p in scored if p.score == best.score), tuple(ranked), tuple(vocab),
                                 tuple((tuple(s), n) for s, n in words)))
    return out


def _merge(symbols: list[str], a: str, b: str, merged: str) -> list[str]:
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
            out.append(merged)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out
