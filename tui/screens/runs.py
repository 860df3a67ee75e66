"""Every training run, whoever started it, with attach, stop, resume and remove.

The table is rebuilt from the run directories once a second (a run started from
the CLI appears by itself); the highlighted run can be attached to the live view
below it, which rebuilds the loss curve from the run's whole ``events.jsonl``.
Stop asks once (checkpoint at the end of the step) and kills on a second press or
after a timeout; resume and remove act on the directory. Stopping and resuming run
in thread workers; nothing here trains.

Register it as the "runs" entry: ``services.labs["runs"] = RunsScreen``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from ..widgets.run_strings import rt
from .base import localize_bindings
from ..widgets.run_view import RunView, fmt_eta

COLUMNS = ("id", "task", "model", "state", "step", "loss", "eta")
REFRESH_S = 1.0


class RunsScreen(Screen[None]):
    """The runs list and the live view of the attached run."""

    CSS_PATH = "../styles/training.tcss"
    BINDINGS = [
        Binding("enter", "attach", "Attach", id="runs.attach"),
        Binding("s", "stop", "Stop", id="runs.stop"),
        Binding("r", "resume", "Resume", id="runs.resume"),
        Binding("x", "remove", "Remove", id="runs.remove"),
        Binding("n", "new", "New run", id="runs.new"),
        Binding("escape", "back", "Back", id="runs.back"),
    ]

    def __init__(self, try_it: Mapping[str, Any] | None = None, *, attach: str | None = None) -> None:
        super().__init__()
        self.initial = attach or (try_it or {}).get("run")
        self._confirm_rm: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="runs-empty")
        yield RunView(id="runs-view")
        yield Footer()

    def on_mount(self) -> None:
        self.title, self.sub_title = "LLM Dojo", rt("runs.title")
        localize_bindings(self)
        self._columns()
        self.refresh_table()
        self.set_interval(REFRESH_S, self.refresh_table, name="runs-refresh")
        if self.initial:
            self.query_one(RunView).attach(self.initial)
        if hasattr(self.app, "lang"):
            self.watch(self.app, "lang", self._language_changed, init=False)

    def _language_changed(self) -> None:
        localize_bindings(self)
        self.refresh_bindings()
        self.sub_title = rt("runs.title")
        self._columns()
        self.refresh_table()

    def _columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for col in COLUMNS:
            table.add_column(rt(f"col.{col}"), key=col)

    # -- the table -------------------------------------------------------------------
    def refresh_table(self) -> None:
        from engine.runs import store

        table = self.query_one(DataTable)
        rows = [r.to_dict() for r in reversed(store.list_runs())]  # newest first
        keys = [r["id"] for r in rows]
        current = [str(k.value) for k in table.rows]
        if keys != current:
            selected = self.selected()
            table.clear()
            for r in rows:
                table.add_row(*self._cells(r), key=r["id"])
            if selected in keys:
                table.move_cursor(row=keys.index(selected))
        else:
            for r in rows:
                for col, cell in zip(COLUMNS, self._cells(r)):
                    table.update_cell(r["id"], col, cell)
        empty = self.query_one("#runs-empty", Static)
        empty.update(rt("runs.empty"))
        empty.display = not rows

    @staticmethod
    def _cells(r: dict[str, Any]) -> list[Any]:
        model = r["model"].rstrip("/").rsplit("/", 1)[-1]
        step = f"{r['step'] or 0}/{r['total']}" if r["total"] else "-"
        loss = f"{r['loss']:.4f}" if isinstance(r["loss"], float) else "-"
        style = {"completed": "green", "failed": "red", "running": "cyan"}.get(r["state"], "yellow")
        return [r["id"], f"{r['kind']}/{r['task']}", model, Text(rt(f"state.{r['state']}"), style=style), step,
                loss, fmt_eta(r["eta_s"])]

    def selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    # -- actions ------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one(RunView).attach(str(event.row_key.value))

    def action_attach(self) -> None:
        run_id = self.selected()
        if run_id:
            self.query_one(RunView).attach(run_id)

    def action_stop(self) -> None:
        from engine.runs import control

        run_id = self.selected()
        if not run_id:
            return
        outcome = control.request_stop(run_id)
        if outcome == "requested":
            self.notify(rt("runs.stop_requested", id=run_id))
            self._wait_stop(run_id)
        elif outcome == "killed":
            self.notify(rt("runs.killed", id=run_id), severity="warning")
        else:
            self.notify(rt("runs.not_running", id=run_id))
        self.refresh_table()

    @work(thread=True, exclusive=False, group="runs-stop", exit_on_error=False)
    def _wait_stop(self, run_id: str) -> None:
        from engine.runs import control

        control.wait_stopped(run_id, timeout=120)  # waits for the checkpoint; kills after the timeout

    def action_resume(self) -> None:
        run_id = self.selected()
        if run_id:
            self._resume(run_id)

    @work(thread=True, exclusive=True, group="runs-resume", exit_on_error=False)
    def _resume(self, run_id: str) -> str:
        from engine.runs import control

        return control.resume(run_id)

    def action_remove(self) -> None:
        from engine.errors import DojoError
        from engine.runs import store

        run_id = self.selected()
        if not run_id:
            return
        if self._confirm_rm != run_id:
            self._confirm_rm = run_id
            self.notify(rt("runs.confirm_rm", id=run_id), severity="warning")
            return
        self._confirm_rm = None
        view = self.query_one(RunView)
        try:
            store.remove_run(run_id)
        except DojoError as exc:
            self.notify(str(exc), severity="error")
            return
        if view.run_id == run_id:
            view.detach()
        self.notify(rt("runs.removed", id=run_id))
        self.refresh_table()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.state == WorkerState.SUCCESS and worker.group == "runs-resume":
            self.notify(rt("runs.resumed", id=worker.result))
            self.query_one(RunView).attach(worker.result)
            self.refresh_table()
        elif worker.state == WorkerState.ERROR:
            from .training import _one_line

            self.notify(_one_line(worker.error), severity="error", timeout=10)

    def on_run_view_ended(self, event: RunView.Ended) -> None:
        self.refresh_table()

    def action_new(self) -> None:
        from .training import TrainingScreen

        self.app.push_screen(TrainingScreen())

    def action_back(self) -> None:
        self.dismiss()
