"""`llm-dojo progress`: JSON output, the table, --reset with and without --yes, errors.

The command is registered on a local Typer app (as tui/cli.py will do) and reads
the fixture course, so these tests do not depend on the shipped lessons.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from engine.course.lessons import load_course
from engine.course.progress import ProgressStore
from engine.paths import progress_db
from tui.commands import progress as progress_cmd

FIXTURES = Path(__file__).parent / "lessons" / "fixtures"


@pytest.fixture
def app(tmp_path, monkeypatch) -> typer.Typer:
    monkeypatch.setenv("LLM_DOJO_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(progress_cmd, "load_course", lambda: load_course(FIXTURES))
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """A group, so the command is called by its name as in the real CLI."""

    progress_cmd.register(app)
    return app


def run(app: typer.Typer, *args: str, input: str | None = None):
    return CliRunner().invoke(app, ["progress", *args], input=input)


def seed() -> None:
    with ProgressStore(progress_db()) as store:
        store.set_step("sample", 1)
        store.record_answer("sample", "q1", "1", True)
        store.record_answer("sample", "q2", "0.5", False)
        store.record_answer("sample", "gone", "x", True)  # a question the lesson no longer has
        store.add_time("sample", 75)
        store.set_setting("lang", "en")


def test_json_fresh(app):
    result = run(app, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["last_lesson"] is None and data["lesson_errors"] == []
    assert data["lessons"] == {"sample": {
        "order": 1, "day": 1,
        "title": {"ko": "예시 레슨: 토큰 세기", "en": "Sample lesson: counting tokens"},
        "status": "not_started", "current_step": 0, "total_steps": 2,
        "quiz": {"correct": 0, "answered": 0, "total": 5, "text": "-"}, "time_spent_s": 0.0,
    }}


def test_json_after_progress(app):
    seed()
    data = json.loads(run(app, "--json").stdout)
    sample = data["lessons"]["sample"]
    assert sample["status"] == "in_progress"
    assert (sample["current_step"], sample["total_steps"]) == (1, 2)
    assert sample["quiz"] == {"correct": 1, "answered": 2, "total": 5, "text": "1/5"}
    assert sample["time_spent_s"] == 75.0
    assert data["last_lesson"] == "sample"


def test_table(app):
    seed()
    result = run(app)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("Sample lesson: counting tokens", "in progress", "2/2", "1/5", "1m 15s",
                 "0 of 1 lessons done", "Last opened: Sample lesson"):
        assert text in out, f"{text!r} not in:\n{out}"


def test_table_in_korean_uses_the_maps_words(app):
    seed()
    with ProgressStore(progress_db()) as store:
        store.set_setting("lang", "ko")
    out = run(app).stdout
    for text in ("예시 레슨: 토큰 세기", "진행 중", "상태", "퀴즈", "1/5", "레슨 1개 중 0개 완료"):
        assert text in out, f"{text!r} not in:\n{out}"


def test_cli_and_course_map_give_the_same_quiz_score(app):
    """One function (engine.course.progress.quiz_score) for both fronts: the removed
    question "gone" counts in neither, and the two texts are the same string."""
    from rich.console import Console

    from tui.i18n import set_lang
    from tui.widgets.course_map import lesson_row

    seed()
    data = json.loads(run(app, "--json").stdout)["lessons"]["sample"]
    lesson = load_course(FIXTURES).get("sample")
    with ProgressStore(progress_db()) as store:
        progress = store.get("sample")
    assert progress.quiz_answered == 3  # the store still has the removed question's answer
    set_lang("en")
    console = Console(width=80, record=True)
    console.print(lesson_row(lesson, progress))
    map_row = console.export_text()
    assert data["quiz"]["text"] == "1/5"
    assert map_row.rstrip().endswith(data["quiz"]["text"]), map_row
    assert "in progress" in map_row and data["status"] == "in_progress"


def test_reset_with_yes_wipes_progress_and_keeps_settings(app):
    seed()
    result = run(app, "--reset", "--yes")
    assert result.exit_code == 0, result.output
    assert "wiped" in result.stdout
    with ProgressStore(progress_db()) as store:
        assert store.all() == {} and store.get_setting("lang") == "en"


def test_reset_without_yes_and_without_a_terminal_refuses(app):
    seed()
    result = run(app, "--reset")
    assert result.exit_code == 2
    assert "--yes" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    with ProgressStore(progress_db()) as store:
        assert store.get("sample").status == "in_progress"


@pytest.mark.parametrize(("answer", "wiped"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_reset_asks_on_a_terminal(app, monkeypatch, answer, wiped):
    seed()
    monkeypatch.setattr(progress_cmd, "_stdin_is_tty", lambda: True)
    result = run(app, "--reset", input=answer)
    assert result.exit_code == 0, result.output
    assert "Wipe all progress? [y/N]" in result.stdout
    with ProgressStore(progress_db()) as store:
        assert (store.all() == {}) is wiped


def test_corrupt_database_is_one_line_and_exit_2(app):
    db = progress_db()
    db.parent.mkdir(parents=True)
    db.write_bytes(os.urandom(2048))
    for args in (["--json"], [], ["--reset", "--yes"]):
        result = run(app, *args)
        assert result.exit_code == 2, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "damaged" in lines[0] and lines[0].startswith("error: ")
        assert result.stdout == ""
    assert db.read_bytes() != b"" and not list(db.parent.glob("*.bak"))  # nothing moved


def test_lesson_errors_are_reported_not_fatal(app, monkeypatch, tmp_path):
    root = tmp_path / "lessons"
    (root / "01-sample").mkdir(parents=True)
    monkeypatch.setattr(progress_cmd, "load_course", lambda: load_course(root))
    result = run(app, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["lessons"] == {}
    assert any("missing lesson.toml" in e for e in data["lesson_errors"])
    result = run(app)
    assert "No lessons found." in result.stdout and "missing lesson.toml" in result.stderr
