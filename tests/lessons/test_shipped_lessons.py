"""Every lesson that ships in ``lessons/`` loads and validates.

Nothing here is skipped: an empty ``lessons/`` folder is a failure, not a pass,
and each test asserts there is at least one lesson before checking it.
"""

from __future__ import annotations

import pytest

from engine.course.lessons import FOLDER_RE, KNOWN_LABS, LANGS, MIN_QUESTIONS, Course, Lesson, load_course
from lessons import ROOT


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course()


def shipped(course: Course) -> tuple[Lesson, ...]:
    assert course.lessons, f"no lesson loaded from {ROOT}"
    return course.lessons


def test_lesson_folders_exist():
    folders = [p.name for p in ROOT.iterdir() if p.is_dir() and FOLDER_RE.match(p.name)]
    assert folders, f"no NN-slug lesson folder in {ROOT}"


def test_every_lesson_loads_without_errors(course):
    assert not course.errors, "lesson errors:\n" + "\n".join(str(e) for e in course.errors)
    folders = [p for p in ROOT.iterdir() if p.is_dir() and FOLDER_RE.match(p.name)]
    assert len(shipped(course)) == len(folders)


def test_every_lesson_has_enough_questions(course):
    for lesson in shipped(course):
        assert len(lesson.questions) >= MIN_QUESTIONS, f"{lesson.id}: {len(lesson.questions)} questions"


def test_every_choice_answer_is_a_valid_index(course):
    for lesson in shipped(course):
        for q in lesson.questions:
            if q.kind == "choice":
                sizes = {len(q.choices[lang]) for lang in LANGS}
                assert len(sizes) == 1, f"{lesson.id}/{q.id}: choices differ in length"
                assert isinstance(q.answer, int) and 0 <= q.answer < sizes.pop(), f"{lesson.id}/{q.id}"
                assert q.check(q.answer)


def test_every_question_accepts_its_own_answer(course):
    for lesson in shipped(course):
        for q in lesson.questions:
            answer = q.answer[0] if q.kind == "short" else str(q.answer)
            assert q.check(answer), f"{lesson.id}/{q.id} rejects its own answer {answer!r}"


def test_ids_are_unique(course):
    ids = [lesson.id for lesson in shipped(course)]
    assert len(ids) == len(set(ids)), ids
    for lesson in course.lessons:
        qids = [q.id for q in lesson.questions]
        assert len(qids) == len(set(qids)), f"{lesson.id}: {qids}"


def test_orders_are_contiguous_from_one(course):
    orders = sorted(lesson.order for lesson in shipped(course))
    assert orders == list(range(orders[0], orders[0] + len(orders))) and orders[0] in (0, 1), orders


def test_labs_steps_and_prerequisites(course):
    by_id = {lesson.id: lesson for lesson in shipped(course)}
    for lesson in course.lessons:
        assert lesson.lab in KNOWN_LABS
        assert lesson.day in (1, 2)
        counts = {len(lesson.steps[lang]) for lang in LANGS}
        assert len(counts) == 1 and counts.pop() >= 1, f"{lesson.id}: step counts differ"
        for pid in lesson.prerequisites:
            assert pid in by_id and by_id[pid].order < lesson.order, f"{lesson.id} needs {pid}"


def test_day_one_comes_before_day_two(course):
    days = [lesson.day for lesson in sorted(shipped(course), key=lambda l: l.order)]
    assert days == sorted(days), days
