"""Faults inside a running training run: real worker processes on the tiny LLaMA, a few
steps each. The run must end with its one-line message within the budget of the fault,
keep its events and its last complete checkpoint, and the CLI must go on working.

The faults are injected by ``engine.runs.faults`` (environment variables read by the
worker), so the real training loop, checkpointing and failure handling are what run.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from engine.runs import control, store
from engine.runs.faults import ENOSPC_TEST_ENV, NAN_TEST_ENV, OOM_TEST_ENV, SLOW_TEST_ENV
from tests.engine.test_runs_support import events, keyword_sentiment, wait_for, wait_state

from .helpers import BUDGET_S, dojo, fault, injected_at, says

pytestmark = pytest.mark.slow  # each trains a worker for a few seconds
ENDED = {"completed", "failed", "cancelled"}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return keyword_sentiment(tmp_path_factory.mktemp("fault-data") / "kw.jsonl", n=40)


def start(model: Path, data: Path, max_steps: int, env: dict | None = None, save_steps: int = 2) -> str:
    res = dojo("train", "sft", "--model", str(model), "--data", str(data), "--max-steps", str(max_steps),
               "--batch-size", "8", "--lr", "1e-2", "--max-seq-length", "64", "--logging-steps", "1",
               "--eval-steps", "1000", "--save-steps", str(save_steps), "--no-keep-best", "--device", "cpu",
               env=env)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip().splitlines()[0]


def listed(run_id: str) -> dict:
    res = dojo("runs", "--json")
    assert res.returncode == 0, res.stderr
    assert res.cpu < BUDGET_S, f"runs --json took {res.cpu:.2f} CPU s"
    return {r["id"]: r for r in json.loads(res.stdout)}[run_id]


def complete_checkpoints(run_dir: Path) -> list[int]:
    return sorted(int(p.name[11:]) for p in (run_dir / "checkpoints").glob("checkpoint-*")
                  if (p / "trainer_state.json").exists())


def said_within_budget(run_dir: Path, kind: str, final: dict) -> None:
    spent = final["ended"] - injected_at(run_dir, kind)
    assert 0 <= spent < BUDGET_S, f"{spent:.2f} s from the {kind} fault to the run's message"


@fault("nan_loss")
def test_nan_loss_mid_run(tiny_llama_dir, data):
    run_id = start(tiny_llama_dir, data, 8, env={NAN_TEST_ENV: "3"})
    final = wait_state(run_id, ENDED, timeout=240)
    run_dir = store.find_run(run_id)
    assert final["state"] == "failed", final
    says("nan_loss", final["error"], step="4")
    said_within_budget(run_dir, "nan", final)
    row = listed(run_id)
    assert row["state"] == "failed" and row["error"] == final["error"] and row["step"] == 4
    assert complete_checkpoints(run_dir) == [2]  # the last one before the NaN; none after it
    assert not (run_dir / "model").exists()
    logged = [e["step"] for e in events(run_id) if e["event"] == "log"]
    assert logged == [1, 2, 3, 4]


@fault("cuda_oom")
def test_cuda_out_of_memory_inside_a_step(tiny_llama_dir, data):
    run_id = start(tiny_llama_dir, data, 8, env={OOM_TEST_ENV: "3"})
    final = wait_state(run_id, ENDED, timeout=240)
    run_dir = store.find_run(run_id)
    assert final["state"] == "failed", final
    says("cuda_oom", final["error"])
    said_within_budget(run_dir, "cuda-oom", final)
    assert listed(run_id)["error"] == final["error"]
    assert complete_checkpoints(run_dir) == [2] and control.resumable(run_dir)
    assert [e["event"] for e in events(run_id)][-1] == "failed"


@fault("disk_full")
def test_disk_full_while_checkpointing(tiny_llama_dir, data):
    run_id = start(tiny_llama_dir, data, 8, env={ENOSPC_TEST_ENV: "4"})
    final = wait_state(run_id, ENDED, timeout=240)
    run_dir = store.find_run(run_id)
    assert final["state"] == "failed", final
    says("disk_full", final["error"], run=str(run_dir), step="4", kept="2", id=run_id)
    said_within_budget(run_dir, "enospc", final)
    assert complete_checkpoints(run_dir) == [2]
    assert not (run_dir / "checkpoints" / "checkpoint-4").exists()  # the half-written one is gone
    assert control.resumable(run_dir) and listed(run_id)["step"] == 4


@fault("sigkill")
def test_worker_killed_with_sigkill_shows_crashed_and_resumes(tiny_llama_dir, data):
    run_id = start(tiny_llama_dir, data, 12, env={SLOW_TEST_ENV: "0.3"})
    run_dir = store.find_run(run_id)
    wait_for(lambda: complete_checkpoints(run_dir) if (run_dir / "checkpoints").is_dir() else [], 240,
             "a first checkpoint", run_id)
    st = store._read_status_file(run_dir)
    os.kill(st["pid"], signal.SIGKILL)
    wait_for(lambda: not store.pid_alive(st["pid"], st.get("pid_start")), 30, "the worker to die")
    with open(run_dir / store.EVENTS, "ab") as fh:  # the kill cut a line in half
        fh.write(b'{"event": "log", "t": 1.0, "step": 999, "train/lo')
    killed_at = time.monotonic()
    row = listed(run_id)  # the first look after the kill already says what happened
    assert time.monotonic() - killed_at < 10
    step, kept = row["step"], complete_checkpoints(run_dir)[-1]
    assert row["state"] == "failed" and 1 <= step < 12 and kept <= step
    says("sigkill", row["error"], step=str(step), kept=str(kept), id=run_id, log=str(run_dir / store.LOG))

    res = dojo("runs", "resume", run_id)
    assert res.returncode == 0 and res.stdout.strip() == run_id, res.stderr
    final = wait_state(run_id, ENDED, timeout=240)
    assert final["state"] == "completed", final
    evs = events(run_id)
    resumed = next(e for e in evs if e["event"] == "resume")
    assert resumed["step"] == kept and evs[-1]["event"] == "done" and evs[-1]["step"] == 12
    assert (run_dir / "model" / "config.json").exists()
    assert listed(run_id)["step"] == 12
