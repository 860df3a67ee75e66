"""The generation lab: stream text, move sampling sliders, watch the next-token pipeline.

Layout (fits 80x24): a sidebar of one-line sliders (temperature, top-k, top-p,
repetition penalty, max new tokens, beams, seed) and a status line; on the right
the prompt (or, in chat mode, a system line and the user's message) above four
tabs: streamed output, the next-token pipeline, greedy/beam/sampled compare, and
the chat template the model really reads.

How work is split:

* everything slow runs in named thread workers (``gen-load``, ``gen-forward``,
  ``gen-generate``, ``gen-compare``), which hand results back with ``post_message``;
  one handler (``on_worker_state_changed``) turns their errors into a notice;
* the next-token panel keeps one :class:`~engine.generation.pipeline.NextTokenPipeline`
  per prompt (one forward pass, run when the prompt settles); a slider move only
  re-applies temperature -> top-k -> top-p to its cached logits, on the UI thread;
* streamed text goes into a :class:`~tui.widgets.gen_output.TokenBuffer` that a
  12 Hz timer drains into the output pane; Esc sets the run's cancel flag, and
  ``generate`` stops after the token in flight.

Heavy modules (torch, transformers, the engine's generation code) are imported
inside the workers, never at import time, so the app starts without torch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane, TextArea
from textual.worker import Worker, WorkerState

from engine.generation.params import SamplingParams
from ..widgets.caret_input import CaretInput
from ..widgets.gen_output import StreamPane, TokenBuffer
from ..widgets.gen_pipeline import NextTokenPanel
from ..widgets.gen_slider import ValueSlider
from ..widgets.gen_strings import gt
from .base import localize_bindings
from .generation_compare import CompareAndTemplate

SLIDERS = (  # key, minimum, maximum, step, default, off value
    ("temperature", 0.0, 2.0, 0.05, 1.0, None),
    ("top_k", 0, 100, 1, 50, 0),
    ("top_p", 0.05, 1.0, 0.05, 1.0, None),
    ("repetition_penalty", 1.0, 2.0, 0.05, 1.0, None),
    ("max_new_tokens", 1, 512, 1, 64, None),
    ("num_beams", 1, 8, 1, 1, None),
    ("seed", 0, 999, 1, 0, 0),
)


def default_load(name: str) -> Any:
    from engine.models.load import load_model

    return load_model(name)


class GenerationScreen(CompareAndTemplate, Screen[None]):
    """The generation lab. ``example`` is a lesson's ``try_it``; ``load(name)`` returns a ``Loaded``."""

    CSS_PATH = "../styles/generation.tcss"
    BINDINGS = [
        Binding("ctrl+r", "generate", "Generate", id="gen.generate"),
        Binding("escape", "stop", "Stop/Back", id="gen.stop", priority=True),
        Binding("f2", "toggle_sample", "Sampling", id="gen.sample"),
        Binding("f3", "toggle_chat", "Chat", id="gen.chat"),
        Binding("f4", "compare", "Compare", id="gen.compare"),
        Binding("f6", "cycle_format", "Format", id="gen.format"),
    ]

    class Done(Message):
        """A worker's result: ``kind`` is 'loaded', 'pipeline', 'finished' or 'compared'."""

        def __init__(self, kind: str, value: Any, key: tuple | None = None) -> None:
            super().__init__()
            self.kind, self.value, self.key = kind, value, key

    def __init__(self, model_name: str = "dojo-tiny", example: Mapping[str, Any] | None = None,
                 load: Callable[[str], Any] = default_load) -> None:
        super().__init__()
        self.model_name = model_name
        self.example = dict(example or {})
        self._load = load
        self.loaded: Any = None
        self.pipeline: Any = None
        self.view: Any = None
        self.result: Any = None
        self.comparison: Any = None
        self.cancel: threading.Event | None = None
        self.buffer = TokenBuffer()
        self.generating = False
        self.fmt = "own"
        self._pipeline_key: tuple | None = None
        self._debounce: Any = None
        ex = self.example
        self.do_sample = bool(ex.get("do_sample", float(ex.get("temperature", 0) or 0) > 0))
        messages = ex.get("messages") or []
        self.system_text = next((m["content"] for m in messages if m.get("role") == "system"), "")
        self.user_text = next((m["content"] for m in messages if m.get("role") == "user"), "")
        self.chat = bool(messages) and not ex.get("prompt")

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="gen-body"):
            with Vertical(id="gen-side"):
                yield Static(id="gen-mode")
                for key, lo, hi, step, default, off in SLIDERS:
                    yield ValueSlider(key, gt(key), lo, hi, step, self.example.get(key, default), off_value=off,
                                      off_label=gt("off"), id=f"gen-{key.replace('_', '-')}")
                yield Static(id="gen-status")
            with Vertical(id="gen-main"):
                yield CaretInput(self.system_text, placeholder=gt("system.placeholder"), id="gen-system")
                yield TextArea(self.user_text, id="gen-user", soft_wrap=True)
                yield TextArea(self.example.get("prompt", "옛날 옛적에"), id="gen-prompt", soft_wrap=True)
                with TabbedContent(id="gen-tabs"):
                    with TabPane(gt("tab.output"), id="gen-tab-output"):
                        yield StreamPane(id="gen-output")
                    with TabPane(gt("tab.next"), id="gen-tab-next"):
                        with VerticalScroll():
                            yield NextTokenPanel(id="gen-next")
                    with TabPane(gt("tab.compare"), id="gen-tab-compare"):
                        with VerticalScroll():
                            yield Static(gt("compare.waiting"), id="gen-compare")
                    with TabPane(gt("tab.template"), id="gen-tab-template"):
                        with VerticalScroll():
                            yield Static(id="gen-template")
        yield Footer()

    def on_mount(self) -> None:
        self._localize_bindings()
        if hasattr(self.app, "lang"):  # the app's live language (absent in a bare test app)
            self.watch(self.app, "lang", self.relabel, init=False)
        self._apply_mode()
        self._status(gt("status.loading", model=self.model_name))
        self.set_interval(1 / 12, self._drain)
        self._load_worker()

    def _localize_bindings(self) -> None:
        localize_bindings(self)  # "key.gen.<name>" strings are registered by gen_strings
        self.refresh_bindings()

    def relabel(self) -> None:
        """Every visible string again, in the live language (the app toggled it)."""
        self._localize_bindings()
        for slider in self.query(ValueSlider):
            slider.label, slider.off_label = gt(slider.key), gt("off")
            slider.refresh()
        tabs = self.query_one("#gen-tabs", TabbedContent)
        for pane, key in (("output", "tab.output"), ("next", "tab.next"), ("compare", "tab.compare"),
                          ("template", "tab.template")):
            tabs.get_tab(f"gen-tab-{pane}").label = gt(key)
        self.query_one("#gen-system", CaretInput).placeholder = gt("system.placeholder")
        self._apply_mode()
        self._render_template()
        self.query_one("#gen-next", NextTokenPanel).refresh(layout=True)

    def _apply_mode(self) -> None:
        self.query_one("#gen-system").display = self.chat
        self.query_one("#gen-user").display = self.chat
        self.query_one("#gen-prompt").display = not self.chat
        mode = gt("mode.beam") if self._slider("num_beams") > 1 else gt("mode.sample" if self.do_sample else
                                                                          "mode.greedy")
        self.query_one("#gen-mode", Static).update(
            Text.assemble((f"{mode}", "bold"), " · ", gt("mode.chat" if self.chat else "mode.prompt"), " (F2/F3)"))

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#gen-status", Static).update(Text(text, style=style))

    def _slider(self, key: str) -> float | int:
        return self.query_one(f"#gen-{key.replace('_', '-')}", ValueSlider).number

    def params(self) -> SamplingParams:
        """The sliders as one validated ``SamplingParams`` (greedy when temperature is 0)."""
        seed = self._slider("seed")
        return SamplingParams(do_sample=self.do_sample, temperature=self._slider("temperature"),
                              top_k=self._slider("top_k"), top_p=self._slider("top_p"),
                              repetition_penalty=self._slider("repetition_penalty"),
                              max_new_tokens=self._slider("max_new_tokens"), num_beams=self._slider("num_beams"),
                              seed=seed or None)

    def messages(self) -> list[dict[str, str]]:
        system = self.query_one("#gen-system", CaretInput).value.strip()
        user = self.query_one("#gen-user", TextArea).text
        return ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]

    def prompt_ids(self) -> list[int]:
        from engine.generation.chat_formats import encode_prompt

        tok = self.loaded.tokenizer
        if self.chat:
            fmt = None if self.fmt == "own" else self.fmt
            return encode_prompt(tok, "", messages=self.messages(), fmt=fmt, model_name=self.model_name)
        return encode_prompt(tok, self.query_one("#gen-prompt", TextArea).text)

    # ----- workers ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="gen-load", exit_on_error=False)
    def _load_worker(self) -> None:
        self.post_message(self.Done("loaded", self._load(self.model_name)))

    @work(thread=True, exclusive=True, group="gen-forward", exit_on_error=False)
    def _forward_worker(self, ids: list[int], key: tuple) -> None:
        from engine.generation.pipeline import NextTokenPipeline

        pipeline = NextTokenPipeline(self.loaded.model, self.loaded.tokenizer, ids)
        self.post_message(self.Done("pipeline", pipeline, key))

    @work(thread=True, exclusive=True, group="gen-generate", exit_on_error=False)
    def _generate_worker(self, ids: list[int], params: SamplingParams, cancel: threading.Event) -> None:
        from engine.generation.stream import run_stream

        if params.num_beams > 1:
            from engine.generation.strategies import beam_search

            best = beam_search(self.loaded.model, self.loaded.tokenizer, ids, params, cancel=cancel)[0]
            self.buffer.push(best.text)
            self.post_message(self.Done("finished", best))
            return
        buffer = self.buffer
        result = run_stream(self.loaded.model, self.loaded.tokenizer, ids, params,
                            lambda event: buffer.push(event.text) if event.text else None, cancel=cancel,
                            logprobs=False)  # the output pane shows text only
        self.post_message(self.Done("finished", result))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors become a notice (a DojoError's message is already one line)."""
        if event.state != WorkerState.ERROR or not event.worker.group.startswith("gen-"):
            return
        error = event.worker.error
        from engine.errors import DojoError

        text = str(error) if isinstance(error, DojoError) else f"{type(error).__name__}: {error}"
        if event.worker.group == "gen-generate":
            self.generating = False
        if event.worker.group == "gen-forward":
            self._pipeline_key = None  # let the next prompt change try again
        self._status(gt("status.failed", error=text), "red")
        self.notify(text, severity="error", timeout=8)

    # ----- messages from workers ----------------------------------------------------------------
    def on_generation_screen_done(self, message: Done) -> None:
        handler = {"loaded": self._loaded, "pipeline": self._pipeline_ready, "finished": self._finished,
                   "compared": self._compared}[message.kind]
        handler(message)

    def _loaded(self, message: Done) -> None:
        self.loaded = message.value
        from engine.generation.params import context_length

        context = context_length(self.loaded.model, self.loaded.tokenizer)
        if context:
            self.query_one("#gen-max-new-tokens", ValueSlider).set_range(min(512, context - 1))
        self._status(gt("status.ready", model=self.model_name, device=self.loaded.device))
        self._refresh_next()
        self._render_template()

    def _pipeline_ready(self, message: Done) -> None:
        if message.key != self._pipeline_key:
            return  # the prompt changed again while this pass ran
        self.pipeline = message.value
        self._recompute()

    def _finished(self, message: Done) -> None:
        self._drain()
        self.generating = False
        self.result = r = message.value
        if getattr(r, "finish_reason", None) == "cancelled":
            self._status(gt("status.stopped", n=len(r.token_ids)), "yellow")
        elif hasattr(r, "time_to_first_token"):
            tps = r.tokens_per_second
            self._status(gt("status.done", n=len(r.token_ids), ttft=round((r.time_to_first_token or 0) * 1000),
                            tps="-" if tps is None else f"{tps:.1f}", reason=r.finish_reason))
            for notice in r.notices:
                self.notify(notice, timeout=6)
        else:
            self._status(gt("notice.beam_stream"))

    # ----- reacting to the user -----------------------------------------------------------------
    def on_value_slider_changed(self, event: ValueSlider.Changed) -> None:
        if event.slider.key in ("temperature", "top_k", "top_p", "repetition_penalty"):
            self._recompute()
        if event.slider.key == "temperature" and event.value == 0 and self.do_sample:
            self._status(gt("notice.greedy_temp"), "yellow")
        if event.slider.key == "num_beams":
            self._apply_mode()

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
        """Run one forward pass for the current prompt, unless its logits are cached already."""
        if self.loaded is None:
            return
        try:
            ids = self.prompt_ids()
        except Exception as exc:  # no template, empty messages: say so in the panel
            self.query_one("#gen-next", NextTokenPanel).show_message(str(exc))
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
        temperature = self._slider("temperature") if self.do_sample else 0.0
        self.view = self.pipeline.stages(temperature=temperature, top_k=self._slider("top_k"),
                                         top_p=self._slider("top_p"),
                                         repetition_penalty=self._slider("repetition_penalty"))
        self.query_one("#gen-next", NextTokenPanel).show(self.view, self.pipeline.forward_passes)

    def _drain(self) -> None:
        text = self.buffer.drain()
        if text:
            self.query_one("#gen-output", StreamPane).append(text)

    # ----- actions ------------------------------------------------------------------------------
    def action_generate(self) -> None:
        if self.loaded is None or self.generating:
            return
        from engine.errors import DojoError

        try:
            params, notices = self.params().resolve()
            ids = self.prompt_ids()
        except DojoError as exc:
            self._status(gt("status.failed", error=str(exc)), "red")
            self.notify(str(exc), severity="error")
            return
        for notice in notices:
            self.notify(notice, timeout=6)
        self.buffer.drain()
        self.query_one("#gen-output", StreamPane).reset(self.loaded.tokenizer.decode(ids, skip_special_tokens=True))
        self.query_one("#gen-tabs", TabbedContent).active = "gen-tab-output"
        self.cancel = threading.Event()
        self.generating = True
        self._status(gt("status.generating"))
        self._generate_worker(ids, params, self.cancel)

    def action_stop(self) -> None:
        if self.generating and self.cancel is not None:
            self.cancel.set()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_toggle_sample(self) -> None:
        self.do_sample = not self.do_sample
        self._apply_mode()
        self._recompute()

    def action_toggle_chat(self) -> None:
        self.chat = not self.chat
        self._apply_mode()
        self._refresh_next()
        self._render_template()
