"""Runnable exercises: the student computes something by hand, the engine checks it.

A lesson lists ``[[exercise]]`` blocks in its ``lesson.toml``::

    [[exercise]]
    id = "e1"
    kind = "softmax"                       # one of KINDS
    params = { logits = [2.0, 1.0, 0.1], temperature = 0.5, index = 0 }
    prompt.ko = "..."
    prompt.en = "..."

The answer is never written in the lesson: ``Exercise.expected()`` computes it from
``params`` with the kind's solver (plain Python arithmetic, the same formulas as the
lesson), and ``Exercise.check(typed)`` compares what the student typed with it by
value (numbers within a tolerance, merge pairs as pairs), not by string match. So a
lesson author who changes ``params`` can never leave a stale answer behind.

    >>> ex = Exercise("e1", "lora_params", {"d": 4096, "k": 4096, "r": 8}, {"ko": "", "en": ""})
    >>> ex.expected(), ex.check("65,536").correct
    (65536, True)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .quiz import number_readings
from .source import KeyPath, TomlDoc, is_number, is_text

_EXERCISE_KEYS = ("id", "kind", "params", "prompt", "tolerance")


# -- solvers: params -> the answer ------------------------------------------------------


def _numbers(params: Mapping[str, Any], key: str) -> list[float]:
    value = params[key]
    if not isinstance(value, list) or not value or not all(is_number(v) for v in value):
        raise ValueError(f"params.{key} must be a non-empty list of numbers")
    return [float(v) for v in value]


def _number(params: Mapping[str, Any], key: str, positive: bool = False) -> float:
    value = params[key]
    if not is_number(value) or (positive and value <= 0):
        raise ValueError(f"params.{key} must be a {'positive ' if positive else ''}number")
    return float(value)


def _index(params: Mapping[str, Any], key: str, size: int) -> int:
    value = params[key]
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < size:
        raise ValueError(f"params.{key} must be an index from 0 to {size - 1}")
    return value


def softmax(logits: list[float], temperature: float = 1.0) -> list[float]:
    scaled = [x / temperature for x in logits]
    top = max(scaled)
    exps = [math.exp(x - top) for x in scaled]
    total = sum(exps)
    return [e / total for e in exps]


def solve_softmax(p: Mapping[str, Any]) -> float:
    """P(token ``index``) after softmax(logits / temperature)."""
    logits = _numbers(p, "logits")
    return softmax(logits, _number(p, "temperature", positive=True))[_index(p, "index", len(logits))]


def bpe_pairs(corpus: list[tuple[str, int]], end_marker: bool) -> Counter:
    """Counts of adjacent symbol pairs over a word-count corpus (characters as symbols)."""
    counts: Counter = Counter()
    for word, count in corpus:
        symbols = list(word) + (["</w>"] if end_marker else [])
        for a, b in zip(symbols, symbols[1:]):
            counts[(a, b)] += count
    return counts


def solve_bpe_merge(p: Mapping[str, Any]) -> tuple[str, str]:
    """The first merge: the most frequent pair; a tie goes to the pair seen first."""
    corpus = p["corpus"]
    if not isinstance(corpus, list) or not corpus or not all(
            isinstance(e, list) and len(e) == 2 and is_text(e[0]) and isinstance(e[1], int) and e[1] > 0
            for e in corpus):
        raise ValueError('params.corpus must be a list of [word, count] pairs, e.g. [["low", 5]]')
    counts = bpe_pairs([(w, c) for w, c in corpus], bool(p.get("end_marker", False)))
    if not counts:
        raise ValueError("params.corpus has no word with two or more characters")
    return max(counts, key=counts.__getitem__)  # Counter keeps insertion order: first max wins


def solve_wordpiece_score(p: Mapping[str, Any]) -> float:
    """f(ab) / (f(a) * f(b))."""
    return _number(p, "pair", True) / (_number(p, "first", True) * _number(p, "second", True))


def solve_cosine(p: Mapping[str, Any]) -> float:
    a, b = _numbers(p, "a"), _numbers(p, "b")
    if len(a) != len(b):
        raise ValueError("params.a and params.b must have the same length")
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(x * x for x in b))
    if na == 0 or nb == 0:
        raise ValueError("params.a and params.b must not be zero vectors")
    return sum(x * y for x, y in zip(a, b)) / (na * nb)


def solve_perplexity(p: Mapping[str, Any]) -> float:
    """exp(-mean ln p) over the probabilities the model gave the real tokens."""
    probs = _numbers(p, "probs")
    if not all(0 < x <= 1 for x in probs):
        raise ValueError("params.probs must be probabilities in (0, 1]")
    return math.exp(-sum(math.log(x) for x in probs) / len(probs))


def solve_weights_memory(p: Mapping[str, Any]) -> float:
    """GB (10^9 bytes) of weights: parameters x bytes per parameter."""
    size = {"fp32": 4, "float32": 4, "fp16": 2, "float16": 2, "bf16": 2, "bfloat16": 2,
            "int8": 1, "int4": 0.5}
    dtype = p["dtype"]
    if dtype not in size:
        raise ValueError(f"params.dtype must be one of {', '.join(size)}")
    return _number(p, "parameters", True) * size[dtype] / 1e9


def solve_steps_per_epoch(p: Mapping[str, Any]) -> int:
    """Optimizer steps per epoch: ceil(examples / (batch x accumulation x GPUs))."""
    effective = _number(p, "batch", True) * _number(p, "accumulation", True) * _number(p, "gpus", True)
    return math.ceil(_number(p, "examples", True) / effective)


def solve_lora_params(p: Mapping[str, Any]) -> int:
    """Trained LoRA parameters: r x (d + k) per adapted matrix, times ``matrices``."""
    d, k, r = (int(_number(p, name, True)) for name in ("d", "k", "r"))
    return r * (d + k) * int(_number({"m": p.get("matrices", 1)}, "m", True))


def solve_dpo_loss(p: Mapping[str, Any]) -> float:
    """-log sigmoid(beta * ((pc - rc) - (pr - rr))) from summed log-probabilities."""
    beta = _number(p, "beta", True)
    margin = (_number(p, "policy_chosen") - _number(p, "ref_chosen")) \
        - (_number(p, "policy_rejected") - _number(p, "ref_rejected"))
    z = beta * margin
    return math.log1p(math.exp(-z)) if z > -30 else -z


def solve_f1(p: Mapping[str, Any]) -> float:
    tp, fp, fn = (_number(p, name) for name in ("tp", "fp", "fn"))
    if tp <= 0:
        raise ValueError("params.tp must be positive")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)


def solve_attention_weight(p: Mapping[str, Any]) -> float:
    """softmax(q . k_j / sqrt(d)) at ``index``: one scaled dot-product attention weight."""
    q = _numbers(p, "query")
    keys = p["keys"]
    if not isinstance(keys, list) or not keys:
        raise ValueError("params.keys must be a list of vectors")
    rows = [_numbers({"k": k}, "k") for k in keys]
    if any(len(k) != len(q) for k in rows):
        raise ValueError("every key must have the query's length")
    scores = [sum(a * b for a, b in zip(q, k)) / math.sqrt(len(q)) for k in rows]
    return softmax(scores)[_index(p, "index", len(rows))]


def solve_utf8_bytes(p: Mapping[str, Any]) -> int:
    text = p["text"]
    if not isinstance(text, str) or not text:
        raise ValueError("params.text must be a non-empty string")
    return len(text.encode("utf-8"))


def solve_penalized_logit(p: Mapping[str, Any]) -> float:
    """logit - count x frequency_penalty - (count > 0) x presence_penalty (OpenAI's rule)."""
    count = _number(p, "count")
    return _number(p, "logit") - count * _number(p, "frequency") - (1 if count > 0 else 0) * _number(p, "presence")


@dataclass(frozen=True)
class Kind:
    solve: Callable[[Mapping[str, Any]], Any]
    answer: str  # "number" or "pair": how a typed answer is read
    tolerance: float = 0.0005


KINDS: dict[str, Kind] = {
    "softmax": Kind(solve_softmax, "number"),
    "bpe_merge": Kind(solve_bpe_merge, "pair"),
    "wordpiece_score": Kind(solve_wordpiece_score, "number", 0.0005),
    "utf8_bytes": Kind(solve_utf8_bytes, "number", 0),
    "cosine": Kind(solve_cosine, "number"),
    "perplexity": Kind(solve_perplexity, "number", 0.005),
    "weights_memory": Kind(solve_weights_memory, "number", 0.05),
    "penalized_logit": Kind(solve_penalized_logit, "number", 0.005),
    "steps_per_epoch": Kind(solve_steps_per_epoch, "number", 0),
    "lora_params": Kind(solve_lora_params, "number", 0),
    "dpo_loss": Kind(solve_dpo_loss, "number", 0.0005),
    "f1": Kind(solve_f1, "number", 0.0005),
    "attention_weight": Kind(solve_attention_weight, "number", 0.0005),
}


# -- checking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    well_formed: bool  # False: the app asks again (a number, or a pair such as "e s")
    correct: bool
    expected: str  # the computed answer, shown after a check


_PAIR_SPLIT = re.compile(r"\s*(?:\+|,|\s)\s*")


def parse_pair(text: str) -> tuple[str, str] | None:
    """``"e s"``, ``"e + s"``, ``"(e, s)"``, ``"'e', 's'"`` -> ``("e", "s")``."""
    body = text.strip().strip("()[]").strip()
    parts = [part.strip().strip("'\"`") for part in _PAIR_SPLIT.split(body) if part.strip()]
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


def show(value: Any) -> str:
    if isinstance(value, tuple):
        return " + ".join(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4g}"


@dataclass(frozen=True)
class Exercise:
    id: str
    kind: str
    params: dict[str, Any]
    prompt: dict[str, str]
    tolerance: float | None = None

    def expected(self) -> Any:
        return KINDS[self.kind].solve(self.params)

    def check(self, response: str) -> Verdict:
        kind = KINDS[self.kind]
        expected = self.expected()
        if kind.answer == "pair":
            pair = parse_pair(str(response))
            if pair is None:
                return Verdict(False, False, show(expected))
            return Verdict(True, pair == expected, show(expected))
        readings = number_readings(response)
        if not readings:
            return Verdict(False, False, show(expected))
        tolerance = kind.tolerance if self.tolerance is None else self.tolerance
        slack = 1e-9 * max(1.0, abs(float(expected)))
        ok = any(abs(value - float(expected)) <= tolerance + slack for value in readings)
        return Verdict(True, ok, show(expected))


def parse_exercises(doc: TomlDoc) -> tuple[Exercise, ...]:
    """The ``[[exercise]]`` blocks of a lesson.toml; problems go to ``doc.errors``."""
    blocks = doc.data.get("exercise", [])
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        doc.error(("exercise",), "'exercise' must be written as [[exercise]] blocks")
        return ()
    out: list[Exercise] = []
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        base: KeyPath = ("exercise", index)
        label = f"exercise {index + 1}: "
        before = len(doc.errors)
        for key in block:
            if key not in _EXERCISE_KEYS:
                doc.error(base + (key,), f"{label}unknown key '{key}'; known keys: {', '.join(_EXERCISE_KEYS)}")
        eid = doc.take(block, base, "id", is_text, "a string", label)
        if eid in seen:
            doc.error(base + ("id",), f"{label}id '{eid}' is used twice")
        seen.add(eid)
        kind = doc.take(block, base, "kind", lambda v: v in KINDS, f"one of {', '.join(KINDS)}", label)
        params = doc.take(block, base, "params", lambda v: isinstance(v, dict), "a table", label)
        prompt = doc.take_langs(block, base, "prompt", label)
        tolerance = doc.take(block, base, "tolerance", lambda v: is_number(v) and v >= 0,
                             "a number >= 0", label, default=None)
        if kind is not None and params is not None:
            try:
                KINDS[kind].solve(params)
            except KeyError as exc:
                doc.error(base + ("params",), f"{label}params lacks {exc.args[0]!r} for kind '{kind}'")
            except (ValueError, TypeError, ZeroDivisionError) as exc:
                doc.error(base + ("params",), f"{label}{exc}")
        if len(doc.errors) == before:
            out.append(Exercise(eid, kind, dict(params), prompt,
                                None if tolerance is None else float(tolerance)))
    return tuple(out)


__all__ = ["KINDS", "Exercise", "Verdict", "parse_exercises", "parse_pair", "softmax"]
