"""Several runs on one box, private state on a shared box, one run over several processes.

Real worker processes, real locks, real torchrun (gloo on the CPU); tiny models.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from engine.errors import DojoError
from engine.runs import control, launcher, store
from engine.runs.faults import SLOW_TEST_ENV

from .test_runs_support import events, keyword_sentiment, tiny_spec, wait_for, wait_state, wait_step

ROOT = Path(__file__).resolve().parents[2]
FINAL = {"completed", "failed", "cancelled"}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return keyword_sentiment(tmp_path / "sentiment.jsonl")


def _waiting(run_id: str) -> dict:
    run_dir = store.find_run(run_id)
    return wait_for(lambda: (s := store.status(run_dir)).get("waiting") and s, 60, f"{run_id} to wait", run_id)


def _processes_of(run_dir: Path) -> list[int]:
    """Live processes whose command line names ``run_dir`` (the worker, torchrun, its ranks)."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(run_dir) in cmd and state not in ("Z", "X"):
            out.append(int(proc.name))
    return out


def _listening_sockets(pids: list[int]) -> list[str]:
    """TCP sockets in LISTEN and bound UDP sockets that belong to ``pids``."""
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            listening = parts[3] == "0A" if table.startswith("tcp") else parts[3] == "07"
            if parts[9] in inodes and listening:
                found.append(f"{table} {parts[1]}")
    return found


