"""The fine-tuning form: model, task, data, method and hyper-parameters, with defaults.

Defaults come from ``engine.runs.spec.suggested`` for this machine (a GPU box or a
CPU laptop; detected without importing torch), overridden by the lesson's
``[try_it]`` values. The form only collects and checks numbers; it posts
``RunForm.Submitted`` with the values, and the screen turns them into a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select

from .run_strings import rt

TASKS = ("sentiment", "instruction")
DEVICES = ("auto", "cpu", "cuda", "mps")
NUMBERS = {"epochs": ("form.epochs", float), "batch_size": ("form.batch", int), "lr": ("form.lr", float),
           "max_seq_length": ("form.seq", int)}


class RunForm(VerticalScroll):
    """Collects a run's settings; ``Submitted.values`` holds RunSpec keyword arguments."""

    class Submitted(Message):
        def __init__(self, values: dict[str, Any]) -> None:
            super().__init__()
            self.values = values

    def __init__(self, initial: Mapping[str, Any] | None = None, *, gpu: bool = False,
                 id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        from engine.runs.spec import suggested

        given = dict(initial or {})
        task = given.get("task", "sentiment") if given.get("task") in TASKS else "sentiment"
        self.gpu = gpu
        self.defaults = {**suggested(task, gpu, str(given.get("model", "dojo-tiny"))), "dataset": "", **given}

    def compose(self) -> ComposeResult:
        d = self.defaults
        yield Label(rt("form.defaults", machine=rt("form.gpu" if self.gpu else "form.cpu")), id="form-machine")
        with self._row("form.model"):
            yield Input(str(d["model"]), id="form-model", compact=True)
        with self._row("form.task"):
            yield Select([(rt(f"task.{t}"), t) for t in TASKS], value=d["task"], allow_blank=False, id="form-task",
                         compact=True)
        with self._row("form.data"):
            yield Input(str(d.get("dataset") or ""), placeholder="sentiment, *.jsonl", id="form-data", compact=True)
        with self._row("form.method"):
            yield Select([(rt("method.full"), "full")], value="full", allow_blank=False, id="form-method",
                         compact=True)
        for field, (key, kind) in NUMBERS.items():
            with self._row(key):
                yield Input(f"{d[field]:g}" if kind is float else str(d[field]), id=f"form-{field}",
                            type="number" if kind is float else "integer", compact=True)
        with self._row("form.device"):
            yield Select([(x, x) for x in DEVICES], value=d.get("device", "auto"), allow_blank=False,
                         id="form-device", compact=True)
        yield Button(rt("form.start"), variant="primary", id="form-start", compact=True)

    def _row(self, key: str) -> Horizontal:
        row = Horizontal(classes="form-row")
        row.compose_add_child(Label(rt(key), name=key, classes="form-label"))
        return row

    def values(self) -> dict[str, Any]:
        """The form as RunSpec keyword arguments; ValueError says which field is wrong."""
        out: dict[str, Any] = {
            "kind": "sft",
            "model": self.query_one("#form-model", Input).value.strip() or "dojo-tiny",
            "task": self.query_one("#form-task", Select).value,
            "dataset": self.query_one("#form-data", Input).value.strip(),
            "method": self.query_one("#form-method", Select).value,
            "device": self.query_one("#form-device", Select).value,
            "gradient_checkpointing": bool(self.defaults.get("gradient_checkpointing", False)),
        }
        for field, (key, kind) in NUMBERS.items():
            text = self.query_one(f"#form-{field}", Input).value.strip()
            try:
                out[field] = kind(text)
            except ValueError:
                raise ValueError(rt("form.bad_number", field=rt(key))) from None
        return out

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "form-start":
            event.stop()
            self.submit()

    def submit(self) -> None:
        try:
            values = self.values()
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.post_message(self.Submitted(values))

    def relabel(self) -> None:
        for label in self.query(".form-label").results(Label):
            if label.name:
                label.update(rt(label.name))
        self.query_one("#form-machine", Label).update(
            rt("form.defaults", machine=rt("form.gpu" if self.gpu else "form.cpu")))
        self.query_one("#form-start", Button).label = rt("form.start")
