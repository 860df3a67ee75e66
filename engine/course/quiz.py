"""Quiz questions: the typed :class:`Question`, its answer check, and quiz.toml's validator.

A question is checked the same way everywhere (TUI, CLI, tests), so ``check`` lives
on the question itself and accepts what a person types::

    choice   "2" or 2              -> index into the choices (0-based)
    numeric  "0.07", "1/15", "7.1e-2", "0,711", "35바이트", "71.1%"
                                   -> within ``tolerance`` of the answer
    short    "  Hug "              -> any accepted answer, case-insensitive, stripped

``parse_quiz`` validates every ``[[question]]`` block of a quiz.toml and records
each problem with the line of the offending key (via :class:`~.source.TomlDoc`), so
an author sees all mistakes of the file at once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .source import LANGS, KeyPath, LessonError, TomlDoc, is_int, is_number, is_text

QUESTION_KINDS = ("choice", "numeric", "short")
MIN_QUESTIONS = 5
DEFAULT_TOLERANCE = 1e-9
_QUESTION_KEYS = ("id", "kind", "answer", "tolerance", "prompt", "choices", "explanation")
_INDEX = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class Question:
    """One quiz question; ``answer``'s type follows ``kind`` (int, float, tuple of str)."""

    id: str
    kind: str
    prompt: dict[str, str]
    choices: dict[str, tuple[str, ...]]
    answer: int | float | tuple[str, ...]
    tolerance: float = DEFAULT_TOLERANCE
    explanation: dict[str, str] = field(default_factory=dict)

    def check(self, response: str | int | float) -> bool:
        """Whether ``response`` (as typed, or a choice index) answers the question."""
        if self.kind == "choice":
            return _as_index(response) == self.answer
        if self.kind == "numeric":
            slack = 1e-12 * max(1.0, abs(float(self.answer)))  # float noise at the edge
            return any(abs(value - float(self.answer)) <= self.tolerance + slack
                       for value in number_readings(response))
        typed = _normalise(str(response))
        return any(typed == _normalise(accepted) for accepted in self.answer)


    def well_formed(self, response: str | int | float) -> bool:
        """Whether ``response`` has the form the question asks for (gradable at all).

        A numeric question given words ("모르겠다", "abc") is not answered wrong: the
        app asks for a number instead of grading and revealing the answer.
        """
        if self.kind == "numeric":
            return bool(number_readings(response))
        if self.kind == "choice":
            return _as_index(response) is not None
        return bool(str(response).strip())


def _as_index(response: Any) -> int | None:
    if isinstance(response, bool):
        return None
    if isinstance(response, int):
        return response
    if isinstance(response, str) and _INDEX.fullmatch(response.strip()):
        return int(response.strip())
    return None


def parse_number(response: Any) -> float | None:
    """``"0.07"``, ``"1/15"``, ``"7.1e-2"``, ``"−3"`` -> float; None if not a finite number."""
    if isinstance(response, bool):
        return None
    if isinstance(response, (int, float)):
        value = float(response)
    else:
        text = str(response).strip().replace("\u2212", "-")
        try:
            if "/" in text:
                top, bottom = text.split("/", 1)
                denominator = float(bottom)
                if denominator == 0:
                    return None
                value = float(top) / denominator
            else:
                value = float(text)
        except ValueError:
            return None
    return value if math.isfinite(value) else None


_LEADING_NUMBER = re.compile(
    r"\s*([+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:\s*/\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+))?)"
    r"\s*(%?)\s*([^\d]*)$"
)
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?")


def number_readings(response: Any) -> list[float]:
    """Every number a person may have meant by ``response`` (empty: not a number).

    Beyond :func:`parse_number`: a unit after the number is dropped ("35바이트",
    "35 bytes"), a comma is a thousands separator where it groups three digits after
    a non-zero lead ("1,024"), a decimal comma otherwise ("0,711"), and both where it
    could be either ("2,639": 2639 or 2.639); "71.1%" reads as 0.711 or as 71.1. The
    question decides which reading is right.
    """
    value = parse_number(response)
    if value is not None:
        return [value]
    if isinstance(response, (bool, int, float)):
        return []
    text = str(response).strip().replace("\u2212", "-").replace("\uff05", "%")
    match = _LEADING_NUMBER.fullmatch(text)
    if match is None:
        return []
    number, percent, _unit = match.groups()
    number = number.replace(" ", "")
    texts = [number]
    if "," in number:
        texts = []
        if _THOUSANDS.fullmatch(number):
            texts.append(number.replace(",", ""))  # 1,024
        if number.count(",") == 1 and "." not in number and "/" not in number:
            texts.append(number.replace(",", "."))  # 0,711 (and 2,639 may be either)
        if not texts:
            return []
    values = [v for v in map(parse_number, texts) if v is not None]
    if percent:
        values = [x for v in values for x in (v / 100, v)]
    return values


def _normalise(text: str) -> str:
    return text.strip().casefold()


