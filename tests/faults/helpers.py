"""What every fault test needs: the real CLI in a subprocess, timed in CPU seconds, and a
registry tying each test to its row of the README's fault table (:mod:`tests.faults.table`).

"Within 2 s" is measured as CPU time beyond the start-up floor: a fresh ``llm-dojo``
process that imports torch and transformers costs about 2 CPU seconds before it can look
at anything (8 s of wall time on a busy 2-core box), and that floor is not the fault's
doing. CPU time is what a quiet machine's wall time would be, and it does not move with
the other jobs sharing the cores, so the bound can be asserted without flaking.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.cli_helpers import ROOT

from .table import FAULTS

TESTED: dict[str, str] = {}
"""Fault key -> the test that proves its row (filled as the test modules are imported)."""
BUDGET_S = 2.0


def fault(key: str):
    """Mark a test as the proof of the table's row ``key``."""
    assert key in FAULTS, key

    def mark(fn):
        TESTED[key] = f"{fn.__module__}.{fn.__name__}"
        return fn

    return mark


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str
    wall: float
    cpu: float

    def error_line(self) -> str:
        """Exit code 2 and exactly one ``error:`` line on stderr, no traceback -> its text."""
        assert self.returncode == 2, (self.returncode, self.stdout, self.stderr)
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), self.stderr
        return lines[0][len("error: "):]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(args: list[str], env: dict | None = None, timeout: float = 120) -> Result:
    """``args`` in a subprocess with ROOT on the path -> output, wall and CPU seconds."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    cpu0, t0 = _children_cpu(), time.monotonic()
    res = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=timeout)
    return Result(res.returncode, res.stdout, res.stderr, time.monotonic() - t0, _children_cpu() - cpu0)


def dojo(*args: str, env: dict | None = None, timeout: float = 120) -> Result:
    """``llm-dojo ARGS`` as a user runs it."""
    return run([sys.executable, "-m", "tui.cli", *args], env=env, timeout=timeout)


_FLOOR: dict[str, float] = {}


def startup_floor() -> float:
    """CPU seconds a fresh CLI process needs to import what a model command imports."""
    if "cpu" not in _FLOOR:
        res = run([sys.executable, "-c", "import tui.cli, torch, transformers, transformers.modeling_utils"])
        assert res.returncode == 0, res.stderr
        _FLOOR["cpu"] = res.cpu
    return _FLOOR["cpu"]


def within_budget(res: Result, floor: float | None = None) -> float:
    """Assert the message came within the budget beyond the start-up floor -> those seconds."""
    spent = res.cpu - (startup_floor() if floor is None else floor)
    assert spent < BUDGET_S, f"{spent:.2f} CPU s beyond start-up (total {res.cpu:.2f}, wall {res.wall:.2f})"
    return spent


def says(key: str, line: str, /, **values: str) -> None:
    """``line`` is the table row's message, with each ``<name>`` filled by ``values[name]``
    or, when not given, by any text: the README cannot drift from what the user reads."""
    assert re.fullmatch(FAULTS[key].pattern(**values), line), f"\n{line}\n!=\n{FAULTS[key].message}"


def files_snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: to prove the user's data is unchanged."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def injected_at(run_dir: Path, kind: str) -> float:
    """Wall time the worker printed when it injected ``kind`` (see engine.runs.faults)."""
    text = (run_dir / "run.log").read_text(errors="replace")
    found = re.findall(rf"fault injected: {re.escape(kind)} at ([0-9.]+)", text)
    assert found, text[-2000:]
    return float(found[0])
