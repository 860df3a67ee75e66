"""A lesson's exercises: compute by hand, type the answer, press Check.

The answer is computed by the engine from the exercise's parameters
(``engine.course.exercises``), so checking is by value, not by string: "0,0278",
"0.028" and "1/36" all pass a tolerance check, "e s" and "(e, s)" are the same merge
pair. A typed answer of the wrong form (words where a number is expected) is sent
back without being checked, so the answer is not revealed by accident. State is the
exercise index and the verdicts so far; the page is rebuilt from them (language
toggle included).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Static

from engine.course.exercises import KINDS, Verdict

from ..i18n import pick, t
from ..widgets.caret_input import CaretInput
from ..widgets.reading import Reading
from .base import DojoScreen


class ExerciseScreen(DojoScreen):
    """``lesson.exercises`` one at a time; Esc goes back to the lesson."""

    BINDINGS = [
        Binding("escape", "back", "Lesson", id="exercise.back"),
    ]

    def __init__(self, lesson: Any) -> None:
        super().__init__()
        self.lesson = lesson
        self.index = 0
        self.verdicts: dict[int, tuple[str, Verdict]] = {}
        self._draft = ""

    @property
    def exercise(self) -> Any:
        return self.lesson.exercises[self.index]

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("exercise.title", lesson=pick(self.lesson.title))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Vertical(*self._page(), id="exercise-page")
        yield Footer()

    def _page(self) -> list[Widget]:
        ex = self.exercise
        done = self.verdicts.get(self.index)
        total = len(self.lesson.exercises)
        text, cls = self._verdict_text(done[1]) if done else ("", "")
        buttons = [Button(t("exercise.check"), id="exercise-check", variant="primary")]
        if self.index + 1 < total:
            buttons.append(Button(t("exercise.next"), id="exercise-next"))
        body: list[Widget] = [
            Reading(pick(ex.prompt), id="exercise-prompt"),
            CaretInput(value=done[0] if done else self._draft,
                       placeholder=t(f"exercise.placeholder.{self._form()}"), id="exercise-input"),
            Static(text, id="exercise-verdict", classes=cls, markup=False),
            Horizontal(*buttons, id="exercise-buttons"),
        ]
        counter = Static(t("exercise.counter", index=self.index + 1, total=total), id="exercise-counter")
        return [counter, VerticalScroll(*body, id="exercise-body")]

    @staticmethod
    def _verdict_text(verdict: Verdict) -> tuple[str, str]:
        if verdict.correct:
            return t("exercise.correct", expected=verdict.expected), "correct"
        return t("exercise.incorrect", expected=verdict.expected), "incorrect"

    def _form(self) -> str:
        """How the answer is typed: "number" or "pair"."""
        return KINDS[self.exercise.kind].answer

    def on_mount(self) -> None:
        self.query_one("#exercise-input", Input).focus()

    async def _rebuild(self) -> None:
        page = self.query_one("#exercise-page", Vertical)
        with self.app.batch_update():
            await page.remove_children()
            await page.mount_all(self._page())
        self.query_one("#exercise-input", Input).focus()

    def relabel(self) -> None:
        inputs = self.query("#exercise-input")
        if inputs:
            self._draft = inputs.first(Input).value
        self.call_later(self._rebuild)

    # -- checking ------------------------------------------------------------------------
    def _check(self) -> None:
        typed = self.query_one("#exercise-input", Input).value.strip()
        label = self.query_one("#exercise-verdict", Static)
        if not typed:
            label.update(t("quiz.empty"))
            label.set_classes("hint")
            return
        verdict = self.exercise.check(typed)
        if not verdict.well_formed:
            label.update(t(f"exercise.form.{self._form()}"))
            label.set_classes("hint")
            return
        self.verdicts[self.index] = (typed, verdict)
        text, cls = self._verdict_text(verdict)
        label.update(text)
        label.set_classes(cls)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._check()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "exercise-check":
            self._check()
        elif event.button.id == "exercise-next":
            self.index += 1
            self._draft = ""
            await self._rebuild()

    def action_back(self) -> None:
        self.dismiss()

