"""The `llm-dojo` CLI as a user runs it: real subprocesses, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.cli_helpers import dojo, one_line_error

assert_one_line_error = one_line_error


def test_version():
    from engine import __version__

    res = dojo("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"llm-dojo {__version__}"


def test_doctor_json_tells_the_truth():
    res = dojo("doctor", "--json", "--no-network")
    assert res.returncode == 0, res.stderr
    checks = {c["name"]: c for c in json.loads(res.stdout)}
    assert checks["java"]["status"] == ("ok" if shutil.which("java") else "missing")
    import torch

    if not torch.cuda.is_available():
        assert checks["gpu"]["status"] == "degraded"
        assert checks["bitsandbytes"]["status"] in ("degraded", "missing")
    assert checks["data dir"]["value"] == os.environ["LLM_DOJO_HOME"]
    assert {"torch", "transformers", "free disk", "hf cache", "embedded models"} <= set(checks)


def test_models_json_lists_embedded_with_parameters():
    res = dojo("models", "--json")
    assert res.returncode == 0, res.stderr
    rows = {r["name"]: r for r in json.loads(res.stdout)}
    for name in ("dojo-tiny", "dojo-tiny-mlm"):
        assert rows[name]["source"] == "embedded"
        assert rows[name]["parameters"] > 1_000_000
        assert Path(rows[name]["path"], "config.json").exists()


def test_unknown_model_offline():
    res = dojo("load", "meta-llama/Meta-Llama-3-8B")
    assert_one_line_error(res, "no model named", "dojo-tiny")
    assert res.stderr.startswith("error: "), repr(res.stderr)  # no blank line left by the loading bar


def test_doctor_table_shows_brackets_literally(monkeypatch):
    """Text in checks is shown as written: ``[gpu]`` is not swallowed as Rich markup."""
    from typer.testing import CliRunner

    from engine import doctor
    from tui.cli import app

    monkeypatch.setattr(doctor, "run_checks", lambda probe_network=True: [
        doctor.Check("bitsandbytes", "degraded", "not [red]installed", "pip install 'llm-dojo[gpu]'")])
    res = CliRunner().invoke(app, ["doctor", "--no-network"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "pip install 'llm-dojo[gpu]'" in res.output and "not [red]installed" in res.output


def test_directory_that_is_not_a_model(tmp_path):
    assert_one_line_error(dojo("load", str(tmp_path)), "not a model directory")


def test_load_in_4bit_on_cpu():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert_one_line_error(dojo("load", "dojo-tiny", "--load-in-4bit"), "CUDA")


def test_unwritable_home(tmp_path):
    if os.geteuid() == 0:
        # root ignores permission bits: make the home path a file instead
        bad = tmp_path / "file-not-dir"
        bad.write_text("x")
        target = bad / "home"
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = ro / "home"
    res = dojo("train", "pretrain", "--preset", "dojo-micro", env={"LLM_DOJO_HOME": str(target)})
    assert_one_line_error(res, "LLM_DOJO_HOME")
    assert not target.exists()


def test_bad_preset_exit_code():
    assert_one_line_error(dojo("train", "pretrain", "--preset", "huge"), "dojo-tiny")


def test_load_embedded_json():
    res = dojo("load", "dojo-tiny", "--json")
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["source"] == "embedded" and info["device"] in ("cpu", "cuda", "mps")
    assert info["class"] == "LlamaForCausalLM" and info["chat_template"] is True
