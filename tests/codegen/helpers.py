"""Run an exported snippet as a student would: a fresh Python process, no ``engine`` on the path."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from textual.app import App

from tui.labs import register_strings


def run_snippet(code: str, timeout: int = 300, cwd: Path | None = None) -> str:
    """Write ``code`` to a file, run it with this interpreter from an empty folder -> stdout."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snippet.py"
        path.write_text(code, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["HF_HUB_OFFLINE"] = "1"
        res = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=cwd or tmp, env=env,
                             timeout=timeout)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "from engine" not in code and "import engine" not in code
    return res.stdout


class LabApp(App):
    """A bare app that opens one lab screen (the F12 tests drive it)."""

    def __init__(self, screen):
        super().__init__()
        register_strings()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


def text_of(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
