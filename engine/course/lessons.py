"""Load and validate the course: ``lessons/NN-slug/`` folders -> typed :class:`Lesson`s.

Pure (tomllib + dataclasses), so the TUI, the CLI and the tests all see the same
course. Lessons are content written by many hands, so the loader is strict and
helpful rather than forgiving: every problem becomes a :class:`LessonError` that
names the file and the line (``lessons/03-x/quiz.toml:14: question q3: answer 4 is
not among the 3 choices``), all problems of a folder are reported together, and
:func:`load_course` skips a broken folder but loads the rest, so one typo never
takes the whole course down. Checks that need more than one folder (duplicate ids
or orders, prerequisites) happen in :func:`load_course`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DojoError
from .exercises import Exercise, parse_exercises
from .quiz import MIN_QUESTIONS, Question, parse_quiz
from .source import LANGS, LessonError, TomlDoc, TomlLines, is_int, is_text, read_text

KNOWN_LABS: frozenset[str] = frozenset({
    "tokenizer", "morphology", "embeddings", "language-model", "models", "generation",
    "sft", "lora", "dpo", "evaluation", "attention", "chat", "applications",
})
DAYS = (1, 2)
FOLDER_RE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
_LESSON_KEYS = ("id", "order", "day", "lab", "prerequisites", "minutes", "title", "summary", "try_it",
                "exercise")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Step:
    """One step of a lesson's reading; ``markdown`` includes its ``## title`` line."""

    title: str
    markdown: str


@dataclass(frozen=True, eq=False)  # identity hash: usable as a dict key in the TUI
class Lesson:
    id: str
    order: int
    day: int
    lab: str
    path: Path
    title: dict[str, str]
    summary: dict[str, str]
    prerequisites: tuple[str, ...]
    minutes: int
    steps: dict[str, tuple[Step, ...]]
    questions: tuple[Question, ...]
    try_it: dict[str, Any]
    exercises: tuple[Exercise, ...] = ()


