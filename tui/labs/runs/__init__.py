"""The runs list: every background run, attach, stop, resume, remove."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_screen(lab: str, try_it: Mapping[str, Any]):
    from ...screens.runs import RunsScreen

    return RunsScreen(dict(try_it))
