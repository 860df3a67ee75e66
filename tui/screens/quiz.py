"""The quiz: one question at a time, immediate feedback, then the score.

State is three plain values (question index, answers given so far, finished); the
page between header and footer is rebuilt from them, so a language toggle shows
the same question and the same feedback in the other language. Choice questions
take the number keys 1-9, or the arrows then Enter (nothing is pre-selected, so a
stray Enter answers nothing); numeric and short answers go in an input (Enter
submits; words where a number is expected are sent back, not graded).
Every answer is saved at once (``record_answer``); answering the last question
marks the lesson done (``mark_done``), then Enter shows the score.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from ..widgets.reading import Reading
from ..i18n import get_lang, pick, t
from ..widgets.caret_input import CaretInput
from .base import DojoScreen

CHOOSE = Binding.Group("choose", compact=True)


def correct_answer_text(question: Any) -> str:
    """The accepted answer, shown after a wrong one: the choice, number or first word."""
    if question.kind == "choice":
        return pick(question.choices)[question.answer] if question.choices else ""
    if question.kind == "numeric":
        return f"{question.answer:g}"
    return question.answer[0] if question.answer else ""


def _choice_mark(question: Any, index: int, answer: tuple[str, bool] | None) -> str:
    """After answering, mark the right choice and a wrong pick."""
    if answer is None:
        return ""
    if index == question.answer:
        return "  ✓"
    if str(index) == answer[0]:
        return "  ✗"
    return ""


class QuizScreen(DojoScreen):
    """Asks ``lesson.questions`` in order; Esc returns to the course map."""

    BINDINGS = [
        *(
            Binding(str(i), f"choose({i - 1})", f"Choose {i}", id=f"quiz.choose{i}", group=CHOOSE)
            for i in range(1, 10)
        ),
        Binding("n", "next", "Next", id="quiz.next"),
        Binding("escape", "back", "Map", id="quiz.back"),
    ]

    def __init__(self, lesson: Any) -> None:
        super().__init__()
        self.lesson = lesson
        self.index = 0
        self.answers: dict[int, tuple[str, bool]] = {}
        self.finished = False
        self._draft = ""

    @property
    def question(self) -> Any:
        return self.lesson.questions[self.index]

    @property
    def answered(self) -> bool:
        return self.index in self.answers

    # -- composition ---------------------------------------------------------
    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("quiz.title", lesson=pick(self.lesson.title))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Vertical(*self._page(), id="quiz-page")
        yield Footer()

    def _page(self) -> list[Widget]:
        """The widgets between header and footer for the current state."""
        return self._summary() if self.finished else self._question_page()

    def _question_page(self) -> list[Widget]:
        q = self.question
        total = len(self.lesson.questions)
        answer = self.answers.get(self.index)
        body: list[Widget] = [Reading(pick(q.prompt), id="quiz-prompt")]
        if q.kind == "choice":
            options = [
                Option(f"{i + 1}. {choice}{_choice_mark(q, i, answer)}", id=str(i))
                for i, choice in enumerate(pick(q.choices))
            ]
            choices = OptionList(*options, id="quiz-choices", disabled=answer is not None, markup=False)
            # Nothing is pre-selected: a stray Enter must not answer option 1. The arrows
            # (or a number key) pick a choice first.
            choices.highlighted = int(answer[0]) if answer is not None else None
            body.append(choices)
        else:
            body.append(
                CaretInput(
                    value=answer[0] if answer is not None else self._draft,
                    placeholder=t(f"quiz.placeholder.{q.kind}"),
                    id="quiz-input",
                    disabled=answer is not None,
                )
            )
        if answer is None:
            hint = t("quiz.choose_hint", n=len(pick(q.choices))) if q.kind == "choice" else ""
            body.append(Static(hint, id="quiz-notice", markup=False))
        else:
            body.extend(self._feedback(q, answer[1]))
        counter = Static(t("quiz.counter", index=self.index + 1, total=total), id="quiz-counter")
        return [counter, VerticalScroll(*body, id="quiz-body")]

    def _feedback(self, q: Any, correct: bool) -> list[Widget]:
        if correct:
            verdict = t("quiz.correct")
        else:
            verdict = t("quiz.incorrect", answer=correct_answer_text(q))
        last = self.index == len(self.lesson.questions) - 1
        return [
            Static(verdict, id="quiz-verdict", classes="correct" if correct else "incorrect", markup=False),
            Static(pick(q.explanation), id="quiz-explanation", markup=False),
            Button(t("quiz.finish" if last else "quiz.next"), id="quiz-next", variant="primary"),
        ]

    def _summary(self) -> list[Widget]:
        correct = sum(ok for _, ok in self.answers.values())
        total = len(self.lesson.questions)
        rows: list[Widget] = [Static(t("quiz.score", correct=correct, total=total), id="quiz-score")]
        for i, q in enumerate(self.lesson.questions):
            ok = self.answers.get(i, ("", False))[1]
            prompt = pick(q.prompt).strip().splitlines()[0]
            rows.append(
                Static(
                    f"{'✓' if ok else '✗'} {i + 1}. {prompt}",
                    classes="summary-row " + ("correct" if ok else "incorrect"),
                    markup=False,
                )
            )
        rows.append(Static(t("quiz.back_hint"), id="quiz-back-hint"))
        return [Static(t("quiz.done"), id="quiz-counter"), VerticalScroll(*rows, id="quiz-body")]

    async def _show(self) -> None:
        page = self.query_one("#quiz-page", Vertical)
        with self.app.batch_update():
            await page.remove_children()
            await page.mount_all(self._page())
        self._focus()
        self.refresh_bindings()

    def _focus(self) -> None:
        for selector in ("#quiz-next", "#quiz-input", "#quiz-choices", "#quiz-body"):
            widgets = self.query(selector)
            if widgets and not widgets.first().disabled:
                widgets.first().focus()
                return

    def on_mount(self) -> None:
        self._focus()

    def relabel(self) -> None:
        inputs = self.query(Input)
        if inputs and not self.answered:
            self._draft = inputs.first().value
        self.call_later(self._show)

    # -- answering -----------------------------------------------------------
    async def _answer(self, response: str) -> None:
        if self.finished or self.answered:
            return
        q = self.question
        correct = bool(q.check(response))
        self.answers[self.index] = (response, correct)
        self._draft = ""
        store = self.dojo.store
        store.record_answer(self.lesson.id, q.id, response, correct)
        if len(self.answers) == len(self.lesson.questions):
            store.mark_done(self.lesson.id)  # done even if the score page is skipped
        await self._show()

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self._answer(str(event.option.id))

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.notify(t("quiz.empty"), severity="warning")
            return
        if not self.answered and not self.question.well_formed(event.value.strip()):
            # Words in a numeric question: ask again, do not grade or reveal the answer.
            self.query_one("#quiz-notice", Static).update(t("quiz.need_number"))
            return
        await self._answer(event.value.strip())

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.action_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            if self.finished or self.question.kind != "choice" or self.answered:
                return False
            return int(str(parameters[0])) < len(self.question.choices[get_lang()])
        if action == "next":
            if self.finished:
                return False
            return True if self.answered else None
        return True

    async def action_choose(self, index: int) -> None:
        if self.check_action("choose", (index,)):
            await self._answer(str(index))

    async def action_next(self) -> None:
        if self.finished or not self.answered:
            return
        if self.index + 1 < len(self.lesson.questions):
            self.index += 1
        else:
            self.finished = True
        await self._show()

    def action_back(self) -> None:
        self.dojo.go_home()
