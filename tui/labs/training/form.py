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
LORA_FIELDS = ("model", "task", "dataset", "lora_r", "lora_alpha", "lora_dropout", "target_modules", "qlora",
               "epochs", "batch_size", "lr", "max_seq_length", "device")
DPO_FIELDS = ("model", "dataset", "adapter", "method", "beta", "lora_r", "epochs", "batch_size", "lr",
              "max_seq_length", "device")
KIND_FIELDS = {"sft": FIELDS, "lora": LORA_FIELDS, "dpo": DPO_FIELDS}
"""The rows of each form: the lab name (sft, lora, dpo) -> RunSpec fields."""
SUGGESTED = ("epochs", "lr", "batch_size", "max_seq_length")
"""Fields re-suggested when the task or the model changes."""
SFT_TASKS = ("sentiment", "instruction")


class RunForm(VerticalScroll):
    """Collects a run's settings; ``Submitted.spec`` is the ``RunSpec`` to start."""

    class Submitted(Message):
        def __init__(self, spec: RunSpec) -> None:
            super().__init__()
            self.spec = spec

    def __init__(self, initial: Mapping[str, Any] | None = None, *, gpu: bool = False,
                 id: str | None = None, kind: str = "sft") -> None:  # noqa: A002
        super().__init__(id=id)
        self.gpu = gpu
        self.kind = kind if kind in KIND_FIELDS else "sft"
        self.fields = KIND_FIELDS[self.kind]
        given = {k: v for k, v in dict(initial or {}).items() if k in self.fields}
        self.start_spec = RunSpec.suggested(gpu=gpu, **self._fixed(), **given)
        self.started_values: dict[str, Any] = {}
        self._chosen: dict[str, Any] = {}

    def _fixed(self) -> dict[str, Any]:
        """What the lab itself decides: the run kind, and LoRA for the LoRA lab."""
        return {"kind": "dpo"} if self.kind == "dpo" else {"kind": "sft", "method": "lora"} \
            if self.kind == "lora" else {}

    def compose(self) -> ComposeResult:
        yield Label(self._machine(), id="form-machine")
        yield ConfigForm(RunSpec, self.fields, self.start_spec.to_dict(),
                         choices={"device": DEVICES, "task": SFT_TASKS}, id="form-fields")
        if self.kind == "lora":
            yield Label("", id="form-lora-size")
        yield Button(t("train.start"), variant="primary", id="form-start", compact=True)

    def on_mount(self) -> None:
        self.started_values = self.current()
        self.show_size()

    def show_size(self) -> None:
        """The LoRA lab's readout: how many weights the adapters add, before anything loads
        (``engine.training.lora.estimate`` reads only the safetensors headers)."""
        if self.kind != "lora":
            return
        self.query_one("#form-lora-size", Label).update(self._size_text())

    def _size_text(self) -> str:
        from engine.errors import DojoError

        values = self.current()
        if not values:
            return ""
        try:
            from engine.models.resolve import resolve_model
            from engine.training.lora import estimate

            spec = RunSpec.suggested(gpu=self.gpu, **self._fixed(), **values)
            size = estimate(resolve_model(spec.model).path, spec)
        except DojoError as exc:
            from ...i18n import say

            return say(exc)
        return t("train.lora_size", trainable=f"{size['trainable_params']:,}", total=f"{size['total_params']:,}",
                 pct=f"{size['trainable_pct']:.2f}")

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
        if event.select.id in ("cfg-task", "cfg-method"):
            name = event.select.id[4:]
            # a Select announces its first value when it mounts: only a real change re-suggests
            if getattr(self.start_spec, name) != event.value or self._chosen.get(name, event.value) != event.value:
                self._resuggest()
            self._chosen[name] = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "cfg-model":
            self._resuggest()
        if event.input.id in ("cfg-model", "cfg-lora-r", "cfg-target-modules"):
            self.show_size()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("cfg-lora-r", "cfg-target-modules"):
            self.show_size()

    def _resuggest(self) -> None:
        values = self.current()
        if not values:
            return
        keep = {k: values[k] for k in ("task", "method") if k in values}
        fresh = RunSpec.suggested(gpu=self.gpu, model=values["model"], **self._fixed() | keep)
        form = self.query_one(ConfigForm)
        for name in SUGGESTED:
            form.set_value(name, getattr(fresh, name))

    def spec(self) -> RunSpec:
        """The form as a validated ``RunSpec`` (``FormError`` or ``DojoError`` when it cannot work)."""
        values = self.query_one(ConfigForm).values()
        values["model"] = str(values.get("model") or "").strip() or RunSpec.model
        return RunSpec.suggested(gpu=self.gpu, **self._fixed() | values).validate()

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
        self.show_size()
