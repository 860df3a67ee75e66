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

from ..i18n import pick, t

STATUS_STYLE = {"not_started": "dim", "in_progress": "bold yellow", "done": "bold green"}


def _row(number: str, title: str, status: Text, score: str) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(width=3, justify="right", no_wrap=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(width=8, no_wrap=True)
    grid.add_column(width=5, justify="right", no_wrap=True)
    grid.add_row(number, title, status, score)
    return grid


def lesson_row(lesson: Any, progress: Any) -> Table:
    """One lesson: order, title, status, "correct/total" (or "-" before the quiz)."""
    status = progress.status if progress is not None else "not_started"
    answered = progress.quiz_answered if progress is not None else 0
    total = len(lesson.questions)
    score = f"{progress.quiz_correct}/{total}" if answered else "-"
    label = Text(t(f"status.{status}"), style=STATUS_STYLE.get(status, ""))
    return _row(f"{lesson.order}.", pick(lesson.title), label, score)


def _heading(text: str, style: str = "bold $accent") -> Option:
    """A disabled row that labels a group; its own colour overrides the greyed style."""
    return Option(Content.styled(text, style), disabled=True)


def course_rows(course: Any, progress: Mapping[str, Any]) -> list[Option | None]:
    """The map's rows in order: days, lessons, labs/runs/chat, then broken lessons."""
    rows: list[Option | None] = []
    for day, lessons in sorted(course.by_day().items()):
        rows.append(_heading(t("home.day", day=day)))
        for lesson in sorted(lessons, key=lambda lesson: lesson.order):
            rows.append(Option(lesson_row(lesson, progress.get(lesson.id)), id=f"lesson:{lesson.id}"))
    rows.append(None)
    rows.append(_heading(t("home.practice")))
    for entry in ("labs", "runs", "chat"):
        rows.append(Option(_row("", t(f"home.{entry}"), Text(""), ""), id=entry))
    if course.errors:
        rows.append(None)
        rows.append(_heading(t("home.broken"), "bold $error"))
        for error in course.errors:
            rows.append(Option(Text(str(error)), disabled=True))
    return rows


class CourseMap(OptionList):
    """The list on the home screen; ``rebuild`` keeps the highlighted row."""

    def rebuild(self, course: Any, progress: Mapping[str, Any]) -> None:
        keep = self.highlighted_option.id if self.highlighted_option is not None else None
        self.clear_options()
        self.add_options(course_rows(course, progress))
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
