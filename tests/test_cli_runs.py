"""`llm-dojo train sft` and `llm-dojo runs ...` with real worker processes and a tiny model.

The commands are registered on a local Typer app (as tui/cli.py does), so these tests
run whether or not the top-level CLI lists `runs` yet.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from engine.runs import store
from engine.runs.faults import SLOW_TEST_ENV
from tests.engine.test_runs_support import keyword_sentiment, wait_state, wait_step
from tui.commands import runs as runs_cmd
from tui.commands import train as train_cmd

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli() -> typer.Typer:
    from tui.cli import DojoGroup

    app = typer.Typer(cls=DojoGroup)

    @app.callback()
    def main() -> None:
        """A group, as in the real CLI."""

    train_cmd.register(app)
    runs_cmd.register(app)
    return app


def invoke(app, *args: str):
    return CliRunner().invoke(app, list(args))


def one_line_error(res, *needles: str) -> None:
    assert res.exit_code == 2, (res.exit_code, res.output)
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def sft_args(model: Path, data: Path, *extra: str) -> list[str]:
    return ["train", "sft", "--model", str(model), "--data", str(data), "--lr", "1e-2", "--max-seq-length", "64",
            "--logging-steps", "1", "--eval-steps", "1000", "--save-steps", "1000", *extra]


def test_start_list_attach_stop_resume_remove(cli, tiny_llama_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(SLOW_TEST_ENV, "0.05")  # at least 6 s of training, however fast the machine
    data = keyword_sentiment(tmp_path / "kw.jsonl")
    started = time.monotonic()
    res = invoke(cli, *sft_args(tiny_llama_dir, data, "--max-steps", "120"))
    assert res.exit_code == 0, res.output
    assert time.monotonic() - started < 10  # returns at once; training goes on elsewhere
    run_id = res.stdout.strip().splitlines()[0]
    assert store.find_run(run_id).name == run_id
    wait_step(run_id, 2)

    listed = {r["id"]: r for r in json.loads(invoke(cli, "runs", "--json").stdout)}
    assert listed[run_id]["state"] == "running" and listed[run_id]["total"] == 120
    assert isinstance(listed[run_id]["loss"], float) and listed[run_id]["eta_s"] is not None

    viewer = subprocess.Popen(
        [sys.executable, "-c", "import sys; from tui.commands.runs import attach; sys.exit(attach(sys.argv[1]))",
         run_id], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    time.sleep(2)
    viewer.send_signal(signal.SIGINT)  # Ctrl-C in the viewer
    _, err = viewer.communicate(timeout=20)
    assert viewer.returncode == 130, err
    assert "detached; the run goes on" in err and "steps" in err
    assert store.status(store.find_run(run_id))["state"] in store.ACTIVE

    res = invoke(cli, "runs", "stop", run_id[:24], "--timeout", "60")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("cancelled: stopped at step") and "llm-dojo runs resume" in res.stdout

    res = invoke(cli, "runs", "resume", run_id)
    assert res.exit_code == 0 and res.stdout.strip() == run_id
    assert wait_state(run_id, {"completed", "failed", "cancelled"}, timeout=240)["state"] == "completed"

    res = invoke(cli, "runs", "attach", run_id)  # a finished run: draw it and return
    assert res.exit_code == 0 and "completed" in res.output
    listed = {r["id"]: r for r in json.loads(invoke(cli, "runs", "--json").stdout)}
    assert listed[run_id]["step"] == listed[run_id]["total"] == 120 and listed[run_id]["eta_s"] is None
    table = invoke(cli, "runs").stdout
    assert store.short_id(run_id) in table and "120/120" in table and "completed" in table
    res = invoke(cli, "runs", "attach", store.short_id(run_id))  # the short id shown in the list finds it
    assert res.exit_code == 0 and "completed" in res.output

    one_line_error(invoke(cli, "runs", "resume", run_id), "already completed", "nothing to resume")
    res = invoke(cli, "runs", "rm", run_id)
    assert res.exit_code == 0 and not store.all_run_dirs()


def test_unknown_run_id(cli):
    for sub in ("attach", "stop", "resume", "rm"):
        one_line_error(invoke(cli, "runs", sub, "no-such-run"), "no run 'no-such-run'")
    assert json.loads(invoke(cli, "runs", "--json").stdout) == []
    assert "No runs yet" in invoke(cli, "runs").stdout


def test_bad_input_is_one_line_and_starts_nothing(cli, tiny_llama_dir, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "ok", "label": "pos"}\n{"text": "no label"\n')
    one_line_error(invoke(cli, *sft_args(tiny_llama_dir, broken)), "broken.jsonl:2: not valid JSON")
    cols = tmp_path / "cols.csv"
    cols.write_text("review,stars\ngreat,pos\n")
    one_line_error(invoke(cli, *sft_args(tiny_llama_dir, cols)), "no column 'text'", "review, stars",
                   "--column text=NAME")
    data = keyword_sentiment(tmp_path / "kw.jsonl")
    one_line_error(invoke(cli, *sft_args(tiny_llama_dir, data), "--max-seq-length", "4096"), "above the context")
    one_line_error(invoke(cli, *sft_args(tiny_llama_dir, data), "--column", "oops"), "OURS=THEIRS")
    one_line_error(invoke(cli, "train", "sft", "--model", "no-such-model"), "no model named 'no-such-model'")
    assert store.all_run_dirs() == []
