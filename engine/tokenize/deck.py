"""What the course deck prints for its worked examples, checked against the computation.

Only the deck's *claims* are written here (which symbol each BPE step adds, which pair
each WordPiece step merges, the Unigram splits and numbers it prints); every number the
lab shows is computed by the trainers, and :func:`compare` says step by step whether
the deck agrees, and when it does not, why (the scores that decide it).

The known differences (FACTS.md): the deck's BPE code uses ``</w>`` but its printed
vocabulary is the marker-free run; its WordPiece step 3 merges ``hu + ##g`` although by
its own formula ``hu + ##gs`` scores higher (1/15 against 2/45); its Unigram numbers are
probabilities P although it labels them -log P.
"""

from __future__ import annotations

import math

from ..messages import english
from .wordfreqs import EXAMPLES

BPE_ADDED = ("es", "est", "lo", "low", "ne", "new", "newest", "wi", "wid", "widest")
"""The symbols the deck's BPE slide adds, one per step (its step 1, 2, 3 and step-10 lists)."""
WORDPIECE_MERGES = (("##g", "##s"), ("h", "##u"), ("hu", "##g"))
"""The pairs the deck's WordPiece slide merges, in order."""
UNIGRAM_SPLITS = (("hug", ("hug",), 0.071428), ("pug", ("pu", "g"), 0.007710), ("pun", ("pu", "n"), 0.006168),
                  ("bun", ("bu", "n"), 0.001451), ("hugs", ("hug", "s"), 0.001701))
"""The deck's Unigram table: word, split, the printed number (labelled -log P there)."""


def compare(config, table, steps, start) -> list[dict]:
    if config.algo == "bpe" and tuple(table) == EXAMPLES["deck-bpe"]:
        return _bpe(config, steps)
    if config.algo == "wordpiece" and tuple(table) == EXAMPLES["deck-hug"]:
        return _wordpiece(steps)
    if config.algo == "unigram" and tuple(table) == EXAMPLES["deck-hug"] and start is not None:
        return _unigram(start)
    return []


def _bpe(config, steps) -> list[dict]:
    out = []
    for step, deck in zip(steps, BPE_ADDED):
        agrees = step.merged == deck
        key = "" if agrees else ("tok.deck.bpe_marker" if config.end_of_word else "tok.deck.bpe_differs")
        args = {"step": step.index, "deck": deck, "pair": f"{step.left}+{step.right}", "count": step.count}
        out.append(_check(step.index, deck, step.merged, agrees, key, args))
    return out


def _wordpiece(steps) -> list[dict]:
    out = []
    for step, (a, b) in zip(steps, WORDPIECE_MERGES):
        agrees = (step.left, step.right) == (a, b)
        key, args = "", {}
        if not agrees:
            theirs = next((c for c in step.candidates if (c.left, c.right) == (a, b)), None)
            shown = (f"{theirs.pair_freq}/({theirs.left_freq}x{theirs.right_freq}) = "
                     f"{theirs.score.numerator}/{theirs.score.denominator}") if theirs else "-"
            key = "tok.deck.wordpiece_slip"
            args = {"step": step.index, "deck": f"{a}+{b}", "deck_score": shown, "pair": f"{step.left}+{step.right}",
                    "score": f"{step.score.numerator}/{step.score.denominator}"}
        out.append(_check(step.index, f"{a} {b}", f"{step.left} {step.right}", agrees, key, args))
    return out


def _unigram(start) -> list[dict]:
    out = []
    by_word = {w.word: w for w in start.words}
    for word, split, printed in UNIGRAM_SPLITS:
        ours = by_word[word]
        same_value = math.isclose(ours.probability, printed, abs_tol=1e-6)  # the deck prints 6 decimals, truncated
        same_split = ours.tokens == split or split in ours.ties
        agrees = same_value and same_split
        args = {"word": word, "printed": printed, "neg_log": f"{ours.neg_log:.3f}", "p": f"{ours.probability:.6f}",
                "ties": " / ".join(" ".join(t) for t in (ours.tokens, *ours.ties))}
        key = ("tok.deck.unigram_tie" if ours.ties else "tok.deck.unigram_p") if same_value \
            else "tok.deck.unigram_differs"
        out.append(_check(0, f"{' '.join(split)} {printed}", f"{' '.join(ours.tokens)} {ours.probability:.6f}",
                          agrees, key, args))
    return out


def _check(step: int, deck: str, ours: str, agrees: bool, key: str, args: dict) -> dict:
    """One comparison; ``key``/``args`` name the explanation so every front can translate it."""
    return {"step": step, "deck": deck, "ours": ours, "agrees": agrees, "key": key, "args": args,
            "note": english(key, **args) if key else ""}
