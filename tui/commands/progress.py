"""`progress`: show how far you are through the course, or wipe it.

A thin front on ``engine.course``: the lessons come from ``load_course()``, the
numbers from ``ProgressStore``; this module only renders them (a rich table, or
``--json`` for scripts) and asks before wiping. Quiz counts are taken over the
lesson's current questions, so answers to questions an update removed do not count.
The table speaks the app's language (``--lang``, else the one saved by the app, else
the locale) with the course map's words, from the same ``tui/i18n`` tables; the quiz
score comes from ``engine.course.progress.quiz_score``, as on the map.
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

_STATUS_COLOUR = {"done": "green", "in_progress": "yellow", "not_started": "dim"}


def register(app: typer.Typer) -> None:
    app.command("progress")(progress)


def progress(ctx: typer.Context, json_out: JsonOpt = False, reset: ResetOpt = False,
             yes: YesOpt = False) -> None:
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
            saved_lang = store.get_setting("lang")
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
    given = (ctx.obj or {}).get("lang") if isinstance(ctx.obj, dict) else None
    _print_table(course, rows, last, _lang(given, saved_lang))


def _lang(given: str | None, saved: str | None) -> str:
    """--lang, else the language the app was last used in, else the locale's."""
    from ..i18n import LANGS, locale_lang

    for lang in (given, saved):
        if lang in LANGS:
            return lang
    return locale_lang()


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


def _print_table(course: Course, rows: list[dict[str, Any]], last: str | None, lang: str = "en") -> None:
    """The table in ``lang``, with the course map's words: same status words, same quiz
    score (``quiz_score(...).text``: right answers / questions, "-" before any answer)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ..i18n import TABLES

    def say(key: str, **values: Any) -> str:
        return TABLES[lang][key].format(**values)

    for error in course.errors:
        sys.stderr.write(f"warning: lesson skipped: {error}\n")
    console = Console()
    if not rows:
        console.print(say("cli.progress.none"))
        return
    table = Table(title=say("cli.progress.title"))
    table.add_column("#", justify="right")
    table.add_column(say("home.col.lesson"), overflow="fold")
    table.add_column(say("home.col.status"), no_wrap=True)
    table.add_column(say("cli.progress.step"), justify="right", no_wrap=True)
    table.add_column(say("home.col.quiz"), justify="right", no_wrap=True)
    table.add_column(say("cli.progress.time"), justify="right", no_wrap=True)
    for row in rows:
        status = row["status"]
        style = _STATUS_COLOUR.get(status, "")
        table.add_row(str(row["order"]), escape(row["title"][lang]),
                      f"[{style}]{escape(say(f'status.{status}'))}[/]" if style else say(f"status.{status}"),
                      _step_text(row), row["quiz"]["text"], format_duration(row["time_spent_s"]))
    console.print(table)
    done = sum(row["status"] == "done" for row in rows)
    console.print(escape(say("cli.progress.summary", done=done, total=len(rows))))
    title = next((row["title"][lang] for row in rows if row["id"] == last), None)
    if last is not None:
        console.print(escape(say("cli.progress.last", title=title or last)))
