"""The attention lab: a sentence on top, four pages below.

* **Attention map**: the heatmap of one layer's head (or the head average) for the sentence,
  tokens on both axes (Hangul aligned by cell width), the softmax weights or (F4) the raw
  scores QK^T/sqrt(d), the causal mask as '-', and for each token the one it attends to most.
  F2 cycles the layer, F3 the head (then the average), F5 the model (dojo-tiny, a causal Llama;
  dojo-tiny-mlm, a bidirectional BERT). Typing recaptures after a short pause.
* **Positional encoding**: the sinusoidal matrix as a heatmap and the dot product of two
  positions' encodings against their distance (textual-plotext).
* **RoPE**: "apple apple apple apple" through the model's own rotary embedding.
* **Encoder**: shapes at every sub-layer, the checks against torch, and Ctrl+R trains the
  from-scratch encoder and dojo-tiny-mlm with Trainer, the loss streaming into a plot.

F12 shows the plain torch/transformers code of the page on show (``engine.codegen.attention``),
built from the same config objects the page's engine call used.

Slow calls run in named thread workers (``att-capture``, ``att-pe``, ``att-rope``,
``att-train``) that answer with one message class each; the one
``on_worker_state_changed`` shows their errors. The model comes from the app-wide cache
(``engine.models.cache.shared``), so a model another lab loaded is not loaded again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from ...i18n import say, t
from ...screens.base import DojoScreen
from ...widgets.code_panel import CODE_BINDING, CodeExport
from .views import attends_line, fit, heatmap

if TYPE_CHECKING:
    from engine.attention.encoder import EncoderEvent
    from engine.attention.results import AttentionResult, EncoderResult, PosEncResult, RopeResult
    from engine.models.load import Loaded as LoadedModel

MODELS = ("dojo-tiny", "dojo-tiny-mlm")
DEFAULT_TEXT = "The cat sat on the mat"
PE_LENGTH, PE_DIM = 64, 64
"""The positional-encoding page: 64 positions of 64 dimensions (the heatmap shows the rows that fit)."""
PE_ROWS = 6


def _small(error: float) -> str:
    """An error to show: '< 1e-05' when it is float32 noise (so a picture does not depend on the CPU)."""
    return "< 1e-05" if error < 1e-5 else f"{error:.0e}"


def default_load(name: str) -> LoadedModel:
    from engine.attention.capture import load_for_attention

    return load_for_attention(name)


class AttentionScreen(CodeExport, DojoScreen):
    """The attention lab. ``example`` is a lesson's ``try_it`` (model, text, layer, head)."""

    CSS_PATH = "attention.tcss"
    BINDINGS = [
        Binding("f2", "layer", "Layer", id="att.layer"),
        Binding("f3", "head", "Head", id="att.head"),
        Binding("f4", "view", "Scores", id="att.view"),
        Binding("f5", "model", "Model", id="att.model"),
        Binding("ctrl+r", "train", "Train", id="att.train"),
        Binding("escape", "back", "Back", id="att.back", priority=True),
        CODE_BINDING,
    ]

    class Captured(Message):
        def __init__(self, result: AttentionResult, started: float, text: str) -> None:
            super().__init__()
            self.result, self.started, self.text = result, started, text

    class PosEncReady(Message):
        def __init__(self, result: PosEncResult) -> None:
            super().__init__()
            self.result = result

    class RopeReady(Message):
        def __init__(self, result: RopeResult) -> None:
            super().__init__()
            self.result = result

    class TrainStep(Message):
        def __init__(self, event: EncoderEvent) -> None:
            super().__init__()
            self.event = event

    class Trained(Message):
        def __init__(self, result: EncoderResult, cancelled: bool) -> None:
            super().__init__()
            self.result, self.cancelled = result, cancelled

    def __init__(self, example: Mapping[str, Any] | None = None,
                 load: Callable[[str], LoadedModel] = default_load) -> None:
        super().__init__()
        ex = dict(example or {})
        self._load = load
        self.model_name = str(ex.get("model", MODELS[0]))
        self.sentence = str(ex.get("text", DEFAULT_TEXT))
        self.sel_layer = int(ex.get("layer", 0) or 0)
        self.sel_head: int | None = None if ex.get("head") is None else int(ex["head"])
        self.map_view = "scores" if ex.get("scores") else "weights"
        from dataclasses import fields

        from engine.attention.config import AttentionEncoderConfig

        known = {f.name for f in fields(AttentionEncoderConfig)}
        self.encoder_settings = {k: v for k, v in ex.items() if k in known}
        """A lesson's (or a test's) encoder settings; the data follows the sentence's language otherwise."""
        self.result: AttentionResult | None = None
        self.captured_text = ""
        """The text ``result`` was captured from."""
        self.pe: PosEncResult | None = None
        self.rope: RopeResult | None = None
        self.encoder: EncoderResult | None = None
        self.losses: dict[str, list[tuple[int, float]]] = {}
        self.train_status: tuple[str, dict[str, Any]] | None = None
        self.cancel: threading.Event | None = None
        self.trained_config: Any = None
        """The encoder config last trained (F12 on the encoder page shows its code)."""
        self.training = False
        self.latencies: list[float] = []
        """Seconds from a capture request to the heatmap's update (the bench reads them)."""
        self._debounce: Any = None
        self.map_picture: Any = None
        """The heatmap last drawn (a ``views.Heatmap``; tests read its ``plain`` text)."""
        self._plot_dirty = False

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Input(self.sentence, placeholder=t("att.placeholder"), id="att-text", compact=True)
        with TabbedContent(id="att-tabs"):
            with TabPane(t("att.tab.map"), id="att-tab-map"):
                yield Static(t("att.loading", model=self.model_name), id="att-map-head", classes="att-line")
                with VerticalScroll(id="att-map-scroll"):
                    yield Static(id="att-map")
                yield Static(id="att-map-attends", classes="att-line")
            with TabPane(t("att.tab.pe"), id="att-tab-pe"):
                yield Static(id="att-pe-head", classes="att-line")
                yield Static(id="att-pe-map")
                yield Static(id="att-pe-caption", classes="att-line")
                yield self._plot("att-pe-plot")
            with TabPane(t("att.tab.rope"), id="att-tab-rope"):
                with VerticalScroll():
                    yield Static(t("att.rope.wait"), id="att-rope")
            with TabPane(t("att.tab.enc"), id="att-tab-enc"):
                with Horizontal(id="att-enc-body"):
                    with VerticalScroll(id="att-enc-left"):
                        yield Static(id="att-enc-shapes")
                    with Vertical(id="att-enc-right"):
                        yield Static(t("att.enc.hint"), id="att-enc-status")
                        yield self._plot("att-enc-plot")
        yield Footer()

    @staticmethod
    def _plot(wid: str):
        from textual_plotext import PlotextPlot

        return PlotextPlot(id=wid)

    def on_mount(self) -> None:
        text = self.query_one("#att-text", Input)
        text.focus()
        text.cursor_position = len(text.value)
        self.set_interval(0.25, self._redraw_loss)
        self.request_capture()
        self._pe_worker()
        self._shapes()

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("att.title")

    def relabel(self) -> None:
        tabs = self.query_one("#att-tabs", TabbedContent)
        for pane in ("map", "pe", "rope", "enc"):
            tabs.get_tab(f"att-tab-{pane}").label = t(f"att.tab.{pane}")
        self.query_one("#att-text", Input).placeholder = t("att.placeholder")
        self._render_map()
        self._render_pe()
        self._render_rope()
        self._shapes()
        self._render_train_status()

    # ----- the attention map ----------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "att-text" or event.value == self.sentence:
            return
        self.sentence = event.value
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.3, self.request_capture)

    def request_capture(self) -> None:
        """Capture the sentence now (the heatmap updates when the worker answers)."""
        if not self.sentence.strip():
            return
        self._capture_worker(self.model_name, self.sentence, time.perf_counter())

    @work(thread=True, exclusive=True, group="att-capture", exit_on_error=False)
    def _capture_worker(self, model: str, text: str, started: float) -> None:
        from engine.attention.capture import capture

        result = capture(self._load(model), text, name=model)
        self.post_message(self.Captured(result, started, text))

    def on_attention_screen_captured(self, message: Captured) -> None:
        self.result, self.captured_text = message.result, message.text
        if self.sel_layer >= self.result.n_layers:
            self.sel_layer = 0
        if self.sel_head is not None and self.sel_head >= self.result.n_heads:
            self.sel_head = None
        if self.map_view == "scores" and self.result.scores is None:
            self.map_view = "weights"
        for notice in self.result.notices:
            if notice.key != "att.switched_eager":  # said once per model: it is always so for sdpa models
                self.notify(say(notice), timeout=6, markup=False)
        self.latencies.append(time.perf_counter() - message.started)
        self._render_map()
        self._render_rope_soon()

    def _render_map(self) -> None:
        r = self.result
        if r is None:
            return
        head = t("att.map.avg") if self.sel_head is None else t("att.map.one", head=self.sel_head, heads=r.n_heads - 1)
        self.query_one("#att-map-head", Static).update(Text(t(
            "att.map.head", model=r.model, n=r.size, layer=self.sel_layer, layers=r.n_layers - 1, head=head,
            view=t(f"att.map.{self.map_view}")), overflow="fold"))
        grid = r.map(self.sel_layer, self.sel_head, self.map_view)
        width = max(40, (self.size.width or 80) - 2)
        tokens = list(r.tokens)
        self.map_picture = heatmap(tokens, tokens, grid, width=width, masked=r.masked() if r.causal else None,
                                   signed=self.map_view == "scores")
        self.query_one("#att-map", Static).update(self.map_picture)
        pairs = attends_line(tokens, r.attends_to(self.sel_layer, self.sel_head))
        check = r.scores_check if r.scores_check is not None else float("nan")
        self.query_one("#att-map-attends", Static).update(Text(
            t("att.map.attends", pairs=pairs) + "\n" + t("att.map.causal" if r.causal else "att.map.bidir") + "  "
            + t("att.map.check", rows=_small(r.row_sum_error()), check=_small(check)), overflow="ellipsis", no_wrap=True))

    def action_layer(self) -> None:
        if self.result is not None:
            self.sel_layer = (self.sel_layer + 1) % self.result.n_layers
            self._render_map()

    def action_head(self) -> None:
        if self.result is not None:
            n = self.result.n_heads
            self.sel_head = 0 if self.sel_head is None else (None if self.sel_head + 1 >= n else self.sel_head + 1)
            self._render_map()

    def action_view(self) -> None:
        if self.result is not None and self.result.scores is not None:
            self.map_view = "scores" if self.map_view == "weights" else "weights"
            self._render_map()

    def action_model(self) -> None:
        i = MODELS.index(self.model_name) if self.model_name in MODELS else -1
        self.model_name = MODELS[(i + 1) % len(MODELS)]
        self.query_one("#att-map-head", Static).update(t("att.loading", model=self.model_name))
        self.request_capture()

    # ----- positional encoding ----------------------------------------------------------------------
    @staticmethod
    def pe_config() -> Any:
        from engine.attention.config import AttentionPosEncConfig

        return AttentionPosEncConfig(length=PE_LENGTH, dim=PE_DIM)

    @work(thread=True, exclusive=True, group="att-pe", exit_on_error=False)
    def _pe_worker(self) -> None:
        from engine.attention.posenc import positional_encoding

        self.post_message(self.PosEncReady(positional_encoding(self.pe_config())))

    def on_attention_screen_pos_enc_ready(self, message: PosEncReady) -> None:
        self.pe = message.result
        self._render_pe()

    def _render_pe(self) -> None:
        pe = self.pe
        if pe is None:
            return
        self.query_one("#att-pe-head", Static).update(Text(t("att.pe.head", length=pe.length, dim=pe.dim),
                                                           overflow="fold"))
        width = max(40, (self.size.width or 80) - 2)
        rows = [f"pos {p}" for p in range(PE_ROWS)]
        cols = [str(c) for c in range(pe.dim)]
        self.query_one("#att-pe-map", Static).update(heatmap(rows, cols, pe.matrix[:PE_ROWS], width=width,
                                                             signed=True, numbers=False))
        self.query_one("#att-pe-caption", Static).update(Text(
            t("att.pe.plot", spread=pe.dot_spread) + " " + t("att.pe.deck"), overflow="fold"))
        from textual_plotext import PlotextPlot

        plot = self.query_one("#att-pe-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.plot(list(range(len(pe.distance_dot))), list(pe.distance_dot), marker="braille")
        plt.xlabel("distance k")
        plt.ylabel("PE(p).PE(p+k)")
        plot.refresh()

    # ----- RoPE ---------------------------------------------------------------------------------------
    def _render_rope_soon(self) -> None:
        if self.rope is None and not any(w.group == "att-rope" for w in self.workers):
            self._rope_worker()

    @staticmethod
    def rope_config() -> Any:
        """The page runs the default demo on the first model (a Llama: it rotates by RoPE)."""
        from engine.attention.config import AttentionRopeConfig

        return AttentionRopeConfig(model=MODELS[0])

    @work(thread=True, exclusive=True, group="att-rope", exit_on_error=False)
    def _rope_worker(self) -> None:
        from engine.attention.posenc import rope_demo

        config = self.rope_config()
        self.post_message(self.RopeReady(rope_demo(self._load(config.model), config, name=config.model)))

    def on_attention_screen_rope_ready(self, message: RopeReady) -> None:
        self.rope = message.result
        self._render_rope()

    def _render_rope(self) -> None:
        r = self.rope
        if r is None:
            return
        word = self.rope_config().word
        n = len(r.positions)
        table = Table(box=None, padding=(0, 1), show_header=True)
        table.add_column("")
        for p in r.positions:
            table.add_column(f"@{p}", justify="right")
        for i in range(n):
            table.add_row(f"@{r.positions[i]}", *(f"{r.same[i, j]:.3f}" if j <= i else "-" for j in range(n)))
        lines = [Text(t("att.rope.head", words=" ".join([word] * n), model=r.model, layer=r.layer, head=r.head,
                        word=word), overflow="fold")]
        offsets = [Text(t("att.rope.offsets", off=off, values=", ".join(f"{v:.4f}" for v in vals)))
                   for off, vals in r.by_offset.items()]
        tail = [Text(t("att.rope.same", spread=r.offset_spread, flat=r.unrotated_spread), overflow="fold"),
                Text(t("att.rope.content", other=r.other_word, at=r.changed_at + 1, change=r.content_change),
                     overflow="fold")]
        from rich.console import Group

        self.query_one("#att-rope", Static).update(Group(*lines, table, *offsets, *tail))

    # ----- the encoder --------------------------------------------------------------------------------
    def _shapes(self) -> None:
        from engine.attention.config import AttentionEncoderConfig

        rows = self.encoder.shapes if self.encoder is not None else None
        if rows is None:
            self._shapes_worker(AttentionEncoderConfig())
            return
        self._render_shapes(rows)

    @work(thread=True, exclusive=True, group="att-shapes", exit_on_error=False)
    def _shapes_worker(self, config: Any) -> None:
        from engine.attention.encoder import trace_shapes, verify

        rows = trace_shapes(config)
        errors = verify(seed=config.seed)
        self.app.call_from_thread(self._render_shapes, rows, errors)

    def _render_shapes(self, rows: Any, errors: tuple[float, float] | None = None) -> None:
        if errors is not None:
            self._errors = errors
        sdpa, mha = getattr(self, "_errors", (float("nan"), float("nan")))
        table = Table(box=None, padding=(0, 1), title=t("att.enc.shapes"), title_justify="left")
        table.add_column(t("att.enc.step"), overflow="fold")
        table.add_column(t("att.enc.shape"), no_wrap=True)
        for row in rows:
            table.add_row(row.step, "x".join(str(d) for d in row.shape))
        from rich.console import Group

        self.query_one("#att-enc-shapes", Static).update(Group(
            Text(t("att.enc.verify", sdpa=sdpa, mha=mha), overflow="fold"), table))

    def encoder_config(self) -> Any:
        """What Ctrl+R trains: a lesson's settings, the data following the sentence's language otherwise."""
        from engine.attention.config import AttentionEncoderConfig

        settings = {"data": "en" if self.sentence.isascii() else "ko", **self.encoder_settings}
        return AttentionEncoderConfig(**settings)

    def action_train(self) -> None:
        if self.training:
            return
        self.query_one("#att-tabs", TabbedContent).active = "att-tab-enc"
        self.training = True
        self.losses = {}
        self.cancel = threading.Event()
        self.trained_config = self.encoder_config()
        self._train_worker(self.trained_config, self.cancel)

    @work(thread=True, exclusive=True, group="att-train", exit_on_error=False)
    def _train_worker(self, config: Any, cancel: threading.Event) -> None:
        from engine.attention.encoder import train_classifiers

        result = train_classifiers(config, on_event=lambda e: self.post_message(self.TrainStep(e)), cancel=cancel)
        self.post_message(self.Trained(result, cancel.is_set()))

    def on_attention_screen_train_step(self, message: TrainStep) -> None:
        e = message.event
        self.losses.setdefault(e.model, []).append((e.step, e.loss))
        self.train_status = ("att.enc.training", {"model": e.model, "step": e.step, "total": e.total,
                                                   "loss": e.loss})
        self._plot_dirty = True

    def on_attention_screen_trained(self, message: Trained) -> None:
        self.training = False
        self.encoder = message.result
        self.train_status = ("done", {})
        self._plot_dirty = True
        self._render_train_status()
        if message.cancelled:
            self.notify(t("att.enc.cancelled"), timeout=4)

    def _render_train_status(self) -> None:
        status = self.query_one("#att-enc-status", Static)
        if self.train_status is None:
            status.update(t("att.enc.hint"))
            return
        key, args = self.train_status
        if key != "done" or self.encoder is None:
            status.update(t(key, **args))
            return
        r = self.encoder
        lines = [t("att.enc.data", data=r.data, train=r.train_size, test=r.test_size)]
        for run in (r.scratch, r.pretrained):
            if run is not None:
                lines.append(t("att.enc.result", model=run.name, acc=run.accuracy, f1=run.f1, loss=run.eval_loss,
                               seconds=run.seconds))
        lines.append(t("att.enc.majority", acc=r.majority))
        status.update(Text("\n".join(lines), overflow="fold"))

    def _redraw_loss(self) -> None:
        if not self._plot_dirty:
            return
        self._plot_dirty = False
        self._render_train_status()
        from textual_plotext import PlotextPlot

        plot = self.query_one("#att-enc-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        for name, points in self.losses.items():
            if points:
                plt.plot([s for s, _ in points], [v for _, v in points], marker="braille",
                         label="scratch" if name == "scratch" else "pretrained")
        plt.xlabel("step")
        plot.refresh()

    # ----- show the code -------------------------------------------------------------------------------
    CODE_NAME = "attention"

    def code_snippet(self):
        """The code of the page on show: the capture with the map's layer, head and view; the positional
        encoding; the RoPE demo; the encoder's training (the last run's settings, or the next one's)."""
        from engine.attention.config import AttentionConfig
        from engine.codegen import attention as code

        page = self.query_one("#att-tabs", TabbedContent).active.removeprefix("att-tab-")
        if page == "pe":
            return code.posenc_snippet(self.pe_config()) if self.pe is not None else None
        if page == "rope":
            return code.rope_snippet(self.rope_config()) if self.rope is not None else None
        if page == "enc":
            from engine.codegen.encoder import encoder_snippet

            return encoder_snippet(self.trained_config or self.encoder_config())
        if self.result is None:
            return None
        config = AttentionConfig(model=self.result.model, layer=self.sel_layer, head=self.sel_head,
                                 scores=self.map_view == "scores")
        return code.capture_snippet(config, self.captured_text)

    # ----- errors and leaving ---------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or not event.worker.group.startswith("att-"):
            return
        if event.worker.group == "att-train":
            self.training = False
        self.notify_error(event.worker.error, timeout=8)

    def action_back(self) -> None:
        if self.training and self.cancel is not None:
            self.cancel.set()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def has_unsaved(self) -> bool:
        return self.training


__all__ = ["AttentionScreen", "fit"]
