"""The word embeddings lab: train, query, benchmark, count co-occurrences, map.

Layout (fits 80x24): a sidebar with the training form (rows from ``TrainConfig``, the same
dataclass ``llm-dojo embed train`` takes its options from), a progress bar and a status;
on the right four tabs: queries (one line: ``fire``, ``israeli palestinian``,
``arafat - palestinian + israeli``, or three or more words for the odd one out), the
benchmark table, GloVe's co-occurrence ratio table and a 2D PCA map (textual-plotext).

Work runs in named thread workers (gensim releases the GIL in its compiled loops):
``embed-train`` (one training, or F3's four in a row, then their benchmarks),
``embed-eval``, ``embed-query``, ``embed-cooc``, ``embed-map``; each answers with its own
message, and one ``on_worker_state_changed`` shows their errors. Esc stops a training after
the epoch in flight, and leaves the lab otherwise. A lesson's ``try_it`` fills the form, trains
at once and then asks for its word and its analogy.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, ProgressBar, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from engine.embeddings.config import ALGORITHMS, CORPORA, TrainConfig

from ...i18n import say, t
from ...screens.base import DojoScreen
from ...widgets.code_panel import CODE_BINDING, CodeExport
from ...widgets.config_form import ConfigForm, FormError
from .views import bench_view, cooc_view, onehot_view, parse_query, query_view

DECK_SENTENCE = "Time flies like an arrow"
"""The deck's one-hot example (``engine.embeddings.onehot.DECK_SENTENCE``, not imported: numpy stays out of
start-up)."""

if TYPE_CHECKING:
    from engine.embeddings.cooc import RatioTable
    from engine.embeddings.evaluate import EvalResult
    from engine.embeddings.events import EpochEvent, TrainResult
    from engine.embeddings.onehot import OneHotResult
    from engine.embeddings.pca import MapResult
    from engine.embeddings.query import QueryResult
    from engine.embeddings.store import Embedding

FIELDS = ("algorithm", "corpus", "vector_size", "window", "min_count", "negative", "epochs", "seed")
"""The form's rows (every other ``TrainConfig`` field keeps its default)."""
KEPT_RESULTS = 3
"""Query results shown at once, newest first."""


