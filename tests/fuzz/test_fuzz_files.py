"""Fuzzing the files a student hands in: datasets (JSONL/JSON/CSV/TSV, random bytes and
random shapes) and lesson folders (a real lesson with one file damaged). Each load either
succeeds with well-formed rows or is refused with a one-line DojoError."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st

from engine.errors import DojoError

from .budget import FUZZ, no_hang, one_line

JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False),
                        st.text(max_size=30))
JSON_VALUE = st.recursive(JSON_SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                               st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=12)
KEYS = st.sampled_from(["text", "label", "split", "messages", "prompt", "completion", "chosen", "rejected",
                        "role", "content", "review", "x"])
MESSAGE = st.fixed_dictionaries({"role": st.one_of(st.sampled_from(["user", "assistant", "system"]), JSON_SCALAR),
                                 "content": st.one_of(st.text(max_size=30), JSON_SCALAR)})
ROW = st.one_of(
    st.dictionaries(KEYS, st.one_of(JSON_VALUE, st.lists(MESSAGE, max_size=4)), max_size=5),
    st.fixed_dictionaries({"text": st.text(max_size=40), "label": st.sampled_from(["pos", "neg", "", "긍정"])},
                          optional={"split": st.sampled_from(["train", "test", "dev", "??", ""])}),
    st.fixed_dictionaries({"messages": st.lists(MESSAGE, max_size=4)}),
    JSON_VALUE)


def _jsonl(rows, noise: bytes, where: int) -> bytes:
    lines = [json.dumps(r, ensure_ascii=bool(where % 2)).encode() for r in rows]
    lines.insert(where % (len(lines) + 1), noise)
    return b"\n".join(lines) + b"\n"


def _csv(rows, delimiter: str) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for r in rows:
        writer.writerow(r)
    return out.getvalue().encode()


CELL = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
WORDS = st.text(alphabet=st.sampled_from(list("abc 가나 .,\"'\t")), min_size=1, max_size=20)
SENTIMENT_ROW = st.fixed_dictionaries({"text": WORDS, "label": st.sampled_from(["pos", "neg"])})
TURNS = st.lists(st.tuples(WORDS, WORDS), min_size=1, max_size=3).map(
    lambda pairs: {"messages": [m for u, a in pairs for m in ({"role": "user", "content": u},
                                                               {"role": "assistant", "content": a})]})
NEARLY_RIGHT = st.lists(st.one_of(SENTIMENT_ROW, TURNS), min_size=8, max_size=30)
"""Files that mostly load: well-formed rows of either task, so the accepting path is fuzzed too."""


def _csv_rows(rows) -> list[list[str]]:
    return [["text", "label"]] + [[r.get("text", "?"), r.get("label", "?")] for r in rows]


FILES = st.one_of(
    st.tuples(st.just(".jsonl"), NEARLY_RIGHT.map(lambda rows: "".join(json.dumps(r) + "\n" for r in rows).encode())),
    st.tuples(st.sampled_from([".csv", ".tsv"]), st.builds(_csv, NEARLY_RIGHT.map(_csv_rows),
                                                           st.sampled_from([",", "\t"]))),
    st.tuples(st.just(".jsonl"), st.builds(_jsonl, NEARLY_RIGHT, st.binary(max_size=40), st.integers(0, 40))),
    st.tuples(st.just(".jsonl"), st.builds(_jsonl, st.lists(ROW, max_size=8), st.binary(max_size=40),
                                           st.integers(0, 20))),
    st.tuples(st.just(".json"), st.lists(ROW, max_size=6).map(lambda r: json.dumps(r).encode())),
    st.tuples(st.sampled_from([".csv", ".tsv"]),
              st.builds(_csv, st.lists(st.lists(CELL, max_size=4), max_size=8), st.sampled_from([",", "\t"]))),
    st.tuples(st.sampled_from([".jsonl", ".csv", ".json", ".tsv"]), st.binary(max_size=300)),
)


@FUZZ
@given(FILES, st.sampled_from(["sentiment", "instruction", "preference"]))
def test_dataset_loader(file, task):
    from engine.training.datasets import REQUIRED, load_task_data

    if task not in REQUIRED:
        task = "sentiment"
    suffix, data = file
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"data{suffix}"
        path.write_bytes(data)
        try:
            with no_hang():
                loaded = load_task_data(str(path), task)
        except DojoError as exc:
            one_line(exc)
            event("refused")
            return
        event("loaded")
        assert path.read_bytes() == data
    assert loaded.train or loaded.test
    for row in loaded.train + loaded.test:
        assert isinstance(row, dict)
        if task == "sentiment":
            assert isinstance(row.get("text"), str) and isinstance(row.get("label"), str)


LESSON = Path(__file__).resolve().parents[2] / "lessons" / "01-tokenizers"


def _damage(text: str, start: int, stop: int, insert: str) -> str:
    start, stop = sorted((start % (len(text) + 1), stop % (len(text) + 1)))
    return text[:start] + insert + text[stop:]


@FUZZ
@given(st.sampled_from(["lesson.toml", "quiz.toml", "en.md", "ko.md"]),
       st.one_of(
           st.tuples(st.integers(0, 10**5), st.integers(0, 10**5),
                     st.one_of(st.text(max_size=40), st.sampled_from(['"', "[[question]]\n", "= ", "\n---\n", "]]",
                                                                     "answer = 99\n", "kind = \"x\"\n", "\x00"]))),
           st.binary(max_size=200)))
def test_lesson_and_quiz_loader(name, change):
    from engine.course.lessons import Lesson, load_lesson

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / LESSON.name
        shutil.copytree(LESSON, folder)
        target = folder / name
        if isinstance(change, bytes):
            target.write_bytes(change)
        else:
            target.write_text(_damage(target.read_text(encoding="utf-8"), *change), encoding="utf-8")
        try:
            with no_hang():
                lesson = load_lesson(folder)
        except DojoError as exc:
            assert str(exc).strip() and "Traceback" not in str(exc)  # one line per problem found
            event("refused")
            return
        event("loaded")
    assert isinstance(lesson, Lesson) and lesson.steps["en"] and lesson.steps["ko"]
