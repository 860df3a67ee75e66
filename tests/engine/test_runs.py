"""The run system with real worker processes and a tiny model.

A run must outlive whoever started it, stop cleanly with a checkpoint, resume with
the same step numbers, fail loudly on NaN, and refuse impossible requests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.errors import DojoError
from engine.runs import control, launcher, store
from engine.runs.faults import NAN_TEST_ENV, SLOW_TEST_ENV

from .test_runs_support import events, group_members, keyword_sentiment, tiny_spec, wait_for, wait_state, wait_step

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return keyword_sentiment(tmp_path / "sentiment.jsonl")


def test_run_completes_after_its_launcher_is_killed(tiny_llama_dir, data, tmp_path):
    """The launcher (think: the TUI over SSH) starts a run, then its whole session gets
    SIGHUP and SIGKILL. The run finishes anyway, and the launcher never imported torch."""
    spec = tiny_spec(tiny_llama_dir, data, epochs=4)
    script = textwrap.dedent(f"""
        import sys, time
        from engine.runs.launcher import start
        from engine.runs.spec import RunSpec
        run_id = start(RunSpec.from_json({spec.to_json()!r}))
        print(run_id, "torch" in sys.modules, flush=True)
        time.sleep(300)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    run_id, torch_loaded = parent.stdout.readline().split()
    assert torch_loaded == "False"
    os.killpg(parent.pid, signal.SIGHUP)  # the SSH connection drops
    os.killpg(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)

    final = wait_state(run_id, {"completed", "failed", "cancelled"}, timeout=180)
    assert final["state"] == "completed", final
    evs = events(run_id)
    assert evs[-1]["event"] == "done" and evs[-1]["step"] == evs[-1]["total"]
    assert (store.find_run(run_id) / "model" / "config.json").exists()
    assert not (store.find_run(run_id) / "checkpoints").exists()
    wait_for(lambda: not store.pid_alive(final["pid"], final.get("pid_start")), 30, "the worker to exit")

    with pytest.raises(DojoError, match="already completed"):
        control.resume(run_id)


def test_stop_checkpoints_leaves_no_process_and_resume_continues_the_steps(tiny_llama_dir, data, monkeypatch):
    monkeypatch.setenv(SLOW_TEST_ENV, "0.02")  # a few seconds at least, however fast the machine
    run_id = launcher.start(tiny_spec(tiny_llama_dir, data, max_steps=150))
    wait_step(run_id, 3)
    pid = store.status(store.find_run(run_id))["pid"]

    final = control.stop(run_id, timeout=60)
    assert final["state"] == "cancelled", final
    assert "checkpoint saved" in final["error"]
    assert group_members(pid) == [] and not store.pid_alive(pid)
    run_dir = store.find_run(run_id)
    stopped = [e for e in events(run_id) if e["event"] == "stopping"]
    assert len(stopped) == 1
    step = stopped[0]["step"]
    assert (run_dir / "checkpoints" / f"checkpoint-{step}" / "trainer_state.json").exists()
    assert step < 150

    lines_before = len(events(run_id))
    control.resume(run_id)
    done = wait_state(run_id, {"completed", "failed", "cancelled"}, timeout=180)
    assert done["state"] == "completed", done
    evs = events(run_id)
    assert len(evs) > lines_before and evs[:lines_before] == events(run_id)[:lines_before]
    resumed = next(e for e in evs[lines_before:] if e["event"] == "resume")
    assert resumed["step"] == step
    after = [e["step"] for e in evs[lines_before:] if e["event"] == "log"]
    assert after[0] == step + 1 and after[-1] == 150
    assert after == list(range(step + 1, 151))
    from engine.runs.history import RunHistory
    from engine.runs.events import RunEvent

    history = RunHistory()
    history.apply(RunEvent.from_dict(e) for e in evs)
    assert [step for step, _ in history.series["train/loss"]] == list(range(1, 151))


def test_second_stop_request_kills_the_whole_group(tiny_llama_dir, data):
    run_id = launcher.start(tiny_spec(tiny_llama_dir, data, max_steps=100_000))
    wait_step(run_id, 1)
    pid = store.status(store.find_run(run_id))["pid"]
    assert control.request_stop(run_id) == "requested"
    assert control.request_stop(run_id) == "killed"
    st = store.status(store.find_run(run_id))
    assert st["state"] == "cancelled" and "killed" in st["error"]
    assert wait_for(lambda: group_members(pid) == [], 10, "the group to be gone")
    assert control.request_stop(run_id) == "not running"


