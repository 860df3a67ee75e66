"""The lesson validator: every broken fixture names the exact file and line.

Each test copies the tiny valid lesson in ``fixtures/01-sample`` into ``tmp_path``,
breaks one thing, and checks the error text a lesson author would see. Expected
line numbers are found by searching the broken file's text, independently of the
validator's own line scanner.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.course.lessons import KNOWN_LABS, LessonValidationError, load_course, load_lesson

FIXTURE = Path(__file__).parent / "fixtures" / "01-sample"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "lessons"
    root.mkdir()
    shutil.copytree(FIXTURE, root / "01-sample")
    return root


def add_lesson(root: Path, number: int, slug: str) -> Path:
    """Copy the fixture as lesson ``NN-slug`` with a matching id and order."""
    folder = root / f"{number:02d}-{slug}"
    shutil.copytree(FIXTURE, folder)
    edit(folder / "lesson.toml", 'id = "sample"\norder = 1', f'id = "{slug}"\norder = {number}')
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} must occur on one line of {path}, found {hits}"
    return hits[0]


def where(folder: Path, name: str, line: int | None = None) -> str:
    """``01-sample/quiz.toml:14:`` as it appears inside an error string."""
    shown = str(Path(folder.name) / name)
    return f"{shown}:{line}: " if line is not None else f"{shown}: "


def errors_of(folder: Path) -> list[str]:
    with pytest.raises(LessonValidationError) as info:
        load_lesson(folder)
    return [str(error) for error in info.value.errors]


def has(errors: list[str], *parts: str) -> bool:
    return any(all(part in error for part in parts) for error in errors)


def test_fixture_lesson_is_valid():
    lesson = load_lesson(FIXTURE)
    assert (lesson.id, lesson.order, lesson.day, lesson.lab, lesson.minutes) == ("sample", 1, 1, "tokenizer", 10)
    assert lesson.title["en"] == "Sample lesson: counting tokens"
    assert [s.title for s in lesson.steps["en"]] == ["What a token is", "Counting tokens"]
    assert lesson.steps["ko"][0].markdown.startswith("## 토큰이란\n")
    assert "---\nThis line sits inside a code block" in lesson.steps["en"][1].markdown
    assert [q.id for q in lesson.questions] == ["q1", "q2", "q3", "q4", "q5"]
    assert lesson.questions[0].choices["en"] == ("2", "3", "4")
    assert lesson.try_it["text"] == "low lower lowest"
    assert lesson.try_it["description"]["ko"].startswith("토크나이저")


def test_question_check_accepts_what_people_type():
    choice, numeric, short, _, integer = load_lesson(FIXTURE).questions
    assert choice.check(1) and choice.check("1") and choice.check(" 1 ")
    assert not choice.check(2) and not choice.check("one") and not choice.check(True)
    for typed in ("0.0714", "1/14", "7.14e-2", "0.0719", "  0.0709 "):
        assert numeric.check(typed), typed
    for typed in ("0.072", "1/0", "abc", "", "nan"):
        assert not numeric.check(typed), typed
    assert integer.check("3") and integer.check("6/2") and not integer.check("3.01")
    assert short.check(" Token ") and short.check("TOKENS") and not short.check("tok")


def test_missing_en_md(root):
    folder = root / "01-sample"
    (folder / "en.md").unlink()
    assert has(errors_of(folder), where(folder, "en.md"), "missing en.md")


def test_answer_not_among_choices(root):
    folder = root / "01-sample"
    edit(folder / "quiz.toml", "answer = 1\n", "answer = 4\n")
    line = line_of(folder / "quiz.toml", "answer = 4")
    errors = errors_of(folder)
    assert has(errors, where(folder, "quiz.toml", line) + "question q1: answer 4 is not among the 3 choices")


def test_unknown_lab(root):
    folder = root / "01-sample"
    edit(folder / "lesson.toml", 'lab = "tokenizer"', 'lab = "tokeniser"')
    line = line_of(folder / "lesson.toml", "tokeniser")
    expected = f"unknown lab 'tokeniser'; known labs: {', '.join(sorted(KNOWN_LABS))}"
    assert has(errors_of(folder), where(folder, "lesson.toml", line) + expected)


def test_mismatched_step_counts(root):
    folder = root / "01-sample"
    with (folder / "ko.md").open("a", encoding="utf-8") as f:
        f.write("\n---\n\n## 세 번째 단계\n\n영어판에는 없는 단계입니다.\n")
    line = line_of(folder / "ko.md", "## 세 번째 단계")
    assert has(errors_of(folder), where(folder, "ko.md", line) + "step 3 has no counterpart in en.md")


def test_step_without_heading(root):
    folder = root / "01-sample"
    edit(folder / "en.md", "## Counting tokens", "Counting tokens")
    line = line_of(folder / "en.md", "Counting tokens")
    assert has(errors_of(folder), where(folder, "en.md", line) + "step 2 must start with a '## ' heading")


def test_toml_syntax_error(root):
    folder = root / "01-sample"
    edit(folder / "quiz.toml", 'id = "q3"', 'id = "q3')
    line = line_of(folder / "quiz.toml", 'id = "q3')
    errors = errors_of(folder)
    assert has(errors, where(folder, "quiz.toml", line) + "TOML syntax error")


def test_toml_syntax_error_in_lesson_toml(root):
    folder = root / "01-sample"
    edit(folder / "lesson.toml", "minutes = 10", "minutes = ")
    line = line_of(folder / "lesson.toml", "minutes =")
    assert has(errors_of(folder), where(folder, "lesson.toml", line) + "TOML syntax error")


def test_fewer_than_five_questions(root):
    folder = root / "01-sample"
    quiz = folder / "quiz.toml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text[: text.rindex("[[question]]")], encoding="utf-8")
    last_line = len(quiz.read_text(encoding="utf-8").rstrip("\n").split("\n")) + 1
    expected = where(folder, "quiz.toml", last_line) + "only 4 questions; every lesson needs at least 5"
    assert has(errors_of(folder), expected)


def test_unknown_prerequisite_skips_only_that_lesson(root):
    second = add_lesson(root, 2, "second")
    edit(second / "lesson.toml", "prerequisites = []", 'prerequisites = ["sample", "nope"]')
    line = line_of(second / "lesson.toml", "prerequisites")
    course = load_course(root)
    assert [lesson.id for lesson in course.lessons] == ["sample"]
    errors = [str(e) for e in course.errors]
    assert has(errors, where(second, "lesson.toml", line) + "unknown prerequisite 'nope'")
    assert len(errors) == 1


def test_prerequisite_must_come_first(root):
    add_lesson(root, 2, "second")
    edit(root / "01-sample" / "lesson.toml", "prerequisites = []", 'prerequisites = [\n  "second",\n]')
    line = line_of(root / "01-sample" / "lesson.toml", '"second"')
    course = load_course(root)
    assert [lesson.id for lesson in course.lessons] == ["second"]
    assert has([str(e) for e in course.errors],
               where(root / "01-sample", "lesson.toml", line) + "prerequisite 'second' (lesson 2) must come before")


def test_every_problem_of_a_folder_is_reported(root):
    folder = root / "01-sample"
    edit(folder / "lesson.toml", 'lab = "tokenizer"', 'lab = "nope"')
    edit(folder / "quiz.toml", "answer = 1\n", "answer = 7\n")
    (folder / "ko.md").unlink()
    errors = errors_of(folder)
    assert has(errors, where(folder, "lesson.toml", 4) + "unknown lab 'nope'")
    assert has(errors, where(folder, "quiz.toml", line_of(folder / "quiz.toml", "answer = 7"))
               + "question q1: answer 7 is not among the 3 choices")
    assert has(errors, where(folder, "ko.md") + "missing ko.md")


def test_load_course_keeps_good_folders_and_ignores_non_lessons(root):
    broken = add_lesson(root, 2, "broken")
    edit(broken / "lesson.toml", "day = 1", "day = 3")
    add_lesson(root, 3, "third")
    (root / "__pycache__").mkdir()
    (root / ".hidden").mkdir()
    (root / "4-badly-named").mkdir()
    course = load_course(root)
    assert [lesson.id for lesson in course.lessons] == ["sample", "third"]
    errors = [str(e) for e in course.errors]
    assert has(errors, where(broken, "lesson.toml", 3) + "day 3 is not a course day")
    assert has(errors, "4-badly-named", "NN-slug")
    assert not has(errors, "__pycache__") and not has(errors, ".hidden")
    assert [lesson.id for lesson in course.by_day()[1]] == ["sample", "third"]
    assert course.get("third") is not None and course.get("broken") is None


def test_id_and_order_must_match_the_folder(root):
    folder = root / "02-other"
    shutil.copytree(FIXTURE, folder)
    errors = errors_of(folder)
    assert has(errors, where(folder, "lesson.toml", 1) + "id 'sample' must equal the folder's slug 'other'")
    assert has(errors, where(folder, "lesson.toml", 2) + "order 1 must equal the folder's number 02")


def test_wrong_types_and_unknown_keys(root):
    folder = root / "01-sample"
    edit(folder / "lesson.toml", "minutes = 10", 'minutes = "10"\nprerequisite = []')
    edit(folder / "lesson.toml", 'en = "Sample lesson: counting tokens"\n', "")
    lesson_toml = folder / "lesson.toml"
    errors = errors_of(folder)
    assert has(errors, where(folder, "lesson.toml", line_of(lesson_toml, "minutes")) + "'minutes' must be a positive integer")
    assert has(errors, where(folder, "lesson.toml", line_of(lesson_toml, "prerequisite =")) + "unknown key 'prerequisite'")
    assert has(errors, where(folder, "lesson.toml", line_of(lesson_toml, "[title]")) + "missing required key 'title.en'")


def test_quiz_lines_survive_multiline_strings_and_subtables(root):
    folder = root / "01-sample"
    quiz = folder / "quiz.toml"
    text = quiz.read_text(encoding="utf-8")
    start = text.index('[[question]]\nid = "q3"')
    end = text.index("[[question]]", start + 1)
    block = (
        '[[question]]\nid = "q3"\nkind = "short"\n'
        'explanation.ko = """\nanswer = ["가짜"]\n"""\n'
        "explanation.en = '''\nanswer = [\"fake\"]\n'''\n"
        'answer = "token"\n'
        '[question.prompt]\nko = "토큰을 영어로?"\n\n'
    )
    quiz.write_text(text[:start] + block + text[end:], encoding="utf-8")
    errors = errors_of(folder)
    assert has(errors, where(folder, "quiz.toml", line_of(quiz, 'answer = "token"'))
               + "question q3: 'answer' must be a non-empty list of non-empty strings")
    assert has(errors, where(folder, "quiz.toml", line_of(quiz, "[question.prompt]"))
               + "question q3: missing required key 'prompt.en'")


def test_choice_lengths_and_duplicate_ids(root):
    folder = root / "01-sample"
    quiz = folder / "quiz.toml"
    edit(quiz, 'choices.en = ["2", "3", "4"]', 'choices.en = ["2", "3"]')
    edit(quiz, 'id = "q5"', 'id = "q1"')
    errors = errors_of(folder)
    assert has(errors, where(folder, "quiz.toml", line_of(quiz, 'choices.en = ["2", "3"]'))
               + "question q1: choices.ko has 3 entries but choices.en has 2")
    first, second = [n for n, line in enumerate(quiz.read_text(encoding="utf-8").split("\n"), 1)
                     if line == 'id = "q1"']
    assert has(errors, where(folder, "quiz.toml", second)
               + f"question id 'q1' is used twice (first at line {first})")


def test_numeric_and_kind_checks(root):
    folder = root / "01-sample"
    quiz = folder / "quiz.toml"
    edit(quiz, "answer = 0.0714", 'answer = "0.0714"')
    edit(quiz, 'kind = "short"', 'kind = "essay"')
    errors = errors_of(folder)
    assert has(errors, where(folder, "quiz.toml", line_of(quiz, 'answer = "0.0714"'))
               + "question q2: 'answer' must be a number, not a string '0.0714'")
    assert has(errors, where(folder, "quiz.toml", line_of(quiz, "essay"))
               + "question q3: 'kind' must be one of choice, numeric, short")