class LessonValidationError(DojoError):
    """A lesson folder with problems; ``errors`` holds every one of them."""

    def __init__(self, errors: list[LessonError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Course:
    lessons: tuple[Lesson, ...]
    errors: tuple[LessonError, ...]

    def get(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def by_day(self) -> dict[int, list[Lesson]]:
        """Day -> its lessons in course order (only days that have lessons)."""
        days: dict[int, list[Lesson]] = {}
        for lesson in sorted(self.lessons, key=lambda l: l.order):
            days.setdefault(lesson.day, []).append(lesson)
        return dict(sorted(days.items()))


# -- one folder ---------------------------------------------------------------------------


def load_lesson(folder: Path) -> Lesson:
    """Load ``folder`` (``NN-slug``); raise :class:`LessonValidationError` listing every problem."""
    folder = Path(folder)
    errors: list[LessonError] = []
    match = FOLDER_RE.match(folder.name)
    if match is None:
        raise LessonValidationError([LessonError(folder, None, _bad_folder_name())])
    number, slug = int(match.group(1)), match.group(2)

    meta = _parse_meta(folder / "lesson.toml", number, slug, errors)
    steps: dict[str, tuple[Step, ...]] = {}
    starts: dict[str, list[int]] = {}
    for lang in LANGS:
        parsed = _parse_steps(folder / f"{lang}.md", errors)
        if parsed is not None:
            steps[lang] = tuple(step for step, _ in parsed)
            starts[lang] = [line for _, line in parsed]
    if len(steps) == len(LANGS):
        _check_step_counts(folder, starts, errors)
    quiz = TomlDoc.load(folder / "quiz.toml", errors)
    questions = parse_quiz(quiz) if quiz is not None else ()

    if errors or meta is None:
        raise LessonValidationError(errors)
    return Lesson(path=folder, steps=steps, questions=questions, **meta)


def _bad_folder_name() -> str:
    return ("folder name must be NN-slug (two digits, a dash, lowercase words joined by '-'); "
            "this folder is not loaded")


def _parse_meta(path: Path, number: int, slug: str, errors: list[LessonError]) -> dict[str, Any] | None:
    doc = TomlDoc.load(path, errors)
    if doc is None:
        return None
    before = len(errors)
    data = doc.data
    for key in data:
        if key not in _LESSON_KEYS:
            doc.error((key,), f"unknown key '{key}'; known keys: {', '.join(_LESSON_KEYS)}")
    lesson_id = doc.take(data, (), "id", is_text, "a string")
    if lesson_id is not None and lesson_id != slug:
        doc.error(("id",), f"id '{lesson_id}' must equal the folder's slug '{slug}'")
    order = doc.take(data, (), "order", is_int, "an integer")
    if order is not None and order != number:
        doc.error(("order",), f"order {order} must equal the folder's number {number:02d}")
    day = doc.take(data, (), "day", is_int, "an integer")
    if day is not None and day not in DAYS:
        doc.error(("day",), f"day {day} is not a course day; use 1 or 2")
    lab = doc.take(data, (), "lab", is_text, "a string")
    if lab is not None and lab not in KNOWN_LABS:
        doc.error(("lab",), f"unknown lab '{lab}'; known labs: {', '.join(sorted(KNOWN_LABS))}")
    minutes = doc.take(data, (), "minutes", lambda v: is_int(v) and v > 0, "a positive integer")
    prerequisites = doc.take(data, (), "prerequisites",
                             lambda v: isinstance(v, list) and all(is_text(p) for p in v),
                             "a list of lesson ids", default=[])
    if prerequisites and slug in prerequisites:
        doc.error(("prerequisites",), f"lesson '{slug}' cannot be its own prerequisite")
    title = doc.take_langs(data, (), "title")
    summary = doc.take_langs(data, (), "summary")
    try_it = doc.take(data, (), "try_it", lambda v: isinstance(v, dict), "a table", default={})
    if try_it and "description" in try_it:
        doc.take_langs(try_it, ("try_it",), "description")
    exercises = parse_exercises(doc)
    if len(errors) > before:
        return None
    return dict(id=lesson_id, order=order, day=day, lab=lab, minutes=minutes,
                prerequisites=tuple(prerequisites), title=title, summary=summary, try_it=try_it,
                exercises=exercises)


def _parse_steps(path: Path, errors: list[LessonError]) -> list[tuple[Step, int]] | None:
    """Split a reading into steps at lines holding only ``---`` (outside code fences)."""
    text = read_text(path, errors)
    if text is None:
        return None
    chunks: list[tuple[int, list[str]]] = [(1, [])]
    fence: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and opened and opened.group(1)[0] == fence[0] \
                and len(opened.group(1)) >= len(fence) and not line.strip()[len(opened.group(1)):]:
            fence = None
        elif fence is None and line.strip() == "---":
            chunks.append((number + 1, []))
            continue
        chunks[-1][1].append(line)
    before = len(errors)
    steps: list[tuple[Step, int]] = []
    for index, (start, lines) in enumerate(chunks, start=1):
        body = [i for i, line in enumerate(lines) if line.strip()]
        if not body:
            errors.append(LessonError(path, max(1, start - 1), f"step {index} is empty"))
            continue
        first, last = body[0], body[-1]
        heading = lines[first]
        line_no = start + first
        if not heading.startswith("## ") or not heading[3:].strip():
            errors.append(LessonError(path, line_no, f"step {index} must start with a '## ' heading "
                                                     f"(its title), not {heading.strip()[:30]!r}"))
            continue
        markdown = "\n".join(lines[first : last + 1])
        steps.append((Step(title=heading[3:].strip(), markdown=markdown), line_no))
    return steps if len(errors) == before else None


def _check_step_counts(folder: Path, starts: dict[str, list[int]], errors: list[LessonError]) -> None:
    first, second = LANGS
    a, b = len(starts[first]), len(starts[second])
    if a == b:
        return
    longer, shorter = (first, second) if a > b else (second, first)
    extra = min(a, b)  # 0-based index of the first step without a counterpart
    errors.append(LessonError(
        folder / f"{longer}.md", starts[longer][extra],
        f"step {extra + 1} has no counterpart in {shorter}.md ({first}.md has {a} steps, "
        f"{second}.md has {b}; step N in one language is step N in the other)",
    ))


# -- the whole course -----------------------------------------------------------------------


def load_course(root: Path | None = None) -> Course:
    """Every valid lesson under ``root`` (default: the shipped ``lessons/``), in order.

    Folders that do not look like lessons (``__pycache__``, ``.git``) are ignored; a
    folder starting with a digit but not named ``NN-slug`` is reported. A folder
    with problems is skipped and its problems are collected in ``Course.errors``.
    """
    if root is None:
        from lessons import ROOT

        root = ROOT
    root = Path(root)
    errors: list[LessonError] = []
    if not root.is_dir():
        return Course((), (LessonError(root, None, "lesson folder not found"),))
    candidates: list[Path] = []
    slugs: set[str] = set()
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        match = FOLDER_RE.match(folder.name)
        if match:
            candidates.append(folder)
            slugs.add(match.group(2))
        elif folder.name[:1].isdigit():
            errors.append(LessonError(folder, None, _bad_folder_name()))

    loaded: list[Lesson] = []
    for folder in candidates:
        try:
            loaded.append(load_lesson(folder))
        except LessonValidationError as exc:
            errors.extend(exc.errors)

    unique: list[Lesson] = []
    for lesson in loaded:
        clash = next((o for o in unique if o.id == lesson.id or o.order == lesson.order), None)
        if clash is None:
            unique.append(lesson)
            continue
        key = "id" if clash.id == lesson.id else "order"
        value = lesson.id if key == "id" else lesson.order
        errors.append(LessonError(lesson.path / "lesson.toml", _meta_line(lesson, key),
                                  f"{key} {value!r} is already used by {clash.path.name}"))

    by_id = {lesson.id: lesson for lesson in unique}
    lessons: list[Lesson] = []
    for lesson in unique:
        problems = []
        for pid in lesson.prerequisites:
            other = by_id.get(pid)
            line = _prerequisite_line(lesson, pid)
            if other is not None and other.order >= lesson.order:
                problems.append(LessonError(lesson.path / "lesson.toml", line,
                                            f"prerequisite '{pid}' (lesson {other.order}) must come "
                                            f"before this lesson ({lesson.order})"))
            elif other is None and pid not in slugs:
                problems.append(LessonError(lesson.path / "lesson.toml", line,
                                            f"unknown prerequisite '{pid}'; no lesson has that id"))
            # A prerequisite whose folder exists but failed to load keeps this lesson:
            # that folder's own errors say what to fix.
        errors.extend(problems)
        if not problems:
            lessons.append(lesson)
    lessons.sort(key=lambda l: l.order)
    return Course(tuple(lessons), tuple(errors))


def _meta_line(lesson: Lesson, key: str) -> int | None:
    text = read_text(lesson.path / "lesson.toml", [])
    return TomlLines(text).line_of(key) if text is not None else None


def _prerequisite_line(lesson: Lesson, pid: str) -> int | None:
    """The line that names ``pid`` in ``prerequisites`` (which may span lines)."""
    text = read_text(lesson.path / "lesson.toml", [])
    if text is None:
        return None
    start = TomlLines(text).line_of("prerequisites")
    if start is None:
        return None
    lines = text.split("\n")
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if f'"{pid}"' in line or f"'{pid}'" in line:
            return number
        if "]" in line.split("#", 1)[0]:
            break
    return start


__all__ = ["KNOWN_LABS", "LANGS", "Step", "Question", "Lesson", "LessonError",
           "LessonValidationError", "Course", "load_lesson", "load_course"]
