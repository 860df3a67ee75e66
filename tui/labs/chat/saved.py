"""Saved chats: a list to reopen, delete or export to Markdown; unreadable files are named, not fatal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...i18n import say, t
from ...screens.base import DojoModal
from ...widgets.caret_input import CaretInput

if TYPE_CHECKING:
    from engine.chat.store import ChatStore


class SavedChats(DojoModal[str | None]):
    """Dismissed with the id of the chat to reopen, or None."""

    DEFAULT_CSS = """
    SavedChats { align: center middle; }
    SavedChats > Vertical { width: 90%; height: 80%; border: round $primary; background: $surface; }
    SavedChats OptionList { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="chat.open", priority=True),
        Binding("f2", "rename", "Rename", id="chat.rename"),
        Binding("ctrl+d", "delete", "Delete", id="chat.delete"),
        Binding("f7", "export", "Export", id="chat.export"),
        Binding("escape", "close", "Close", id="chat.close"),
    ]

    def __init__(self, store: ChatStore) -> None:
        super().__init__()
        self.store = store
        self.ids: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("chat.saved.title"), id="chat-saved-title")
            rename = CaretInput(placeholder=t("chat.saved.rename"), id="chat-saved-rename")
            rename.display = False
            yield rename
            yield OptionList(id="chat-saved-list")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        found, problems = self.store.list()
        for problem in problems:
            self.notify(say(problem), severity="warning", timeout=8, markup=False)
        listing = self.query_one(OptionList)
        listing.clear_options()
        self.ids = [c.id for c in found]
        if not found:
            listing.add_option(Option(t("chat.saved.none"), disabled=True))
            return
        listing.add_options([Option(t("chat.saved.row", title=c.title or c.id, n=len(c.messages), model=c.model),
                                    id=c.id) for c in found])
        listing.highlighted = 0

    def _current(self) -> str | None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None or not self.ids:
            return None
        return self.ids[listing.highlighted]

    def action_open(self) -> None:
        rename = self.query_one("#chat-saved-rename", CaretInput)
        if rename.display:
            conv_id = self._current()
            if conv_id is not None and rename.value.strip():
                self.store.rename(conv_id, rename.value)
            rename.display = False
            self._fill()
            self.query_one(OptionList).focus()
            return
        self.dismiss(self._current())

    def action_rename(self) -> None:
        conv_id = self._current()
        if conv_id is None:
            return
        rename = self.query_one("#chat-saved-rename", CaretInput)
        rename.value = self.store.load(conv_id).title
        rename.display = True
        rename.focus()

    def action_close(self) -> None:
        rename = self.query_one("#chat-saved-rename", CaretInput)
        if rename.display:
            rename.display = False
            self.query_one(OptionList).focus()
            return
        self.dismiss(None)

    def action_delete(self) -> None:
        conv_id = self._current()
        if conv_id is None:
            return
        title = self.store.load(conv_id).title
        self.store.delete(conv_id)
        self.notify(t("chat.saved.deleted", title=title), timeout=4, markup=False)
        self._fill()

    def action_export(self) -> None:
        conv_id = self._current()
        if conv_id is None:
            return
        conv = self.store.load(conv_id)
        folder = self.store.folder / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{conv_id}.md"
        path.write_text(conv.to_markdown(), encoding="utf-8")
        import json

        path.with_suffix(".json").write_text(json.dumps(conv.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        self.notify(t("chat.saved.exported", path=str(path)), timeout=8, markup=False)
