"""The lab contract holds: one dataclass feeds the CLI and the form, one row format feeds both
runs lists, every lab's strings exist in both languages, and engine messages are translated."""

from __future__ import annotations

import dataclasses
import json

from textual.app import App

from engine.config import describe, format_value
from engine.runs import store
from engine.runs.spec import RunSpec
from tests.cli_helpers import dojo
from tui.labs import PACKAGES, SHARED_STRINGS, register_strings


def _sft_command_params():
    import typer.main

    from tui.cli import app

    group = typer.main.get_command(app)
    return {p.name: p for p in group.commands["train"].commands["sft"].params}


def test_train_sft_options_and_the_form_come_from_runspec(monkeypatch):
    """Every RunSpec field of the train group is an option whose help is the field's docstring,
    and the form's rows are the same fields with the same suggested values."""
    params = _sft_command_params()
    for s in describe(RunSpec):
        if s.group == "train" and s.cli:
            assert s.name in params, s.name
            assert params[s.name].help.startswith(s.help), (s.name, params[s.name].help)
            assert params[s.name].default is None  # the engine decides defaults, not the CLI

    from tui.labs.training.form import FIELDS

    for name in FIELDS:
        assert name in params  # nothing in the form that the CLI cannot set

    # a default changed in the dataclass shows up in both fronts
    try:
        monkeypatch.setattr(RunSpec.__dataclass_fields__["max_seq_length"], "default", 96)
        describe.cache_clear()
        shown = {s.name: s.default for s in describe(RunSpec)}
        assert shown["max_seq_length"] == 96
        from tui.commands.options import _help

        assert "(default: 96)" in _help(next(s for s in describe(RunSpec) if s.name == "max_seq_length"), 96)
    finally:
        describe.cache_clear()  # monkeypatch restores the default; the next describe() reads it


async def test_form_values_are_the_suggested_spec():
    from tui.labs.training.form import FIELDS, RunForm
    from tui.widgets.config_form import ConfigForm

    register_strings()

    class Host(App[None]):
        def compose(self):
            yield RunForm({"task": "instruction"}, gpu=False)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        values = app.query_one(ConfigForm).values()
        expected = RunSpec.suggested("instruction", gpu=False)
        for name in FIELDS:
            assert format_value(values[name]) == format_value(getattr(expected, name)), name
        assert app.query_one(RunForm).spec() == expected.validate()


def test_cli_runs_row_and_the_screen_row_agree():
    from tui.labs.runs.screen import RunsScreen
    from tui.runs_format import COLUMNS

    run_dir = store.create_run(RunSpec(model="dojo-tiny"))
    events = [{"event": "start", "step": 0, "total": 40}] + [
        {"event": "log", "step": i, "total": 40, "train/loss": 3.0 / i, "eta": 40 - i} for i in range(1, 13)]
    (run_dir / store.EVENTS).write_text("".join(json.dumps(e) + "\n" for e in events))
    store.write_status(run_dir, state="cancelled")
    printed = dojo("runs").stdout.splitlines()
    info = store.list_runs()[0]
    register_strings()
    cells = [str(c) for c in RunsScreen._cells(info)]
    line = next(line for line in printed if line.startswith(cells[0]))
    for col, cell in zip(COLUMNS, cells):
        if col != "state":  # the screen translates the state word
            assert cell in line, (col, cell, line)
    assert "12/40" in line and "0.2500" in line


def test_every_lab_string_table_has_both_languages():
    import importlib

    for name in list(SHARED_STRINGS) + [f"{p}.strings" for p in set(PACKAGES.values())]:
        tables = importlib.import_module(name).STRINGS
        assert set(tables["ko"]) == set(tables["en"]), name


def test_every_engine_message_has_a_korean_translation():
    from engine.messages import catalogue
    from tui.i18n import TABLES

    register_strings()
    missing = sorted(key for key in catalogue() if f"msg.{key}" not in TABLES["ko"])
    assert not missing, f"engine messages without Korean: {missing}"
    for key, english in catalogue().items():
        fields = {f for f in _fields(english)}
        assert fields == set(_fields(TABLES["ko"][f"msg.{key}"])), key


def _fields(template: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


def test_configs_have_help_for_every_cli_field():
    from engine.generation.params import SamplingParams
    from engine.models.load import LoadOptions

    for cls in (RunSpec, SamplingParams, LoadOptions):
        for s in describe(cls):
            if s.cli:
                assert s.help, f"{cls.__name__}.{s.name} has no docstring"


async def test_opening_a_lesson_starts_loading_its_labs_model(dojo_home):
    """Issue 10 (16): "try it" should find the model loaded, so the lesson starts the load."""
    from tests.tui.conftest import make_app
    from tui.labs import preload_name

    assert preload_name("generation", {}) == "dojo-tiny"
    assert preload_name("generation", {"model": "run:0101-0000-abcd"}) == "run:0101-0000-abcd"
    assert preload_name("sft", {}) is None and preload_name("no-such-lab", {}) is None
    calls = []
    app = make_app("en")
    app.services.preload = lambda lab, try_it: calls.append((lab, try_it))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lesson = next(lesson for lesson in app.course.lessons if lesson.lab)
        app.open_lesson(lesson.id)
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert calls == [(lesson.lab, dict(lesson.try_it or {}))]
