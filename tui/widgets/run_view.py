"""The live view of one run: header, progress bar with ETA, numbers, loss plot.

It only reads the run directory. ``attach(run_id)`` rebuilds everything from the
whole ``events.jsonl`` (so a run started from the CLI, or before the app was
restarted, shows its full history), then a 4 Hz timer reads the bytes appended
since, applies them as one batch and redraws once: a new event is on screen within
about a quarter of a second, and a burst of events costs one redraw. Reading a few
appended lines and a small status file takes microseconds, so this stays on the
UI thread without hurting responsiveness; training itself is another process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Static

from .run_plot import RunPlot
from .run_strings import rt

POLL_S = 0.25


def fmt_eta(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)) or seconds != seconds:
        return "-"
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class RunView(Vertical):
    """Shows one run; empty until ``attach``."""

    class Ended(Message):
        """The attached run reached a final state (completed, failed, cancelled)."""

        def __init__(self, run_id: str, state: str) -> None:
            super().__init__()
            self.run_id, self.state = run_id, state

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.run_dir: Path | None = None
        self.run_id: str | None = None
        self.event_offset = 0
        self.run_state = ""
        self.applied = 0
        """Events applied so far (tests and the latency bench read it)."""
        self.last_event_t = 0.0
        """Wall time (``t``) of the newest event drawn."""
        self._train: list[tuple[int, float]] = []
        self._eval: list[tuple[int, float]] = []
        self._lr: list[tuple[int, float]] = []
        self._info: dict[str, Any] = {}
        self._ended_sent = False
        self._timer = None
        self._spec: Any = None

    def compose(self) -> ComposeResult:
        yield Static(rt("run.none"), id="run-head")
        bar = ProgressBar(total=None, show_eta=False, id="run-progress")
        bar.display = False  # an idle indeterminate bar would animate for nothing
        yield bar
        yield Static("", id="run-stats")
        yield RunPlot(id="run-plot")
        yield Static(rt("plot.title"), id="run-plot-caption")

    def attach(self, run_id: str) -> None:
        """Show ``run_id`` from its first event; follow it while it is active."""
        from engine.runs import store

        self.run_dir = store.find_run(run_id)
        self.run_id = self.run_dir.name
        self._spec = store.load_spec(self.run_dir)
        self.event_offset, self.applied, self._ended_sent = 0, 0, False
        self._train, self._eval, self._lr, self._info = [], [], [], {}
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.poll()
        if self._timer is None:
            self._timer = self.set_interval(POLL_S, self.poll, name="run-view-poll")

    def detach(self) -> None:
        self.run_dir = self.run_id = None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.query_one("#run-head", Static).update(rt("run.none"))
        self.query_one("#run-stats", Static).update("")
        self.query_one(ProgressBar).display = False
        self.query_one(RunPlot).clear()

    def poll(self) -> None:
        """Read what was appended since the last call and redraw once."""
        from engine.runs import store

        if self.run_dir is None:
            return
        try:
            status = store.status(self.run_dir)
            events, self.event_offset = store.read_events(self.run_dir, self.event_offset)
        except OSError:  # the run directory was removed under us
            return
        self.run_state = status.get("state", "")
        if events:
            self._apply(events)
        self._show(status)
        if self.run_state not in store.ACTIVE and not self._ended_sent:
            self._ended_sent = True
            self.post_message(self.Ended(self.run_id or "", self.run_state))

    def _apply(self, events: list[dict[str, Any]]) -> None:
        for ev in events:
            kind, step = ev.get("event"), ev.get("step", 0)
            if kind == "resume":  # the steps after the checkpoint are trained again
                self._train = [p for p in self._train if p[0] <= step]
                self._eval = [p for p in self._eval if p[0] <= step]
                self._lr = [p for p in self._lr if p[0] <= step]
            elif kind == "log" and "train/loss" in ev:
                self._train.append((step, float(ev["train/loss"])))
                if "lr" in ev:
                    self._lr.append((step, float(ev["lr"])))
            elif kind == "eval" and "eval/loss" in ev:
                self._eval.append((step, float(ev["eval/loss"])))
            for key in ("step", "total", "eta", "eval/accuracy", "tokens/s", "lr", "message"):
                if key in ev:
                    self._info[key] = ev[key]
            if kind == "log" and "train/loss" in ev:
                self._info["loss"] = ev["train/loss"]
            if kind == "eval" and "eval/loss" in ev:
                self._info["eval"] = ev["eval/loss"]
            self.last_event_t = max(self.last_event_t, float(ev.get("t", 0.0)))
        self.applied += len(events)
        self.query_one(RunPlot).set_series(self._train, self._eval, self._lr)

    def _show(self, status: dict[str, Any]) -> None:
        from engine.runs import store

        info, spec = self._info, self._spec
        state = rt(f"state.{self.run_state}") if self.run_state else ""
        head = Text.assemble((self.run_id or "", "bold"), f"  {spec.kind}/{spec.task}  {spec.model}  ",
                             (state, "bold"))
        if status.get("error") and self.run_state in ("failed", "cancelled"):
            head.append(f"\n{status['error']}", style="italic")
        self.query_one("#run-head", Static).update(head)
        bar = self.query_one(ProgressBar)
        if info.get("total"):
            bar.update(total=info["total"], progress=info.get("step", 0))
        parts = []
        if info.get("total"):
            parts.append(rt("run.step", step=info.get("step", 0), total=info["total"]))
        if self.run_state in store.ACTIVE:
            parts.append(rt("run.eta", eta=fmt_eta(info.get("eta"))))
        for key, label, fmt in (("loss", "run.loss", "{:.4f}"), ("eval", "run.eval", "{:.4f}"),
                                ("eval/accuracy", "run.acc", "{:.1%}"), ("lr", "run.lr", "{:.2e}"),
                                ("tokens/s", "run.tps", "{:,.0f}")):
            if isinstance(info.get(key), (int, float)):
                parts.append(rt(label, value=fmt.format(info[key])))
        self.query_one("#run-stats", Static).update(Text("  ".join(parts)))
        self.query_one("#run-plot-caption", Static).update(rt("plot.title"))
