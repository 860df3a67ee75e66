"""The SFT lab: a form on the left, the live run on the right.

Starting a run checks the form's values (``launcher.preflight``: model, context,
dataset lines and columns) and spawns the worker in a thread worker, so a slow disk
never freezes the screen; the training itself is a separate process that outlives
the app. Once started, the right-hand ``RunView`` follows the run's directory.
Leaving the screen leaves the run running; the runs list finds it again.

Register it as the "sft" lab: ``services.labs["sft"] = TrainingScreen``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from ..widgets.run_form import RunForm
from ..widgets.run_strings import rt
from .base import localize_bindings
from ..widgets.run_view import RunView


class TrainingScreen(Screen[None]):
    """Fine-tune a model in a background run and watch it train."""

    CSS_PATH = "../styles/training.tcss"
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", id="training.start"),
        Binding("ctrl+x", "stop", "Stop", id="training.stop"),
        Binding("ctrl+r", "runs", "Runs", id="training.runs"),
        Binding("escape", "back", "Back", id="training.back"),
    ]

    def __init__(self, try_it: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.try_it = dict(try_it or {})
        self.run_id: str | None = None

    def compose(self) -> ComposeResult:
        from engine.runs.spec import gpu_present

        initial = {k: v for k, v in self.try_it.items() if k in ("task", "model", "epochs", "lr", "dataset")}
        yield Header()
        yield Static(rt("training.intro"), id="training-intro")
        with Horizontal(id="training-body"):
            yield RunForm(initial, gpu=gpu_present(), id="training-form")
            with Vertical(id="training-live"):
                yield RunView(id="training-view")
        yield Footer()

    def on_mount(self) -> None:
        self.title, self.sub_title = "LLM Dojo", rt("training.title")
        localize_bindings(self)
        if hasattr(self.app, "lang"):
            self.watch(self.app, "lang", self._language_changed, init=False)

    def _language_changed(self) -> None:
        localize_bindings(self)
        self.refresh_bindings()
        self.sub_title = rt("training.title")
        self.query_one("#training-intro", Static).update(rt("training.intro"))
        self.query_one(RunForm).relabel()
        self.query_one(RunView).poll()

    # -- actions -----------------------------------------------------------------
    def action_start(self) -> None:
        self.query_one(RunForm).submit()

    def on_run_form_submitted(self, event: RunForm.Submitted) -> None:
        self.notify(rt("run.starting"), timeout=2)
        self.start_run(event.values)

    @work(thread=True, exclusive=True, group="training-start", exit_on_error=False)
    def start_run(self, values: dict[str, Any]) -> str:
        from engine.runs import launcher
        from engine.runs.spec import RunSpec

        return launcher.start(RunSpec(**values))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker results and errors arrive."""
        worker = event.worker
        if worker.state == WorkerState.SUCCESS and worker.group == "training-start":
            self.run_id = worker.result
            self.query_one(RunView).attach(self.run_id)
            self.notify(rt("run.started", id=self.run_id))
        elif worker.state == WorkerState.ERROR:
            self.notify(_one_line(worker.error), severity="error", timeout=10)

    @work(thread=True, exclusive=True, group="training-stop", exit_on_error=False)
    def _stop(self, run_id: str) -> None:
        from engine.runs import control

        control.wait_stopped(run_id, timeout=120)

    def action_stop(self) -> None:
        if not self.run_id:
            return
        from engine.runs import control

        if control.request_stop(self.run_id) == "requested":
            self.notify(rt("runs.stop_requested", id=self.run_id))
            self._stop(self.run_id)  # waits for the checkpoint, kills after a timeout

    def on_run_view_ended(self, event: RunView.Ended) -> None:
        self.notify(rt("run.ended", id=event.run_id, state=rt(f"state.{event.state}")))

    def action_runs(self) -> None:
        from .runs import RunsScreen

        self.app.push_screen(RunsScreen(attach=self.run_id))

    def action_back(self) -> None:
        self.dismiss()


def _one_line(error: BaseException | None) -> str:
    from engine.errors import DojoError

    if isinstance(error, DojoError):
        return str(error)
    return f"{type(error).__name__}: {error}".splitlines()[0]