# -- several runs on one device --------------------------------------------------------------
@pytest.mark.slow
def test_runs_on_one_device_queue_in_order_and_survive_their_launcher(tiny_llama_dir, data, monkeypatch):
    monkeypatch.setenv(SLOW_TEST_ENV, "0.2")
    first = launcher.start(tiny_spec(tiny_llama_dir, data, max_steps=100_000, device="cpu"))  # until stopped
    wait_step(first, 1, timeout=180)
    # the second run is started by a launcher that then dies with its session (an SSH drop)
    spec = tiny_spec(tiny_llama_dir, data, max_steps=3, device="cpu")
    script = textwrap.dedent(f"""
        import time
        from engine.runs.launcher import start
        from engine.runs.spec import RunSpec
        print(start(RunSpec.from_json({spec.to_json()!r})), flush=True)
        time.sleep(300)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    second = parent.stdout.readline().strip()
    os.killpg(parent.pid, signal.SIGHUP)
    os.killpg(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    third = launcher.start(tiny_spec(tiny_llama_dir, data, max_steps=3, device="cpu"))
    fourth = launcher.start(tiny_spec(tiny_llama_dir, data, max_steps=3, device="cpu"))
    for run_id in (second, third, fourth):
        _waiting(run_id)

    # the list: first holds the CPU; the others wait in the order they were started
    listed = {r.id: r for r in store.list_runs()}
    assert listed[first].state == "running" and listed[first].queue is None
    assert [listed[r].queue["position"] for r in (second, third, fourth)] == [1, 2, 3]
    assert all(listed[r].queue["behind"] == first and listed[r].queue["devices"] == ["cpu"]
               for r in (second, third, fourth))
    assert store.info(store.find_run(fourth)).to_dict()["queue_position"] == 3
    from tui.runs_format import run_row

    assert run_row(listed[third])["position"] == "#2"

    # a queued run neither trains nor listens: its worker waits without torch, and no worker opens a port
    pids = [store.status(store.find_run(r))["pid"] for r in (first, second)]
    assert _listening_sockets(pids + [os.getpid()]) == []

    # stop and rm work on queued runs, at once
    t0 = time.monotonic()
    final = control.stop(third, timeout=30)
    assert final["state"] == "cancelled" and "stopped while queued" in final["error"]
    assert time.monotonic() - t0 < 5 and not _processes_of(store.find_run(third))
    removed = store.remove_run(fourth)
    assert not removed.exists() and not _processes_of(removed)
    assert store.queue_info(store.find_run(second))["position"] == 1

    # --parallel skips the queue: it trains next to the first run
    parallel = launcher.start(tiny_spec(tiny_llama_dir, data, max_steps=3, device="cpu", parallel=True))
    assert wait_state(parallel, FINAL, timeout=240)["state"] == "completed"
    assert store.status(store.find_run(second))["state"] == "queued"  # still waiting for the first

    assert control.stop(first, timeout=120)["state"] == "cancelled"
    assert wait_state(second, FINAL, timeout=300)["state"] == "completed"
    end_first = next(e["t"] for e in events(first) if e["event"] == "cancelled")
    assert next(e["t"] for e in events(second) if e["event"] == "start") > end_first  # it waited its turn
    assert next(e["t"] for e in events(parallel) if e["event"] == "start") < end_first  # it did not

    # the run stopped while queued starts from scratch on resume
    control.resume(third)
    assert wait_state(third, FINAL, timeout=240)["state"] == "completed"
    assert [e["event"] for e in events(third)][0] == "start"


def test_queue_positions_follow_start_order_per_device():
    """Positions from statuses alone: per device, by the time each run joined; dead waiters do not count."""
    from engine.runs.queue import positions

    me = os.getpid()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    statuses = {
        "a": {"state": "running", "devices": ["cuda0"], "pid": me},
        "b": {"state": "queued", "waiting": True, "devices": ["cuda0"], "queued_at": 2.0, "pid": me},
        "c": {"state": "queued", "waiting": True, "devices": ["cuda0", "cuda1"], "queued_at": 1.0, "pid": me},
        "d": {"state": "queued", "waiting": True, "devices": ["cuda1"], "queued_at": 3.0, "pid": me},
        "e": {"state": "queued", "waiting": True, "devices": ["cuda0"], "queued_at": 0.5, "pid": dead.pid},
        "f": {"state": "queued", "waiting": True, "devices": ["cpu"], "queued_at": 9.0, "pid": me},
    }
    got = positions(statuses)
    assert {k: v["position"] for k, v in got.items()} == {"b": 2, "c": 1, "d": 2, "f": 1}
    assert got["b"]["behind"] == "a" and got["d"]["behind"] is None and got["f"]["behind"] is None


def test_processes_are_checked_before_anything_starts(tiny_llama_dir, data):
    with pytest.raises(DojoError, match="only fine-tuning runs"):
        launcher.preflight(tiny_spec(tiny_llama_dir, data).replace(kind="pretrain", processes=2))
    with pytest.raises(DojoError, match="--fsdp shards the model across several processes"):
        launcher.preflight(tiny_spec(tiny_llama_dir, data, fsdp=True, processes=1))
    if not Path("/proc/driver/nvidia/gpus").is_dir():
        with pytest.raises(DojoError, match="no NVIDIA GPU"):
            launcher.preflight(tiny_spec(tiny_llama_dir, data, device="cuda", processes=2))
    assert store.list_runs() == []


# -- private state --------------------------------------------------------------------------
def _modes(home: Path) -> dict[str, str]:
    out = {".": oct(stat.S_IMODE(home.stat().st_mode))}
    for path in home.rglob("*"):
        if not path.is_symlink():
            out[str(path.relative_to(home))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return out


@pytest.mark.slow
def test_state_is_readable_by_its_owner_only(tiny_llama_dir, data, isolated_home):
    """A run (adapter, checkpoints, logs), the progress database and a saved chat, all created
    through the CLI by a process whose umask would make them world-readable (022)."""
    home = isolated_home / "fresh"  # the CLI creates the data dir itself
    env = {**os.environ, "LLM_DOJO_HOME": str(home), "PYTHONPATH": str(ROOT)}
    script = textwrap.dedent(f"""
        import sys
        from tui.cli import app, _register
        _register()
        for argv in ({["train", "lora", "--model", str(tiny_llama_dir), "--data", str(data), "--max-steps", "2",
                       "--max-seq-length", "64", "--save-steps", "1", "--follow"]!r}, ["progress", "--json"]):
            try:
                app(argv, standalone_mode=False)
            except SystemExit as exc:
                assert not exc.code, exc.code
        from engine.chat.conversation import Conversation
        from engine.chat.store import ChatStore
        conv = Conversation()
        conv.add_user("안녕하세요")
        print(ChatStore().save(conv))
    """)
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300, preexec_fn=lambda: os.umask(0o022))
    assert res.returncode == 0, res.stderr[-3000:]
    modes = _modes(home)
    assert any(k.startswith("runs/") and k.endswith("adapter_model.safetensors") for k in modes), sorted(modes)
    assert "progress.sqlite3" in modes and any(k.startswith("chats/") for k in modes), sorted(modes)
    wide = {k: m for k, m in modes.items()
            if m != ("0o700" if (home / k).is_dir() else "0o600")}
    assert wide == {}, wide


def test_removing_a_run_never_follows_a_link_out_of_the_data_dir(tmp_path):
    from engine.runs.spec import RunSpec

    outside = tmp_path / "outside"
    (outside / "precious").mkdir(parents=True)
    (outside / "precious" / "weights.bin").write_bytes(b"keep me")
    (outside / "notes.txt").write_text("keep me too")
    run_dir = store.create_run(RunSpec())
    store.write_status(run_dir, state="completed")
    (run_dir / "model").symlink_to(outside / "precious", target_is_directory=True)
    (run_dir / "notes.txt").symlink_to(outside / "notes.txt")
    store.remove_run(run_dir.name)
    assert not run_dir.exists() and not os.path.lexists(run_dir)
    assert (outside / "precious" / "weights.bin").read_bytes() == b"keep me"
    assert (outside / "notes.txt").read_text() == "keep me too"

    # a run directory that is itself a link elsewhere is not a run; a path is not an id
    fake = outside / "20250101-000000-sft-sentiment-abcd"
    fake.mkdir()
    (fake / store.SPEC).write_text(RunSpec().to_json())
    (fake / store.STATUS).write_text(json.dumps({"state": "completed"}))
    (store.root() / fake.name).symlink_to(fake, target_is_directory=True)
    assert store.all_run_dirs() == []
    with pytest.raises(DojoError):
        store.remove_run(fake.name)
    for escape in (str(fake), "../../outside/" + fake.name, ".."):
        with pytest.raises(store.RunNotFound):
            store.remove_run(escape)
    assert (fake / store.SPEC).exists() and (outside / "precious" / "weights.bin").exists()


# -- one run, two processes ---------------------------------------------------------------------
@pytest.mark.slow
def test_two_processes_match_one_and_stop_and_resume(data, monkeypatch):
    """dojo-tiny on two CPU processes (gloo), 8 examples each, against one process with 16: the same
    global batches, so the same losses; then a stop mid-run, a resume, and the same losses again."""
    common = dict(max_steps=12, device="cpu", eval_on_start=False, keep_best=False, eval_steps=1000,
                  save_steps=1000, lr=1e-3)
    one = launcher.start(tiny_spec("dojo-tiny", data, batch_size=16, processes=1, **common))
    assert wait_state(one, FINAL, timeout=300)["state"] == "completed"
    monkeypatch.setenv(SLOW_TEST_ENV, "0.3")
    two = launcher.start(tiny_spec("dojo-tiny", data, batch_size=8, processes=2, **common))
    wait_step(two, 3, timeout=300)
    run_dir = store.find_run(two)
    assert len(_processes_of(run_dir)) >= 4  # worker, torchrun, two ranks
    final = control.stop(two, timeout=120)
    assert final["state"] == "cancelled" and "checkpoint saved" in final["error"], final
    assert wait_for(lambda: not _processes_of(run_dir), 20, "every process of the run to end")
    stopped = next(e["step"] for e in events(two) if e["event"] == "stopping")
    assert (run_dir / "checkpoints" / f"checkpoint-{stopped}" / "rng_state_1.pth").exists()  # both ranks' RNG
    assert stopped < 12
    monkeypatch.delenv(SLOW_TEST_ENV)
    control.resume(two)
    done = wait_state(two, FINAL, timeout=300)
    assert done["state"] == "completed" and done["processes"] == 2, done
    assert (run_dir / "model" / "config.json").exists()

    def losses(run_id: str) -> dict[int, float]:
        out = {}
        for e in events(run_id):
            if e["event"] == "resume":
                out = {k: v for k, v in out.items() if k <= e["step"]}
            if e["event"] == "log":
                out[e["step"]] = e["train/loss"]
        return out

    a, b = losses(one), losses(two)
    assert sorted(a) == sorted(b) == list(range(1, 13))
    assert max(abs(a[k] - b[k]) for k in a) < 1e-3 * max(abs(v) for v in a.values()), (a, b)
    starts = [e for e in events(two) if e["event"] in ("start", "resume")]
    assert [e["event"] for e in starts] == ["start", "resume"] and starts[1]["step"] == stopped
