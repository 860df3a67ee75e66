"""The step-through: one config, one call, one result for BPE, WordPiece and Unigram.

:class:`StepConfig` holds the settings the CLI and the TUI share; :func:`run_steps`
trains on a word-frequency table and returns a :class:`StepsResult` whose ``to_dict``
is the ``--json`` output. When the table is one of the deck's examples, the result also
compares each step with what the deck prints (:mod:`engine.tokenize.deck`), so the lab
can say where the deck is right and where it slipped.

>>> r = run_steps(StepConfig(algo="bpe", steps=2), (("low", 5), ("lowest", 2)))
>>> [s.merged for s in r.steps]
['lo', 'low']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import setting
from ..errors import DojoError
from ..messages import Notice
from .bpe import END_OF_WORD, BpeStep, bpe_steps, initial_words
from .unigram import UnigramState, UnigramStep, unigram_steps
from .wordpiece import WordPieceStep, split_word, wordpiece_steps

ALGOS = ("bpe", "wordpiece", "unigram")
TIE_RULES = {
    "bpe": "ties go to the pair counted first (words in table order, pairs left to right), as the deck's "
           "max() over an insertion-ordered dict does",
    "wordpiece": "scores are exact fractions; ties go to the pair counted first, as in BPE",
    "unigram": "equally likely splits: the latest split point wins (the deck's choice); equal-cost removals "
               "go in vocabulary order",
}


@dataclass(frozen=True)
class StepConfig:
    algo: str = setting("bpe", choices=ALGOS)
    """Which algorithm to step through: BPE and WordPiece merge pairs, Unigram prunes a big vocabulary."""
    steps: int = setting(10, minimum=1, maximum=500)
    """How many merges (BPE, WordPiece) or pruning rounds (Unigram); 10 is the deck's BPE example."""
    end_of_word: bool = True
    """BPE only: append the end-of-word marker </w> to every word, as the deck's code does (its printed
    vocabulary is what you get without it)."""
    shrink: float = setting(0.1, minimum=0.01, maximum=0.9)
    """Unigram only: the share of the vocabulary removed each round (at least one token); the deck says
    10 to 20 percent."""

    def __post_init__(self) -> None:
        if self.algo not in ALGOS:
            raise DojoError(f"algorithm {self.algo!r}: use one of {', '.join(ALGOS)}")
        if not 1 <= self.steps <= 500:
            raise DojoError(f"steps {self.steps}: give 1 to 500 merges or rounds (the deck's example needs 10)")
        if not 0.01 <= self.shrink <= 0.9:
            raise DojoError(f"shrink {self.shrink}: the share of tokens pruned per round must be 0.01 to 0.9")


@dataclass(frozen=True)
class StepsResult:
    config: StepConfig
    table: tuple[tuple[str, int], ...]
    initial_vocab: tuple[str, ...]
    initial_words: tuple[tuple[tuple[str, ...], int], ...]
    steps: tuple[Any, ...]
    """BpeStep, WordPieceStep or UnigramStep, one per step done."""
    start: UnigramState | None = None
    """Unigram: the model before any pruning (the deck's probabilities)."""
    example: str | None = None
    deck: tuple[dict, ...] = ()
    """Step-by-step comparison with what the deck prints (built-in examples only)."""
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    @property
    def tie_rule(self) -> str:
        return TIE_RULES[self.config.algo]

    def vocab_at(self, index: int) -> tuple[str, ...]:
        """The vocabulary after ``index`` steps (0: the start)."""
        if index == 0:
            return self.start.vocab if self.start is not None else self.initial_vocab
        step = self.steps[index - 1]
        return step.state.vocab if isinstance(step, UnigramStep) else step.vocab

    def to_dict(self) -> dict:
        out = {"algo": self.config.algo, "steps_requested": self.config.steps, "steps_done": len(self.steps),
               "end_of_word": END_OF_WORD if self.config.algo == "bpe" and self.config.end_of_word else None,
               "tie_rule": self.tie_rule, "example": self.example,
               "table": [[w, c] for w, c in self.table], "initial_vocab": list(self.initial_vocab),
               "initial_words": [[" ".join(s), n] for s, n in self.initial_words],
               "steps": [s.to_dict() for s in self.steps],
               "final_vocab": list(self.vocab_at(len(self.steps))),
               "deck": list(self.deck), "notices": [n.to_dict() for n in self.notices]}
        if self.config.algo == "unigram":
            out["shrink"] = self.config.shrink
            out["start"] = self.start.to_dict() if self.start is not None else None
        return out


def run_steps(config: StepConfig, table, *, example: str | None = None, cancel=None) -> StepsResult:
    """Train ``config.algo`` on ``table`` for ``config.steps`` steps, recording each."""
    from . import deck

    table = tuple((str(w), int(c)) for w, c in table)
    notices: list[Notice] = []
    start = None
    if config.algo == "bpe":
        words = initial_words(table, config.end_of_word)
        steps: list[BpeStep | WordPieceStep | UnigramStep] = list(
            bpe_steps(table, config.steps, end_of_word=config.end_of_word, cancel=cancel))
    elif config.algo == "wordpiece":
        words = [(split_word(w), c) for w, c in table]
        steps = list(wordpiece_steps(table, config.steps, cancel=cancel))
    else:
        words = [(list(w), c) for w, c in table]
        start, pruned = unigram_steps(table, config.steps, config.shrink, cancel=cancel)
        steps = list(pruned)
    initial_vocab = tuple(dict.fromkeys(s for symbols, _ in words for s in symbols))
    if len(steps) < config.steps and not (cancel is not None and cancel.is_set()):
        notices.append(Notice("tok.steps_ran_out", {"done": len(steps), "asked": config.steps}))
    checks = tuple(deck.compare(config, table, steps, start))
    slips = [c["note"] for c in checks if not c["agrees"]]
    if slips:
        more = f" ({len(slips) - 1} later step(s) differ too)" if len(slips) > 1 else ""
        notices.append(Notice("tok.deck_slip", {"where": slips[0] + more}))
    if config.algo == "unigram" and checks:
        notices.append(Notice("tok.deck_neg_log"))
    return StepsResult(config, table, initial_vocab, tuple((tuple(s), n) for s, n in words), tuple(steps),
                       start, example, checks, tuple(notices))
