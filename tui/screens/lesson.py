"""The lesson screen: one step of the reading at a time, then the quiz.

The step index is the only state; everything on screen is derived from it and the
live language, so the language toggle re-renders the same step in the other
language. Progress is saved on every step change (``set_step``, which also marks
this lesson as the one to continue), and the time spent on the screen is added
whenever it stops being the top screen (quiz or lab opened, back to the map, quit).
"""

from __future__ import annotations

import time
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Markdown, Static

from ..widgets.reading import Reading
from ..i18n import get_lang, pick, t
from .base import DojoScreen
from .modals import TryItModal
from .quiz import QuizScreen


LAB_MARKERS = {"ko": "**실습**:", "en": "**Lab**:"}
"""How every lesson opens its lab paragraph (one heading for all, tests/lessons checks)."""


class LessonScreen(DojoScreen):
    """Reads ``lesson.steps[lang][step]``; n/p move, t opens the lab, Esc goes back."""

    BINDINGS = [
        Binding("p,left", "previous_step", "Previous", id="lesson.previous", priority=True),
        Binding("n,right", "next_step", "Next", id="lesson.next", priority=True),
        Binding("t", "try_it", "Try it", id="lesson.try_it"),
        Binding("x", "exercise", "Exercise", id="lesson.exercise", show=False),  # in the hint line
        Binding("escape", "back", "Map", id="lesson.back"),
    ]

    def __init__(self, lesson: Any, step: int | None = None) -> None:
        super().__init__()
        self.lesson = lesson
        self._requested_step = step
        self.step = 0
        self._since: float | None = None

    @property
    def lab_ready(self) -> bool:
        """Whether the lesson's lab is built (registered); if not, the lab step says so."""
        return self.lesson.lab in self.dojo.services.labs

    @property
    def step_count(self) -> int:
        return len(self.lesson.steps[get_lang()])

    def titles(self) -> tuple[str, str]:
        return t("app.title"), pick(self.lesson.title)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="lesson-step", markup=False)
        with VerticalScroll(id="reading"):
            yield Reading("", id="lesson-markdown")
        yield Static("", id="lesson-hint")
        yield Footer()

    async def on_mount(self) -> None:
        store = self.dojo.store
        step = self._requested_step
        if step is None:
            step = store.get(self.lesson.id).current_step
        self.step = max(0, min(step, self.step_count - 1))
        store.set_step(self.lesson.id, self.step)
        self.query_one("#reading").focus()
        await self._render_step()

    async def _render_step(self) -> None:
        lang = get_lang()
        steps = self.lesson.steps[lang]
        current = steps[self.step]
        self.query_one("#lesson-step", Static).update(
            t("lesson.step", index=self.step + 1, total=len(steps), title=current.title)
        )
        last = self.step == len(steps) - 1
        hint = t("lesson.hint.last") if last else t("lesson.hint")
        if last and self.lesson.exercises:
            hint = t("lesson.hint.exercise")
        if (last or LAB_MARKERS[lang] in current.markdown) and not self.lab_ready:
            hint = f"{t('lesson.lab_missing', lab=t(f'lab.{self.lesson.lab}'))}\n{hint}"
        self.query_one("#lesson-hint", Static).update(hint)
        await self.query_one("#lesson-markdown", Markdown).update(current.markdown)
        self.query_one("#reading", VerticalScroll).scroll_home(animate=False)

    def relabel(self) -> None:
        self.call_later(self._render_step)

    async def _go(self, step: int) -> None:
        self.step = step
        self.dojo.store.set_step(self.lesson.id, step)
        await self._render_step()

    async def action_next_step(self) -> None:
        if self.step + 1 < self.step_count:
            await self._go(self.step + 1)
        elif self.lesson.questions:
            self.app.push_screen(QuizScreen(self.lesson))

    async def action_previous_step(self) -> None:
        if self.step > 0:
            await self._go(self.step - 1)

    def action_try_it(self) -> None:
        try_it = {k: v for k, v in self.lesson.try_it.items() if k != "description"}
        if not self.dojo.open_lab(self.lesson.lab, try_it):
            self.app.push_screen(TryItModal(self.lesson))

    def action_exercise(self) -> None:
        if self.lesson.exercises:
            from .exercise import ExerciseScreen

            self.app.push_screen(ExerciseScreen(self.lesson))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "exercise":
            return bool(self.lesson.exercises)
        return True

    def action_back(self) -> None:
        self.dojo.go_home()

    # -- time spent ----------------------------------------------------------
    def on_screen_resume(self) -> None:
        self._since = time.monotonic()

    def on_screen_suspend(self) -> None:
        self._save_time()

    def on_unmount(self) -> None:
        self._save_time()

    def _save_time(self) -> None:
        if self._since is None:
            return
        spent = time.monotonic() - self._since
        self._since = None
        store = self.dojo.store
        if store is not None and spent > 0:
            store.add_time(self.lesson.id, spent)
