"""Show the code (issue 21): one key in a lab opens the plain Python for what it just did.

A lab opts in with the :class:`CodeExport` mixin and a ``code_snippet()`` method that
builds an :class:`engine.codegen.Snippet` from the lab's current settings (the same
config objects its engine call used). F12 opens :class:`CodePanel`: the code,
syntax-highlighted; ``c`` copies it to the clipboard (OSC 52, which works over SSH in
terminals that allow it), ``s`` saves it as a ``.py`` file and ``n`` as a notebook
under ``<data dir>/code/``.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Static

from ..i18n import t
from ..screens.base import DojoModal

if TYPE_CHECKING:
    from engine.codegen import Snippet


def code_dir():
    from engine.paths import home

    return home() / "code"


class CodePanel(DojoModal[None]):
    """The snippet of the lab action just done, to read, copy and save."""

    DEFAULT_CSS = """
    CodePanel { align: center middle; }
    CodePanel > Vertical { width: 96%; height: 92%; border: round $primary; background: $surface; }
    CodePanel #code-title { text-style: bold; padding: 0 1; }
    CodePanel VerticalScroll { height: 1fr; }
    CodePanel #code-saved { color: $success; padding: 0 1; height: auto; }
    """
    BINDINGS = [
        Binding("c", "copy", "Copy", id="code.copy"),
        Binding("s", "save", "Save .py", id="code.save"),
        Binding("n", "notebook", "Save .ipynb", id="code.notebook"),
        Binding("escape,f12", "close", "Close", id="code.close"),
    ]

    def __init__(self, snippet: Snippet, name: str = "lab") -> None:
        super().__init__()
        self.snippet = snippet
        self.slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "lab"
        self.saved: str = ""

    def compose(self) -> ComposeResult:
        from rich.syntax import Syntax

        with Vertical():
            yield Static(self.snippet.title, id="code-title", markup=False)
            with VerticalScroll(id="code-scroll"):
                yield Static(Syntax(self.snippet.text(), "python", line_numbers=False, word_wrap=True,
                                    theme="ansi_dark"), id="code-body")
            yield Static("", id="code-saved", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#code-scroll").focus()

    def relabel(self) -> None:
        self.query_one("#code-saved", Static).update(self.saved)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.snippet.text())
        self.notify(t("code.copied", lines=self.snippet.text().count("\n")))

    def _save(self, suffix: str) -> None:
        from engine.codegen import save_snippet
        from engine.errors import DojoError

        target = code_dir() / f"{self.slug}-{time.strftime('%Y%m%d-%H%M%S')}{suffix}"
        try:
            path = save_snippet(self.snippet, target)
        except DojoError as exc:
            self.notify_error(exc)
            return
        self.saved = t("code.saved", path=str(path))
        self.query_one("#code-saved", Static).update(self.saved)
        self.notify(self.saved, markup=False)

    def action_save(self) -> None:
        self._save(".py")

    def action_notebook(self) -> None:
        self._save(".ipynb")

    def action_close(self) -> None:
        self.dismiss(None)


CODE_BINDING = Binding("f12", "show_code", "Code", id="code.show")
"""Put it in the lab screen's own ``BINDINGS`` (textual merges bindings of screen classes only)."""


class CodeExport:
    """Mixin for a lab screen: F12 (:data:`CODE_BINDING`) shows ``code_snippet()`` (None: nothing done
    yet to show)."""

    CODE_NAME = "lab"

    def code_snippet(self) -> Any:  # -> Snippet | None
        raise NotImplementedError

    def action_show_code(self) -> None:
        from engine.errors import DojoError

        try:
            snippet = self.code_snippet()
        except DojoError as exc:  # a setting the snippet cannot be built from: the lab's own message
            self.notify_error(exc)  # type: ignore[attr-defined]
            return
        if snippet is None:
            self.notify(t("code.nothing"), severity="warning")  # type: ignore[attr-defined]
            return
        self.app.push_screen(CodePanel(snippet, self.CODE_NAME))  # type: ignore[attr-defined]
