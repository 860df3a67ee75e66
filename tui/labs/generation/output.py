"""Streamed output, coalesced: a thread-safe token buffer and the pane that shows it.

The generating worker thread only appends text to a :class:`TokenBuffer` (a lock and
a list, no widget in sight). The screen drains it on a timer (about 12 times a
second) and hands the batch to :class:`StreamPane`, so a fast model repaints the
pane a dozen times a second, not hundreds: the terminal, perhaps over SSH, sees
small batched updates.
"""

from __future__ import annotations

import threading

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


class TokenBuffer:
    """Text deltas from a worker thread, collected until the UI takes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parts: list[str] = []
        self.tokens = 0

    def push(self, text: str) -> None:
        with self._lock:
            self._parts.append(text)
            self.tokens += 1

    def drain(self) -> str:
        with self._lock:
            text = "".join(self._parts)
            self._parts.clear()
        return text


class StreamPane(VerticalScroll):
    """The prompt (dim) followed by the generated text, kept scrolled to the end."""

    DEFAULT_CSS = "StreamPane { height: 1fr; } StreamPane > Static { width: 1fr; }"

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.prompt = ""
        self.generated = ""
        self.repaints = 0

    def compose(self):
        yield Static("", id="gen-stream-text")

    def reset(self, prompt: str, generated: str = "") -> None:
        self.prompt = prompt
        self.generated = generated
        self._paint()

    def append(self, text: str) -> None:
        if text:
            self.generated += text
            self._paint()

    def _paint(self) -> None:
        body = Text(self.prompt, style="dim")
        body.append(self.generated)
        self.query_one("#gen-stream-text", Static).update(body)
        self.repaints += 1
        self.scroll_end(animate=False)
