"""Unigram tokenizer training, one pruning round a step (the deck's and the HF course's version).

Start big: every character plus every substring of two or more characters that is
shorter than some word it sits in (the deck's 15 tokens for hug/pug/pun/bun/hugs), each
counted wherever it occurs, weighted by word counts (total 210 in the deck's example). A token's probability is its
count over the total. A word's best split is the one with the highest product of
token probabilities (Viterbi, i.e. the lowest sum of -log P); the corpus loss is
sum over words of count x -log P(best split).

Each step asks, for every token longer than one character, how much the loss would
grow without it, removes the ``shrink`` share of tokens whose removal costs least
(at least one), and re-normalises the remaining tokens' counts into probabilities.
Single characters are never removed, so every word stays splittable. (SentencePiece
re-estimates the probabilities with EM over all splits; this simpler re-normalisation
is what the Hugging Face course the deck follows does.)

Ties: among equally likely splits Viterbi keeps the one with the latest split point
(``pu g`` over ``p ug``, ``hug s`` over ``h ugs``), which reproduces the deck's table; the
other splits of equal probability are recorded (``ties``). Equal-cost removals go in
vocabulary order.

>>> start = unigram_state((("hug", 10), ("pug", 5), ("pun", 12), ("bun", 4), ("hugs", 5)))
>>> round(start.words[0].probability, 6), start.words[0].tokens
(0.071429, ('hug',))
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EPS = 1e-12


@dataclass(frozen=True)
class WordSplit:
    word: str
    count: int
    tokens: tuple[str, ...]
    probability: float
    """The product of the tokens' probabilities."""
    ties: tuple[tuple[str, ...], ...] = ()
    """Other splits with exactly the same probability (found for words up to 12 characters)."""

    @property
    def neg_log(self) -> float:
        return -math.log(self.probability)

    def to_dict(self) -> dict:
        return {"word": self.word, "count": self.count, "tokens": list(self.tokens),
                "probability": self.probability, "neg_log_p": self.neg_log, "ties": [list(t) for t in self.ties]}


@dataclass(frozen=True)
class UnigramState:
    """The model at one moment: token probabilities, each word's best split, the loss."""

    counts: tuple[tuple[str, int], ...]
    """Token -> count, in vocabulary order (characters and substrings as first met)."""
    total: int
    words: tuple[WordSplit, ...]
    loss: float

    @property
    def vocab(self) -> tuple[str, ...]:
        return tuple(tok for tok, _ in self.counts)

    def probability(self, token: str) -> float:
        return dict(self.counts)[token] / self.total

    def to_dict(self) -> dict:
        return {"vocab": [{"token": t, "count": c, "probability": c / self.total} for t, c in self.counts],
                "total": self.total, "words": [w.to_dict() for w in self.words], "loss": self.loss}


@dataclass(frozen=True)
class Removal:
    token: str
    loss_increase: float
    """Corpus loss without the token minus the loss with it (same probabilities)."""

    def to_dict(self) -> dict:
        return {"token": self.token, "loss_increase": self.loss_increase}


@dataclass(frozen=True)
class UnigramStep:
    index: int
    candidates: tuple[Removal, ...]
    """Every removable token with the loss its removal adds, cheapest first."""
    removed: tuple[str, ...]
    state: UnigramState
    """The model after the removal (re-normalised)."""

    def to_dict(self) -> dict:
        return {"step": self.index, "removed": list(self.removed),
                "candidates": [c.to_dict() for c in self.candidates], **self.state.to_dict()}


def initial_counts(table) -> list[tuple[str, int]]:
    """Every character and every strict substring (2+ characters, shorter than a word it sits
    in), each counted wherever it occurs, whole words included (so "hug" counts hug and hugs)."""
    pieces: dict[str, None] = {}
    for word, _ in table:
        for i in range(len(word)):
            for j in range(i + 1, len(word) + 1):
                if j - i == 1 or j - i < len(word):
                    pieces.setdefault(word[i:j])
    counts = dict.fromkeys(pieces, 0)
    for word, count in table:
        for i in range(len(word)):
            for j in range(i + 1, len(word) + 1):
                if word[i:j] in counts:
                    counts[word[i:j]] += count
    return list(counts.items())


def viterbi(word: str, logp: dict[str, float]) -> tuple[tuple[str, ...], float]:
    """The split with the lowest sum of -log P and that sum; on ties the latest split point
    (the shortest last token) wins, which is how the deck's table splits pug, pun, bun, hugs."""
    n = len(word)
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(end):
            piece = word[start:end]
            if piece in logp and best[start] < math.inf:
                cost = best[start] + logp[piece]
                if cost <= best[end] + EPS * max(1.0, cost):  # on a tie the later split point wins
                    best[end], back[end] = cost, start
    if best[n] == math.inf:
        return (), math.inf
    tokens, end = [], n
    while end > 0:
        tokens.append(word[back[end]:end])
        end = back[end]
    return tuple(reversed(tokens)), best[n]


def _all_splits(word: str, vocab: set[str]):
    if not word:
        yield ()
        return
    for i in range(1, len(word) + 1):
        if word[:i] in vocab:
            for rest in _all_splits(word[i:], vocab):
                yield (word[:i], *rest)


def _ties(word: str, best: tuple[str, ...], cost: float, logp: dict[str, float]) -> tuple[tuple[str, ...], ...]:
    if len(word) > 12:
        return ()
    vocab = set(logp)
    return tuple(s for s in _all_splits(word, vocab)
                 if s != best and abs(sum(logp[t] for t in s) - cost) <= EPS * max(1.0, cost))


def _loss(table, logp: dict[str, float]) -> float:
    return sum(count * viterbi(word, logp)[1] for word, count in table)


def unigram_state(table, counts: list[tuple[str, int]] | None = None) -> UnigramState:
    counts = counts if counts is not None else initial_counts(table)
    total = sum(c for _, c in counts)
    logp = {tok: -math.log(c / total) for tok, c in counts}
    words = []
    for word, count in table:
        tokens, cost = viterbi(word, logp)
        words.append(WordSplit(word, count, tokens, math.exp(-cost), _ties(word, tokens, cost, logp)))
    return UnigramState(tuple(counts), total, tuple(words), sum(w.count * -math.log(w.probability) for w in words))


def unigram_steps(table, steps: int, shrink: float = 0.1, cancel=None) -> tuple[UnigramState, list[UnigramStep]]:
    """The initial state and up to ``steps`` pruning rounds (fewer when only characters are left)."""
    state = unigram_state(table)
    start, out = state, []
    for index in range(1, steps + 1):
        if cancel is not None and cancel.is_set():
            break
        logp = {tok: -math.log(c / state.total) for tok, c in state.counts}
        removable = [tok for tok, _ in state.counts if len(tok) > 1]
        if not removable:
            break
        candidates = []
        for tok in removable:
            without = {k: v for k, v in logp.items() if k != tok}
            candidates.append(Removal(tok, _loss(table, without) - state.loss))
        ranked = sorted(candidates, key=lambda r: round(r.loss_increase, 9))  # stable: vocabulary order on ties
        n_remove = min(len(removable), max(1, int(len(state.counts) * shrink)))
        removed = tuple(r.token for r in ranked[:n_remove])
        kept = [(tok, c) for tok, c in state.counts if tok not in removed]
        state = unigram_state(table, kept)
        out.append(UnigramStep(index, tuple(ranked), removed, state))
    return start, out
