"""The home screen: the course map, and the way into every lesson, lab, run and chat.

It reads the course and the progress store from the app and re-reads progress each
time it comes back to the top (``ScreenResume``), so the status and score columns
are never stale after a lesson or quiz. Navigation goes through the app
(``open_lesson``, ``action_open_labs``...) so the palette and this screen share it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, OptionList, Static

from ..i18n import pick, t
from ..widgets.course_map import CourseMap
from .base import DojoScreen

MOVE = Binding.Group("move", compact=True)


class HomeScreen(DojoScreen):
    """Lessons by day with status and score; Enter opens, "c" continues."""

    BINDINGS = [
        Binding("k", "move(-1)", "Up", id="home.up", group=MOVE),
        Binding("j", "move(1)", "Down", id="home.down", group=MOVE),
        Binding("enter", "open", "Open", id="home.open", priority=True),
        Binding("c", "continue", "Continue", id="home.continue"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("home.intro"), id="home-intro")
        yield CourseMap(id="course-map")
        yield Static("", id="home-detail", markup=False)
        yield Footer()

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("home.title")

    def on_mount(self) -> None:
        self._fill()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self._fill()

    def relabel(self) -> None:
        self.query_one("#home-intro", Static).update(t("home.intro"))
        self._fill()

    def _fill(self) -> None:
        app = self.dojo
        progress = app.store.all() if app.store is not None else {}
        self.query_one(CourseMap).rebuild(app.course, progress)
        self._show_detail()

    def _show_detail(self) -> None:
        course_map = self.query_one(CourseMap)
        entry = course_map.highlighted_id or ""
        if entry.startswith("lesson:"):
            lesson = self.dojo.course.get(entry.removeprefix("lesson:"))
            text = t(
                "home.detail",
                summary=pick(lesson.summary),
                minutes=lesson.minutes,
                lab=t(f"lab.{lesson.lab}"),
            )
        elif entry:
            text = t(f"home.{entry}.detail")
        else:
            text = ""
        self.query_one("#home-detail", Static).update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def action_move(self, delta: int) -> None:
        course_map = self.query_one(CourseMap)
        if delta > 0:
            course_map.action_cursor_down()
        else:
            course_map.action_cursor_up()

    def action_open(self) -> None:
        self._open(self.query_one(CourseMap).highlighted_id)

    def _open(self, entry: str | None) -> None:
        app = self.dojo
        if entry is None:
            return
        if entry.startswith("lesson:"):
            app.open_lesson(entry.removeprefix("lesson:"))
        elif entry == "labs":
            app.action_open_labs()
        elif entry == "runs":
            app.action_open_runs()
        elif entry == "chat":
            app.action_open_chat()

    def action_continue(self) -> None:
        store = self.dojo.store
        last = store.last_lesson() if store is not None else None
        if last is None or self.dojo.course.get(last) is None:
            self.notify(t("home.nothing_to_continue"))
            return
        self.dojo.open_lesson(last)
