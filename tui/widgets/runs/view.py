"""The live view of one run: header, progress bar with ETA, numbers, plot, caption.

It only reads the run directory, through ``engine.runs.history.RunWatcher`` (the same
watcher ``llm-dojo runs attach`` uses). ``attach(run_id)`` folds the whole
``events.jsonl`` first (a run started from the CLI, or before the app was restarted,
shows its full history); then a 4 Hz timer polls the bytes appended since and redraws
once per poll: a new event is on screen within about a quarter of a second, and a
burst of events costs one redraw. A poll reads a few lines and a small status file,
so it stays on the UI thread; training itself is another process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Static

from ...i18n import has, t
from ...runs_format import fmt_eta, short_id
from .plot import RunPlot

if TYPE_CHECKING:
    from engine.runs.history import RunSnapshot, RunWatcher
    from engine.runs.spec import RunSpec

POLL_S = 0.25
STATS = (("train/loss", "run.loss", "{:.4f}"), ("eval/loss", "run.eval", "{:.4f}"),
         ("eval/accuracy", "run.acc", "{:.1%}"), ("rewards/margins", "run.margin", "{:.3f}"))


class RunView(Vertical):
    """Shows one run; empty until ``attach``."""

    DEFAULT_CSS = """
    RunView {
        height: 1fr;
        border: round $primary 50%;
        padding: 0 1;
    }

    RunView #run-head {
        height: auto;
        max-height: 3;
    }

    RunView #run-progress {
        height: 1;
    }

    RunView #run-stats {
        height: auto;
        color: $text-muted;
    }

    RunView #run-plot {
        height: 1fr;
        min-height: 6;
    }

    RunView #run-plot-caption {
        height: auto;
        color: $text-muted;
    }
    """

    class Ended(Message):
        """The attached run reached a final state (completed, failed, cancelled)."""

        def __init__(self, run_id: str, state: str) -> None:
            super().__init__()
            self.run_id, self.state = run_id, state

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.run_id: str | None = None
        self.run_state = ""
        self.watcher: RunWatcher | None = None
        self.snapshot: RunSnapshot | None = None
        self._spec: RunSpec | None = None
        self._ended_sent = False
        self._timer = None
        self._queue: dict | None = None

    @property
    def applied(self) -> int:
        """Events folded so far (tests and the latency bench read it)."""
        return self.watcher.history.applied if self.watcher else 0

    @property
    def last_event_t(self) -> float:
        """Wall time (``t``) of the newest event drawn."""
        return self.watcher.history.last_t if self.watcher else 0.0

    def compose(self) -> ComposeResult:
        yield Static(t("run.none"), id="run-head")
        bar = ProgressBar(total=None, show_eta=False, id="run-progress")
        bar.display = False  # an idle indeterminate bar would animate for nothing
        yield bar
        yield Static("", id="run-stats")
        yield RunPlot(id="run-plot")
        yield Static("", id="run-plot-caption")
        results = Static("", id="run-results")
        results.display = False  # an evaluation run shows its table here instead of a plot
        yield results

    def attach(self, run_id: str) -> None:
        """Show ``run_id`` from its first event; follow it while it is active."""
        from engine.runs import store
        from engine.runs.history import RunWatcher

        run_dir = store.find_run(run_id)
        self.run_id = run_dir.name
        self._spec = store.load_spec(run_dir)
        self._rows: list[dict] | None = None
        evaluation = self._spec.kind == "eval"
        self.query_one(RunPlot).display = not evaluation
        self.query_one("#run-plot-caption", Static).display = not evaluation
        self.query_one("#run-results", Static).display = evaluation
        self.watcher = RunWatcher(run_dir)
        self._ended_sent = False
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.poll()
        if self._timer is None:
            self._timer = self.set_interval(POLL_S, self.poll, name="run-view-poll")

    def detach(self) -> None:
        self.run_id, self.watcher, self.snapshot = None, None, None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.query_one("#run-head", Static).update(t("run.none"))
        self.query_one("#run-stats", Static).update("")
        self.query_one("#run-plot-caption", Static).update("")
        self.query_one(ProgressBar).display = False
        self.query_one(RunPlot).clear()
        self.query_one("#run-results", Static).update("")

    def poll(self) -> None:
        """Read what was appended since the last call and redraw once."""
        if self.watcher is None:
            return
        try:
            snap = self.watcher.poll()
        except OSError:  # the run directory was removed under us
            return
        first = self.snapshot is None
        self.snapshot = snap
        if snap.state == "queued" and snap.status.get("waiting"):
            from engine.runs.store import queue_info

            self._queue = queue_info(self.watcher.run_dir, snap.status)
        else:
            self._queue = None
        self.run_state = snap.state
        if snap.new or first:
            self.query_one(RunPlot).show(snap.history)
        if self._spec is not None and self._spec.kind == "eval" and snap.state == "completed" and self._rows is None:
            self._rows = result_rows(snap.status.get("output"))
        self.redraw()
        if not snap.active and not self._ended_sent:
            self._ended_sent = True
            self.post_message(self.Ended(self.run_id or "", self.run_state))

    def toggle_log(self) -> None:
        self.query_one(RunPlot).toggle_log()
        self.redraw()

    def redraw(self) -> None:
        """Every string from the last snapshot, in the live language (no file read)."""
        snap, spec = self.snapshot, self._spec
        if snap is None or spec is None:
            return
        h = snap.history
        head = Text.assemble((self.run_id or "", "bold"), f"  {spec.title}  {spec.subject}  ",
                             (t(f"state.{snap.state}"), "bold"))
        queue = self._queue
        if queue:  # waiting for the device: its place and whom it waits for
            head.append(" " + t("run.queued", position=queue["position"], devices=", ".join(queue["devices"]),
                                after=short_id(queue["behind"]) if queue.get("behind") else "-"), style="yellow")
        if snap.status.get("error") and snap.state in ("failed", "cancelled"):
            head.append(f"\n{snap.status['error']}", style="italic")
        ending = h.ending
        if snap.state == "completed" and ending is not None and ending.get("best_step") is not None \
                and isinstance(ending.get("best_metric"), (int, float)):
            metric = ending.get("metric") or ""
            metric = t(f"series.{metric}") if has(f"series.{metric}") else metric
            head.append("\n" + t("run.best", step=ending.get("best_step"), metric=metric,
                                 value=f"{ending.get('best_metric'):.4g}"), style="green")
        self.query_one("#run-head", Static).update(head)
        bar = self.query_one(ProgressBar)
        bar.display = queue is None  # a run waiting for its device makes no progress to draw
        if h.total:
            bar.update(total=h.total, progress=h.step)
        parts = []
        evaluation = spec.kind == "eval"
        if h.total:
            parts.append(t("run.items" if evaluation else "run.step", step=h.step, total=h.total))
        if evaluation and snap.active and h.latest.get("candidate"):
            parts.append(str(h.latest["candidate"]))
        if snap.active:
            parts.append(t("run.eta", eta=fmt_eta(h.eta)))
        for key, label, fmt in STATS:
            if h.last(key) is not None:
                parts.append(t(label, value=fmt.format(h.last(key))))
        if isinstance(h.latest.get("lr"), (int, float)):
            parts.append(t("run.lr", value=f"{h.latest['lr']:.2e}"))
        if isinstance(h.latest.get("tokens/s"), (int, float)):
            parts.append(t("run.tps", value=f"{h.latest['tokens/s']:,.0f}"))
        if h.latest.get("stage") and h.latest.get("detail") and not h.series:
            parts.append(t("run.stage", stage=h.latest["stage"], detail=h.latest["detail"]))
        self.query_one("#run-stats", Static).update(Text("  ".join(parts)))
        if evaluation:
            self.query_one("#run-results", Static).update(results_table(self._rows) if self._rows else "")
            return
        plot = self.query_one(RunPlot)
        lines = Text()
        for i, (key, color) in enumerate(plot.legend()):
            lines.append(", " if i else "")
            lines.append(t(f"series.{key}") if has(f"series.{key}") else key, style=color)
        caption = Text(t("plot.caption", lines="{lines}",
                         scale=t("plot.log" if plot.log_scale else "plot.linear")), style="dim")
        before, _, after = caption.plain.partition("{lines}")
        self.query_one("#run-plot-caption", Static).update(
            Text.assemble((before, "dim"), lines, (after, "dim")) if plot.legend() else Text(""))


def result_rows(output: str | None) -> list[dict]:
    """The rows of a finished evaluation run's ``result.json`` ([] when it cannot be read)."""
    import json
    from pathlib import Path

    if not output:
        return []
    try:
        return list(json.loads((Path(output) / "result.json").read_text(encoding="utf-8"))["rows"])
    except (OSError, ValueError, KeyError, TypeError):
        return []


def results_table(rows: list[dict]):
    """An evaluation run's table: model (+ adapter), metric, value, stderr, difference to the base."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for key, justify in (("model", "left"), ("metric", "left"), ("value", "right"), ("stderr", "right"),
                         ("delta", "right")):
        table.add_column(t(f"run.col.{key}"), justify=justify, no_wrap=key != "model")  # type: ignore[arg-type]
    last = None
    for r in rows:
        name = r["model"] + (f" + {str(r['adapter']).rstrip('/').rsplit('/', 1)[-1]}" if r.get("adapter") else "")
        delta = Text("")
        if r.get("delta") is not None:
            delta = Text(f"{r['delta']:+.4f}", style="green" if r.get("better") else "red" if r.get("better") is False
                         else "")
        table.add_row("" if name == last else name, r["metric"], f"{r['value']:.4f}",
                      "" if r.get("stderr") is None else f"{r['stderr']:.4f}", delta)
        last = name
    return table