class EmbeddingsScreen(CodeExport, DojoScreen):
    CSS_PATH = "embeddings.tcss"
    CODE_NAME = "embeddings"
    BINDINGS = [
        Binding("ctrl+r", "train", "Train", id="embed.train"),
        Binding("f2", "evaluate", "Benchmarks", id="embed.eval"),
        Binding("f3", "compare", "Compare all", id="embed.compare"),
        Binding("escape", "stop", "Stop/Back", id="embed.stop", priority=True),
        CODE_BINDING,
    ]

    class Epoch(Message):
        def __init__(self, event: EpochEvent, algorithm: str) -> None:
            super().__init__()
            self.event, self.algorithm = event, algorithm

    class Trained(Message):
        def __init__(self, result: TrainResult, embedding: Embedding) -> None:
            super().__init__()
            self.result, self.embedding = result, embedding

    class Evaluated(Message):
        def __init__(self, results: list[EvalResult]) -> None:
            super().__init__()
            self.results = results

    class Answered(Message):
        def __init__(self, result: QueryResult, embedding: Embedding) -> None:
            super().__init__()
            self.result, self.embedding, self.model = result, embedding, embedding.name
            self.topn = 10  # run_query's default, which the lab's queries use

    class Counted(Message):
        def __init__(self, table: RatioTable, corpus: str = "lee", probes: tuple = ()) -> None:
            super().__init__()
            self.table, self.corpus, self.probes = table, corpus, probes

    class Mapped(Message):
        def __init__(self, result: MapResult) -> None:
            super().__init__()
            self.result = result

    class OneHot(Message):
        def __init__(self, result: OneHotResult) -> None:
            super().__init__()
            self.result = result

    class Working(Message):
        def __init__(self, key: str, **args: Any) -> None:
            super().__init__()
            self.key, self.args = key, args

    def __init__(self, example: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.example = dict(example or {})
        self.embeddings: dict[str, Embedding] = {}
        self.current: str | None = None
        self.evaluations: dict[str, EvalResult] = {}
        self.answers: list[tuple[QueryResult, str]] = []
        self.cancel: threading.Event | None = None
        self.training = False
        self.comparing = False
        self.last_map: MapResult | None = None
        self.onehot: OneHotResult | None = None
        self._status_msg: tuple[str, dict[str, Any], str] = ("embed.status.idle", {"n": 0}, "")
        self._pending_queries: list[str] = []
        self.last_done: tuple | None = None
        """What F12 shows: ("train", TrainConfig), ("query", model, op, words, topn), ("eval", names) or
        ("compare", [TrainConfig, ...]) or ("cooc", corpus, i, j, probes, window)."""
        self._configs: list[TrainConfig] = []

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # a lesson's try_it also has "negative" = the analogy's negative words (a list), not the sample count
        values = {k: v for k, v in self.example.items() if k in FIELDS and not isinstance(v, (list, tuple))}
        with Horizontal(id="embed-body"):
            with Vertical(id="embed-side"):
                yield ConfigForm(TrainConfig, FIELDS, values, choices={"corpus": CORPORA, "algorithm": ALGORITHMS},
                                 id="embed-form")
                yield ProgressBar(total=100, show_eta=False, show_percentage=False, id="embed-progress")
                yield Static(id="embed-status")
            with Vertical(id="embed-main"):
                with TabbedContent(id="embed-tabs"):
                    with TabPane(t("embed.tab.query"), id="embed-tab-query"):
                        yield Input(placeholder=t("embed.query.placeholder"), id="embed-query",
                                    classes="embed-input", compact=True)
                        yield Static(t("embed.query.help"), classes="embed-help", id="embed-query-help")
                        with VerticalScroll():
                            yield Static(t("embed.query.none"), id="embed-query-out")
                    with TabPane(t("embed.tab.bench"), id="embed-tab-bench"):
                        with VerticalScroll(id="embed-bench-scroll"):
                            yield Static(t("embed.bench.hint"), classes="embed-help", id="embed-bench-hint")
                            yield Static(id="embed-bench-out")
                            yield Static(classes="embed-help", id="embed-bench-note")
                    with TabPane(t("embed.tab.cooc"), id="embed-tab-cooc"):
                        yield Input(placeholder=t("embed.cooc.placeholder"), id="embed-cooc",
                                    classes="embed-input", compact=True)
                        yield Static(t("embed.cooc.help"), classes="embed-help", id="embed-cooc-help")
                        with VerticalScroll():
                            yield Static(id="embed-cooc-out")
                    with TabPane(t("embed.tab.onehot"), id="embed-tab-onehot"):
                        yield Input(DECK_SENTENCE, id="embed-onehot", classes="embed-input", compact=True)
                        yield Static(t("embed.onehot.help"), classes="embed-help", id="embed-onehot-help")
                        with VerticalScroll():
                            yield Static(id="embed-onehot-out")
                    with TabPane(t("embed.tab.map"), id="embed-tab-map"):
                        yield Input(placeholder=t("embed.map.placeholder"), id="embed-map",
                                    classes="embed-input", compact=True)
                        yield Static(t("embed.map.help"), id="embed-map-caption")
                        yield self._plot()
                        yield Static(id="embed-map-legend")
        yield Footer()

    def _plot(self):
        from textual_plotext import PlotextPlot

        return PlotextPlot(id="embed-plot")

    def on_mount(self) -> None:
        from engine.embeddings import store

        self._status("embed.status.idle", n=len(store.list_saved()))
        self.query_one("#embed-query", Input).focus()
        self._onehot_worker(DECK_SENTENCE)
        if not self.example:
            self._warm_worker()
        word = self.example.get("word")
        if word:
            self._pending_queries.append(str(word))
        pos, neg = list(self.example.get("positive") or []), list(self.example.get("negative") or [])
        if len(pos) == 2 and len(neg) == 1:
            self._pending_queries.append(f"{pos[0]} - {neg[0]} + {pos[1]}")
        if self.example:
            self.action_train()

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("embed.title")

    def relabel(self) -> None:
        tabs = self.query_one("#embed-tabs", TabbedContent)
        for pane in ("query", "bench", "cooc", "onehot", "map"):
            tabs.get_tab(f"embed-tab-{pane}").label = t(f"embed.tab.{pane}")
        self.query_one(ConfigForm).relabel()
        for name in ("query", "cooc", "map"):
            self.query_one(f"#embed-{name}", Input).placeholder = t(f"embed.{name}.placeholder")
        self.query_one("#embed-query-help", Static).update(t("embed.query.help"))
        self.query_one("#embed-cooc-help", Static).update(t("embed.cooc.help"))
        self.query_one("#embed-onehot-help", Static).update(t("embed.onehot.help"))
        if self.onehot is not None:
            self.query_one("#embed-onehot-out", Static).update(onehot_view(self.onehot))
        self.query_one("#embed-bench-hint", Static).update(t("embed.bench.hint"))
        self._show_status()
        self._render_answers()
        self._render_bench()
        self._render_map()

    # ----- status -------------------------------------------------------------------------------
    def _status(self, key: str, style: str = "", **args: Any) -> None:
        self._status_msg = (key, args, style)
        self._show_status()

    def _show_status(self) -> None:
        key, args, style = self._status_msg
        text = t(key, **{k: (say(v) if hasattr(v, "key") else v) for k, v in args.items()})
        self.query_one("#embed-status", Static).update(Text(text, style=style))

    # ----- training -----------------------------------------------------------------------------
    def config(self, **changes: Any) -> TrainConfig:
        """The form as one validated ``TrainConfig`` (``DojoError`` or ``FormError`` otherwise)."""
        return TrainConfig(**{**self.query_one(ConfigForm).values(), **changes})

    def action_train(self) -> None:
        self._start(compare=False)

    def action_compare(self) -> None:
        self._start(compare=True)

    def _start(self, compare: bool) -> None:
        if self.training:
            return
        from engine.errors import DojoError

        try:
            configs = [self.config(algorithm=a) for a in ALGORITHMS] if compare else [self.config()]
        except (DojoError, FormError) as exc:
            text = str(exc) if isinstance(exc, FormError) else say(exc)
            self.notify(text, severity="error", timeout=8, markup=False)
            self._status("embed.status.failed", "red", error=text)
            return
        self.training, self.comparing = True, compare
        self._configs = configs
        self.cancel = threading.Event()
        bar = self.query_one("#embed-progress", ProgressBar)
        bar.update(total=configs[0].epochs, progress=0)
        self._status("embed.status.corpus")
        self._train_worker(configs, self.cancel, compare)

    @work(thread=True, exclusive=True, group="embed-train", exit_on_error=False)
    def _train_worker(self, configs: list[TrainConfig], cancel: threading.Event, compare: bool) -> None:
        from engine.embeddings.corpus import load_corpus
        from engine.embeddings.train import train

        corpus = load_corpus(configs[0].corpus)
        trained = []
        for n, config in enumerate(configs):
            if compare:
                self.post_message(self.Working("embed.status.comparing", done=n + 1, total=len(configs),
                                               algorithm=config.algorithm))
            result, embedding = train(config, corpus=corpus, cancel=cancel,
                                      on_event=lambda e, a=config.algorithm: self.post_message(self.Epoch(e, a)))
            self.post_message(self.Trained(result, embedding))
            if result.cancelled:
                return
            trained.append(embedding)
        if compare:
            self._evaluate_into(trained)

    def on_embeddings_screen_working(self, message: Working) -> None:
        self._status(message.key, **message.args)

    def on_embeddings_screen_epoch(self, message: Epoch) -> None:
        e = message.event
        self.query_one("#embed-progress", ProgressBar).update(total=e.epochs, progress=e.epoch)
        self._status("embed.status.training", algorithm=t(f"choice.TrainConfig.algorithm.{message.algorithm}"),
                     epoch=e.epoch, epochs=e.epochs, wps=f"{e.words_per_s:,.0f}",
                     loss="" if e.loss is None else "\n" + t("embed.status.loss", loss=f"{e.loss:,.4g}"))

    def on_embeddings_screen_trained(self, message: Trained) -> None:
        r = message.result
        if r.cancelled:
            self.training = self.comparing = False
            last = r.epochs[-1].epoch if r.epochs else 0
            self._status("embed.status.cancelled", "yellow", epoch=last, epochs=r.config.get("epochs", last))
            return
        self.embeddings[r.name] = message.embedding
        self.current = r.name
        self.last_done = ("train", TrainConfig(**r.config))
        self._status("embed.status.done", "green", name=r.name, vocab=f"{r.vocab_size:,}", epochs=len(r.epochs),
                     seconds=f"{r.seconds:.1f}", wps=f"{r.words_per_s:,.0f}")
        if not self.comparing:  # a comparison goes on to its benchmarks (Evaluated ends it)
            self.training = False
        if self._pending_queries:
            self._ask(self._pending_queries.pop(0))

    # ----- benchmarks ---------------------------------------------------------------------------
    def action_evaluate(self) -> None:
        if not self.embeddings:
            self.notify(t("embed.query.none"), timeout=5)
            return
        self._show_tab("bench")
        self._eval_worker(list(self.embeddings.values()))

    @work(thread=True, exclusive=True, group="embed-eval", exit_on_error=False)
    def _eval_worker(self, embeddings: list[Embedding]) -> None:
        self._evaluate_into(embeddings)

    def _evaluate_into(self, embeddings: list[Embedding]) -> None:
        from engine.embeddings.evaluate import evaluate

        results = []
        for embedding in embeddings:
            self.post_message(self.Working("embed.status.evaluating", name=embedding.name))
            results.append(evaluate(embedding))
        self.post_message(self.Evaluated(results))

    def on_embeddings_screen_evaluated(self, message: Evaluated) -> None:
        for r in message.results:
            self.evaluations[r.name] = r
        self.last_done = ("compare", self._configs) if self.comparing else ("eval", [r.name for r in message.results])
        self.training = self.comparing = False
        self._status("embed.status.idle", n=len(self.embeddings))
        self._show_tab("bench")
        self._render_bench()

    def _show_tab(self, name: str) -> None:
        """Switch tabs and move the focus into the new pane (a focused input in the old pane would
        switch it straight back)."""
        self.query_one("#embed-tabs", TabbedContent).active = f"embed-tab-{name}"
        target = {"bench": "#embed-bench-scroll"}.get(name, f"#embed-{name}")
        self.query_one(target).focus()

    def _render_bench(self) -> None:
        out = self.query_one("#embed-bench-out", Static)
        results = list(self.evaluations.values())
        out.update(bench_view(results) if results else "")
        note = t("embed.bench.note", total=f"{results[0].analogies.total:,}") if results else ""
        self.query_one("#embed-bench-note", Static).update(note)

    # ----- queries, co-occurrence, map ----------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        if event.input.id == "embed-query":
            self._ask(text)
        elif event.input.id == "embed-cooc":
            words = text.split()
            try:
                corpus, window = self.config().corpus, self.config().window
            except Exception:  # noqa: BLE001 - a bad form row: the defaults still count
                corpus, window = "lee", 5
            self._cooc_worker(corpus, words, window)
        elif event.input.id == "embed-onehot":
            self._onehot_worker(text)
        elif event.input.id == "embed-map":
            if self.current is None:
                self.notify(t("embed.query.none"), timeout=5)
                return
            self._map_worker(self.embeddings[self.current], text.split())

    def _ask(self, text: str) -> None:
        from engine.embeddings import store

        name = self.current
        if name is None:  # nothing trained in this session: the saved embedding the form names, if any
            try:
                name = self.config().model_name
            except Exception:  # noqa: BLE001 - an unreadable form row: nothing to name
                name = None
            if name not in store.list_saved():
                self.notify(t("embed.query.none"), timeout=5)
                return
        self.query_one("#embed-query", Input).value = text
        op, words = parse_query(text)
        self._query_worker(self.embeddings.get(name), name, op, words)

    @work(thread=True, exclusive=True, group="embed-query", exit_on_error=False)
    def _query_worker(self, embedding: Embedding | None, name: str, op: str, words: list[str]) -> None:
        from engine.embeddings.query import run_query
        from engine.embeddings.store import load

        embedding = embedding or load(name)
        self.post_message(self.Answered(run_query(embedding, op, words), embedding))

    def on_embeddings_screen_answered(self, message: Answered) -> None:
        if message.model not in self.embeddings:  # loaded from disk for this query
            self.embeddings[message.model] = message.embedding
            self.current = self.current or message.model
        self.answers = [(message.result, message.model)] + self.answers[:KEPT_RESULTS - 1]
        self.last_done = ("query", message.model, message.result.op, list(message.result.words), message.topn)
        self._render_answers()
        if self._pending_queries:
            self._ask(self._pending_queries.pop(0))

    def _render_answers(self) -> None:
        from rich.console import Group
        from rich.rule import Rule

        out = self.query_one("#embed-query-out", Static)
        if not self.answers:
            out.update(t("embed.query.none") if self.current is None else "")
            return
        parts: list = []
        for n, (result, model) in enumerate(self.answers):
            if n:
                parts.append(Rule(style="dim"))
            parts.append(query_view(result, model))
        out.update(Group(*parts))

    @work(thread=True, exclusive=True, group="embed-cooc", exit_on_error=False)
    def _cooc_worker(self, corpus: str, words: list[str], window: int) -> None:
        from engine.embeddings.cooc import ratio_table
        from engine.embeddings.corpus import load_corpus
        from engine.errors import DojoError

        if len(words) < 2:
            raise DojoError.keyed("emb.too_few_words", op="co-occurrence", need="at least 2", got=len(words))
        self.post_message(self.Counted(ratio_table(load_corpus(corpus), words[0], words[1], words[2:], window),
                                       corpus, tuple(words[2:])))

    def on_embeddings_screen_counted(self, message: Counted) -> None:
        table = message.table
        self.last_done = ("cooc", message.corpus, table.i, table.j, message.probes, table.window)
        self.query_one("#embed-cooc-out", Static).update(cooc_view(message.table))

    @work(thread=True, exclusive=True, group="embed-warm", exit_on_error=False)
    def _warm_worker(self) -> None:
        """Import gensim, scipy and torch now, while the person reads: an import holds the GIL for up to a
        second (bench/embeddings_ui.py: max timer lateness 247 ms during a first CBOW training, 65 ms after)."""
        import gensim.models  # noqa: F401
        import scipy.stats  # noqa: F401
        import torch  # noqa: F401

    @work(thread=True, exclusive=True, group="embed-onehot", exit_on_error=False)
    def _onehot_worker(self, sentence: str) -> None:
        from engine.embeddings.onehot import onehot_vs_dense

        self.post_message(self.OneHot(onehot_vs_dense(sentence)))

    def on_embeddings_screen_one_hot(self, message: OneHot) -> None:
        self.onehot = message.result
        self.query_one("#embed-onehot-out", Static).update(onehot_view(message.result))

    @work(thread=True, exclusive=True, group="embed-map", exit_on_error=False)
    def _map_worker(self, embedding: Embedding, words: list[str]) -> None:
        from engine.embeddings.pca import word_map

        self.post_message(self.Mapped(word_map(embedding, words)))

    def on_embeddings_screen_mapped(self, message: Mapped) -> None:
        self.last_map = message.result
        self._render_map()

    def _render_map(self) -> None:
        """Points with ASCII labels inside the plot; a word that is not ASCII (Hangul is two cells
        wide) gets a number there and its word in the caption."""
        from textual_plotext import PlotextPlot

        r = self.last_map
        caption = self.query_one("#embed-map-caption", Static)
        if r is None:
            caption.update(t("embed.map.help"))
            return
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        xs, ys = [p[0] for p in r.points], [p[1] for p in r.points]
        plt.scatter(xs, ys, marker="dot")
        legend, labels = [], []
        for n, word in enumerate(r.words, start=1):
            labels.append(word if word.isascii() else str(n))
            if not word.isascii():
                legend.append(f"{n}={word}")
        span = (max(xs) - min(xs)) or 1.0
        cols = max(10, plot.size.width - 8)  # room for the y ticks
        right = span * max(len(label) for label in labels) / cols  # labels start at their point
        plt.xlim(min(xs) - span * 0.03, max(xs) + right + span * 0.03)
        for label, x, y in zip(labels, xs, ys):
            plt.text(label, x, y, alignment="left")
        plt.title("PCA")
        plot.refresh()
        shares = t("embed.map.caption", x=round(r.explained[0] * 100), y=round(r.explained[1] * 100))
        caption.update(Text(shares, overflow="ellipsis", no_wrap=True))
        self.query_one("#embed-map-legend", Static).update("  ".join(legend))

    # ----- errors and leaving -------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors become a notice."""
        if event.state != WorkerState.ERROR or not event.worker.group.startswith("embed-"):
            return
        if event.worker.group in ("embed-train", "embed-eval"):
            self.training = self.comparing = False
        text = self.notify_error(event.worker.error, timeout=8)
        if event.worker.group in ("embed-train", "embed-eval"):
            self._status("embed.status.failed", "red", error=text)
        if event.worker.group == "embed-query" and self._pending_queries:  # a lesson's next question still runs
            self._ask(self._pending_queries.pop(0))

    def code_snippet(self):
        """F12: gensim's code for what was done last: the training, the query or the benchmarks."""
        if self.last_done is None:
            return None
        from engine.codegen import embeddings as code

        kind, *args = self.last_done
        if kind == "train":
            return code.train_snippet(args[0])
        if kind == "query":
            return code.query_snippet(*args)
        if kind == "compare":
            return code.compare_snippet(args[0])
        if kind == "cooc":
            return code.cooc_snippet(*args)
        return code.eval_snippet(args[0])

    def has_unsaved(self) -> bool:
        return self.training

    def action_stop(self) -> None:
        """Esc: stop a training after the epoch in flight; otherwise leave the lab."""
        if self.training and self.cancel is not None:
            self.cancel.set()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
