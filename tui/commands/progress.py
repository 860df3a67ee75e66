"""`progress`: show how far you are through the course, or wipe it.

A thin front on ``engine.course``: the lessons come from ``load_course()``, the
numbers from ``ProgressStore``; this module only renders them (a rich table, or
``--json`` for scripts) and asks before wiping. Quiz counts are taken over the
lesson's current questions, so answers to questions an update removed do not count.
Strings are English for now; the TUI's translations live in ``tui/i18n``.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from engine.course.lessons import Course, Lesson, load_course
from engine.course.progress import LessonProgress, ProgressStore, quiz_score
from engine.errors import DojoError
from engine.paths import ensure_home, progress_db

from .common import JsonOpt, fail, print_json

ResetOpt = Annotated[bool, typer.Option("--reset", help="Wipe all lesson progress and quiz answers (settings are kept).")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="With --reset: do not ask for confirmation.")]

_STATUS_STYLE = {"done": "[green]done[/]", "in_progress": "[yellow]in progress[/]",
                 "not_started": "[dim]not started[/]"}


def register(app: typer.Typer) -> None:
    app.command("progress")(progress)


def progress(json_out: JsonOpt = False, reset: ResetOpt = False, yes: YesOpt = False) -> None:
    """Show your progress through the lessons (steps, quiz, time), or wipe it with --reset."""
    try:
        if reset:
            _reset(yes, json_out)
            return
        course = load_course()
        store = _open_store()
        try:
            done = store.all()
            last = store.last_lesson()
        finally:
            store.close()
    except DojoError as exc:
        fail(str(exc))
        return
    rows = [_row(lesson, done.get(lesson.id, LessonProgress(lesson.id))) for lesson in course.lessons]
    if json_out:
        print_json({
            "lessons": {row["id"]: {k: v for k, v in row.items() if k != "id"} for row in rows},
            "last_lesson": last,
            "lesson_errors": [str(e) for e in course.errors],
        })
        return
    _print_table(course, rows, last)


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _open_store() -> ProgressStore:
    ensure_home()
    return ProgressStore(progress_db())


def _reset(yes: bool, json_out: bool) -> None:
    if not yes and not _stdin_is_tty():
        fail("--reset asks for confirmation and there is no terminal to ask on; "
             "pass --yes to wipe without asking")
    store = _open_store()
    try:
        if not yes and not typer.confirm("Wipe all progress?", default=False):
            typer.echo("Nothing was wiped.")
            return
        store.reset()
    finally:
        store.close()
    if json_out:
        print_json({"reset": True})
    else:
        typer.echo("All lesson progress and quiz answers were wiped (settings kept).")


def _row(lesson: Lesson, done: LessonProgress) -> dict[str, Any]:
    score = quiz_score(lesson, done)
    return {
        "id": lesson.id,
        "order": lesson.order,
        "day": lesson.day,
        "title": dict(lesson.title),
        "status": done.status,
        "current_step": done.current_step,
        "total_steps": len(lesson.steps["en"]),
        "quiz": {"correct": score.correct, "answered": score.answered, "total": score.total,
                 "text": score.text},
        "time_spent_s": round(done.time_spent_s, 1),
    }


def _step_text(row: dict[str, Any]) -> str:
    total = row["total_steps"]
    if row["status"] == "done":
        return f"{total}/{total}"
    if row["status"] == "not_started":
        return f"0/{total}"
    return f"{min(row['current_step'] + 1, total)}/{total}"


def format_duration(seconds: float) -> str:
    """``75`` -> ``"1m 15s"``; ``3725`` -> ``"1h 02m"``; ``0`` -> ``"-"``."""
    seconds = int(round(seconds))
    if seconds <= 0:
        return "-"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def _print_table(course: Course, rows: list[dict[str, Any]], last: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    for error in course.errors:
        sys.stderr.write(f"warning: lesson skipped: {error}\n")
    console = Console()
    if not rows:
        console.print("No lessons found.")
        return
    table = Table(title="LLM Dojo progress")
    table.add_column("#", justify="right")
    table.add_column("Lesson", overflow="fold")
    table.add_column("Status")
    table.add_column("Step", justify="right")
    table.add_column("Quiz", justify="right")
    table.add_column("Time", justify="right")
    for row in rows:
        quiz = row["quiz"]
        table.add_row(str(row["order"]), row["title"]["en"], _STATUS_STYLE.get(row["status"], row["status"]),
                      _step_text(row), f"{quiz['correct']}/{quiz['answered']}/{quiz['total']}",
                      format_duration(row["time_spent_s"]))
    console.print(table)
    done = sum(row["status"] == "done" for row in rows)
    console.print(f"{done} of {len(rows)} lessons done. Quiz: right/answered/questions.")
    title = next((row["title"]["en"] for row in rows if row["id"] == last), None)
    if last is not None:
        console.print(f"Last opened: {title or last}")
