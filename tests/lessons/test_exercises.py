"""Runnable exercises: the engine's answers against an independent computation,
checking by value, and the lesson.toml validator for ``[[exercise]]`` blocks.

The independent computations use numpy / collections written here, not the
engine's solvers, so a wrong formula in the engine fails these tests.
"""

from __future__ import annotations

import math
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from engine.course.exercises import KINDS, Exercise, parse_pair
from engine.course.lessons import LessonValidationError, load_course, load_lesson

FIXTURE = Path(__file__).parent / "fixtures" / "01-sample"


def ex(kind: str, **params) -> Exercise:
    return Exercise("e", kind, params, {"ko": "?", "en": "?"})


def test_softmax_with_temperature():
    logits = np.array([2.0, 1.0, 0.1]) / 0.5
    p = np.exp(logits) / np.exp(logits).sum()
    assert ex("softmax", logits=[2.0, 1.0, 0.1], temperature=0.5, index=0).expected() == pytest.approx(p[0])


def test_bpe_first_merge_counts_pairs_and_breaks_ties_by_first_seen():
    corpus = [("hug", 10), ("pug", 5), ("pun", 12), ("bun", 4), ("hugs", 5)]
    counts = Counter()
    for word, n in corpus:
        for i in range(len(word) - 1):
            counts[word[i:i + 2]] += n
    best = max(counts.values())
    first = next(pair for pair in counts if counts[pair] == best)
    assert ex("bpe_merge", corpus=[list(c) for c in corpus]).expected() == tuple(first)
    # A tie: "ab" and "bc" both 1; "ab" is seen first.
    assert ex("bpe_merge", corpus=[["abc", 1]]).expected() == ("a", "b")
    # With the end-of-word marker the classic corpus still merges e + s first (count 9).
    classic = [["low", 5], ["lower", 2], ["newest", 6], ["widest", 3]]
    assert ex("bpe_merge", corpus=classic, end_marker=True).expected() == ("e", "s")


def test_numeric_kinds_match_an_independent_formula():
    assert ex("wordpiece_score", pair=16, first=36, second=16).expected() == pytest.approx(16 / (36 * 16))
    a, b = np.array([1.0, 2.0, 2.0]), np.array([2.0, 0.0, 1.0])
    assert ex("cosine", a=list(a), b=list(b)).expected() == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    probs = np.array([0.5, 0.25, 0.8, 0.1])
    assert ex("perplexity", probs=list(probs)).expected() == pytest.approx(np.prod(probs) ** (-1 / 4))
    assert ex("weights_memory", parameters=7e9, dtype="bf16").expected() == pytest.approx(14.0)
    assert ex("steps_per_epoch", examples=12000, batch=8, accumulation=4, gpus=2).expected() == 188
    assert ex("lora_params", d=4096, k=1024, r=16, matrices=32).expected() == 16 * 4096 * 32 + 1024 * 16 * 32
    z = 0.1 * ((-12 - -14) - (-15 - -13))
    assert ex("dpo_loss", beta=0.1, policy_chosen=-12, ref_chosen=-14, policy_rejected=-15,
              ref_rejected=-13).expected() == pytest.approx(-math.log(1 / (1 + math.exp(-z))))
    assert ex("f1", tp=30, fp=10, fn=20).expected() == pytest.approx(2 * 30 / (2 * 30 + 10 + 20))
    q = np.array([1.0, 0, 1, 0])
    keys = np.array([[1.0, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]])
    s = keys @ q / 2
    assert ex("attention_weight", query=list(q), keys=keys.tolist(), index=0).expected() == \
        pytest.approx(np.exp(s[0]) / np.exp(s).sum())
    assert ex("utf8_bytes", text="한 a").expected() == 5
    assert ex("penalized_logit", logit=1.5, count=2, frequency=0.4, presence=0.6).expected() == pytest.approx(0.1)


def test_checking_is_by_value_not_by_string():
    score = ex("wordpiece_score", pair=16, first=36, second=16)
    for typed in ("1/36", "0.0278", "0,0278", "0.02778"):
        assert score.check(typed).correct, typed
    assert not score.check("0.03").correct
    assert not score.check("모르겠다").well_formed
    merge = ex("bpe_merge", corpus=[["hug", 10], ["pun", 12]])
    assert merge.expected() == ("p", "u")  # p+u and u+n both 12: p+u is seen first
    for typed in ("p u", "p + u", "(p, u)", "'p', 'u'"):
        assert merge.check(typed).correct, typed
    assert merge.check("u n").well_formed and not merge.check("u n").correct
    assert not merge.check("pu").well_formed  # one symbol: asked again, not graded
    assert parse_pair("es t") == ("es", "t")


def test_every_shipped_lesson_has_an_exercise_whose_answer_computes():
    course = load_course()
    assert course.lessons and not course.errors
    for lesson in course.lessons:
        assert lesson.exercises, f"{lesson.id}: no [[exercise]]"
        for exercise in lesson.exercises:
            assert exercise.kind in KINDS
            expected = exercise.expected()
            typed = " ".join(expected) if isinstance(expected, tuple) else repr(float(expected))
            assert exercise.check(typed).correct, (lesson.id, exercise.id, typed)
            assert exercise.prompt["ko"].strip() and exercise.prompt["en"].strip()


@pytest.fixture
def lesson_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "01-sample"
    shutil.copytree(FIXTURE, folder)
    return folder


def test_a_bad_exercise_names_its_file_and_line(lesson_dir: Path):
    toml = lesson_dir / "lesson.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + (
        '\n[[exercise]]\nid = "e1"\nkind = "softmax"\n'
        'params = { logits = [1.0, 2.0], temperature = 0.0, index = 0 }\n'
        'prompt.ko = "?"\nprompt.en = "?"\n'
        '\n[[exercise]]\nid = "e2"\nkind = "no-such-kind"\nparams = {}\nprompt.ko = "?"\nprompt.en = "?"\n'
    ), encoding="utf-8")
    with pytest.raises(LessonValidationError) as info:
        load_lesson(lesson_dir)
    lines = toml.read_text(encoding="utf-8").split("\n")
    params_line = next(i for i, line in enumerate(lines, 1) if "temperature = 0.0" in line)
    kind_line = next(i for i, line in enumerate(lines, 1) if "no-such-kind" in line)
    text = str(info.value)
    assert f"lesson.toml:{params_line}: exercise 1: params.temperature must be a positive number" in text
    assert f"lesson.toml:{kind_line}: exercise 2: 'kind' must be one of" in text
