"""The LLM applications lab: three tabs over ``engine.applications``.

* **Datasets** (F2): a built-in set or a file through the ``datasets`` library: sample
  rows in a table, features, label balance, token lengths, the ``map`` cache and the
  seeded split, and a token-length histogram (Ctrl+R loads).
* **Prompts** (F3): the four elements of a prompt, shots, chat template and chain of
  thought from ``AppsPromptConfig`` (the form ``llm-dojo prompt build`` reads); the
  exact prompt and its token count are rebuilt as you type. Ctrl+R measures zero- vs
  k-shot accuracy (the evaluation lab's scorer) beside finished SFT and LoRA runs.
* **RAG** (F4): a question, the passages the retriever found with the question's words
  highlighted and their scores, the answer streamed as it is written, and the
  augmented prompt (Ctrl+R asks).

Each piece of work runs in its own thread worker (``apps-data``, ``apps-prompt``,
``apps-icl``, ``apps-rag``) and answers with one message per result; the streamed
answer is gathered in a buffer that a 10 Hz timer draws. Esc stops the work in flight
(ICL, RAG) and leaves the lab otherwise.
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
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from engine.applications.config import AppsDataConfig, AppsIclConfig, AppsPromptConfig, AppsRagConfig

from ...i18n import say, t
from ...screens.base import DojoScreen
from ...widgets.code_panel import CODE_BINDING, CodeExport
from ...widgets.config_form import ConfigForm, FormError

if TYPE_CHECKING:
    from engine.applications.explore import DataReport
    from engine.applications.icl import IclResult
    from engine.applications.prompts import PromptResult
    from engine.applications.rag import Hit, RagAnswer, Retrievers
    from engine.models.load import Loaded

TABS = ("data", "prompt", "rag")
DATA_FIELDS = ("tokenizer", "text_column", "label_column", "seed")
PROMPT_FIELDS = ("instruction", "context", "input", "indicator", "data", "shots", "seed", "chat_template", "cot")
RAG_FIELDS = ("retriever", "k", "generate")
ELEMENT_STYLE = {"instruction": "bold cyan", "context": "magenta", "shot": "green", "input": "bold yellow",
                 "indicator": "bold red"}
HIST_BINS = 8


def default_load(name: str) -> Loaded:
    """The model from the app-wide cache, shared with the other labs."""
    from engine.models.cache import shared

    return shared().get(name)


class ApplicationsScreen(CodeExport, DojoScreen):
    """The LLM applications lab. ``try_it``: tab, dataset, question, retriever, k, shots, model, limit."""

    CSS_PATH = "applications.tcss"
    BINDINGS = [
        Binding("ctrl+r", "run", "Run", id="apps.run"),
        Binding("escape", "stop", "Stop/Back", id="apps.stop", priority=True),
        Binding("f2", "tab('data')", "Data", id="apps.data"),
        Binding("f3", "tab('prompt')", "Prompt", id="apps.prompt"),
        Binding("f4", "tab('rag')", "RAG", id="apps.rag"),
        Binding("f5", "hit_rate", "Hit-rate", id="apps.hits"),
        CODE_BINDING,
    ]
    CODE_NAME = "applications"

    class Explored(Message):
        def __init__(self, report: DataReport) -> None:
            super().__init__()
            self.report = report

    class PromptBuilt(Message):
        def __init__(self, result: PromptResult) -> None:
            super().__init__()
            self.result = result

    class IclDone(Message):
        def __init__(self, result: IclResult) -> None:
            super().__init__()
            self.result = result

    class Retrieved(Message):
        def __init__(self, hits: list[Hit], prompt: str) -> None:
            super().__init__()
            self.hits, self.prompt = hits, prompt

    class HitRates(Message):
        def __init__(self, results: list[Any]) -> None:
            super().__init__()
            self.results = results

    class Answered(Message):
        def __init__(self, answer: RagAnswer) -> None:
            super().__init__()
            self.answer = answer

    def __init__(self, try_it: Mapping[str, Any] | None = None, load: Callable[[str], Loaded] = default_load) -> None:
        super().__init__()
        ex = dict(try_it or {})
        self._load = load
        self.start_tab = ex.get("tab") if ex.get("tab") in TABS else "data"
        self.model = str(ex.get("model", "dojo-tiny"))
        self.limit = int(ex.get("limit", 0))  # every held-out item: a prefix of a set can hold one label only
        self.source = str(ex.get("dataset", "sentiment-ko"))
        self.question = str(ex.get("question", ""))
        self.data_values = {"tokenizer": self.model}
        self.prompt_values = {"shots": int(ex.get("shots", 2)), "model": self.model}
        if "input" in ex:
            self.prompt_values["input"] = str(ex["input"])
        self.rag_values = {"retriever": str(ex.get("retriever", "bm25")), "k": int(ex.get("k", 3)),
                           "generate": bool(ex.get("generate", True))}
        self.cancel: threading.Event | None = None
        self.report: DataReport | None = None
        self.prompt: PromptResult | None = None
        self.icl: IclResult | None = None
        self.hits: list[Hit] = []
        self.rag_prompt = ""
        self.answer: RagAnswer | None = None
        self._answer_buf: list[str] = []
        self._answer_drawn = 0
        self._icl_progress: tuple[str, int, int] | None = None
        self._status: dict[str, tuple[str, dict[str, Any], str]] = {
            "data": ("apps.data.idle", {}, ""), "icl": ("apps.icl.title", {}, ""), "rag": ("apps.rag.idle", {}, "")}
        self._retrievers: Retrievers | None = None
        self._tokenizers: dict[str, Any] = {}
        self._rebuild_timer = None
        self._done: dict[str, Any] = {}  # tab (data, prompt, icl, rag) -> the config of what it last did
        self._prompt_shows = "prompt"  # what the prompt tab's code shows: the prompt built, or the ICL table
        self._rag_shows = "rag"  # and the RAG tab's: the question answered, or the hit-rate (F5)

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("apps.title")

    # ----- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="apps-tabs", initial=f"apps-tab-{self.start_tab}"):
            with TabPane(t("apps.tab.data"), id="apps-tab-data"):
                with Horizontal(classes="apps-body"):
                    with Vertical(classes="apps-side"):
                        yield Label(t("apps.data.source"), id="apps-data-source-label", classes="apps-label")
                        yield Input(self.source, id="apps-data-source", compact=True)
                        yield ConfigForm(AppsDataConfig, DATA_FIELDS, self.data_values, id="apps-data-form")
                        yield Static(id="apps-data-status", classes="apps-status")
                    with VerticalScroll(classes="apps-main"):
                        yield DataTable(id="apps-data-rows", zebra_stripes=True, cursor_type="row")
                        yield Static(id="apps-data-summary")
                        yield Static(id="apps-data-hist")
            with TabPane(t("apps.tab.prompt"), id="apps-tab-prompt"):
                with Horizontal(classes="apps-body"):
                    with Vertical(classes="apps-side", id="apps-prompt-side"):
                        yield ConfigForm(AppsPromptConfig, PROMPT_FIELDS, self.prompt_values, id="apps-prompt-form")
                        yield Static(id="apps-prompt-count")
                        yield Static(id="apps-icl-status", classes="apps-status")
                        yield DataTable(id="apps-icl", zebra_stripes=True, cursor_type="row")
                    with VerticalScroll(classes="apps-main"):
                        yield Static(id="apps-prompt-text")
            with TabPane(t("apps.tab.rag"), id="apps-tab-rag"):
                with Vertical(classes="apps-body"):
                    yield Input(self.question, placeholder=t("apps.rag.question"), id="apps-rag-question",
                                compact=True)
                    with Horizontal():
                        with Vertical(classes="apps-side", id="apps-rag-side"):
                            yield ConfigForm(AppsRagConfig, RAG_FIELDS, self.rag_values, id="apps-rag-form")
                            yield Static(id="apps-rag-status", classes="apps-status")
                        with VerticalScroll(classes="apps-main", id="apps-rag-main"):
                            yield Static(id="apps-rag-hits")
                            yield Static(id="apps-rag-answer")
                            yield Static(id="apps-rag-prompt")
        yield Footer(show_command_palette=False)  # every key of the lab fits 80 columns (Ctrl+P still opens it)

    def on_mount(self) -> None:
        super().on_mount()
        for field in self.query(Input).results(Input):
            field.cursor_blink = False
        self.call_after_refresh(self._inputs_to_start)
        self._columns()
        self._draw_all()
        self.set_interval(0.1, self._tick)
        self._rebuild_prompt()
        self._focus_tab(self.start_tab)

    def _inputs_to_start(self) -> None:
        for field in self.query("#apps-prompt-form Input").results(Input):
            if not field.has_focus:
                field.cursor_position = 0  # show where the instruction starts, not where it ends

    def relabel(self) -> None:
        tabs = self.query_one("#apps-tabs", TabbedContent)
        for name in TABS:
            tabs.get_tab(f"apps-tab-{name}").label = t(f"apps.tab.{name}")
        self.query_one("#apps-data-source-label", Label).update(t("apps.data.source"))
        self.query_one("#apps-rag-question", Input).placeholder = t("apps.rag.question")
        for form in self.query(ConfigForm).results(ConfigForm):
            form.relabel()
        self._columns()
        self._draw_all()

    def _columns(self) -> None:
        icl = self.query_one("#apps-icl", DataTable)
        icl.clear(columns=True)
        for key, width in (("method", 12), ("shots", 3), ("acc", 6), ("f1", 4)):
            icl.add_column(t(f"apps.col.{key}"), key=key, width=width)

    def _draw_all(self) -> None:
        self._draw_data()
        self._draw_prompt()
        self._draw_icl()
        self._draw_rag()
        for name in self._status:
            self._show_status(name)

    # ----- status -----------------------------------------------------------------------------
    def _set_status(self, which: str, key: str, style: str = "", **args: Any) -> None:
        self._status[which] = (key, args, style)
        self._show_status(which)

    def _show_status(self, which: str) -> None:
        key, args, style = self._status[which]
        widget = {"data": "#apps-data-status", "icl": "#apps-icl-status", "rag": "#apps-rag-status"}[which]
        self.query_one(widget, Static).update(Text(t(key, **args), style=style))

    def _tick(self) -> None:
        if self._icl_progress is not None:
            stage, done, total = self._icl_progress
            self._set_status("icl", "apps.icl.running", stage=stage, done=done, total=total)
        if len(self._answer_buf) != self._answer_drawn:
            self._answer_drawn = len(self._answer_buf)
            self._draw_answer()

    # ----- actions ----------------------------------------------------------------------------
    def _active(self) -> str:
        return self.query_one("#apps-tabs", TabbedContent).active.removeprefix("apps-tab-")

    def action_tab(self, name: str) -> None:
        self.query_one("#apps-tabs", TabbedContent).active = f"apps-tab-{name}"
        self._focus_tab(name)

    def _focus_tab(self, name: str) -> None:
        target = {"data": "#apps-data-source", "prompt": "#apps-prompt-form #cfg-input", "rag": "#apps-rag-question"}[name]
        self.call_after_refresh(lambda: self.query(target).first().focus())

    def action_run(self) -> None:
        {"data": self._run_data, "prompt": self._run_icl, "rag": self._run_rag}[self._active()]()

    def action_stop(self) -> None:
        """Esc: stop the measurement or answer in flight; with nothing running, leave the lab."""
        busy = [w for w in self.workers if w.group in ("apps-icl", "apps-rag") and w.is_running]
        if busy and self.cancel is not None:
            self.cancel.set()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def _values(self, form_id: str) -> dict[str, Any] | None:
        try:
            return self.query_one(form_id, ConfigForm).values()
        except FormError as exc:
            self.notify(str(exc), severity="error")
            return None

    # ----- datasets ---------------------------------------------------------------------------
    def _run_data(self) -> None:
        values = self._values("#apps-data-form")
        if values is None:
            return
        source = self.query_one("#apps-data-source", Input).value.strip()
        try:
            config = AppsDataConfig(source=source, bins=HIST_BINS, **values)
        except Exception as exc:  # the config's own one-line checks
            self.notify_error(exc)
            return
        self._set_status("data", "apps.data.loading", source=source)
        self._done["data"] = config
        self._data_worker(config)

    @work(thread=True, exclusive=True, group="apps-data", exit_on_error=False)
    def _data_worker(self, config: AppsDataConfig) -> None:
        from engine.applications.explore import explore

        self.post_message(self.Explored(explore(config, tokenizer=self._tokenizer(config.tokenizer))))

    def on_applications_screen_explored(self, message: Explored) -> None:
        self.report = message.report
        self._set_status("data", "apps.data.done", "green", rows=message.report.rows,
                         seconds=f"{message.report.seconds:.1f}")
        self._draw_data()

    def _draw_data(self) -> None:
        table = self.query_one("#apps-data-rows", DataTable)
        table.clear(columns=True)
        report = self.report
        if report is None:
            return
        for name in report.sample[0] if report.sample else []:
            table.add_column(name, key=name, width=40 if name == report.text_column else 10)
        for row in report.sample:
            table.add_row(*[str(v)[:60] for v in row.values()])
        lines = [t("apps.data.summary", source=report.source, rows=report.rows, text=report.text_column),
                 t("apps.data.features", features=", ".join(f"{k} {v.removeprefix('Value(').rstrip(')')}"
                                                           for k, v in report.features.items()))]
        if report.labels:
            total = sum(report.labels.values())
            lines.append(t("apps.data.balance", balance=", ".join(f"{k} {v} ({v / total:.0%})"
                                                                    for k, v in report.labels.items())))
        else:
            lines.append(t("apps.data.no_labels"))
        s = report.lengths
        lines.append(t("apps.data.lengths", tokenizer=report.tokenizer, min=f"{s['min']:.0f}", mean=f"{s['mean']:.1f}",
                       max=f"{s['max']:.0f}"))
        key = "apps.data.map_cached" if report.map_cached else "apps.data.map_new"
        lines.append(t(key, file=report.map_cache or "-"))
        lines.append(t("apps.data.split", seed=report.split["seed"], train=report.split["train"],
                       test=report.split["test"]))
        self.query_one("#apps-data-summary", Static).update(Text("\n".join(lines)))
        top = max(b["count"] for b in report.histogram) or 1
        hist = Text(t("apps.data.hist") + "\n", style="bold")
        for b in report.histogram:
            bar = "#" * round(24 * b["count"] / top)
            hist.append(f"{b['low']:6.1f}-{b['high']:6.1f} ")
            hist.append(f"{bar:<24}", style="green")
            hist.append(f" {b['count']}\n")
        self.query_one("#apps-data-hist", Static).update(hist)

    # ----- prompt builder ---------------------------------------------------------------------
    def _tokenizer(self, name: str) -> Any:
        if name not in self._tokenizers:
            self._tokenizers[name] = self._load(name).tokenizer
        return self._tokenizers[name]

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("cfg-") and self._in_prompt_form(event.input):
            self._schedule_rebuild()

    def on_select_changed(self, event: Select.Changed) -> None:
        if self._in_prompt_form(event.select):
            self._schedule_rebuild()

    def _in_prompt_form(self, widget: Any) -> bool:
        return any(getattr(a, "id", None) == "apps-prompt-form" for a in widget.ancestors)

    def _schedule_rebuild(self) -> None:
        if self._rebuild_timer is not None:
            self._rebuild_timer.stop()
        self._rebuild_timer = self.set_timer(0.15, self._rebuild_prompt)

    def _prompt_config(self) -> AppsPromptConfig | None:
        values = self._values("#apps-prompt-form")
        if values is None:
            return None
        try:
            return AppsPromptConfig(model=self.model, **values)
        except Exception as exc:
            self.notify_error(exc)
            return None

    def _rebuild_prompt(self) -> None:
        config = self._prompt_config()
        if config is None:
            return
        self.query_one("#apps-prompt-count", Static).update(Text(t("apps.prompt.building"), style="dim"))
        self._done["prompt"], self._prompt_shows = config, "prompt"
        self._prompt_worker(config)

    @work(thread=True, exclusive=True, group="apps-prompt", exit_on_error=False)
    def _prompt_worker(self, config: AppsPromptConfig) -> None:
        from engine.applications.prompts import build_prompt

        self.post_message(self.PromptBuilt(build_prompt(config, tokenizer=self._tokenizer(config.model))))

    def on_applications_screen_prompt_built(self, message: PromptBuilt) -> None:
        self.prompt = message.result
        self._draw_prompt()
        for notice in message.result.notices:
            self.notify(say(notice), timeout=6)

    def _draw_prompt(self) -> None:
        result = self.prompt
        if result is None:
            return
        count = Text(t("apps.prompt.tokens", tokens=result.tokens, context=result.context, shots=len(result.shots)),
                     style="bold green" if result.tokens <= result.context else "bold red")
        if result.dropped:
            count.append("\n" + t("apps.prompt.dropped", dropped=result.dropped), style="yellow")
        self.query_one("#apps-prompt-count", Static).update(count)
        self.query_one("#apps-prompt-text", Static).update(_colour_prompt(result))

    def _run_icl(self) -> None:
        config = self._prompt_config()
        if config is None:
            return
        shots = ("0", str(config.shots)) if config.shots else ("0", "1")
        try:
            icl = AppsIclConfig(model=self.model, data=config.data, shots=shots, limit=self.limit, seed=config.seed,
                                chat_template=config.chat_template)
        except Exception as exc:
            self.notify_error(exc)
            return
        self.cancel = threading.Event()
        self._done["icl"], self._prompt_shows = icl, "icl"
        self._icl_progress = ("load", 0, 0)
        self._icl_worker(icl, self.cancel)

    @work(thread=True, exclusive=True, group="apps-icl", exit_on_error=False)
    def _icl_worker(self, config: AppsIclConfig, cancel: threading.Event) -> None:
        from engine.applications.icl import measure

        def progress(stage: str, done: int, total: int) -> None:
            self._icl_progress = (stage, done, total)  # drawn by the timer

        self.post_message(self.IclDone(measure(config, load=self._load, on_progress=progress, cancel=cancel)))

    def on_applications_screen_icl_done(self, message: IclDone) -> None:
        self._icl_progress = None
        self.icl = message.result
        self._set_status("icl", "apps.icl.done", "green", data=message.result.data.split(" (")[0],
                         n=message.result.rows[0].n, chance=f"{message.result.chance:.2f}")
        self._draw_icl()
        for notice in message.result.notices:
            self.notify(say(notice), timeout=8)

    def _draw_icl(self) -> None:
        table = self.query_one("#apps-icl", DataTable)
        table.clear()
        if self.icl is None:
            return
        for row in self.icl.rows:
            table.add_row(row.method, str(row.shots), f"{row.accuracy:.3f}",
                          "" if row.f1_macro is None else f"{row.f1_macro:.2f}")

    # ----- RAG --------------------------------------------------------------------------------
    def _run_rag(self) -> None:
        values = self._values("#apps-rag-form")
        if values is None:
            return
        question = self.query_one("#apps-rag-question", Input).value
        try:
            config = AppsRagConfig(question=question, model=self.model, **values)
        except Exception as exc:
            self.notify_error(exc)
            return
        if self._retrievers is None:
            from engine.applications.rag import Retrievers

            self._retrievers = Retrievers(load=self._load)
        self.hits, self.rag_prompt, self.answer = [], "", None
        self._answer_buf, self._answer_drawn = [], 0
        self._draw_rag()
        self._set_status("rag", "apps.rag.searching")
        self._done["rag"], self._rag_shows = config, "rag"
        self.cancel = threading.Event()
        self._rag_worker(config, self._retrievers, self.cancel)

    @work(thread=True, exclusive=True, group="apps-rag", exit_on_error=False)
    def _rag_worker(self, config: AppsRagConfig, retrievers: Retrievers, cancel: threading.Event) -> None:
        from engine.applications.rag import ask

        answer = ask(config, retrievers, on_hits=lambda hits, prompt: self.post_message(self.Retrieved(hits, prompt)),
                     on_text=self._answer_buf.append, cancel=cancel)
        self.post_message(self.Answered(answer))

    def action_hit_rate(self) -> None:
        """F5: hit-rate@1 and @3 of the chosen retriever on the shipped question set."""
        values = self._values("#apps-rag-form")
        if values is None:
            return
        if self._retrievers is None:
            from engine.applications.rag import Retrievers

            self._retrievers = Retrievers(load=self._load)
        self.action_tab("rag")
        self._done["hits"], self._rag_shows = values["retriever"], "hits"
        self._set_status("rag", "apps.rag.measuring", retriever=values["retriever"])
        self._hit_rate_worker(values["retriever"], self._retrievers)

    @work(thread=True, exclusive=True, group="apps-hits", exit_on_error=False)
    def _hit_rate_worker(self, retriever: str, retrievers: Retrievers) -> None:
        from engine.applications.rag import evaluate

        self.post_message(self.HitRates([evaluate(retriever, retrievers, ks=(1, 3), model=self.model)]))

    def on_applications_screen_hit_rates(self, message: HitRates) -> None:
        result = message.results[0]
        self._set_status("rag", "apps.rag.hit_rate", "green", retriever=result.retriever, n=result.n,
                         h1=f"{result.hit_rate['1']:.2f}", h3=f"{result.hit_rate['3']:.2f}")

    def on_applications_screen_retrieved(self, message: Retrieved) -> None:
        self.hits, self.rag_prompt = message.hits, message.prompt
        retriever = self.query_one("#apps-rag-form", ConfigForm).values()["retriever"]
        self._set_status("rag", "apps.rag.answering", retriever=retriever, k=len(message.hits))
        self._draw_rag()

    def on_applications_screen_answered(self, message: Answered) -> None:
        answer = message.answer
        self.answer, self.hits, self.rag_prompt = answer, list(answer.hits), answer.prompt
        self._set_status("rag", "apps.rag.done", "green", retriever=answer.retriever,
                         ms=f"{1000 * answer.seconds['retrieve']:.1f}", tokens=answer.prompt_tokens)
        self._draw_rag()
        for notice in answer.notices:
            self.notify(say(notice), timeout=8)

    def _draw_rag(self) -> None:
        hits = Text(t("apps.rag.hits") + "\n", style="bold")
        for n, hit in enumerate(self.hits, 1):
            hits.append(f"[{n}] {hit.score:.3f} ", style="bold cyan")
            hits.append(f"{hit.passage.title}\n", style="bold")
            plain = hit.passage.text.replace("**", "")  # Markdown bold marks, not words
            body = Text(plain[:400] + ("..." if len(plain) > 400 else "") + "\n\n")
            body.highlight_words([w for w in hit.terms if len(w) > 1], style="black on yellow", case_sensitive=False)
            hits.append_text(body)
        self.query_one("#apps-rag-hits", Static).update(hits)
        self._draw_answer()
        prompt = Text(t("apps.rag.prompt") + "\n", style="bold")
        prompt.append(self.rag_prompt, style="dim")
        self.query_one("#apps-rag-prompt", Static).update(prompt if self.rag_prompt else "")

    def _draw_answer(self) -> None:
        text = self.answer.answer if self.answer is not None and self.answer.answer is not None \
            else "".join(self._answer_buf)
        shown = Text(t("apps.rag.answer") + "\n", style="bold")
        shown.append((text or "") + "\n", style="bold green")
        self.query_one("#apps-rag-answer", Static).update(shown if (text or self._answer_buf) else "")

    # ----- show the code ------------------------------------------------------------------------
    def code_snippet(self):
        """The code of what the current tab last did (None: nothing yet)."""
        from engine.codegen import applications as code
        from engine.codegen import rag

        tab = self._active()
        if tab == "prompt" and self._prompt_shows == "icl" and "icl" in self._done:
            return code.icl_snippet(self._done["icl"])
        if tab == "rag" and self._rag_shows == "hits" and "hits" in self._done:
            return rag.hit_rate_snippet((self._done["hits"],), (1, 3), self.model)
        config = self._done.get(tab)
        if config is None:
            return None
        if tab == "data":
            return code.data_snippet(config)
        if tab == "prompt":
            return code.prompt_snippet(config, self.prompt.context if self.prompt is not None else None)
        return rag.rag_snippet(config)

    # ----- errors -----------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors become a notice."""
        group = event.worker.group
        if not group.startswith("apps-") or event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        which = {"apps-data": "data", "apps-icl": "icl", "apps-rag": "rag", "apps-hits": "rag"}.get(group)
        if group == "apps-icl":
            self._icl_progress = None
        if self.cancel is not None and self.cancel.is_set() and which in ("icl", "rag"):
            self._set_status(which, "apps.stopped", "yellow")
            return
        text = self.notify_error(event.worker.error, timeout=10)
        if which is not None:
            self._set_status(which, "apps.failed", "red", error=text)


def _colour_prompt(result: PromptResult) -> Text:
    """The exact prompt text, each element in its colour (the chat template's markers stay plain)."""
    text = Text(result.text)
    start = 0
    for part in result.parts:
        found = result.text.find(part["text"], start)
        if found < 0:
            continue
        text.stylize(ELEMENT_STYLE.get(part["element"], ""), found, found + len(part["text"]))
        start = found + len(part["text"])
    return text
