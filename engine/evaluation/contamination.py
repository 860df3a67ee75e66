"""Contamination: how much of an evaluation set a model may have read during training.

When the training text is known (the embedded models were pretrained on the corpus
of ``engine.text.corpus`` and tuned on the instruction set's train rows), every item
is checked for word n-grams that also occur in that text, as the GPT-3 paper did with
13-grams. An item with any shared n-gram is *flagged*; the share of flagged items is
reported beside the scores, so a high score on text the model has seen is not
mistaken for skill. The default n is 8 (Korean eojeol carry more than English
words, so a shorter n-gram is already specific).

>>> flagged(["the cat sat on the mat today", "a new sentence"], ["yes the cat sat on the mat"], n=4)
[True, False]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

N = 8


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def flagged(items: Iterable[str], training: Iterable[str], n: int = N) -> list[bool]:
    """For each item: does it share a word n-gram with the training text?"""
    items = list(items)
    seen: set[tuple[str, ...]] = set()
    wanted = set().union(*(ngrams(t, n) for t in items)) if items else set()
    for text in training:
        seen |= ngrams(text, n) & wanted
    return [bool(ngrams(t, n) & seen) for t in items]


@dataclass(frozen=True)
class Contamination:
    n: int
    flagged: int
    total: int
    source: str
    """What the training text was."""

    @property
    def fraction(self) -> float:
        return self.flagged / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "flagged": self.flagged, "total": self.total, "fraction": self.fraction,
                "source": self.source}


def item_text(task: str, item: dict[str, Any]) -> str:
    """The text of an item a model could have memorised (question with its answer)."""
    if task == "multiple_choice":
        return f"{item.get('question') or item.get('prompt')} {item['choices'][item['answer']]}"
    if task == "generation":
        return f"{item['prompt']} {item['answers'][0]}"
    return item["text"]


def known_training_text(model: str) -> tuple[str, list[str]] | None:
    """(description, texts) of what an embedded model was trained on; None when unknown."""
    from ..models.resolve import embedded_models

    if model not in embedded_models():
        return None
    from ..training.pretrain_data import load_instruction_rows
    from ..training.presets import get_preset
    from .data import corpus

    texts = corpus(get_preset(model).corpus).texts("train")
    chat = ["\n".join(m["content"] for m in row["messages"]) for row in load_instruction_rows("train")]
    return f"{model}'s pretraining corpus and instruction rows", texts + chat


def check(model: str, task: str, items: list[dict[str, Any]], n: int = N) -> Contamination | None:
    known = known_training_text(model)
    if known is None:
        return None
    source, texts = known
    marks = flagged([item_text(task, it) for it in items], texts, n)
    return Contamination(n, sum(marks), len(marks), source)
