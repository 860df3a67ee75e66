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
        note = "" if agrees else (
            f"step {step.index}: the deck adds {deck!r}, this run merges {step.left}+{step.right} "
            f"(count {step.count})" + (" because of the </w> marker (the deck's list is the run without it)"
                                       if config.end_of_word else ""))
        out.append({"step": step.index, "deck": deck, "ours": step.merged, "agrees": agrees, "note": note})
    return out


def _wordpiece(steps) -> list[dict]:
    out = []
    for step, (a, b) in zip(steps, WORDPIECE_MERGES):
        agrees = (step.left, step.right) == (a, b)
        note = ""
        if not agrees:
            theirs = next((c for c in step.candidates if (c.left, c.right) == (a, b)), None)
            shown = (f"{theirs.pair_freq}/({theirs.left_freq}x{theirs.right_freq}) = "
                     f"{theirs.score.numerator}/{theirs.score.denominator}") if theirs else "not a pair here"
            note = (f"step {step.index}: the deck merges {a}+{b}, which scores {shown}; by the same formula "
                    f"{step.left}+{step.right} scores {step.score.numerator}/{step.score.denominator}, higher")
        out.append({"step": step.index, "deck": f"{a} {b}", "ours": f"{step.left} {step.right}",
                    "agrees": agrees, "note": note})
    return out


def _unigram(start) -> list[dict]:
    out = []
    by_word = {w.word: w for w in start.words}
    for word, split, printed in UNIGRAM_SPLITS:
        ours = by_word[word]
        same_value = math.isclose(ours.probability, printed, abs_tol=1e-6)  # the deck prints 6 decimals, truncated
        same_split = ours.tokens == split or split in ours.ties
        agrees = same_value and same_split
        note = (f"{word}: the deck prints {printed} and calls it -log P; it is P "
                f"(-log P = {ours.neg_log:.3f})") if same_value else \
            f"{word}: the deck prints {printed}, the computation gives {ours.probability:.6f}"
        if ours.ties:
            note += f"; tie: {' / '.join(' '.join(t) for t in (ours.tokens, *ours.ties))} are equally likely"
        out.append({"step": 0, "deck": f"{' '.join(split)} {printed}",
                    "ours": f"{' '.join(ours.tokens)} {ours.probability:.6f}", "agrees": agrees, "note": note})
    return out
