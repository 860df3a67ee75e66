"""CLI options derived from an engine config dataclass, so no command repeats a default.

:func:`config_options` adds one option per field of a config dataclass to a typer
command. Names, types, help text and choices come from :func:`engine.config.describe`
(the field docstrings); the shown default is the dataclass default. Every derived
option defaults to "not given", and the command receives only what the person typed
(``given``), so the engine decides every default in one place (``RunSpec.suggested``,
``SamplingParams.from_options``...)::

    @app.command("steps")
    @config_options(StepConfig, exclude={"corpus"})
    def steps(given: dict, json_out: JsonOpt = False):
        config = StepConfig(**given)

Types: ``str``/``int``/``float`` become typed options; ``bool`` becomes ``--x/--no-x``;
``tuple[str, ...]`` a repeatable option that also takes comma-separated values;
``dict[str, str]`` a repeatable ``KEY=VALUE`` option. A value outside a field's
``choices`` is one ``error:`` line naming the allowed values.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Optional

import typer

from engine.config import Setting, describe, format_value


def _help(s: Setting, default: Any) -> str:
    text = s.help or s.name.replace("_", " ")
    if s.choices:
        text += f" One of: {', '.join(str(c) for c in s.choices)}."
    shown = format_value(default)
    if shown not in ("", "()"):
        text += f" (default: {shown})"
    return text


def _annotation(s: Setting, default: Any) -> Any:
    names = [s.option] + ([s.short] if s.short else [])
    if s.type is bool:
        flag = s.option
        names = [flag if "/" in flag else f"{flag}/--no-{flag[2:]}"] + ([s.short] if s.short else [])
        return Annotated[Optional[bool], typer.Option(*names, help=_help(s, default), show_default=False)]
    if s.type in (tuple, dict):
        metavar = s.metavar or ("KEY=VALUE" if s.type is dict else "TEXT")
        return Annotated[Optional[list[str]], typer.Option(*names, help=_help(s, default), show_default=False,
                                                           metavar=metavar)]
    base = s.type if s.type in (int, float, str) else str
    metavar = s.metavar or {int: "N", float: "NUM"}.get(base, "TEXT")
    return Annotated[Optional[base], typer.Option(*names, help=_help(s, default), show_default=False, metavar=metavar)]


def _convert(s: Setting, value: Any) -> Any:
    from .common import fail

    if s.type is tuple:
        if not s.split:
            return tuple(str(v) for v in value)
        return tuple(x.strip() for v in value for x in str(v).split(",") if x.strip())
    if s.type is dict:
        out = {}
        for pair in value:
            key, sep, val = str(pair).partition("=")
            if not sep or not key.strip() or not val.strip():
                form = s.metavar or "KEY=VALUE"
                fail(f"{s.option} {pair!r}: write {form}, two names joined by '=' ({s.help})")
            out[key.strip()] = val.strip()
        return out
    if s.choices and value not in s.choices:
        fail(f"{s.option} {value}: use one of {', '.join(str(c) for c in s.choices)}")
    return value


def selected_settings(cls: type, only: Iterable[str] | None = None, exclude: Iterable[str] = (),
                      groups: Iterable[str] | None = None) -> list[Setting]:
    """The fields of ``cls`` a command exposes: ``only`` (in that order) or all CLI fields,
    minus ``exclude``; ``groups`` keeps fields whose group is empty or listed."""
    table = {s.name: s for s in describe(cls)}
    names = list(only) if only is not None else [s.name for s in describe(cls) if s.cli]
    keep_groups = None if groups is None else {"", *groups}
    out = []
    for name in names:
        s = table[name]
        if name in set(exclude) or (keep_groups is not None and s.group not in keep_groups):
            continue
        out.append(s)
    return out


def config_options(cls: type, *, only: Iterable[str] | None = None, exclude: Iterable[str] = (),
                   groups: Iterable[str] | None = None, param: str = "given",
                   defaults: dict[str, Any] | None = None) -> Callable:
    """Decorator: add ``cls``'s fields as options; the command gets ``param`` = {field: value given}.

    ``defaults`` names the defaults the engine applies for this command when they are not
    the dataclass's own (e.g. ``strategies.COMPARE_DEFAULTS``), so the help shows the truth.
    Decorators stack: each adds its class's options under its own ``param``."""
    settings = selected_settings(cls, only, exclude, groups)
    shown = {s.name: (defaults or {}).get(s.name, s.default) for s in settings}

    def decorate(func: Callable) -> Callable:
        sig = inspect.signature(func)
        hints = typing.get_type_hints(func, include_extras=True)
        own = [p.replace(annotation=hints.get(p.name, p.annotation))
               for p in sig.parameters.values() if p.name != param]
        clash = {p.name for p in own} & {s.name for s in settings}
        if clash:
            raise TypeError(f"{func.__name__}: parameters {sorted(clash)} clash with {cls.__name__} fields")
        extra = [inspect.Parameter(s.name, inspect.Parameter.KEYWORD_ONLY, annotation=_annotation(s, shown[s.name]), default=None)
                 for s in settings]

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            given = {}
            for s in settings:
                value = kwargs.pop(s.name, None)
                if value is not None and value != []:
                    given[s.name] = _convert(s, value)
            return func(**kwargs, **{param: given})

        del wrapper.__wrapped__  # typer must see the new signature, not the original's
        params = own + extra
        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper

    return decorate
