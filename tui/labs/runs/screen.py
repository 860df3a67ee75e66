"""Every training run, whoever started it, with show, stop, resume, delete and "try it".

The table is rebuilt from the run directories once a second (a run started from the
CLI appears by itself); its rows are ``tui.runs_format.run_row``, the very rows
``llm-dojo runs`` prints. The highlighted run can be shown in the live view below
(opening the list shows the one running run by itself). Stop asks once (checkpoint
at the end of the step) and kills on a second press or after a timeout; resume and
delete act on the directory; "try it" opens the generation lab on a finished run's
model. Stopping and resuming run in thread workers; nothing here trains.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from ...i18n import t
from ...runs_format import COLUMNS, STATE_STYLE, run_row
from ...screens.base import DojoScreen
from ...widgets.runs.view import RunView

REFRESH_S = 1.0


class RunsScreen(DojoScreen):
    """The runs list and the live view of the run shown."""

    CSS_PATH = "runs.tcss"
    BINDINGS = [
        Binding("enter", "attach", "Show", id="runs.attach"),
        Binding("s", "stop", "Stop", id="runs.stop", show=False),
        Binding("r", "resume", "Resume", id="runs.resume", show=False),
        Binding("x", "remove", "Delete", id="runs.remove", show=False),
        Binding("t", "try_it", "Try it", id="runs.try", show=False),
        Binding("c", "chat", "Chat with it", id="runs.chat", show=False),
        Binding("e", "evaluate", "Evaluate it", id="runs.evaluate", show=False),
        Binding("m", "merge", "Merge", id="runs.merge", show=False),
        Binding("n", "new", "New run", id="runs.new"),
        Binding("f5", "log_scale", "Log scale", id="runs.log", show=False),
        Binding("escape", "back", "Back", id="runs.back"),
    ]

    class Resumed(Message):
        def __init__(self, run_id: str) -> None:
            super().__init__()
            self.run_id = run_id

    def __init__(self, try_it: Mapping[str, Any] | None = None, *, attach: str | None = None) -> None:
        super().__init__()
        self.initial = attach or (try_it or {}).get("run")
        self._confirm_rm: str | None = None
        self._ids: list[str] = []
        self.infos: dict[str, Any] = {}

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("runs.title")

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="runs-empty")
        yield RunView(id="runs-view")
        yield Footer()

    def on_mount(self) -> None:
        self._columns()
        self.refresh_table()
        self.set_interval(REFRESH_S, self.refresh_table, name="runs-refresh")
        initial = self.initial or self._only_active()
        if initial:
            self.query_one(RunView).attach(initial)
            if initial in self._ids:
                self.query_one(DataTable).move_cursor(row=self._ids.index(initial))

    def _only_active(self) -> str | None:
        from engine.runs.store import ACTIVE

        active = [rid for rid, info in self.infos.items() if info.state in ACTIVE]
        return active[0] if len(active) == 1 else None

    def relabel(self) -> None:
        self._columns()
        self.refresh_table(force=True)
        self.query_one(RunView).redraw()

    def _columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for col in COLUMNS:
            table.add_column(t(f"runs.col.{col}"), key=col)
        self._ids = []

    # -- the table -------------------------------------------------------------------
    def refresh_table(self, force: bool = False) -> None:
        from engine.runs import store

        infos = list(reversed(store.list_runs()))  # newest first
        self.infos = {info.id: info for info in infos}
        ids = [info.id for info in infos]
        table = self.query_one(DataTable)
        if ids != self._ids or force:
            selected = self.selected()
            table.clear()
            for info in infos:
                table.add_row(*self._cells(info), key=info.id)
            self._ids = ids
            if selected in ids:
                table.move_cursor(row=ids.index(selected))
        else:
            for info in infos:
                for col, cell in zip(COLUMNS, self._cells(info)):
                    table.update_cell(info.id, col, cell)
        empty = self.query_one("#runs-empty", Static)
        empty.update(t("runs.empty") if not ids else t("runs.hint"))

    @staticmethod
    def _cells(info: Any) -> list[Any]:
        row = run_row(info)
        cells: list[Any] = [row[c] for c in COLUMNS]
        state = " ".join(filter(None, (t(f"state.{row['state']}"), row["position"])))  # "대기 #2": its place
        cells[COLUMNS.index("state")] = Text(state, style=STATE_STYLE.get(row["state"], ""))
        return cells

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
        short = run_row(self.infos[run_id])["id"] if run_id in self.infos else run_id
        if outcome == "requested":
            self.notify(t("runs.stop_requested", id=short))
            self._wait_stop(run_id)
        elif outcome == "killed":
            self.notify(t("runs.killed", id=short), severity="warning")
        else:
            self.notify(t("runs.not_running", id=short))
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
    def _resume(self, run_id: str) -> None:
        from engine.runs import control

        self.post_message(self.Resumed(control.resume(run_id)))

    def on_runs_screen_resumed(self, message: Resumed) -> None:
        self.notify(t("runs.resumed", id=message.run_id))
        self.query_one(RunView).attach(message.run_id)
        self.refresh_table()

    def action_remove(self) -> None:
        from engine.errors import DojoError
        from engine.runs import store

        run_id = self.selected()
        if not run_id:
            return
        if self._confirm_rm != run_id:
            self._confirm_rm = run_id
            self.notify(t("runs.confirm_rm", id=run_row(self.infos[run_id])["id"]), severity="warning")
            return
        self._confirm_rm = None
        view = self.query_one(RunView)
        try:
            store.remove_run(run_id)
        except DojoError as exc:
            self.notify_error(exc)
            return
        if view.run_id == run_id:
            view.detach()
        self.notify(t("runs.removed", id=run_id))
        self.refresh_table()

    def action_try_it(self) -> None:
        """Open the generation lab on a finished run's model (its task card applies the prompt)."""
        run_id = self.selected()
        info = self.infos.get(run_id or "")
        if info is None:
            return
        output = info.status.get("output")
        if info.spec.kind == "eval":  # its results are the table in the run view; the lab runs more
            from engine.evaluation.config import DEFAULT_DATA

            self.dojo.open_lab("evaluation", {"model": ", ".join((info.spec.model, *info.spec.compare)),
                                              "adapters": list(info.spec.adapters),
                                              "tasks": [info.spec.eval_config.get("data") or
                                                        DEFAULT_DATA.get(info.spec.eval_config.get("task", ""), "")],
                                              "limit": info.spec.eval_config.get("limit", 20)})
            return
        if info.state != "completed" or not output:
            self.notify(t("runs.try_missing", id=run_row(info)["id"], state=t(f"state.{info.state}")))
            return
        self.dojo.open_lab("generation", {"model": output, "prompt": "이 영화 정말 재미있었다"
                                          if info.spec.task == "sentiment" else "", "from_run": run_id})

    # -- a finished run's model: chat with it, evaluate it, merge an adapter ------------------
    def _finished(self) -> tuple[Any, str, bool] | None:
        """(run info, output folder, whether it is an adapter) of the selected finished training run."""
        from pathlib import Path

        run_id = self.selected()
        info = self.infos.get(run_id or "")
        if info is None:
            return None
        output = info.status.get("output")
        if info.spec.kind not in ("sft", "dpo") or info.state != "completed" or not output:
            self.notify(t("runs.try_missing", id=run_row(info)["id"], state=t(f"state.{info.state}")))
            return None
        return info, str(output), (Path(output) / "adapter_config.json").exists()

    def action_chat(self) -> None:
        """c: the chat lab on the run's model (an adapter goes on its base, beside the base's answers)."""
        found = self._finished()
        if found is not None:
            info, output, adapter = found
            self.dojo.open_lab("chat", {"model": info.spec.model, "adapters": [output]} if adapter
                               else {"model": output})

    def action_evaluate(self) -> None:
        """e: the evaluation lab with the base and what the run made, on the run's kind of task."""
        found = self._finished()
        if found is not None:
            info, output, adapter = found
            sets = ["sentiment-ko"] if info.spec.task == "sentiment" else ["course-mc", "course-qa"]
            self.dojo.open_lab("evaluation", {"model": info.spec.model, "adapters": [output], "tasks": sets}
                               if adapter else {"model": f"{info.spec.model}, {output}", "tasks": sets})

    def action_merge(self) -> None:
        """m: fold a LoRA adapter into its base and save a standalone model (in a worker)."""
        found = self._finished()
        if found is None:
            return
        info, output, adapter = found
        if not adapter:
            self.notify(t("runs.merge_full", id=run_row(info)["id"]))
            return
        self.notify(t("runs.merging", id=run_row(info)["id"]))
        self._merge(output)

    @work(thread=True, exclusive=True, group="runs-merge", exit_on_error=False)
    def _merge(self, adapter: str) -> None:
        from engine.training.lora import MergeConfig, merge_adapter

        result = merge_adapter(MergeConfig(adapter=adapter, overwrite=True))
        self.app.call_from_thread(self.notify, t("runs.merged", out=result["output"]), timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.state == WorkerState.ERROR:
            self.notify_error(event.worker.error)

    def on_run_view_ended(self, event: RunView.Ended) -> None:
        self.refresh_table()

    def action_log_scale(self) -> None:
        self.query_one(RunView).toggle_log()

    def action_new(self) -> None:
        self.dojo.open_lab("sft")

    def action_back(self) -> None:
        self.dismiss()
