"""A yes/no question before something is lost (quitting while a lab holds unsaved work).

Keyboard first: y or Enter confirms, n or Esc keeps going; ``dismiss(True/False)``
hands the answer to the caller, which acts. Reuses the app's dialog styles.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Static

from ..i18n import t
from .base import DojoModal


class ConfirmModal(DojoModal[bool]):
    """Asks ``question``; True when the person confirms."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("confirm.yes"), id="yes", variant="warning")
                yield Button(t("confirm.no"), id="no", variant="primary")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