def parse_quiz(doc: TomlDoc) -> tuple[Question, ...]:
    """Every valid question of ``doc``; problems go to ``doc.errors``."""
    data = doc.data
    for key in sorted(set(data) - {"question"}):
        doc.error((key,), f"unknown key '{key}'; a quiz holds only [[question]] blocks")
    blocks = data.get("question", [])
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        doc.error(("question",), "'question' must be written as [[question]] blocks")
        return ()
    questions: list[Question] = []
    first_line: dict[str, int | None] = {}
    for index, block in enumerate(blocks):
        base: KeyPath = ("question", index)
        question = _parse_question(doc, base, block, index)
        qid = block.get("id")
        if isinstance(qid, str) and qid:
            if qid in first_line:
                doc.error(base + ("id",), f"question id '{qid}' is used twice (first at line {first_line[qid]})")
                continue
            first_line[qid] = doc.line(base + ("id",))
        if question is not None:
            questions.append(question)
    if len(blocks) < MIN_QUESTIONS:
        missing = MIN_QUESTIONS - len(blocks)
        # Pointed at the last line: that is where the missing questions go.
        doc.errors.append(LessonError(
            doc.path, max(1, doc.lines.n_lines),
            f"only {len(blocks)} questions; every lesson needs at least {MIN_QUESTIONS} "
            f"(add {missing} more)",
        ))
    return tuple(questions)


def _parse_question(doc: TomlDoc, base: KeyPath, block: dict[str, Any], index: int) -> Question | None:
    before = len(doc.errors)
    qid = block.get("id")
    label = f"question {qid}: " if is_text(qid) else f"question #{index + 1}: "
    qid = doc.take(block, base, "id", is_text, "a non-empty string", label)
    for key in block:
        if key not in _QUESTION_KEYS:
            doc.error(base + (key,), f"{label}unknown key '{key}'; known keys: {', '.join(_QUESTION_KEYS)}")
    kind = doc.take(block, base, "kind", lambda v: v in QUESTION_KINDS,
                    f"one of {', '.join(QUESTION_KINDS)}", label)
    prompt = doc.take_langs(block, base, "prompt", label)
    explanation = doc.take_langs(block, base, "explanation", label)
    choices: dict[str, tuple[str, ...]] = {}
    answer: Any = None
    tolerance = DEFAULT_TOLERANCE
    if kind == "choice":
        choices = _parse_choices(doc, block, base, label)
        answer = doc.take(block, base, "answer", is_int, "a 0-based choice index (an integer)", label)
        sizes = {len(c) for c in choices.values()}
        if answer is not None and len(choices) == len(LANGS) and len(sizes) == 1:
            (size,) = sizes
            if not 0 <= answer < size:
                doc.error(base + ("answer",), f"{label}answer {answer} is not among the {size} choices "
                                              f"(answers are 0-based: 0 to {size - 1})")
    else:
        if "choices" in block:
            doc.error(base + ("choices",), f"{label}choices only belong to kind = \"choice\"")
    if kind == "numeric":
        answer = doc.take(block, base, "answer", is_number, "a number", label)
        tolerance = doc.take(block, base, "tolerance", lambda v: is_number(v) and v >= 0,
                             "a number >= 0", label, default=DEFAULT_TOLERANCE)
    elif "tolerance" in block:
        doc.error(base + ("tolerance",), f"{label}tolerance only belongs to kind = \"numeric\"")
    if kind == "short":
        answer = doc.take(block, base, "answer",
                          lambda v: isinstance(v, list) and bool(v) and all(is_text(a) for a in v),
                          "a non-empty list of non-empty strings", label)
        if answer is not None:
            answer = tuple(answer)
    if len(doc.errors) > before:
        return None
    return Question(id=qid, kind=kind, prompt=prompt, choices=choices, answer=answer,
                    tolerance=float(tolerance), explanation=explanation)


def _parse_choices(doc: TomlDoc, block: dict[str, Any], base: KeyPath, label: str) -> dict[str, tuple[str, ...]]:
    table = doc.take(block, base, "choices", lambda v: isinstance(v, dict),
                     "a table with ko and en lists", label)
    if table is None:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for lang in LANGS:
        value = doc.take(table, base + ("choices",), lang,
                         lambda v: isinstance(v, list) and len(v) >= 2 and all(is_text(c) for c in v),
                         "a list of at least 2 non-empty strings", label)
        if value is not None:
            out[lang] = tuple(value)
    for extra in sorted(set(table) - set(LANGS)):
        doc.error(base + ("choices", extra), f"{label}unknown language 'choices.{extra}'; use ko and en")
    if len(out) == len(LANGS) and len({len(c) for c in out.values()}) > 1:
        first, second = LANGS
        doc.error(base + ("choices", second),
                  f"{label}choices.{first} has {len(out[first])} entries but choices.{second} "
                  f"has {len(out[second])}; they must match one to one")
    return out


__all__ = ["Question", "QUESTION_KINDS", "MIN_QUESTIONS", "DEFAULT_TOLERANCE", "parse_quiz",
           "parse_number", "number_readings"]
