"""engine/ never imports textual or rich; the CLI's --help never imports torch."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import engine

ROOT = Path(__file__).resolve().parent.parent


def _engine_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(engine.__path__, "engine.")
                  if ".models.embedded" not in m.name)


def test_engine_has_modules():
    assert len(_engine_modules()) >= 10


def test_engine_never_imports_ui_libraries():
    code = (
        "import importlib, sys\n"
        f"for name in {_engine_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_cli_help_does_not_import_torch():
    code = (
        "import sys\n"
        "sys.argv = ['llm-dojo', '--help']\n"
        "from tui.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('torch', 'transformers', 'gensim', 'konlpy') if m in sys.modules]\n"
        "sys.stderr.write(repr(heavy))\n"
        "sys.exit(3 if heavy else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "doctor" in out.stdout and "models" in out.stdout
