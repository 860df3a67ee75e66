"""Dialogs: what a lab will do, a corrupt progress database, a fatal start-up error.

Each dialog is keyboard-first (its keys are bindings with ids, shown in the footer
and on its buttons) and returns its decision through ``dismiss``; the caller acts.
The database dialogs never touch files themselves: the app calls
``ProgressStore.recover`` only after the user chose "back up and start fresh".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Static

from ..i18n import pick, t
from .base import DojoModal


def describe_value(value: Any) -> str:
    """A ``try_it`` value as a person would write it, never a raw Python/JSON list.

    >>> describe_value([["low", 5], ["lower", 2]])
    'low 5, lower 2'
    >>> describe_value(["arafat", "israeli"])
    'arafat, israeli'
    >>> describe_value([{"role": "user", "content": "안녕"}])
    'user: 안녕'
    >>> describe_value(True), describe_value(0.7)
    ('yes', '0.7')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, dict):
        if set(value) == {"role", "content"}:
            return f"{value['role']}: {describe_value(value['content'])}"
        return ", ".join(f"{k} {describe_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(" ".join(describe_value(x) for x in item) if isinstance(item, (list, tuple))
                         else describe_value(item) for item in value)
    return json.dumps(value, ensure_ascii=False)


class TryItModal(DojoModal[None]):
    """Describes the lesson's lab and the example it will start with."""

    BINDINGS = [
        Binding("escape,enter,t", "close", "Close", id="modal.close"),
    ]

    def __init__(self, lesson: Any) -> None:
        super().__init__()
        self.lesson = lesson

    def compose(self) -> ComposeResult:
        try_it = dict(self.lesson.try_it)
        description = try_it.pop("description", {})
        with Vertical(id="dialog", classes="tryit"):
            yield Static(t("tryit.title", lab=t(f"lab.{self.lesson.lab}")), id="dialog-title")
            # The body scrolls inside a bounded height, so the close button stays on
            # screen at 80x24 whatever the lesson's example holds.
            with VerticalScroll(id="tryit-body"):
                yield Static(t("tryit.not_yet"), classes="dialog-note")
                if description:
                    yield Static(pick(description), classes="dialog-text", markup=False)
                if try_it:
                    yield Static(t("tryit.example"), classes="dialog-heading")
                    values = "   ".join(f"{key}: {describe_value(value)}" for key, value in try_it.items())
                    yield Static(values, classes="dialog-value", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("modal.close"), id="close", variant="primary")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class CorruptDatabaseModal(DojoModal[bool]):
    """The progress file cannot be read: back it up and start fresh, or quit."""

    BINDINGS = [
        Binding("b", "fresh", "Back up and start fresh", id="db.fresh"),
        Binding("q,escape", "quit", "Quit", id="db.quit"),
    ]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(t("db.corrupt.title"), id="dialog-title")
            yield Static(t("db.corrupt.body", path=self.path), classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("db.corrupt.fresh"), id="fresh", variant="warning")
                yield Button(t("db.corrupt.quit"), id="quit")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "fresh")

    def action_fresh(self) -> None:
        self.dismiss(True)

    def action_quit(self) -> None:
        self.dismiss(False)


class FatalModal(DojoModal[None]):
    """Start-up cannot go on (database locked, data directory unwritable): say why, quit."""

    BINDINGS = [
        Binding("q,escape,enter", "quit", "Quit", id="fatal.quit"),
    ]

    def __init__(self, message: str, explanation_key: str | None = None) -> None:
        super().__init__()
        self.message = message
        self.explanation_key = explanation_key

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(t("fatal.title"), id="dialog-title")
            if self.explanation_key:
                yield Static(t(self.explanation_key), classes="dialog-text")
            yield Static(self.message, classes="dialog-text dialog-detail", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("fatal.quit"), id="quit", variant="error")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_quit(self) -> None:
        self.dismiss(None)
