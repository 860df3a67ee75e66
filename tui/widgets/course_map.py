"""The course map: every lesson by day with its status and quiz score, then the labs.

An ``OptionList`` whose rows are rich table grids, so columns line up by terminal
cell width (a Hangul syllable is two cells) instead of by ``len()``. Day headings and
lessons that failed validation are disabled rows: the cursor skips them, and the
broken lessons stay visible, greyed, with their ``file:line: message``.

Option ids: ``lesson:<id>`` for lessons, ``labs`` / ``runs`` / ``chat`` for the rest.

    >>> rows = course_rows(course, progress)   # list of Option | None (separator)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from engine.course.progress import quiz_score

from ..i18n import pick, t

STATUS_STYLE = {"not_started": "dim", "in_progress": "bold yellow", "done": "bold green"}


STATUS_WIDTH = 11  # "not started" / "in progress", the CLI's words too
SCORE_WIDTH = 5


def _row(number: str, title: str | Text, status: Text | str, score: str) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(width=3, justify="right", no_wrap=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(width=STATUS_WIDTH, no_wrap=True, overflow="ellipsis")
    grid.add_column(width=SCORE_WIDTH, justify="right", no_wrap=True)
    grid.add_row(number, title, status, score)
    return grid


def _columns() -> Option:
    """The column headers, as the first (disabled) row so they line up with the cells."""
    header = _row("#", Text(t("home.col.lesson"), style="bold"), Text(t("home.col.status"), style="bold"),
                  t("home.col.quiz"))
    return Option(header, disabled=True)


def lesson_row(lesson: Any, progress: Any) -> Table:
    """One lesson: order, title, status, "correct/total" (or "-" before the quiz)."""
    status = progress.status if progress is not None else "not_started"
    label = Text(t(f"status.{status}"), style=STATUS_STYLE.get(status, ""))
    return _row(f"{lesson.order}.", pick(lesson.title), label, quiz_score(lesson, progress).text)


def _heading(text: str, style: str = "bold $accent") -> Option:
    """A disabled row that labels a group; its own colour overrides the greyed style."""
    return Option(Content.styled(text, style), disabled=True)


def course_rows(course: Any, progress: Mapping[str, Any], training: int = 0,
                chat_ready: bool = False) -> list[Option | None]:
    """The map's rows in order: column headers, days, lessons, labs/runs/chat, broken lessons.

    ``training`` is how many runs are training now: the runs row says so, so a student
    sees from the map that something is going on in the background. At 80x24 the
    whole shipped course and the practice rows fit without scrolling.
    """
    rows: list[Option | None] = [_columns()]
    for day, lessons in sorted(course.by_day().items()):
        rows.append(_heading(t("home.day", day=day)))
        for lesson in sorted(lessons, key=lambda lesson: lesson.order):
            rows.append(Option(lesson_row(lesson, progress.get(lesson.id)), id=f"lesson:{lesson.id}"))
    rows.append(_heading(t("home.practice")))
    for entry in ("labs", "runs", "chat"):
        status = Text("")
        if entry == "runs" and training:
            status = Text(t("home.runs.training", count=training), style="bold cyan")
        elif entry == "chat" and not chat_ready:
            status = Text(t("home.coming"), style="dim")
        rows.append(Option(_row("", t(f"home.{entry}"), status, ""), id=entry))
    if course.errors:
        rows.append(None)
        rows.append(_heading(t("home.broken"), "bold $error"))
        for error in course.errors:
            rows.append(Option(Text(str(error)), disabled=True))
    return rows


class CourseMap(OptionList):
    """The list on the home screen; ``rebuild`` keeps the highlighted row."""

    def rebuild(self, course: Any, progress: Mapping[str, Any], training: int = 0,
                chat_ready: bool = False) -> None:
        keep = self.highlighted_option.id if self.highlighted_option is not None else None
        self.clear_options()
        self.add_options(course_rows(course, progress, training, chat_ready))
        if keep is not None:
            try:
                self.highlighted = self.get_option_index(keep)
                return
            except OptionDoesNotExist:  # the row is gone (a lesson became invalid)
                pass
        self.action_first()

    @property
    def highlighted_id(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None
