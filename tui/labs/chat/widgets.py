"""The chat lab's widgets: the message list (one bubble per message, the streamed one
repainted from a buffer on a timer) and the side-by-side pane."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.console import Group
from rich.markdown import Markdown
from rich.text import Text
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from ...i18n import t

if TYPE_CHECKING:
    from engine.chat.conversation import ChatMessage


class TokenBuffer:
    """Text deltas from the generating thread, collected until the UI's timer takes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parts: list[str] = []

    def push(self, text: str) -> None:
        with self._lock:
            self._parts.append(text)

    def drain(self) -> str:
        with self._lock:
            text = "".join(self._parts)
            self._parts.clear()
        return text


def meta_line(msg: ChatMessage) -> str:
    adapter = msg.adapter or t("chat.base")
    if msg.finish_reason == "cancelled":
        return t("chat.meta.stopped", adapter=adapter, n=msg.tokens or 0)
    tps = "-" if msg.tokens_per_s is None else f"{msg.tokens_per_s:.1f}"
    ttft = "-" if msg.first_token_ms is None else f"{msg.first_token_ms:.0f}"
    return t("chat.meta", adapter=adapter, n=msg.tokens or 0, ttft=ttft, tps=tps)


class Bubble(Static):
    """One message: the person's (plain text) or the model's (Markdown, with who wrote it and its speed)."""

    def __init__(self, role: str, text: str = "", msg: ChatMessage | None = None) -> None:
        super().__init__(classes=role)
        self.role, self.text, self.msg = role, text, msg
        self.adapter_label = ""
        self._paint()

    def append(self, text: str) -> None:
        self.text += text
        self._paint()

    def finish(self, msg: ChatMessage) -> None:
        self.msg, self.text = msg, msg.content
        self._paint()

    def _paint(self) -> None:
        if self.role == "user":
            self.update(Text.assemble((t("chat.you") + ": ", "bold"), self.text))
            return
        if self.msg is None:  # streaming: plain text, cheap to repaint
            self.update(Text.assemble((f"{self.adapter_label}: ", "bold"), self.text))
            return
        body = Markdown(self.text) if self.text.strip() else Text("")
        self.update(Group(Text(meta_line(self.msg), style="dim"), body))

    def relabel(self) -> None:
        self._paint()


class MessageList(VerticalScroll):
    """The conversation, kept scrolled to the newest message."""

    DEFAULT_CSS = "MessageList { height: 1fr; } MessageList > Bubble { width: 1fr; margin-bottom: 1; }"

    def show(self, messages: list[ChatMessage]) -> None:
        self.remove_children()
        self.mount_all([Bubble(m.role, m.content, m if m.role == "assistant" else None) for m in messages])
        self.scroll_end(animate=False)

    def add(self, bubble: Bubble) -> Bubble:
        self.mount(bubble)
        self.scroll_end(animate=False)
        return bubble

    def streaming(self) -> Bubble | None:
        bubbles = list(self.query(Bubble))
        last = bubbles[-1] if bubbles else None
        return last if last is not None and last.role == "assistant" and last.msg is None else None


class SidePane(Horizontal):
    """Base and adapter answers to the same message, in two columns."""

    DEFAULT_CSS = """
    SidePane { height: auto; max-height: 50%; display: none; }
    SidePane > Static { width: 1fr; height: auto; padding: 0 1; border: round $panel; }
    """

    def compose(self):
        yield Static(id="chat-side-base")
        yield Static(id="chat-side-tuned")

    def show(self, base: ChatMessage, tuned: ChatMessage) -> None:
        for widget_id, msg in (("#chat-side-base", base), ("#chat-side-tuned", tuned)):
            self.query_one(widget_id, Static).update(Group(Text(meta_line(msg), style="dim"), Text(msg.content)))
        self.display = True
