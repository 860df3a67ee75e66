"""A compact form built from an engine config dataclass: one labelled row per field.

The rows come from :func:`engine.config.describe`, the same description the CLI's
options come from, so a default or a choice changed in the dataclass changes the
form and the command line together (a test checks it). A field with ``choices``
becomes a ``Select``; ``bool`` a ``Checkbox``-like ``Select`` (yes/no, one row high);
numbers and text an ``Input``. Labels are ``t("field.<Class>.<name>")`` (or ``field.<name>``)
when the app's tables have one, else the field name; the field's docstring is the row's tooltip.

``values()`` parses what was typed into the field types and raises :class:`FormError`
(translated, naming the field) for text that is not a number; checks that need
several fields together are the engine's (the dataclass's ``validate``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from engine.config import Setting, format_value, parse_value, selected

from ..i18n import has, t


class FormError(ValueError):
    """A field whose text cannot be read; ``str()`` is translated and names the field."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def field_label(cls: type, name: str) -> str:
    """The translated label of a config field: ``field.<Class>.<name>``, else ``field.<name>``,
    else the field's name."""
    for key in (f"field.{cls.__name__}.{name}", f"field.{name}"):
        if has(key):
            return t(key)
    return name.replace("_", " ")


class ConfigForm(Vertical):
    """Rows for the chosen fields of ``cls``; ``values()`` -> {field: typed value}."""

    DEFAULT_CSS = """
    ConfigForm { height: auto; }
    ConfigForm .cfg-row { height: 1; }
    ConfigForm .cfg-label { width: 13; color: $text-muted; }
    ConfigForm Input, ConfigForm Select { width: 1fr; }
    """

    def __init__(self, cls: type, names: Iterable[str], values: Mapping[str, Any] | None = None, *,
                 choices: Mapping[str, Iterable[Any]] | None = None, id: str | None = None,  # noqa: A002
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.cls = cls
        self.settings: list[Setting] = selected(cls, names)
        self.initial = {s.name: s.default for s in self.settings} | dict(values or {})
        self.extra_choices = {k: tuple(v) for k, v in (choices or {}).items()}

    def widget_id(self, name: str) -> str:
        return f"cfg-{name.replace('_', '-')}"

    def compose(self) -> ComposeResult:
        for s in self.settings:
            with Horizontal(classes="cfg-row") as row:
                row.tooltip = s.doc or None
                yield Label(field_label(self.cls, s.name), name=s.name, classes="cfg-label")
                yield self._editor(s, self.initial.get(s.name))

    def _editor(self, s: Setting, value: Any):
        options = self.extra_choices.get(s.name) or s.choices
        if s.type is bool:
            return Select([(t("form.yes"), True), (t("form.no"), False)], value=bool(value), allow_blank=False,
                          id=self.widget_id(s.name), compact=True)
        if options:
            values = list(options) + ([value] if value not in options and value is not None else [])
            return Select([(self._choice_label(s, v), v) for v in values], value=value if value in values
                          else values[0], allow_blank=False, id=self.widget_id(s.name), compact=True)
        kind = {int: "integer", float: "number"}.get(s.type, "text")
        return Input(format_value(value), type=kind if not s.optional else "text", id=self.widget_id(s.name),
                     compact=True)

    def _choice_label(self, s: Setting, value: Any) -> str:
        for key in (f"choice.{self.cls.__name__}.{s.name}.{value}", f"choice.{s.name}.{value}"):
            if has(key):
                return t(key)
        return str(value)

    def values(self) -> dict[str, Any]:
        """Every row as its field's type; :class:`FormError` names the first bad row."""
        out: dict[str, Any] = {}
        for s in self.settings:
            widget = self.query_one(f"#{self.widget_id(s.name)}")
            if isinstance(widget, Select):
                out[s.name] = widget.value
                continue
            try:
                out[s.name] = parse_value(s, widget.value) if isinstance(widget, Input) else widget.value
            except ValueError:
                raise FormError(s.name, t("form.bad_value", field=field_label(self.cls, s.name))) from None
        return out

    def set_value(self, name: str, value: Any) -> None:
        widget = self.query_one(f"#{self.widget_id(name)}")
        if isinstance(widget, Input):
            widget.value = format_value(value)
        elif isinstance(widget, Select):
            widget.value = value

    def relabel(self) -> None:
        for label in self.query(".cfg-label").results(Label):
            if label.name:
                label.update(field_label(self.cls, label.name))
