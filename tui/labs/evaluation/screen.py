"""The evaluation lab: pick models, adapters and sets, evaluate, read one table, drill into items.

Layout (fits 80x24): a sidebar with the models (the first is the base), adapter folders,
the built-in sets (a selection list), three settings from ``EvalConfig`` (the same
dataclass as ``llm-dojo eval``: items, few-shot, chat template), a progress bar and a
status line; on the right two tabs: the results table (each set, each model, each
metric with its bootstrap standard error and the difference to the base) and the
items of the highlighted result with a drill-down (each choice's log-likelihood, per
character and as a letter, and which scoring picked what).

Work runs in one thread worker (``eval-run``) that calls the engine once per set
(``engine.evaluation.api.evaluate_candidates``) and answers with one message per set
(``SetDone``) and one at the end (``AllDone``); progress is written to an attribute
and drawn by a 10 Hz timer. Esc sets the cancel flag while running and leaves the lab
otherwise. Each set's comparison is saved (JSON, CSV, Markdown) under the data directory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar, SelectionList, Static, \
    TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from engine.evaluation.config import EvalConfig

from ...i18n import t
from ...screens.base import DojoScreen
from ...widgets.code_panel import CODE_BINDING, CodeExport
from ...widgets.config_form import ConfigForm, FormError

if TYPE_CHECKING:
    from engine.evaluation.api import Candidate, EvalProgress
    from engine.evaluation.results import Comparison, EvalResult
    from engine.models.load import Loaded

SETS = ("course-mc", "sentiment-ko", "sentiment-en", "course-qa", "heldout-ko", "heldout-en", "train-lessons")
FORM_FIELDS = ("limit", "n_shot", "chat_template", "contamination")
SHORT = {"contaminated": "contam.", "perplexity": "ppl", "word_perplexity": "word_ppl", "byte_perplexity": "byte_ppl", "bits_per_byte": "bpb"}
LETTERS = "ABCDEFGHIJ"


def default_load(name: str) -> Loaded:
    """The model from the app-wide cache, shared with the other labs."""
    from engine.models.cache import shared

    return shared().get(name)


class EvaluationScreen(CodeExport, DojoScreen):
    """The evaluation lab. ``try_it``: model, adapters, tasks (set names), limit."""

    CSS_PATH = "evaluation.tcss"
    BINDINGS = [
        Binding("ctrl+r", "run", "Evaluate", id="eval.run"),
        Binding("escape", "stop", "Stop/Back", id="eval.stop", priority=True),
        Binding("f3", "items", "Items", id="eval.items"),
        Binding("ctrl+b", "background", "In background", id="eval.background"),
        CODE_BINDING,
    ]
    CODE_NAME = "evaluation"

    class SetDone(Message):
        def __init__(self, name: str, comparison: Comparison, folder: str) -> None:
            super().__init__()
            self.name, self.comparison, self.folder = name, comparison, folder

    class AllDone(Message):
        def __init__(self, seconds: float, folder: str) -> None:
            super().__init__()
            self.seconds, self.folder = seconds, folder

    def __init__(self, try_it: Mapping[str, Any] | None = None, load: Callable[[str], Loaded] = default_load) -> None:
        super().__init__()
        ex = dict(try_it or {})
        self._load = load
        self.model_text = str(ex.get("model", "dojo-tiny"))
        adapters = ex.get("adapters") or ex.get("adapter") or []
        self.adapter_text = ", ".join([adapters] if isinstance(adapters, str) else adapters)
        picked = [s for s in (ex.get("tasks") or ex.get("sets") or ["course-mc"]) if s in SETS]
        self.picked = picked or ["course-mc"]
        self.form_values = {"limit": int(ex.get("limit", 20)), "n_shot": int(ex.get("n_shot", 0)),
                            "chat_template": bool(ex.get("chat_template", False)),
                            "contamination": bool(ex.get("contamination", False))}
        self.comparisons: dict[str, Comparison] = {}
        self.cancel: threading.Event | None = None
        self.running = False
        self._progress: tuple[str, int, int, EvalProgress] | None = None
        self._status_msg: tuple[str, dict[str, Any], str] = ("eval.status.idle", {}, "")
        self._shown: tuple[str, int] | None = None
        self._last_run: tuple[list[Candidate], list[EvalConfig]] | None = None

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("eval.title")

    # ----- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="ev-body"):
            yield from self._side()
            yield from self._tabs()
        yield Footer()

    def _side(self) -> ComposeResult:
        with Vertical(id="ev-side"):
            yield Label(t("eval.models"), id="ev-models-label", classes="ev-label")
            yield Input(self.model_text, placeholder=t("eval.models.placeholder"), id="ev-models", compact=True)
            yield Label(t("eval.adapters"), id="ev-adapters-label", classes="ev-label")
            yield Input(self.adapter_text, placeholder=t("eval.adapters.placeholder"), id="ev-adapters", compact=True)
            yield Label(t("eval.sets"), id="ev-sets-label", classes="ev-label")
            yield SelectionList[str](*[(t(f"eval.set.{s}"), s, s in self.picked) for s in SETS], id="ev-sets",
                                     compact=True)
            yield ConfigForm(EvalConfig, FORM_FIELDS, self.form_values, id="ev-form")
            yield ProgressBar(total=100, show_eta=False, id="ev-progress")
            yield Static(id="ev-status")

    def _tabs(self) -> ComposeResult:
        with TabbedContent(id="ev-tabs"):
            with TabPane(t("eval.tab.results"), id="ev-tab-results"):
                yield DataTable(id="ev-results", cursor_type="row", zebra_stripes=True)
            with TabPane(t("eval.tab.items"), id="ev-tab-items"):
                yield DataTable(id="ev-items", cursor_type="row")
                yield Static(t("eval.detail.hint"), id="ev-detail")

    def on_mount(self) -> None:
        super().on_mount()
        self._columns()
        self._fill_results()
        self._show_status()
        self.set_interval(0.1, self._draw_progress)

    def relabel(self) -> None:
        for wid, key in (("#ev-models-label", "eval.models"), ("#ev-adapters-label", "eval.adapters"),
                         ("#ev-sets-label", "eval.sets")):
            self.query_one(wid, Label).update(t(key))
        self.query_one("#ev-adapters", Input).placeholder = t("eval.adapters.placeholder")
        self.query_one("#ev-models", Input).placeholder = t("eval.models.placeholder")
        sets = self.query_one("#ev-sets", SelectionList)
        chosen = list(sets.selected)
        sets.clear_options()
        sets.add_options([(t(f"eval.set.{s}"), s, s in chosen) for s in SETS])
        self.query_one("#ev-form", ConfigForm).relabel()
        tabs = self.query_one("#ev-tabs", TabbedContent)
        tabs.get_tab("ev-tab-results").label = t("eval.tab.results")
        tabs.get_tab("ev-tab-items").label = t("eval.tab.items")
        self._columns()
        self._fill_results()
        if self._shown is not None:
            self._show_items(*self._shown)
        self._show_status()

    def _columns(self) -> None:
        results = self.query_one("#ev-results", DataTable)
        results.clear(columns=True)
        for key, width in (("model", 12), ("metric", 10), ("value", 6), ("stderr", 5), ("delta", 7)):
            results.add_column(t(f"eval.col.{key}"), key=key, width=width)
        items = self.query_one("#ev-items", DataTable)
        items.clear(columns=True)
        for key, width in (("item", 12), ("gold", 12), ("pred", 20)):
            items.add_column(t(f"eval.col.{key}"), key=key, width=width)

    # ----- status and progress ----------------------------------------------------------------
    def _status(self, key: str, style: str = "", **args: Any) -> None:
        self._status_msg = (key, args, style)
        self._show_status()

    def _show_status(self) -> None:
        key, args, style = self._status_msg
        self.query_one("#ev-status", Static).update(Text(t(key, **args), style=style))

    def _note_progress(self, name: str, index: int, count: int, event: EvalProgress) -> None:
        self._progress = (name, index, count, event)  # from the worker thread; drawn by the timer

    def _draw_progress(self) -> None:
        if not self.running or self._progress is None:
            return
        name, index, count, event = self._progress
        self.query_one("#ev-progress", ProgressBar).update(progress=100 * (index + event.fraction) / count)
        if event.stage == "load":
            self._status("eval.status.loading", model=event.label)
        else:
            self._status("eval.status.scoring", set=name, model=event.label, done=event.done, total=event.total)

    # ----- running ----------------------------------------------------------------------------
    def candidates(self) -> list[Candidate]:
        from engine.evaluation.api import Candidate

        models = [m.strip() for m in self.query_one("#ev-models", Input).value.split(",") if m.strip()]
        adapters = [a.strip() for a in self.query_one("#ev-adapters", Input).value.split(",") if a.strip()]
        if not models:
            return []
        return [Candidate(m) for m in models] + [Candidate(models[0], a) for a in adapters]

    def action_run(self) -> None:
        if self.running:
            return
        sets = [s for s in SETS if s in self.query_one("#ev-sets", SelectionList).selected]
        if not sets:
            self.notify(t("eval.no_sets"), severity="warning")
            return
        candidates = self.candidates()
        if not candidates:
            self.notify(t("eval.no_models"), severity="warning")
            return
        try:
            values = self.query_one("#ev-form", ConfigForm).values()
            configs = [EvalConfig(task=_task_of(s), data=s, **values) for s in sets]
        except FormError as exc:
            self.notify(str(exc), severity="error")
            return
        except Exception as exc:  # a DojoError from the config's own checks
            self.notify_error(exc)
            return
        self.form_values = values
        self._last_run = (candidates, configs)
        self.cancel = threading.Event()
        self.running = True
        self._progress = None
        self.query_one("#ev-progress", ProgressBar).update(progress=0)
        self._status("eval.status.loading", model=candidates[0].label)
        self._run_worker(candidates, configs, self.cancel)

    def action_background(self) -> None:
        """Ctrl+B: each chosen set as an evaluation run (kind ``eval``): detached, resumable by item."""
        from engine.runs import launcher
        from engine.runs.spec import RunSpec

        sets = [s for s in SETS if s in self.query_one("#ev-sets", SelectionList).selected]
        candidates = self.candidates()
        if not sets or not candidates:
            self.notify(t("eval.no_sets" if not sets else "eval.no_models"), severity="warning")
            return
        base = candidates[0].model
        compare = tuple(c.model for c in candidates[1:] if c.adapter is None)
        adapters = tuple(c.adapter for c in candidates if c.adapter is not None)
        ids = []
        try:
            values = self.query_one("#ev-form", ConfigForm).values()
            for s in sets:
                config = EvalConfig(task=_task_of(s), data=s, **values)
                spec = RunSpec(kind="eval", task=config.task, dataset=s, model=base, compare=compare,
                               adapters=adapters, eval_config=config.to_dict())
                ids.append(launcher.start(spec))
        except FormError as exc:
            self.notify(str(exc), severity="error")
            return
        except Exception as exc:  # a DojoError: a bad set line, a missing adapter
            self.notify_error(exc)
            return
        self.notify(t("eval.background.started", n=len(ids), ids=", ".join(ids)), timeout=10)

    @work(thread=True, exclusive=True, group="eval-run", exit_on_error=False)
    def _run_worker(self, candidates: list[Candidate], configs: list[EvalConfig], cancel: threading.Event) -> None:
        from engine.evaluation.api import evaluate_candidates, results_dir

        start = time.perf_counter()
        folder = ""
        for k, config in enumerate(configs):
            comparison = evaluate_candidates(
                candidates, config, load=self._load, cancel=cancel,
                on_progress=lambda event, k=k, name=config.data: self._note_progress(name, k, len(configs), event))
            folder = str(comparison.save(results_dir()))
            self.post_message(self.SetDone(config.data, comparison, folder))
        self.post_message(self.AllDone(time.perf_counter() - start, folder))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors become a notice."""
        if event.worker.group != "eval-run" or event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.running = False
        if self.cancel is not None and self.cancel.is_set():
            self._status("eval.status.stopped", "yellow")
            return
        text = self.notify_error(event.worker.error, timeout=10)
        self._status("eval.status.failed", "red", error=text)

    def on_evaluation_screen_set_done(self, message: SetDone) -> None:
        self.comparisons[message.name] = message.comparison
        self._fill_results()
        for result in message.comparison.results:
            for notice in result.notices:
                from ...i18n import say

                self.notify(say(notice), timeout=8)

    def on_evaluation_screen_all_done(self, message: AllDone) -> None:
        self.running = False
        self.query_one("#ev-progress", ProgressBar).update(progress=100)
        self._status("eval.status.done", "green", sets=len(self.comparisons), seconds=f"{message.seconds:.1f}",
                     folder=_tail(message.folder))
        if self.comparisons and self._shown is None:
            name = next(iter(self.comparisons))
            self._show_items(name, 0)

    def action_stop(self) -> None:
        """Esc: stop the evaluation in flight; with nothing running, leave the lab."""
        if self.running and self.cancel is not None:
            self.cancel.set()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def code_snippet(self):
        """The scoring loop and metric calls of the last evaluation: every set on the results tab,
        the set whose items are shown on the items tab."""
        if self._last_run is None:
            return None
        from engine.codegen.evaluation import eval_snippet

        candidates, configs = self._last_run
        if self.query_one("#ev-tabs", TabbedContent).active == "ev-tab-items" and self._shown is not None:
            configs = [c for c in configs if c.data == self._shown[0]] or configs
        return eval_snippet(candidates, configs)

    def action_items(self) -> None:
        tabs = self.query_one("#ev-tabs", TabbedContent)
        tabs.active = "ev-tab-results" if tabs.active == "ev-tab-items" else "ev-tab-items"

    # ----- tables -----------------------------------------------------------------------------
    def _fill_results(self) -> None:
        table = self.query_one("#ev-results", DataTable)
        table.clear()
        for name, comparison in self.comparisons.items():
            table.add_row(Text(name, style="bold"), "", "", "", "", key=f"{name}|-1|")
            k, last = -1, None
            for row in comparison.rows():
                if (row.model, row.adapter) != last:
                    k, last = k + 1, (row.model, row.adapter)
                delta = Text("")
                if row.delta is not None:
                    style = "green" if row.better else "red" if row.better is False else ""
                    delta = Text(f"{row.delta:+.4f}", style=style)
                table.add_row(comparison.results[k].label, SHORT.get(row.metric, row.metric),
                              f"{row.value:.4f}", "" if row.stderr is None else f"{row.stderr:.3f}", delta,
                              key=f"{name}|{k}|{row.metric}")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "ev-results" and event.row_key.value:
            name, k, _ = event.row_key.value.split("|", 2)
            if int(k) >= 0 and self._shown != (name, int(k)):
                self._show_items(name, int(k))
        elif event.data_table.id == "ev-items" and event.row_key.value and self._shown is not None:
            self._show_detail(self._result(*self._shown), int(event.row_key.value))

    def _result(self, name: str, k: int) -> EvalResult:
        return self.comparisons[name].results[k]

    def _show_items(self, name: str, k: int) -> None:
        self._shown = (name, k)
        result = self._result(name, k)
        table = self.query_one("#ev-items", DataTable)
        table.clear()
        for i, item in enumerate(result.items):
            table.add_row(str(item.get("id", i)), *_gold_pred(result.task, item), key=str(i))
        if result.items:
            self._show_detail(result, 0)

    def _show_detail(self, result: EvalResult, i: int) -> None:
        item = result.items[i]
        lines: list[str] = []
        if result.task == "multiple_choice":
            lines.append(str(item["question"]))
            lines.append(t("eval.detail.choices"))
            for n, c in enumerate(item["choices"]):
                marks = "".join(("*" if item[key] == n else " ") for key in ("pred", "pred_norm", "pred_letter"))
                gold = "=" if item["gold"] == n else " "
                lines.append(f"{gold}{LETTERS[n]} {c['loglikelihood']:8.2f} {c['per_char']:6.2f} "
                             f"{c['letter_loglikelihood']:6.2f} {marks} {c['text']}")
            lines.append(t("eval.detail.picked", acc=LETTERS[item["pred"]], norm=LETTERS[item["pred_norm"]],
                           letter=LETTERS[item["pred_letter"]], gold=LETTERS[item["gold"]]))
        elif result.task == "classification":
            lines.append(item["text"])
            lines += [f"{'=' if label == item['gold'] else ' '}{'*' if label == item['pred'] else ' '} "
                      f"{label}: {score:.2f}" for label, score in item["scores"].items()]
        elif result.task == "generation":
            lines.append(item["prompt"].replace("\n", " "))
            lines.append(t("eval.detail.answers", answers=" | ".join(item["answers"])))
            lines.append(t("eval.detail.pred", pred=item["pred"]))
        else:
            lines.append(t("eval.detail.tokens", tokens=item["tokens"], ppl=f"{item['perplexity']:.2f}"))
            lines.append(item["text"])
        self.query_one("#ev-detail", Static).update(Text("\n".join(lines)))


def _task_of(name: str) -> str:
    from engine.evaluation.data import BUILTIN

    return BUILTIN[name][0]


def _tail(folder: str) -> str:
    """The last two parts of a path (``evaluations/<stamp>-<task>``): the status line is narrow."""
    parts = folder.rstrip("/").split("/")
    return "/".join(parts[-2:])


def _gold_pred(task: str, item: dict[str, Any]) -> tuple[str, str]:
    if task == "multiple_choice":
        return LETTERS[item["gold"]], LETTERS[item["pred"]]
    if task == "classification":
        return item["gold"], item["pred"]
    if task == "generation":
        return item["answers"][0], item["pred"]
    return f"{item['tokens']}", f"{item['perplexity']:.2f}"
