"""The chat lab: a conversation with a model and its adapters, replies streamed.

Layout (fits 80x24): one status line (model, active adapter, what is happening), the
message list, the side-by-side pane (hidden until F3), and a multi-line input that has
focus. Enter sends (Ctrl+N puts a new line), Up on the first line brings back the
previous message, Esc stops a reply (and leaves the lab when nothing runs), F2 cycles
the adapter (base -> each adapter -> base, nothing reloaded), F3 answers the last
message with the base and the adapter side by side (same seed), F5 lists saved chats,
F4 starts a new one, F8 opens the settings (system prompt, the generation
lab's sliders), F9 copies the last reply (OSC 52), Ctrl+E takes the last message back to edit and
resend, Ctrl+O loads an adapter (a saved one, or a folder), Ctrl+R regenerates. Every reply is saved as it finishes.

Work runs in named thread workers (``chat-load``, ``chat-reply``, ``chat-side``) that
answer with one message class each; streamed text goes into a ``TokenBuffer`` drained
12 times a second into the last bubble.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Static, TextArea
from textual.worker import Worker, WorkerState

from ...i18n import say, t
from ...screens.base import DojoScreen
from ...widgets.code_panel import CODE_BINDING, CodeExport
from .widgets import Bubble, MessageList, SidePane, TokenBuffer

if TYPE_CHECKING:
    from engine.chat.session import ChatSession, Reply
    from engine.chat.store import ChatStore
    from engine.models.load import Loaded as LoadedModel


def default_load(name: str) -> LoadedModel:
    """The model from the app-wide cache: shared with the other labs, loaded once."""
    from engine.models.cache import shared

    return shared().get(name)


class ChatScreen(CodeExport, DojoScreen):
    """The chat lab. ``try_it``: model, adapters (folders), system, sampling settings."""

    CSS_PATH = "chat.tcss"
    BINDINGS = [
        Binding("enter", "send", "Send", id="chat.send", priority=True, show=False),  # the input says so
        Binding("escape", "stop", "Stop/Back", id="chat.stop", priority=True),
        Binding("f2", "adapter", "Adapter", id="chat.adapter"),
        Binding("f3", "side", "Side by side", id="chat.side"),
        Binding("f4", "new", "New chat", id="chat.new"),  # not F6: TextArea selects a line with it
        Binding("f5", "saved", "Chats", id="chat.saved"),
        Binding("ctrl+o", "load_adapter", "Load adapter", id="chat.load_adapter", show=False),
        Binding("f8", "settings", "Settings", id="chat.settings"),
        Binding("f9", "copy", "Copy reply", id="chat.copy", show=False),
        Binding("ctrl+e", "edit", "Edit and resend", id="chat.edit", show=False, priority=True),  # End still ends a line
        Binding("ctrl+r", "regenerate", "Regenerate", id="chat.regenerate", show=False),
        Binding("ctrl+n", "newline", "New line", id="chat.newline", show=False),
        Binding("up", "history", "Previous message", id="chat.history", show=False, priority=True),
        CODE_BINDING,
    ]
    CODE_NAME = "chat"

    class Ready(Message):
        def __init__(self, session: ChatSession, notices: list) -> None:
            super().__init__()
            self.session, self.notices = session, notices

    class Replied(Message):
        def __init__(self, reply: Reply) -> None:
            super().__init__()
            self.reply = reply

    class AdapterAdded(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class Reopened(Message):
        def __init__(self, title: str, notices: list) -> None:
            super().__init__()
            self.title, self.notices = title, notices

    class SideBySide(Message):
        def __init__(self, base: Reply, tuned: Reply) -> None:
            super().__init__()
            self.base, self.tuned = base, tuned

    def __init__(self, model_name: str | None = None, try_it: Mapping[str, Any] | None = None,
                 load: Callable[[str], LoadedModel] = default_load, store: ChatStore | None = None) -> None:
        super().__init__()
        self.try_it = dict(try_it or {})
        self.model_name = model_name
        self._load = load
        self._store = store
        self.session: ChatSession | None = None
        self.cancel: threading.Event | None = None
        self.buffer = TokenBuffer()
        self.busy = False
        self._status_msg: tuple[str, dict, str] = ("chat.status.loading", {"model": model_name or "..."}, "")
        self._history_at: int | None = None

    @property
    def store(self) -> ChatStore:
        if self._store is None:
            from engine.chat.store import ChatStore

            self._store = ChatStore()
        return self._store

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="chat-bar")
        yield MessageList(id="chat-log")
        yield SidePane(id="chat-side")
        area = TextArea("", id="chat-input", soft_wrap=True, show_line_numbers=False)
        area.placeholder = t("chat.placeholder")
        yield area
        yield Static(id="chat-status")
        yield Footer(show_command_palette=False)  # every key of the chat fits 80 columns (Ctrl+P still opens it)

    def on_mount(self) -> None:
        self._show_bar()
        self._show_status()
        self.set_interval(1 / 12, self._drain)
        self.query_one("#chat-input", TextArea).focus()
        self._load_worker()

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("chat.title")

    def has_unsaved(self) -> bool:
        return self.busy

    def relabel(self) -> None:
        self.query_one("#chat-input", TextArea).placeholder = t("chat.placeholder")
        for bubble in self.query(Bubble):
            bubble.relabel()
        self._show_bar()
        self._show_status()

    def _active_label(self) -> str:
        active = self.session.adapters.active if self.session else None
        return active or t("chat.base")

    def _mode(self) -> str:
        if self.session is None:
            return ""
        p = self.session.params
        if p.do_sample and p.temperature > 0:
            return t("chat.mode.sample", temp=f"{p.temperature:g}", n=p.max_new_tokens)
        return t("chat.mode.greedy", n=p.max_new_tokens)

    def _show_bar(self) -> None:
        model = self.session.model_name if self.session else (self.model_name or "...")
        self.query_one("#chat-bar", Static).update(Text(t("chat.bar", model=model, adapter=self._active_label(),
                                                          mode=self._mode()), style="bold"))

    def _status(self, key: str, style: str = "", **args: Any) -> None:
        self._status_msg = (key, args, style)
        self._show_status()

    def _show_status(self) -> None:
        key, args, style = self._status_msg
        text = t(key, **{k: (say(v) if hasattr(v, "key") else v) for k, v in args.items()})
        self.query_one("#chat-status", Static).update(Text(text, style=style or "dim"))

    # ----- workers ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="chat-load", exit_on_error=False)
    def _load_worker(self) -> None:
        from engine.chat.session import CHAT_DEFAULTS, ChatSession, default_model
        from engine.generation.params import SamplingParams

        notices: list = []
        name = self.model_name
        if not name:
            name, notices = default_model()
        loaded = self._load(name)
        params = SamplingParams.from_options({**CHAT_DEFAULTS, **self.try_it})
        session = ChatSession(loaded, name, params)
        session.conversation.system = str(self.try_it.get("system") or "")
        for path in self.try_it.get("adapters") or []:
            session.add_adapter(path)
        kept = self._kept.get(("chat", name))
        if kept is not None and not self.try_it.get("adapters"):
            notices += session.resume(kept)  # opened again in this app session: the chat goes on
        self.post_message(self.Ready(session, notices))

    @work(thread=True, exclusive=True, group="chat-reply", exit_on_error=False)
    def _reply_worker(self, text: str | None, cancel: threading.Event) -> None:
        assert self.session is not None
        buffer = self.buffer

        def push(event) -> None:
            if event.text:
                buffer.push(event.text)

        if text is None:
            reply = self.session.regenerate(on_event=push, cancel=cancel)
        else:
            reply = self.session.reply(text, on_event=push, cancel=cancel)
        self.store.save(self.session.conversation)
        self.post_message(self.Replied(reply))

    @work(thread=True, exclusive=True, group="chat-side", exit_on_error=False)
    def _side_worker(self, text: str) -> None:
        assert self.session is not None
        base, tuned = self.session.side_by_side(text)
        self.post_message(self.SideBySide(base, tuned))

    @work(thread=True, exclusive=True, group="chat-adapter", exit_on_error=False)
    def _adapter_worker(self, path: str) -> None:
        assert self.session is not None
        self.post_message(self.AdapterAdded(self.session.add_adapter(path)))

    def on_chat_screen_adapter_added(self, message: AdapterAdded) -> None:
        self.busy = False
        self._show_bar()
        self._status("chat.status.ready")
        self.notify(t("chat.adapter_added", name=message.name), timeout=5)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or not event.worker.group.startswith("chat-"):
            return
        if event.worker.group in ("chat-reply", "chat-side", "chat-adapter", "chat-resume"):
            self.busy = False
            streaming = self.query_one("#chat-log", MessageList).streaming()
            if streaming is not None:
                streaming.remove()
            if event.worker.group == "chat-reply" and self.session is not None:
                self._show_conversation()  # the engine took the message back
        text = self.notify_error(event.worker.error, timeout=8)
        self._status("chat.status.failed", "red", error=text)

    # ----- messages from workers ----------------------------------------------------------------
    @property
    def _kept(self) -> dict:
        """The app's per-session memory (absent in a bare test app)."""
        return getattr(self.app, "session_state", {})

    def keep(self) -> None:
        if self.session is not None and self.session.conversation.messages and hasattr(self.app, "session_state"):
            self.app.session_state[("chat", self.session.model_name)] = self.session.conversation

    def on_chat_screen_ready(self, message: Ready) -> None:
        self.session = message.session
        if self.session.conversation.messages:
            self._show_conversation()
        for notice in message.notices:
            self.notify(say(notice), timeout=8)
        self._show_bar()
        self._status("chat.status.ready")

    def on_chat_screen_replied(self, message: Replied) -> None:
        self._drain()
        self.busy = False
        reply = message.reply
        bubble = self.query_one("#chat-log", MessageList).streaming()
        if bubble is not None:
            bubble.finish(reply.message)
        for notice in reply.notices:
            self.notify(say(notice), timeout=8)
        self._status("chat.status.ready")

    def on_chat_screen_side_by_side(self, message: SideBySide) -> None:
        self.busy = False
        self.query_one("#chat-side", SidePane).show(message.base.message, message.tuned.message)
        self._status("chat.side.title", adapter=message.tuned.message.adapter)

    def _drain(self) -> None:
        text = self.buffer.drain()
        if text:
            bubble = self.query_one("#chat-log", MessageList).streaming()
            if bubble is not None:
                bubble.append(text)

    def _show_conversation(self) -> None:
        assert self.session is not None
        self.query_one("#chat-log", MessageList).show(self.session.conversation.messages)

    def code_snippet(self):
        """The last reply as plain transformers + peft: base, adapters, chat template, ``generate``."""
        if self.session is None:
            return None
        from engine.codegen.chat import session_snippet

        return session_snippet(self.session)

    # ----- actions ------------------------------------------------------------------------------
    def action_send(self) -> None:
        focused = self.focused
        area = self.query_one("#chat-input", TextArea)
        if focused is not area:
            if focused is not None and hasattr(focused, "action_select_cursor"):
                focused.action_select_cursor()
            return
        if self.session is None or self.busy:
            return
        text = area.text
        if not text.strip():
            from engine.errors import DojoError

            self.notify_error(DojoError.keyed("convo.empty_message"), timeout=5)
            return
        area.text = ""
        self._history_at = None
        self._start_reply(text)

    def _start_reply(self, text: str | None) -> None:
        assert self.session is not None
        log = self.query_one("#chat-log", MessageList)
        if text is not None:
            log.add(Bubble("user", text))
        bubble = Bubble("assistant")
        bubble.adapter_label = self._active_label()
        bubble.relabel()
        log.add(bubble)
        self.query_one("#chat-side", SidePane).display = False
        self.buffer.drain()
        self.cancel = threading.Event()
        self.busy = True
        self._status("chat.status.replying")
        self._reply_worker(text, self.cancel)

    def action_newline(self) -> None:
        area = self.query_one("#chat-input", TextArea)
        if self.focused is area:
            area.insert("\n")

    def action_history(self) -> None:
        """Up on the input's first line: the previous message you sent (again: the one before)."""
        area = self.query_one("#chat-input", TextArea)
        focused = self.focused
        if focused is not area or area.cursor_location[0] > 0 or self.session is None:
            if focused is not None:
                for action in ("action_cursor_up", "action_scroll_up"):
                    if hasattr(focused, action):
                        getattr(focused, action)()
                        break
            return
        sent = [m.content for m in self.session.conversation.messages if m.role == "user"]
        if not sent:
            return
        at = len(sent) if self._history_at is None else self._history_at
        at = max(0, at - 1)
        self._history_at = at
        area.text = sent[at]
        area.move_cursor((0, 0))

    def action_stop(self) -> None:
        if self.busy and self.cancel is not None:
            self.cancel.set()
            return
        if len(self.app.screen_stack) > 1:
            self.keep()
            self.app.pop_screen()

    def action_adapter(self) -> None:
        if self.session is None or self.busy:
            return
        if not self.session.adapters.names:
            self.notify(t("chat.no_adapters"), timeout=6)
            return
        self.session.adapters.cycle()
        self._show_bar()
        self.notify(t("chat.switched", adapter=self._active_label()), timeout=4)

    def action_side(self) -> None:
        if self.session is None or self.busy:
            return
        if not self.session.adapters.names:
            self.notify(t("chat.no_adapters"), timeout=6)
            return
        sent = [m.content for m in self.session.conversation.messages if m.role == "user"]
        if not sent:
            self.notify(t("chat.side.need"), timeout=5)
            return
        self.busy = True
        self._status("chat.status.side")
        self._side_worker(sent[-1])

    def action_regenerate(self) -> None:
        if self.session is None or self.busy:
            return
        msgs = self.session.conversation.messages
        if not msgs:
            return
        if msgs[-1].role == "assistant":
            bubbles = list(self.query_one("#chat-log", MessageList).query(Bubble))
            if bubbles:
                bubbles[-1].remove()
        self._start_reply(None)

    def action_new(self) -> None:
        if self.session is None or self.busy:
            return
        from engine.chat.conversation import Conversation

        old = self.session.conversation
        self.session.conversation = Conversation(system=old.system, model=old.model, adapters=list(old.adapters),
                                                 settings=dict(old.settings))
        self.query_one("#chat-side", SidePane).display = False
        self._show_conversation()
        self.notify(t("chat.new"), timeout=3)

    def action_saved(self) -> None:
        if self.busy:
            return
        from .saved import SavedChats

        self.app.push_screen(SavedChats(self.store), self._reopen)

    def _reopen(self, conv_id: str | None) -> None:
        if not conv_id or self.session is None:
            return
        from engine.errors import DojoError

        try:
            conv = self.store.load(conv_id)
        except DojoError as exc:
            self.notify_error(exc)
            return
        self.busy = True
        self._resume_worker(conv)

    @work(thread=True, exclusive=True, group="chat-resume", exit_on_error=False)
    def _resume_worker(self, conv) -> None:
        assert self.session is not None
        self.post_message(self.Reopened(conv.title, self.session.resume(conv)))

    def on_chat_screen_reopened(self, message: Reopened) -> None:
        self.busy = False
        self._show_conversation()
        self._show_bar()
        self._status("chat.status.ready")
        self.notify(t("chat.reopened", title=message.title), timeout=4)
        for notice in message.notices:
            self.notify(say(notice), severity="warning", timeout=8, markup=False)

    def action_settings(self) -> None:
        if self.session is None or self.busy:
            return
        from .settings import ChatSettings

        self.app.push_screen(ChatSettings(self.session.params, self.session.conversation.system), self._apply_settings)

    def _apply_settings(self, chosen) -> None:
        if chosen is not None and self.session is not None:
            self.session.params, self.session.conversation.system = chosen
            self._show_bar()
        self.query_one("#chat-input", TextArea).focus()

    def action_copy(self) -> None:
        """Copy the last reply with OSC 52 (works over SSH, where the terminal supports it)."""
        replies = [m.content for m in self.session.conversation.messages if m.role == "assistant"] \
            if self.session else []
        if not replies:
            self.notify(t("chat.nothing"), timeout=3)
            return
        self.app.copy_to_clipboard(replies[-1])
        self.notify(t("chat.copied"), timeout=3)

    def action_edit(self) -> None:
        """Take the last exchange back and put the last message in the input, to edit and send again."""
        if self.session is None or self.busy:
            return
        msgs = self.session.conversation.messages
        users = [i for i, m in enumerate(msgs) if m.role == "user"]
        if not users:
            return
        last = users[-1]
        text = msgs[last].content
        del msgs[last:]
        self._show_conversation()
        area = self.query_one("#chat-input", TextArea)
        area.text = text
        area.focus()
        area.move_cursor(area.document.end)
        self.notify(t("chat.editing"), timeout=4)

    def action_load_adapter(self) -> None:
        if self.session is None or self.busy:
            return
        from .adapter_picker import AdapterPicker

        self.app.push_screen(AdapterPicker(self.session.model_name), self._picked)

    def _picked(self, path: str | None) -> None:
        self.query_one("#chat-input", TextArea).focus()
        if not path or self.session is None:
            return
        self.busy = True
        self._adapter_worker(path)
