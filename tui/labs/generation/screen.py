"""The generation lab: stream text, move sampling sliders, watch the next-token pipeline.

Layout (fits 80x24): a sidebar of one-line sliders (temperature, top-k, top-p,
repetition penalty, max new tokens, beams, seed) and a status line; on the right the
prompt (or, in chat mode, a system line and the user's message) above four tabs:
streamed output, the next-token pipeline, greedy/beam/sampled compare, and the chat
template the model really reads. The prompt has focus when the lab opens.

How work is split:

* slow calls run in named thread workers (``gen-load``, ``gen-forward``,
  ``gen-generate``, ``gen-compare``) that answer with one message class each
  (``Loaded``, ``PipelineReady``, ``Finished``, ``CompareStep``); one
  ``on_worker_state_changed`` turns their errors into a translated notice;
* the next-token panel keeps one ``NextTokenPipeline`` per prompt (one forward pass
  when the prompt settles); a slider only re-applies the sampling stages to its
  cached logits, on the UI thread; the prompt's length bounds the max-tokens slider;
* streamed text goes into a ``TokenBuffer`` that a 12 Hz timer drains into the pane;
  Esc sets the cancel flag while generating (``generate`` stops after the token in
  flight) and leaves the lab otherwise. The sliders, mode and prompt are kept for the
  session, so leaving and coming back loses nothing.

Sampling settings become one ``SamplingParams`` (the slider ranges are its fields'
bounds) and one engine call (``engine.generation.api.generate``) decides stream or
beam, and says each notice once. Heavy modules load inside the workers, never at
import time, so the app starts without torch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static, TabbedContent, TabPane, TextArea
from textual.worker import Worker, WorkerState

from engine.config import setting_of
from engine.generation.params import SamplingParams

from ...i18n import say, t
from ...screens.base import DojoScreen
from ...widgets.code_panel import CODE_BINDING, CodeExport
from ...widgets.caret_input import CaretInput
from ...widgets.slider import ValueSlider
from .compare import CompareAndTemplate
from .output import StreamPane, TokenBuffer
from .pipeline_panel import NextTokenPanel

if TYPE_CHECKING:
    from engine.generation.events import GenerationResult
    from engine.generation.pipeline import NextTokenPipeline, PipelineView
    from engine.models.load import Loaded as LoadedModel

SLIDERS = {  # field -> (step, value shown as "off")
    "temperature": (0.05, None), "top_k": (1, 0), "top_p": (0.05, None), "repetition_penalty": (0.05, None),
    "max_new_tokens": (1, None), "num_beams": (1, None), "seed": (1, 0),
}
KEPT = ("do_sample", "chat", "fmt", "prompt", "system", "user", *SLIDERS)
"""What the lab keeps for the session when it is left."""


def default_load(name: str) -> LoadedModel:
    """The model from the app-wide cache: a lab opened again, or another lab, does not reload it."""
    from engine.models.cache import shared

    return shared().get(name)


class GenerationScreen(CodeExport, CompareAndTemplate, DojoScreen):
    """The generation lab. ``example`` is a lesson's ``try_it``; ``load(name)`` returns a ``Loaded``."""

    CSS_PATH = "generation.tcss"
    BINDINGS = [
        Binding("ctrl+r", "generate", "Generate", id="gen.generate"),
        Binding("escape", "stop", "Stop/Back", id="gen.stop", priority=True),
        Binding("f2", "toggle_sample", "Sampling", id="gen.sample"),
        Binding("f3", "toggle_chat", "Chat", id="gen.chat"),
        Binding("f4", "compare", "Compare", id="gen.compare"),
        Binding("f6", "cycle_format", "Format", id="gen.format"),
        CODE_BINDING,
    ]

    class Loaded(Message):
        def __init__(self, loaded: LoadedModel, card: Any) -> None:
            super().__init__()
            self.loaded, self.card = loaded, card

    class PipelineReady(Message):
        def __init__(self, pipeline: NextTokenPipeline, key: tuple) -> None:
            super().__init__()
            self.pipeline, self.key = pipeline, key

    class Finished(Message):
        def __init__(self, result: GenerationResult, labels: list) -> None:
            super().__init__()
            self.result, self.labels = result, labels

    def __init__(self, model_name: str = "dojo-tiny", example: Mapping[str, Any] | None = None,
                 load: Callable[[str], LoadedModel] = default_load) -> None:
        super().__init__()
        self.model_name = model_name
        self.example = dict(example or {})
        self._load = load
        self.loaded: LoadedModel | None = None
        self.card: Any = None
        self.pipeline: NextTokenPipeline | None = None
        self.view: PipelineView | None = None
        self.result: GenerationResult | None = None
        self.cancel: threading.Event | None = None
        self.buffer = TokenBuffer()
        self.generating = False
        self._pipeline_key: tuple | None = None
        self._debounce: Any = None
        self._status_msg: tuple[str, dict, str] = ("gen.status.loading", {"model": model_name}, "")
        self._toasted: set[str] = set()
        ex = self._restored(self.example)
        self.fmt = str(ex.get("fmt", "own"))
        self.do_sample = bool(ex.get("do_sample", float(ex.get("temperature", 0) or 0) > 0))
        messages = ex.get("messages") or []
        self.system_text = ex.get("system") or next((m["content"] for m in messages if m.get("role") == "system"), "")
        self.user_text = ex.get("user") or next((m["content"] for m in messages if m.get("role") == "user"), "")
        self.prompt_text = str(ex.get("prompt") or "옛날 옛적에")
        self.chat = bool(ex.get("chat", bool(messages) and not ex.get("prompt")))
        self.initial = ex

    def _restored(self, example: dict) -> dict:
        """A lesson's example wins; opened from the labs list, the session's last settings return."""
        kept = getattr(self.app, "session_state", {}).get(("generation", self.model_name)) if self._has_app() else None
        return dict(kept) if kept and not example.get("prompt") and not example.get("messages") else example

    def _has_app(self) -> bool:
        try:
            self.app  # noqa: B018 - raises outside an app
        except Exception:
            return False
        return True

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="gen-body"):
            with Vertical(id="gen-side"):
                yield Static(id="gen-mode")
                for key, (step, off) in SLIDERS.items():
                    s = setting_of(SamplingParams, key)
                    value = self.initial.get(key, s.default if s.default is not None else s.minimum)
                    yield ValueSlider(key, t(f"gen.{key}"), s.minimum, s.maximum, step, value, off_value=off,
                                      off_label=t("gen.off"), id=f"gen-{key.replace('_', '-')}")
                yield Static(id="gen-status")
            with Vertical(id="gen-main"):
                yield CaretInput(self.system_text, placeholder=t("gen.system.placeholder"), id="gen-system")
                yield TextArea(self.user_text, id="gen-user", soft_wrap=True)
                yield TextArea(self.prompt_text, id="gen-prompt", soft_wrap=True)
                with TabbedContent(id="gen-tabs"):
                    with TabPane(t("gen.tab.output"), id="gen-tab-output"):
                        yield StreamPane(id="gen-output")
                    with TabPane(t("gen.tab.next"), id="gen-tab-next"):
                        with VerticalScroll():
                            yield NextTokenPanel(id="gen-next")
                    with TabPane(t("gen.tab.compare"), id="gen-tab-compare"):
                        with VerticalScroll():
                            yield Static(self.compare_hint(), id="gen-compare")
                    with TabPane(t("gen.tab.template"), id="gen-tab-template"):
                        with VerticalScroll():
                            yield Static(id="gen-template")
        yield Footer()

    def on_mount(self) -> None:
        self._apply_mode()
        self._show_status()
        self.query_one("#gen-output", StreamPane).reset("", t("gen.loading.output"))
        self.set_interval(1 / 12, self._drain)
        self._focus_text()
        self._load_worker()

    def _focus_text(self) -> None:
        """Focus the text the person writes, with the cursor after a pre-filled example."""
        area = self.query_one("#gen-user" if self.chat else "#gen-prompt", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def keep_settings(self) -> None:
        """Remember the settings for the session (when leaving, or when another screen covers the lab)."""
        if self._has_app() and hasattr(self.app, "session_state") and self.is_mounted:
            self.app.session_state[("generation", self.model_name)] = self.settings()

    def on_screen_suspend(self) -> None:
        self.keep_settings()

    def settings(self) -> dict[str, Any]:
        """Everything the person set, to restore the lab as it was."""
        out: dict[str, Any] = {"do_sample": self.do_sample, "chat": self.chat, "fmt": self.fmt,
                               "prompt": self.query_one("#gen-prompt", TextArea).text,
                               "system": self.query_one("#gen-system", CaretInput).value,
                               "user": self.query_one("#gen-user", TextArea).text}
        out.update({key: self._slider(key) for key in SLIDERS})
        return out

    def has_unsaved(self) -> bool:
        return self.generating

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("gen.title")

    def relabel(self) -> None:
        """Every visible string again, in the live language (the app toggled it)."""
        for slider in self.query(ValueSlider):
            slider.label, slider.off_label = t(f"gen.{slider.key}"), t("gen.off")
            slider.refresh()
        tabs = self.query_one("#gen-tabs", TabbedContent)
        for pane in ("output", "next", "compare", "template"):
            tabs.get_tab(f"gen-tab-{pane}").label = t(f"gen.tab.{pane}")
        self.query_one("#gen-system", CaretInput).placeholder = t("gen.system.placeholder")
        self._apply_mode()
        self._show_status()
        self._render_template()
        self._render_compare()
        self.query_one("#gen-next", NextTokenPanel).refresh(layout=True)

    def _apply_mode(self) -> None:
        self.query_one("#gen-system").display = self.chat
        self.query_one("#gen-user").display = self.chat
        self.query_one("#gen-prompt").display = not self.chat
        beam = self._slider("num_beams") > 1
        mode = t("gen.mode.beam") if beam else t("gen.mode.sample" if self.do_sample else "gen.mode.greedy")
        self.query_one("#gen-mode", Static).update(Text.assemble(
            (mode, "bold"), ", ", t("gen.mode.chat" if self.chat else "gen.mode.prompt"), "\n",
            (t("gen.mode.keys"), "dim")))

    def _status(self, key: str, style: str = "", **args: Any) -> None:
        """Show ``key`` in the status line; kept as a key, so a language change re-renders it."""
        self._status_msg = (key, args, style)
        self._show_status()

    def _show_status(self) -> None:
        key, args, style = self._status_msg
        text = t(key, **{k: (say(v) if hasattr(v, "key") else v) for k, v in args.items()})
        self.query_one("#gen-status", Static).update(Text(text, style=style))

    def _slider(self, key: str) -> float | int:
        return self.query_one(f"#gen-{key.replace('_', '-')}", ValueSlider).number

    def params(self) -> SamplingParams:
        """The sliders as one validated ``SamplingParams``."""
        values = {key: self._slider(key) for key in SLIDERS}
        values["seed"] = values["seed"] or None
        return SamplingParams(do_sample=self.do_sample, **values)

    def messages(self) -> list[dict[str, str]]:
        system = self.query_one("#gen-system", CaretInput).value.strip()
        user = self.query_one("#gen-user", TextArea).text
        return ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]

    def prompt_text_now(self) -> str:
        """The plain prompt, wrapped in a fine-tuned sentiment model's training format."""
        text = self.query_one("#gen-prompt", TextArea).text
        if self.card is not None and self.card.task == "sentiment":
            return self.card.prompt_for(text)
        return text

    def prompt_ids(self) -> list[int]:
        from engine.generation.chat_formats import encode_prompt

        assert self.loaded is not None
        tok = self.loaded.tokenizer
        if self.chat:
            fmt = None if self.fmt == "own" else self.fmt
            return encode_prompt(tok, "", messages=self.messages(), fmt=fmt, model_name=self.model_name)
        return encode_prompt(tok, self.prompt_text_now())

    # ----- workers ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="gen-load", exit_on_error=False)
    def _load_worker(self) -> None:
        from engine.training.task_card import read_card

        loaded = self._load(self.model_name)
        self.post_message(self.Loaded(loaded, read_card(loaded.resolved.path)))

    @work(thread=True, exclusive=True, group="gen-forward", exit_on_error=False)
    def _forward_worker(self, ids: list[int], key: tuple) -> None:
        from engine.generation.pipeline import NextTokenPipeline

        assert self.loaded is not None
        self.post_message(self.PipelineReady(NextTokenPipeline(self.loaded.model, self.loaded.tokenizer, ids), key))

    @work(thread=True, exclusive=True, group="gen-generate", exit_on_error=False)
    def _generate_worker(self, ids: list[int], params: SamplingParams, cancel: threading.Event, text: str) -> None:
        from engine.generation.api import generate

        assert self.loaded is not None
        buffer = self.buffer
        result = generate(self.loaded.model, self.loaded.tokenizer, ids, params, cancel=cancel,
                          on_event=lambda event: buffer.push(event.text) if event.text else None)
        labels = []
        if self.card is not None and self.card.task == "sentiment" and not self.chat:
            from engine.training.task_card import label_probabilities

            labels = label_probabilities(self.loaded.model, self.loaded.tokenizer, text, self.card)
        self.post_message(self.Finished(result, labels))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors become a notice."""
        if event.state != WorkerState.ERROR or not event.worker.group.startswith("gen-"):
            return
        if event.worker.group == "gen-generate":
            self.generating = False
        if event.worker.group == "gen-forward":
            self._pipeline_key = None  # let the next prompt change try again
        text = self.notify_error(event.worker.error, timeout=8)
        self._status("gen.status.failed", "red", error=text)

    # ----- messages from workers ----------------------------------------------------------------
    def on_generation_screen_loaded(self, message: Loaded) -> None:
        self.loaded, self.card = message.loaded, message.card
        self.query_one("#gen-output", StreamPane).reset("")
        self._status("gen.status.ready", model=self.model_name, device=self.loaded.device)
        if self.card is not None and self.card.task == "sentiment":
            self.notify(t("gen.task_card"), timeout=8)
        self._refresh_next()
        self._render_template()

    def on_generation_screen_pipeline_ready(self, message: PipelineReady) -> None:
        if message.key != self._pipeline_key:
            return  # the prompt changed again while this pass ran
        self.pipeline = message.pipeline
        self._recompute()

    def on_generation_screen_finished(self, message: Finished) -> None:
        self._drain()
        self.generating = False
        self.result = r = message.result
        if r.finish_reason == "cancelled":
            self._status("gen.status.stopped", "yellow", n=len(r.token_ids))
        else:
            tps = r.tokens_per_second
            self._status("gen.status.done", n=len(r.token_ids), ttft=round((r.time_to_first_token or 0) * 1000),
                         tps="-" if tps is None else f"{tps:.1f}", reason=t(f"gen.reason.{r.finish_reason}"))
        if message.labels:
            shown = ", ".join(f"{label} {prob:.0%}" for label, _, prob in message.labels)
            self.notify(t("gen.labels", labels=shown), timeout=10)
        for notice in r.notices:
            if notice.key not in self._toasted:  # said once per session, not on every Ctrl+R
                self._toasted.add(notice.key)
                self.notify(say(notice), timeout=6)

    # ----- reacting to the user -----------------------------------------------------------------
    def on_value_slider_changed(self, event: ValueSlider.Changed) -> None:
        if event.slider.key in ("temperature", "top_k", "top_p", "repetition_penalty"):
            self._recompute()
        if event.slider.key in ("num_beams", "temperature"):
            self._apply_mode()
        if self.loaded is not None and not self.generating and self._status_msg[0] != "gen.status.failed":
            self._status("gen.status.ready", model=self.model_name, device=self.loaded.device)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._schedule_refresh()

    def on_input_changed(self, event: CaretInput.Changed) -> None:
        self._schedule_refresh()

    def _schedule_refresh(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.4, self._refresh_next)
        self._render_template()

    def _refresh_next(self) -> None:
        """Bound the length slider by the room left, and run one forward pass for the prompt
        unless its logits are cached already."""
        if self.loaded is None:
            return
        from engine.errors import DojoError
        from engine.generation.params import room_for_new_tokens
        from engine.models.context import context_length

        try:
            ids = self.prompt_ids()
        except DojoError as exc:  # no template, empty messages: say so in the panel
            self.query_one("#gen-next", NextTokenPanel).show_message(say(exc))
            return
        context = context_length(self.loaded.model, self.loaded.tokenizer)
        slider = self.query_one("#gen-max-new-tokens", ValueSlider)
        slider.set_range(room_for_new_tokens(len(ids), context, int(setting_of(SamplingParams,
                                                                                  "max_new_tokens").maximum)))
        if not ids:
            self.query_one("#gen-next", NextTokenPanel).show_message(t("msg.gen.empty_prompt"))
            return
        key = (tuple(ids),)
        if key == self._pipeline_key:
            return  # these logits are cached, or their pass is already running
        self._pipeline_key = key
        self._forward_worker(ids, key)

    def _recompute(self) -> None:
        """Re-apply the sampling stages to the cached logits: no forward pass."""
        if self.pipeline is None:
            return
        from engine.errors import DojoError

        try:
            self.view = self.pipeline.stages(self.params())
        except DojoError as exc:
            self.query_one("#gen-next", NextTokenPanel).show_message(say(exc))
            return
        self.query_one("#gen-next", NextTokenPanel).show(self.view, self.pipeline.forward_passes)

    def _drain(self) -> None:
        text = self.buffer.drain()
        if text:
            self.query_one("#gen-output", StreamPane).append(text)

    # ----- show the code ------------------------------------------------------------------------
    CODE_NAME = "generation"

    def code_snippet(self):
        """``model.generate`` with the sliders' values, on the prompt or conversation as it stands."""
        from engine.codegen.generation import generation_snippet
        from engine.generation.chat_formats import render_format

        device = self.loaded.device if self.loaded is not None else "cpu"
        dtype = self.loaded.dtype if self.loaded is not None else "float32"
        if self.chat:
            messages = self.messages()
            system = next((m["content"] for m in messages if m["role"] == "system"), None)
            user = messages[-1]["content"]
            rendered = None if self.fmt == "own" else render_format(self.fmt, messages, True)
            return generation_snippet(self.model_name, user, self.params(), chat=True, system=system,
                                      device=device, dtype=dtype, rendered=rendered)
        return generation_snippet(self.model_name, self.prompt_text_now(), self.params(), device=device, dtype=dtype)

    # ----- actions ------------------------------------------------------------------------------
    def action_generate(self) -> None:
        if self.loaded is None or self.generating:
            return
        from engine.errors import DojoError

        try:
            params, ids = self.params(), self.prompt_ids()
        except DojoError as exc:
            self._status("gen.status.failed", "red", error=say(exc))
            self.notify_error(exc)
            return
        self.buffer.drain()
        self.query_one("#gen-output", StreamPane).reset(self.loaded.tokenizer.decode(ids, skip_special_tokens=True))
        self.query_one("#gen-tabs", TabbedContent).active = "gen-tab-output"
        self.cancel = threading.Event()
        self.generating = True
        self._status("gen.status.generating")
        self._generate_worker(ids, params, self.cancel, self.query_one("#gen-prompt", TextArea).text)

    def action_stop(self) -> None:
        """Esc: stop the generation in flight; with nothing running, leave the lab."""
        if self.generating and self.cancel is not None:
            self.cancel.set()
            return
        if len(self.app.screen_stack) > 1:
            self.keep_settings()
            self.app.pop_screen()

    def action_toggle_sample(self) -> None:
        self.do_sample = not self.do_sample
        self._apply_mode()
        self._recompute()

    def action_toggle_chat(self) -> None:
        self.chat = not self.chat
        self._apply_mode()
        self._focus_text()
        self._refresh_next()
        self._render_template()
