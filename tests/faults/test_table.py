"""The README's fault table is this suite's table, and every row has its test."""

from __future__ import annotations

from pathlib import Path

from . import test_events_torn, test_refusals, test_run_faults  # noqa: F401 - they register their rows
from .helpers import TESTED
from .table import FAULTS, readme_block

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_fault_has_a_test():
    assert sorted(TESTED) == sorted(FAULTS), set(FAULTS) ^ set(TESTED)


def test_readme_shows_the_table():
    assert readme_block() in README.read_text(encoding="utf-8"), \
        "the README's fault table is out of date: python -m tests.faults.table --write"


def test_message_patterns_fill_in():
    row = FAULTS["adapter_other_base"]
    import re

    line = "the adapter a was trained on /m/x, not on /m/y; load it with --model /m/x"
    assert re.fullmatch(row.pattern(adapter="a", base="/m/x", model="/m/y"), line)
    assert not re.fullmatch(row.pattern(adapter="a", base="/m/x", model="/m/y"), line.replace("--model /m/x", "--model /m/z"))
