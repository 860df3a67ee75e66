"""Run the real `llm-dojo` CLI in a subprocess, as a user would, and read its errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dojo(*args: str, env: dict | None = None, timeout: int = 180) -> subprocess.CompletedProcess:
    """``llm-dojo ARGS`` through ``tui.cli.main`` (errors -> one line, exit 2)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=full_env, timeout=timeout)


def one_line_error(res: subprocess.CompletedProcess, *needles: str) -> str:
    """Assert exit code 2 and exactly one ``error:`` line containing ``needles``; return it."""
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]
