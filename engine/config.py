"""Config dataclasses: the one place a setting's default, its help text and its choices live.

Every lab describes its settings as a frozen dataclass. Each field has a default and a
docstring right under it that says what the knob does and why the default is what it
is. Nothing else repeats them: the CLI builds its options from :func:`describe`
(``tui.commands.options``) and the TUI builds its forms from the same description
(``tui.widgets.config_form``), so changing a default or a help text in the dataclass
changes both fronts.

Extra facts a front needs (a flag name, the allowed values, a lower bound) go in the
field's metadata through :func:`setting`::

    @dataclass(frozen=True)
    class Knobs:
        algo: str = setting("bpe", choices=("bpe", "wordpiece", "unigram"))
        \"\"\"Which algorithm to step through.\"\"\"
        steps: int = 10
        \"\"\"How many merges to show; 10 covers the deck's example.\"\"\"

    >>> [(s.name, s.default, s.help) for s in describe(Knobs)]   # doctest: +SKIP
    [('algo', 'bpe', 'Which algorithm to step through.'), ('steps', 10, 'How many merges ...')]

Field docstrings are read from the source with :mod:`ast` (Python keeps no
attribute docstrings at run time); the installed package ships its sources, so this
works wherever the engine is importable.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_META = "dojo"


def setting(default: Any = dataclasses.MISSING, *, default_factory: Any = dataclasses.MISSING,
            choices: tuple[Any, ...] = (), flag: str | None = None, short: str | None = None,
            minimum: float | None = None, maximum: float | None = None, cli: bool = True,
            form: bool = True, metavar: str | None = None, group: str = "", split: bool = True) -> Any:
    """A dataclass field with front-end facts in its metadata.

    ``choices``: the allowed values (a select in the form, a checked choice on the CLI);
    ``flag``/``short``: the CLI option names when ``--field-name`` is not right;
    ``minimum``/``maximum``: bounds a slider or a number input can use;
    ``cli``/``form``: hide a field from one front (internal fields);
    ``group``: which run kinds or panels a field belongs to (``"lora"``, ``"dpo"``);
    ``split``: a tuple field also takes comma-separated values (off for texts such as stop strings).
    """
    meta = {_META: {"choices": tuple(choices), "flag": flag, "short": short, "minimum": minimum,
                    "maximum": maximum, "cli": cli, "form": form, "metavar": metavar, "group": group,
                    "split": split}}
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Setting:
    """One field of a config dataclass, as the fronts see it."""

    name: str
    type: Any
    """The base type: str, int, float, bool, tuple (of str) or dict (str -> str)."""
    optional: bool
    """The field also accepts None (``int | None``)."""
    default: Any
    help: str
    """The field docstring's first paragraph, on one line."""
    doc: str
    """The whole docstring."""
    choices: tuple[Any, ...] = ()
    flag: str | None = None
    short: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    cli: bool = True
    form: bool = True
    metavar: str | None = None
    group: str = ""
    split: bool = True

    @property
    def option(self) -> str:
        """The CLI option name: ``--max-new-tokens`` for ``max_new_tokens``."""
        return self.flag or "--" + self.name.replace("_", "-")


def _base_type(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        base, _ = _base_type(args[0])
        return base, True
    if origin in (tuple, list):
        return tuple, False
    if origin is dict:
        return dict, False
    return annotation, False


@lru_cache(maxsize=None)
def field_docs(cls: type) -> dict[str, str]:
    """Attribute name -> the docstring written under it, for ``cls`` and its bases."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass is object:
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        tree = ast.parse(source)
        body = next((n.body for n in tree.body if isinstance(n, ast.ClassDef)), [])
        for node, after in zip(body, body[1:]):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) \
                    and isinstance(after.value.value, str):
                docs[node.target.id] = inspect.cleandoc(after.value.value)
    return docs


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.split("\n\n", 1)[0].replace("``", "").split())


@lru_cache(maxsize=None)
def describe(cls: type) -> tuple[Setting, ...]:
    """Every field of the config dataclass ``cls``, with type, default, help and metadata."""
    hints = typing.get_type_hints(cls)
    docs = field_docs(cls)
    out = []
    for f in dataclasses.fields(cls):
        base, optional = _base_type(hints[f.name])
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            default = f.default_factory()  # type: ignore[misc]
        else:
            default = None
        meta = dict(f.metadata.get(_META, {}))
        doc = docs.get(f.name, "")
        out.append(Setting(name=f.name, type=base, optional=optional, default=default,
                           help=_first_paragraph(doc), doc=doc, **meta))
    return tuple(out)


def setting_of(cls: type, name: str) -> Setting:
    """The description of one field (KeyError for a name ``cls`` does not have)."""
    for s in describe(cls):
        if s.name == name:
            return s
    raise KeyError(f"{cls.__name__} has no setting {name!r}")


def defaults(cls: type) -> dict[str, Any]:
    """Field name -> default value."""
    return {s.name: s.default for s in describe(cls)}


def parse_value(s: Setting, text: str) -> Any:
    """A value typed by a person (a form field, a ``key=value`` pair) -> the field's type.

    Raises ``ValueError`` with a short reason; the caller names the field.

    >>> parse_value(Setting("lr", float, False, 1e-3, "", ""), " 2e-4 ")
    0.0002
    """
    text = text.strip()
    if s.optional and text in ("", "none", "None"):
        return None
    if s.type is bool:
        low = text.lower()
        if low in ("1", "true", "yes", "on", "y"):
            return True
        if low in ("0", "false", "no", "off", "n"):
            return False
        raise ValueError("expected yes or no")
    if s.type is int:
        return int(text.replace(",", "").replace("_", ""))
    if s.type is float:
        return float(text.replace(",", "."))
    if s.type is tuple:
        return tuple(x.strip() for x in text.split(",") if x.strip())
    if s.type is dict:
        out = {}
        for pair in (p for p in text.split(",") if p.strip()):
            key, sep, value = pair.partition("=")
            if not sep:
                raise ValueError("write key=value pairs separated by commas")
            out[key.strip()] = value.strip()
        return out
    return text


def format_value(value: Any) -> str:
    """The inverse of :func:`parse_value` for showing a value in a form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def selected(cls: type, names: Iterable[str]) -> list[Setting]:
    """The descriptions of ``names`` (in that order); KeyError for an unknown one."""
    return [setting_of(cls, name) for name in names]
