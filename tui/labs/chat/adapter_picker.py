"""Load an adapter in the app: the adapters this machine has (runs and the adapters folder), or a typed path.

Dismissed with the folder to load (the chat checks it before any weight is touched), or None."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...i18n import t
from ...screens.base import DojoModal
from ...widgets.caret_input import CaretInput


class AdapterPicker(DojoModal[str | None]):
    DEFAULT_CSS = """
    AdapterPicker { align: center middle; }
    AdapterPicker > Vertical { width: 90%; height: 80%; border: round $primary; background: $surface; }
    AdapterPicker OptionList { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "choose", "Load", id="chat.choose", priority=True),
        Binding("escape", "close", "Close", id="chat.close"),
    ]

    def __init__(self, model_name: str) -> None:
        super().__init__()
        self.model_name = model_name
        self.paths: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("chat.pick.title", model=self.model_name), id="chat-pick-title")
            yield CaretInput(placeholder=t("chat.pick.path"), id="chat-pick-path")
            yield OptionList(id="chat-pick-list")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        from engine.models.catalog import adapter_entries

        listing = self.query_one(OptionList)
        entries = adapter_entries()
        self.paths = [e.path for e in entries]
        if not entries:
            listing.add_option(Option(t("chat.pick.none"), disabled=True))
            self.query_one(CaretInput).focus()
            return
        listing.add_options([Option(t("chat.pick.row", name=e.name, base=e.base_model or "?")) for e in entries])
        listing.highlighted = 0
        listing.focus()

    def action_choose(self) -> None:
        typed = self.query_one(CaretInput).value.strip()
        if typed:
            self.dismiss(typed)
            return
        listing = self.query_one(OptionList)
        if listing.highlighted is not None and self.paths:
            self.dismiss(self.paths[listing.highlighted])

    def action_close(self) -> None:
        self.dismiss(None)
