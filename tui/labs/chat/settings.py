"""The chat's settings: the system prompt, and the generation lab's sliders (same ``SamplingParams``
fields and bounds), in a dialog. Enter applies, Esc keeps the old settings, F2 turns sampling on or
off. Dismissed with ``(params, system)`` or None."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Static

from engine.config import setting_of
from engine.generation.params import SamplingParams

from ...i18n import t
from ...screens.base import DojoModal
from ...widgets.caret_input import CaretInput
from ...widgets.slider import ValueSlider

SLIDERS = {  # field -> (step, value shown as "off")
    "temperature": (0.05, None), "top_k": (1, 0), "top_p": (0.05, None), "repetition_penalty": (0.05, None),
    "max_new_tokens": (1, None), "seed": (1, 0),
}


class ChatSettings(DojoModal["tuple[SamplingParams, str] | None"]):
    DEFAULT_CSS = """
    ChatSettings { align: center middle; }
    ChatSettings > Vertical { width: 60; height: auto; border: round $primary; background: $surface; padding: 0 1; }
    ChatSettings ValueSlider { margin-bottom: 0; }
    """
    BINDINGS = [
        Binding("enter", "apply", "Apply", id="chat.apply", priority=True),
        Binding("f2", "toggle_sample", "Sampling", id="chat.sample"),
        Binding("escape", "close", "Close", id="chat.close"),
    ]

    def __init__(self, params: SamplingParams, system: str = "") -> None:
        super().__init__()
        self.params = params
        self.system = system
        self.do_sample = params.do_sample

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="chat-settings-mode")
            yield CaretInput(self.system, placeholder=t("chat.set.system"), id="chat-set-system")
            for key, (step, off) in SLIDERS.items():
                s = setting_of(SamplingParams, key)
                value = getattr(self.params, key)
                if value is None:
                    value = off if off is not None else s.minimum
                yield ValueSlider(key, t(f"chat.set.{key}"), s.minimum, s.maximum, step, value, off_value=off,
                                  off_label=t("chat.set.off"), id=f"chat-set-{key.replace('_', '-')}")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self._show_mode()
        self.query(ValueSlider).first().focus()

    def _show_mode(self) -> None:
        mode = t("chat.set.sample" if self.do_sample else "chat.set.greedy")
        self.query_one("#chat-settings-mode", Static).update(Text.assemble((mode, "bold"), "  ",
                                                                           (t("chat.set.keys"), "dim")))

    def action_toggle_sample(self) -> None:
        self.do_sample = not self.do_sample
        self._show_mode()

    def values(self) -> SamplingParams:
        got = {s.key: s.number for s in self.query(ValueSlider)}
        got["seed"] = got["seed"] or None
        return replace(self.params, do_sample=self.do_sample, **got)

    def action_apply(self) -> None:
        from engine.errors import DojoError

        try:
            self.dismiss((self.values(), self.query_one(CaretInput).value.strip()))
        except DojoError as exc:
            self.notify_error(exc)

    def action_close(self) -> None:
        self.dismiss(None)
