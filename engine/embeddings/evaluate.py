"""Judge vectors against benchmarks people made, with gensim's own evaluators.

* wordsim353 (353 pairs) and simlex999 (999 pairs): ``KeyedVectors.evaluate_word_pairs``:
  Pearson and Spearman correlation between the model's cosine similarity and the human
  scores, over the pairs whose words are both in the vocabulary, and the share of pairs
  skipped (OOV ratio: on a corpus of 60,000 words most pairs are skipped).
* questions-words (19,544 analogies in 14 sections): ``KeyedVectors.evaluate_word_analogies``:
  accuracy at rank 1 over the questions whose four words are all known, per section.

The three files ship in gensim's test data (``gensim.test.utils.datapath``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .corpus import benchmark_path
from .store import Embedding

PAIRS = ("wordsim353.tsv", "simlex999.txt")
ANALOGIES = "questions-words.txt"


@dataclass(frozen=True)
class PairScore:
    benchmark: str
    pearson: float | None
    pearson_p: float | None
    spearman: float | None
    spearman_p: float | None
    oov_ratio: float
    """Percent of pairs skipped because a word is out of vocabulary."""

    def to_dict(self) -> dict[str, Any]:
        return {"benchmark": self.benchmark, "pearson": _r(self.pearson), "pearson_p": _r(self.pearson_p),
                "spearman": _r(self.spearman), "spearman_p": _r(self.spearman_p), "oov_ratio": _r(self.oov_ratio)}


@dataclass(frozen=True)
class AnalogyScore:
    accuracy: float | None
    """Correct / answerable (None when nothing was answerable)."""
    correct: int
    answerable: int
    total: int
    sections: tuple[tuple[str, int, int], ...]
    """(section, correct, answerable) for the 14 sections."""

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": _r(self.accuracy), "correct": self.correct, "answerable": self.answerable,
                "total": self.total,
                "sections": [{"section": s, "correct": c, "answerable": n} for s, c, n in self.sections]}


@dataclass(frozen=True)
class EvalResult:
    name: str
    algorithm: str
    vocab_size: int
    pairs: tuple[PairScore, ...]
    analogies: AnalogyScore

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "algorithm": self.algorithm, "vocab_size": self.vocab_size,
                "pairs": {p.benchmark: p.to_dict() for p in self.pairs}, "analogies": self.analogies.to_dict()}


def _r(value: float | None, digits: int = 4) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def _num(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def question_count() -> int:
    """Analogy questions in questions-words.txt (lines that are not ': section' headers)."""
    lines = benchmark_path(ANALOGIES).read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if line.strip() and not line.startswith(":"))


def evaluate(embedding: Embedding) -> EvalResult:
    import warnings

    wv = embedding.wv
    pairs = []
    for name in PAIRS:
        with warnings.catch_warnings():  # scipy warns about constant input on tiny overlaps
            warnings.simplefilter("ignore")
            try:
                pearson, spearman, oov = wv.evaluate_word_pairs(str(benchmark_path(name)))
            except ValueError:  # gensim: "No valid similarity judgements found": every pair is OOV
                pairs.append(PairScore(name.split(".")[0], None, None, None, None, 100.0))
                continue
        pairs.append(PairScore(name.split(".")[0], _num(pearson[0]), _num(pearson[1]), _num(spearman[0]),
                               _num(spearman[1]), float(oov)))
    score, sections = wv.evaluate_word_analogies(str(benchmark_path(ANALOGIES)))
    rows = tuple((s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
                 for s in sections if s["section"] != "Total accuracy")
    total = next(s for s in sections if s["section"] == "Total accuracy")
    correct, answerable = len(total["correct"]), len(total["correct"]) + len(total["incorrect"])
    analogies = AnalogyScore(correct / answerable if answerable else None, correct, answerable,
                             question_count(), rows)
    return EvalResult(embedding.name, embedding.algorithm, len(wv.index_to_key), tuple(pairs), analogies)
