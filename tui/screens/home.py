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

    # At this height or more the detail shows the lesson's summary; below it (80x24)
    # one line (minutes, lab) keeps every lesson and the practice rows on screen.
    TALL = 30

    def compose(self) -> ComposeResult:
        yield Header()
        course_map = CourseMap(id="course-map")
        course_map.border_subtitle = t("home.intro")
        yield course_map
        yield Static("", id="home-detail", markup=False)
        yield Footer()

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("home.title")

    RUNS_POLL_S = 3.0
    """How often the map looks for runs that started or ended (the "training" sign)."""

    def on_mount(self) -> None:
        self._training = training_runs()
        self._fill()
        self.set_interval(self.RUNS_POLL_S, self._poll_runs)

    def _poll_runs(self) -> None:
        if not self.is_current:
            return
        count = training_runs()
        if count != self._training:
            self._training = count
            self._fill()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self._fill()

    def relabel(self) -> None:
        self.query_one(CourseMap).border_subtitle = t("home.intro")
        self._fill()

    def on_resize(self) -> None:
        self._show_detail()

    def _fill(self) -> None:
        app = self.dojo
        progress = app.store.all() if app.store is not None else {}
        chat_ready = "chat" in app.services.labs
        self._training = training_runs()
        self.query_one(CourseMap).rebuild(app.course, progress, self._training, chat_ready)
        self._show_detail()

    def _show_detail(self) -> None:
        course_map = self.query_one(CourseMap)
        entry = course_map.highlighted_id or ""
        if entry.startswith("lesson:"):
            lesson = self.dojo.course.get(entry.removeprefix("lesson:"))
            lab = t(f"lab.{lesson.lab}")
            if lesson.lab not in self.dojo.services.labs:
                lab = t("labs.coming", lab=lab)
            text = t("home.detail.short", minutes=lesson.minutes, lab=lab)
            before = sorted(other.order for pid in lesson.prerequisites
                            if (other := self.dojo.course.get(pid)) is not None)
            if before and max(before) < lesson.order - 1:  # e.g. lesson 12 may follow lesson 4
                text += t("home.after", lessons=", ".join(map(str, before)))
            if self.size.height >= self.TALL:
                text = f"{pick(lesson.summary)}\n{text}"
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
        progress = store.all() if store is not None else {}
        last = store.last_lesson() if store is not None else None
        lesson_id = lesson_to_continue(self.dojo.course, progress, last)
        if lesson_id is None:
            self.notify(t("home.nothing_to_continue"))
            return
        self.dojo.open_lesson(lesson_id)


def lesson_to_continue(course, progress, last: str | None) -> str | None:
    """What "c" opens: lesson 1 with no progress; after a finished lesson, the next
    lesson not done yet (in course order); else the lesson last opened."""
    lessons = list(course.lessons)
    if not lessons:
        return None
    current = course.get(last) if last is not None else None
    if current is None:
        started = [l for l in lessons if l.id in progress and not progress[l.id].completed]
        return (started[0] if started else lessons[0]).id
    entry = progress.get(current.id)
    if entry is None or not entry.completed:
        return current.id
    after = [l for l in lessons if l.order > current.order]
    before = [l for l in lessons if l.order < current.order]
    for lesson in after + before:
        if not (lesson.id in progress and progress[lesson.id].completed):
            return lesson.id
    return current.id


def training_runs() -> int:
    """How many runs are training now (0 when the runs folder is missing or unreadable)."""
    try:
        from engine.runs.store import ACTIVE, all_run_dirs, status

        return sum(status(run_dir).get("state") in ACTIVE for run_dir in all_run_dirs())
    except Exception:  # the map must open even when a run folder is damaged
        return 0
