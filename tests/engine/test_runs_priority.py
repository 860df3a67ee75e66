"""The worker yields the CPU to the app: niceness and thread count (issue 10, item 23)."""

from __future__ import annotations

import os
import subprocess
import sys

from engine.runs.priority import DEFAULT_NICE, worker_nice, worker_threads


def test_threads_are_torchs_default_unless_capped():
    assert worker_threads({}) is None  # a thread per core: capping cost a quarter of the speed on 2 cores
    assert worker_threads({"LLM_DOJO_WORKER_THREADS": "auto"}) is None
    assert worker_threads({"LLM_DOJO_WORKER_THREADS": "1"}) == 1
    assert worker_threads({"LLM_DOJO_WORKER_THREADS": "x"}) is None
    assert worker_threads({"LLM_DOJO_WORKER_THREADS": "1", "OMP_NUM_THREADS": "2"}) is None  # the person's own wins


def test_nice_default_and_overrides():
    assert worker_nice({}) == DEFAULT_NICE > 0
    assert worker_nice({"LLM_DOJO_WORKER_NICE": "0"}) == 0
    assert worker_nice({"LLM_DOJO_WORKER_NICE": "99"}) == 19
    assert worker_nice({"LLM_DOJO_WORKER_NICE": "x"}) == DEFAULT_NICE


def test_apply_lowers_priority_and_sets_threads_before_torch_loads():
    code = ("import os; from engine.runs.priority import apply; a = apply(); import torch; "
            "print(os.getpriority(os.PRIO_PROCESS, 0), torch.get_num_threads(), a['threads'])")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    env.update(LLM_DOJO_WORKER_NICE="7", LLM_DOJO_WORKER_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    prio, threads, chosen = out.stdout.split()
    assert int(prio) >= 7 and threads == "1" and chosen == "1"


def test_automatic_checkpoints_are_paced_by_time_and_a_stop_always_saves(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from engine.runs import callbacks
    from engine.runs.callbacks import RunCallback
    from engine.runs.events import EventWriter

    clock = [100.0]
    monkeypatch.setattr(callbacks.time, "monotonic", lambda: clock[0])
    stop = [False]
    cb = RunCallback(EventWriter(tmp_path / "events.jsonl"), should_stop=lambda: stop[0], save_every=(30.0, 600.0))
    args = SimpleNamespace(eval_on_start=False, output_dir=str(tmp_path))
    state = SimpleNamespace(global_step=0, max_steps=1000)
    cb.on_train_begin(args, state, SimpleNamespace())

    def step(seconds: float, steps_ask: bool) -> bool:
        clock[0] += seconds
        state.global_step += 1
        control = SimpleNamespace(should_save=steps_ask, should_evaluate=False, should_log=False,
                                  should_training_stop=False)
        cb.on_step_end(args, state, control)
        if control.should_save:
            cb.on_save(args, state, control)
        return control.should_save

    assert not step(5, True)  # the step interval asks, but the last save was 5 s ago
    assert step(30, True)  # 35 s after the start: allowed
    assert not step(1, False)
    assert step(601, False)  # 10 minutes without a checkpoint: take one
    stop[0] = True
    assert step(1, False)  # a stop request always checkpoints
