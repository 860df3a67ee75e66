"""The SFT, LoRA and DPO labs: the form on the left, the live run on the right.

Starting a run checks the form (``launcher.prepare``: model, context, dataset lines
and columns) and spawns the worker in a thread worker, so a slow disk never freezes
the screen; the training itself is a separate process that outlives the app. Once
started, the right-hand ``RunView`` follows the run's directory. Leaving the screen
leaves the run running; the runs list finds it again. Results come back as one
message class each (``Started``, ``Stopped``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from engine.runs.spec import RunSpec

from ...i18n import t
from ...screens.base import DojoScreen
from ...widgets.code_panel import CODE_BINDING, CodeExport
from ...widgets.runs.view import RunView
from .form import RunForm


class TrainingScreen(CodeExport, DojoScreen):
    """Fine-tune a model in a background run and watch it train."""

    CSS_PATH = "training.tcss"
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", id="train.start"),
        Binding("ctrl+x", "stop", "Stop", id="train.stop"),
        Binding("ctrl+r", "runs", "Runs", id="train.runs"),
        Binding("f5", "log_scale", "Log scale", id="train.log", show=False),
        Binding("escape", "back", "Back", id="train.back"),
        CODE_BINDING,
    ]
    CODE_NAME = "training"

    class Started(Message):
        def __init__(self, run_id: str) -> None:
            super().__init__()
            self.run_id = run_id

    def __init__(self, try_it: Mapping[str, Any] | None = None, kind: str = "sft") -> None:
        super().__init__()
        self.try_it = dict(try_it or {})
        self.kind = kind if kind in ("sft", "lora", "dpo") else "sft"
        """Which form: sft (full or LoRA fine-tuning), lora (adapters, QLoRA), dpo (preference tuning)."""
        self.run_id: str | None = None
        self.CODE_NAME = "training" if self.kind == "sft" else f"training-{self.kind}"

    def _key(self, key: str) -> str:
        return key if self.kind == "sft" else f"{key}_{self.kind}"

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t(self._key("train.title"))

    def compose(self) -> ComposeResult:
        from engine.runs.spec import gpu_present

        yield Header()
        yield Static(t(self._key("train.intro")), id="training-intro")
        with Horizontal(id="training-body"):
            yield RunForm(self.try_it, gpu=gpu_present(), id="training-form", kind=self.kind)
            with Vertical(id="training-live"):
                yield RunView(id="training-view")
        yield Footer()

    def relabel(self) -> None:
        self.query_one("#training-intro", Static).update(t(self._key("train.intro")))
        self.query_one(RunForm).relabel()
        self.query_one(RunView).redraw()

    def has_unsaved(self) -> bool:
        """The form was edited and no run was started from it (quitting asks first)."""
        return self.query_one(RunForm).changed

    def code_snippet(self):
        """The script for the form as filled: Trainer / SFTTrainer / LoRA / QLoRA / DPOTrainer."""
        from engine.codegen.training import training_snippet
        from engine.errors import DojoError

        from ...widgets.config_form import FormError

        try:
            spec = self.query_one(RunForm).spec()
        except FormError as exc:  # a row that cannot be read: the form's own translated message
            raise DojoError(str(exc)) from None
        return training_snippet(spec)

    # -- actions -----------------------------------------------------------------
    def action_start(self) -> None:
        self.query_one(RunForm).submit()

    def on_run_form_submitted(self, event: RunForm.Submitted) -> None:
        self.notify(t("train.starting"), timeout=2)
        self.start_run(event.spec)

    @work(thread=True, exclusive=True, group="train-start", exit_on_error=False)
    def start_run(self, spec: RunSpec) -> None:
        from engine.runs import launcher

        self.post_message(self.Started(launcher.start(spec)))

    def on_training_screen_started(self, message: Started) -> None:
        self.run_id = message.run_id
        self.query_one(RunView).attach(self.run_id)
        self.notify(t("train.started", id=self.run_id))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors arrive."""
        if event.worker.state == WorkerState.ERROR:
            self.notify_error(event.worker.error)

    @work(thread=True, exclusive=True, group="train-stop", exit_on_error=False)
    def _wait_stop(self, run_id: str) -> None:
        from engine.runs import control

        control.wait_stopped(run_id, timeout=120)  # waits for the checkpoint, kills after a timeout

    def action_stop(self) -> None:
        if not self.run_id:
            return
        from engine.runs import control

        if control.request_stop(self.run_id) == "requested":
            self.notify(t("runs.stop_requested", id=self.run_id))
            self._wait_stop(self.run_id)

    def on_run_view_ended(self, event: RunView.Ended) -> None:
        self.notify(t("train.ended", id=event.run_id, state=t(f"state.{event.state}")))

    def action_log_scale(self) -> None:
        self.query_one(RunView).toggle_log()

    def action_runs(self) -> None:
        self.dojo.open_lab("runs", {"run": self.run_id} if self.run_id else {})

    def action_back(self) -> None:
        self.dismiss()
