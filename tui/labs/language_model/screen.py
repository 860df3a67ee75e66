"""The language-model lab: what a causal and a masked language model compute on one sentence.

Layout (fits 80x24): the text (an IME-friendly ``CaretInput`` with focus), a status line,
then three tabs:

* **Next token** (F2): the raw next-token distribution after the text, top rows with a
  probability bar, p and log p; the footer line shows that the whole distribution sums to 1;
* **Surprise** (F3): the same text scored token by token, a bar per token of -log p, and
  the sentence's perplexity;
* **Fill-mask** (F4): a text with ``[MASK]``: the masked model's candidates (both sides)
  beside a causal model's next token after the text left of each mask.

The next-token and surprise tabs share one text (the prompt); the fill-mask tab has its
own (the masked text); the input shows the active tab's text. Typing recomputes after a
short pause, Enter at once; F5 puts in the built-in example (Korean, then English).
F12 shows the plain transformers code of the tab on show (``engine.codegen.language_model``).

Work: each panel computes in a named thread worker (``lm-next``, ``lm-surprise``,
``lm-fill``) through ``engine.lm.api`` with the app-wide model cache (a model the lesson
preloaded, or another lab loaded, is not loaded again), answering with one message class
each. Errors (an empty text, no mask, the wrong kind of model) show in the panel and as
one translated notice. ``latency`` keeps each panel's request-to-widget time (bench).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from engine.lm.examples import example

from ...i18n import get_lang, say, t
from ...screens.base import DojoScreen, describe_error
from ...widgets.caret_input import CaretInput
from ...widgets.code_panel import CODE_BINDING, CodeExport
from .panels import fill_view, next_view, surprise_view

if TYPE_CHECKING:
    from engine.lm.api import LmFillMaskResult, LmNextTokenResult, LmScoreResult
    from engine.models.cache import ModelCache

PANELS = ("next", "surprise", "fill")
DEBOUNCE = 0.35
TOP = 10


class LanguageModelScreen(CodeExport, DojoScreen):
    """The lab. ``example`` is lesson 4's ``try_it`` (prompt, masked_text, model, model_mlm)."""

    CSS_PATH = "language_model.tcss"
    BINDINGS = [
        Binding("f2", "show('next')", "Next token", id="lm.next"),
        Binding("f3", "show('surprise')", "Surprise", id="lm.surprise"),
        Binding("f4", "show('fill')", "Fill-mask", id="lm.fill"),
        Binding("f5", "example", "Example", id="lm.example"),
        Binding("escape", "back", "Back", id="lm.back"),
        CODE_BINDING,
    ]

    class NextReady(Message):
        def __init__(self, result: LmNextTokenResult, key: tuple, started: float) -> None:
            super().__init__()
            self.result, self.key, self.started = result, key, started

    class ScoreReady(Message):
        def __init__(self, result: LmScoreResult, key: tuple, started: float) -> None:
            super().__init__()
            self.result, self.key, self.started = result, key, started

    class FillReady(Message):
        def __init__(self, result: LmFillMaskResult, key: tuple, started: float) -> None:
            super().__init__()
            self.result, self.key, self.started = result, key, started

    def __init__(self, example_: Mapping[str, Any] | None = None, cache: ModelCache | None = None) -> None:
        super().__init__()
        ex = dict(example_ or {})
        lang = "ko"
        self.prompt = str(ex.get("prompt") or example(lang, "prompt"))
        self.masked = str(ex.get("masked_text") or example(lang, "masked"))
        self.clm = str(ex.get("model") or "dojo-tiny")
        self.mlm = str(ex.get("model_mlm") or "dojo-tiny-mlm")
        self.panel = str(ex.get("panel", "next")) if ex.get("panel") in PANELS else "next"
        self._cache = cache
        self.results: dict[str, Any] = {}
        self.errors: dict[str, BaseException] = {}
        self.latency: dict[str, float] = {}
        """Panel -> seconds from the request to the widget update, the last time it was shown."""
        self._asked: dict[str, tuple] = {}
        self._status_key: tuple[str, dict, str] = ("lm.status.loading", {"model": self.clm}, "")
        self._debounce: Any = None
        self._example_lang = "en" if get_lang() == "ko" else "ko"

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield CaretInput(self._text_of(self.panel), placeholder=self._placeholder(), id="lm-text")
        yield Static(id="lm-status")
        with TabbedContent(id="lm-tabs", initial=f"lm-tab-{self.panel}"):
            for panel in PANELS:
                with TabPane(t(f"lm.tab.{panel}"), id=f"lm-tab-{panel}"):
                    with VerticalScroll(classes="lm-scroll"):
                        yield Static(t("lm.waiting"), id=f"lm-{panel}")
        yield Footer()

    def on_mount(self) -> None:
        text = self.query_one("#lm-text", CaretInput)
        text.cursor_blink = False
        text.focus()
        self._show_status()
        self.request(self.panel)

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("lm.title")

    def relabel(self) -> None:
        tabs = self.query_one("#lm-tabs", TabbedContent)
        for panel in PANELS:
            tabs.get_tab(f"lm-tab-{panel}").label = t(f"lm.tab.{panel}")
            self._render_panel(panel)
        self.query_one("#lm-text", CaretInput).placeholder = self._placeholder()
        self._show_status()

    def _text_of(self, panel: str) -> str:
        return self.masked if panel == "fill" else self.prompt

    def _placeholder(self) -> str:
        return t("lm.placeholder.masked" if self.panel == "fill" else "lm.placeholder.prompt")

    # ----- status -------------------------------------------------------------------------------
    def _status(self, key: str, style: str = "", **args: Any) -> None:
        self._status_key = (key, args, style)
        self._show_status()

    def _show_status(self) -> None:
        key, args, style = self._status_key
        shown = t(key, **{k: describe_error(v) if isinstance(v, BaseException) else v for k, v in args.items()})
        self.query_one("#lm-status", Static).update(Text(shown, style=style))

    # ----- work ---------------------------------------------------------------------------------
    def cache(self) -> ModelCache:
        if self._cache is None:
            from engine.models.cache import shared

            self._cache = shared()
        return self._cache

    def request(self, panel: str, force: bool = False) -> None:
        """Compute ``panel`` for its text unless that result is shown (or on its way) already."""
        text = self._text_of(panel)
        key = (text, self.mlm if panel == "fill" else self.clm)
        if not force and self._asked.get(panel) == key:
            return
        self._asked[panel] = key
        started = time.perf_counter()
        model = self.mlm if panel == "fill" else self.clm
        self._status("lm.status.working", model=model)
        getattr(self, f"_{panel}_worker")(text, key, started)

    def config_for(self, panel: str, text: str) -> Any:
        """The engine config of ``panel`` for ``text``: what its worker runs and what F12 shows."""
        from engine.lm.config import LmFillMaskConfig, LmNextTokenConfig, LmScoreConfig

        if panel == "next":
            return LmNextTokenConfig(text=text, model=self.clm, top=TOP)
        if panel == "surprise":
            return LmScoreConfig(text=text, model=self.clm)
        return LmFillMaskConfig(text=text, model=self.mlm, causal_model=self.clm, top=5)

    @work(thread=True, exclusive=True, group="lm-next", exit_on_error=False)
    def _next_worker(self, text: str, key: tuple, started: float) -> None:
        from engine.lm.api import next_token

        self.post_message(self.NextReady(next_token(self.config_for("next", text), self.cache()), key, started))

    @work(thread=True, exclusive=True, group="lm-surprise", exit_on_error=False)
    def _surprise_worker(self, text: str, key: tuple, started: float) -> None:
        from engine.lm.api import score

        self.post_message(self.ScoreReady(score(self.config_for("surprise", text), self.cache()), key, started))

    @work(thread=True, exclusive=True, group="lm-fill", exit_on_error=False)
    def _fill_worker(self, text: str, key: tuple, started: float) -> None:
        from engine.lm.api import fill

        self.post_message(self.FillReady(fill(self.config_for("fill", text), self.cache()), key, started))

    # ----- show the code ------------------------------------------------------------------------
    CODE_NAME = "language-model"

    def code_snippet(self):
        """The code of the tab on show, for the text its result was computed from (None before one)."""
        from engine.codegen import language_model as code

        result = self.results.get(self.panel)
        if result is None:
            return None
        if self.panel == "next":
            return code.next_token_snippet(self.config_for("next", result.prompt))
        if self.panel == "surprise":
            return code.score_snippet(self.config_for("surprise", result.text))
        return code.fill_mask_snippet(self.config_for("fill", result.text))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors become a notice (and the panel's text)."""
        if event.state != WorkerState.ERROR or not event.worker.group.startswith("lm-"):
            return
        panel = event.worker.group.removeprefix("lm-")
        error = event.worker.error
        self._asked.pop(panel, None)  # the same text may be tried again (after a fix elsewhere)
        if error is not None:
            self.errors[panel] = error
            self.results.pop(panel, None)
        self.notify_error(error, timeout=8)
        self._status("lm.status.failed", "red", error=error)
        self._render_panel(panel)

    # ----- results ------------------------------------------------------------------------------
    def _arrived(self, panel: str, result: Any, key: tuple, started: float, status: str, **args: Any) -> None:
        if self._asked.get(panel) != key:
            return  # the text changed again while this ran
        self.results[panel] = result
        self.errors.pop(panel, None)
        self._render_panel(panel)
        self.latency[panel] = time.perf_counter() - started
        self._status(status, ms=round(self.latency[panel] * 1000), **args)

    def on_language_model_screen_next_ready(self, message: NextReady) -> None:
        self._arrived("next", message.result, message.key, message.started, "lm.status.next",
                      model=message.result.model, n=len(message.result.prompt_ids))

    def on_language_model_screen_score_ready(self, message: ScoreReady) -> None:
        self._arrived("surprise", message.result, message.key, message.started, "lm.status.surprise",
                      model=message.result.model, n=len(message.result.tokens))

    def on_language_model_screen_fill_ready(self, message: FillReady) -> None:
        self._arrived("fill", message.result, message.key, message.started, "lm.status.fill",
                      model=message.result.model, n=len(message.result.masks))

    def _render_panel(self, panel: str) -> None:
        widget = self.query_one(f"#lm-{panel}", Static)
        if panel in self.errors:
            widget.update(Text(describe_error(self.errors[panel]), style="yellow"))
            return
        result = self.results.get(panel)
        if result is None:
            widget.update(t("lm.waiting"))
            return
        widget.update({"next": next_view, "surprise": surprise_view, "fill": fill_view}[panel](result))

    # ----- reacting to the user -----------------------------------------------------------------
    def on_input_changed(self, event: CaretInput.Changed) -> None:
        if event.value == self._text_of(self.panel):
            return  # the tab's own text put back, or no real change
        if self.panel == "fill":
            self.masked = event.value
        else:
            self.prompt = event.value
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, lambda: self.request(self.panel))

    def on_input_submitted(self, event: CaretInput.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.request(self.panel)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        panel = (event.pane.id or "").removeprefix("lm-tab-")
        if panel in PANELS and panel != self.panel:
            self._switch(panel)

    def _switch(self, panel: str) -> None:
        self.panel = panel
        box = self.query_one("#lm-text", CaretInput)
        box.placeholder = self._placeholder()
        if box.value != self._text_of(panel):
            with box.prevent(CaretInput.Changed):
                box.value = self._text_of(panel)
        box.cursor_position = len(box.value)
        self.request(panel)

    def action_show(self, panel: str) -> None:
        self.query_one("#lm-tabs", TabbedContent).active = f"lm-tab-{panel}"
        if panel != self.panel:
            self._switch(panel)
        self.query_one("#lm-text", CaretInput).focus()

    def action_example(self) -> None:
        """The built-in example of this tab, Korean and English in turn."""
        lang = self._example_lang
        self._example_lang = "en" if lang == "ko" else "ko"
        what = {"next": "prompt", "surprise": "sentence", "fill": "masked"}[self.panel]
        text = example(lang, what)
        if self.panel == "fill":
            self.masked = text
        else:
            self.prompt = text
        box = self.query_one("#lm-text", CaretInput)
        with box.prevent(CaretInput.Changed):
            box.value = text
        box.cursor_position = len(text)
        self.request(self.panel)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