def test_nan_loss_stops_the_run_with_its_message(tiny_llama_dir, data, monkeypatch):
    monkeypatch.setenv(NAN_TEST_ENV, "3")
    run_id = launcher.start(tiny_spec(tiny_llama_dir, data, max_steps=50))
    final = wait_state(run_id, {"completed", "failed", "cancelled"}, timeout=180)
    assert final["state"] == "failed"
    assert "loss became nan at step 4" in final["error"] and "lower the learning rate" in final["error"]
    evs = events(run_id)
    assert evs[-1]["event"] == "failed" and evs[-1]["message"] == final["error"]
    assert max(e["step"] for e in evs if e["event"] == "log") == 4
    run_dir = store.find_run(run_id)
    assert not (run_dir / "model").exists()
    assert not list(run_dir.glob("checkpoints/checkpoint-*"))


def test_unknown_run_ids_are_one_line_errors():
    for call in (control.resume, control.request_stop, store.remove_run, lambda r: list(control.follow(r))):
        with pytest.raises(store.RunNotFound, match="no run 'no-such-run'.*llm-dojo runs"):
            call("no-such-run")


def test_bad_input_is_refused_before_any_process_starts(tiny_llama_dir, data, tmp_path):
    with pytest.raises(DojoError, match="above the context"):
        launcher.start(tiny_spec(tiny_llama_dir, data, max_seq_length=4096))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "fine", "label": "positive"}\n{"text": oops}\n')
    with pytest.raises(DojoError, match=r"broken.jsonl:2: not valid JSON"):
        launcher.start(tiny_spec(tiny_llama_dir, broken))
    assert store.list_runs() == []


# -- no processes ------------------------------------------------------------------
def _fake_run(status: dict, evs: list[dict] | None = None) -> Path:
    from engine.runs.spec import RunSpec

    run_dir = store.create_run(RunSpec())
    store.write_status(run_dir, **status)
    with open(run_dir / store.EVENTS, "a") as fh:
        for ev in evs or []:
            fh.write(json.dumps(ev) + "\n")
    return run_dir


def test_a_dead_worker_is_reported_as_failed_and_resume_needs_a_checkpoint():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    run_dir = _fake_run({"state": "running", "pid": dead.pid})
    st = store.status(run_dir)
    assert st["state"] == "failed" and "ended without reporting" in st["error"]
    with pytest.raises(DojoError, match="no checkpoint to resume from"):
        control.resume(run_dir.name)
    store.remove_run(run_dir.name[:22])
    assert not run_dir.exists()


def test_an_active_run_cannot_be_removed():
    run_dir = _fake_run({"state": "running", "pid": os.getpid()})
    with pytest.raises(DojoError, match="stop it first"):
        store.remove_run(run_dir.name)


def test_events_reader_keeps_half_lines_and_history_drops_retrained_steps():
    run_dir = _fake_run({"state": "completed"}, [
        {"event": "log", "step": 1, "train/loss": 4.0}, {"event": "log", "step": 2, "train/loss": 3.0},
        {"event": "log", "step": 3, "train/loss": 2.0}, {"event": "resume", "step": 2},
        {"event": "log", "step": 3, "train/loss": 1.9}, {"event": "log", "step": 4, "train/loss": 1.0}])
    with open(run_dir / store.EVENTS, "a") as fh:
        fh.write('{"event": "log", "st')
    from engine.runs.history import RunWatcher

    watcher = RunWatcher(run_dir)
    first = watcher.poll()
    assert len(first.new) == 6 and watcher.offset < (run_dir / store.EVENTS).stat().st_size
    with open(run_dir / store.EVENTS, "a") as fh:
        fh.write('ep": 5, "train/loss": 0.5}\n')
    more = watcher.poll()
    assert [(e.kind, e.step) for e in more.new] == [("log", 5)]
    # the resume from step 2 dropped the first session's step 3: the steps trained again
    assert more.history.series["train/loss"] == [(1, 4.0), (2, 3.0), (3, 1.9), (4, 1.0), (5, 0.5)]
    assert more.history.step == 5


def test_failure_messages_explain_the_fix(tmp_path):
    import errno

    from engine.runs.worker import explain

    disk = explain(OSError(errno.ENOSPC, "No space left on device"), tmp_path, param_bytes=100 * 2**20)
    assert str(tmp_path / "checkpoints") in disk and "about 300 MB" in disk and "free" in disk
    oom = type("OutOfMemoryError", (RuntimeError,), {})("CUDA out of memory. Tried to allocate 2 GiB")
    text = explain(oom, tmp_path)
    for fix in ("--batch-size", "--grad-accum", "--gradient-checkpointing"):
        assert fix in text
