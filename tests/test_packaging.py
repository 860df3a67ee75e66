"""A plain (non-editable) wheel carries the code, the lessons, the data and the models."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    (wheel,) = out.glob("llm_dojo-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_wheel_has_every_lesson_file(wheel_names):
    for folder in sorted(ROOT.glob("lessons/[0-9][0-9]-*")):
        for name in ("lesson.toml", "ko.md", "en.md", "quiz.toml"):
            assert f"lessons/{folder.name}/{name}" in wheel_names


def test_wheel_has_models_data_and_styles(wheel_names):
    for model in ("dojo-tiny", "dojo-tiny-mlm"):
        for name in ("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "README.md"):
            assert f"engine/models/embedded/{model}/{name}" in wheel_names
    assert "engine/data/instructions.jsonl" in wheel_names
    assert any(n.startswith("tui/styles/") and n.endswith(".tcss") for n in wheel_names)
    assert "tui/cli.py" in wheel_names and "engine/course/lessons.py" in wheel_names
    assert not any(n.startswith("tests/") for n in wheel_names)
    assert not any("/checkpoints/" in n for n in wheel_names)
