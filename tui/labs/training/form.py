"""The fine-tuning form: the ``RunSpec`` fields a student sets, with this machine's defaults.

Rows are a :class:`~tui.widgets.config_form.ConfigForm` over ``RunSpec``: the same
dataclass ``llm-dojo train sft`` derives its options from, so a default, a choice or a
help text changes in one place. The values start from ``RunSpec.suggested`` for this
machine (a GPU box or a CPU laptop, detected without importing torch) and the
lesson's ``[try_it]`` values; choosing another task or model re-suggests the epochs,
learning rate and length. Submitting posts ``RunForm.Submitted`` with a validated
``RunSpec``; a value that cannot work is a translated notice, and the form keeps what
was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select

from engine.runs.spec import DEVICES, RunSpec

from ...i18n import t
from ...widgets.config_form import ConfigForm, FormError

if TYPE_CHECKING:
    pass

FIELDS = ("model", "task", "dataset", "method", "epochs", "batch_size", "lr", "max_seq_length", "device")
SUGGESTED = ("epochs", "lr", "batch_size", "max_seq_length")
"""Fields re-suggested when the task or the model changes."""


class RunForm(VerticalScroll):
    """Collects a run's settings; ``Submitted.spec`` is the ``RunSpec`` to start."""

    class Submitted(Message):
        def __init__(self, spec: RunSpec) -> None:
            super().__init__()
            self.spec = spec

    def __init__(self, initial: Mapping[str, Any] | None = None, *, gpu: bool = False,
                 id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.gpu = gpu
        given = {k: v for k, v in dict(initial or {}).items() if k in FIELDS}
        self.start_spec = RunSpec.suggested(gpu=gpu, **given)
        self.started_values: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Label(self._machine(), id="form-machine")
        yield ConfigForm(RunSpec, FIELDS, self.start_spec.to_dict(), choices={"device": DEVICES}, id="form-fields")
        yield Button(t("train.start"), variant="primary", id="form-start", compact=True)

    def on_mount(self) -> None:
        self.started_values = self.current()

    def _machine(self) -> str:
        return t("train.defaults", machine=t("train.gpu" if self.gpu else "train.cpu"))

    def current(self) -> dict[str, Any]:
        """What the form shows now (typed), or {} while a row cannot be read."""
        try:
            return self.query_one(ConfigForm).values()
        except FormError:
            return {}

    @property
    def changed(self) -> bool:
        """Whether the person edited the form since it opened (or since the last start)."""
        return self.current() != self.started_values

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("cfg-task",):
            self._resuggest()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "cfg-model":
            self._resuggest()

    def _resuggest(self) -> None:
        values = self.current()
        if not values:
            return
        fresh = RunSpec.suggested(gpu=self.gpu, task=values["task"], model=values["model"])
        form = self.query_one(ConfigForm)
        for name in SUGGESTED:
            form.set_value(name, getattr(fresh, name))

    def spec(self) -> RunSpec:
        """The form as a validated ``RunSpec`` (``FormError`` or ``DojoError`` when it cannot work)."""
        values = self.query_one(ConfigForm).values()
        values["model"] = str(values.get("model") or "").strip() or RunSpec.model
        return RunSpec.suggested(gpu=self.gpu, **values).validate()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "form-start":
            event.stop()
            self.submit()

    def submit(self) -> None:
        from engine.errors import DojoError

        try:
            spec = self.spec()
        except FormError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        except DojoError as exc:
            from ...i18n import say

            self.notify(say(exc), severity="error", markup=False)
            return
        self.started_values = self.current()
        self.post_message(self.Submitted(spec))

    def relabel(self) -> None:
        self.query_one("#form-machine", Label).update(self._machine())
        self.query_one(ConfigForm).relabel()
        self.query_one("#form-start", Button).label = t("train.start")
