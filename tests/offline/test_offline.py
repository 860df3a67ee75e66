"""The offline guarantee: with HF_HUB_OFFLINE=1 no command makes a network connection attempt.

Every command below runs as a real process with ``netguard/`` on PYTHONPATH, whose
``sitecustomize`` makes each connection attempt (TCP/UDP connect, DNS lookup) fail and
log itself; the run worker a ``train`` command spawns inherits it. The log must stay
empty. A canary proves the guard is live, so the test can fail. A second test runs
commands inside an empty network namespace (``unshare -rn``, where available), which
also catches native code that bypasses Python's socket module.

``doctor`` says whether the machine is online: with HF_HUB_OFFLINE=1 without asking the
network at all; without it, with one bounded probe that never hangs.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_helpers import ROOT

GUARD = Path(__file__).resolve().parent / "netguard"


def guarded(*args: str, log: Path, offline: bool = True, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(GUARD), str(ROOT)]), "LLM_DOJO_NET_LOG": str(log)}
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    else:
        env.pop("HF_HUB_OFFLINE", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)


def attempts(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_the_guard_is_live(tmp_path):
    log = tmp_path / "net.log"
    res = guarded("-c", "import socket\ntry:\n socket.create_connection(('huggingface.co', 443), timeout=1)\n"
                        "except OSError as e:\n print('blocked', e.errno)", log=log)
    assert "blocked" in res.stdout, res.stderr
    assert len(attempts(log)) == 1 and "huggingface.co" in attempts(log)[0]


COMMANDS = [
    ("--version",),
    ("doctor", "--json"),
    ("progress", "--json"),
    ("runs", "--json"),
    ("tokenize", "안녕하세요, tokenizer!", "--json"),
    ("tokenizer", "steps", "--algo", "wordpiece", "--steps", "3", "--json"),
    ("generate", "the cat", "-n", "4", "--json"),
    ("chat-template", "--user", "안녕", "--json"),
    ("inspect", "dojo-tiny", "--json"),
    ("score", "the cat sat", "--json"),
    ("hub", "search", "llama", "--json"),
    ("hub", "card", "gpt2"),
]


@pytest.mark.slow
def test_cli_commands_make_no_network_attempt(tmp_path):
    log = tmp_path / "net.log"
    said = {}
    for args in COMMANDS:
        res = guarded("-m", "tui.cli", *args, log=log)
        assert res.returncode in (0, 2), (args, res.stderr[-2000:])
        if res.returncode == 2:  # a refusal is one line that says why (the hub, offline)
            lines = [line for line in res.stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and "HF_HUB_OFFLINE" in lines[0], (args, res.stderr)
        assert attempts(log) == [], (args, attempts(log))
        said[args[0]] = res.stdout
    network = next(c for c in json.loads(said["doctor"]) if c["name"] == "network")
    assert network["status"] == "degraded" and "offline" in network["value"]


@pytest.mark.slow
def test_a_training_run_makes_no_network_attempt(tmp_path, tiny_llama_dir):
    from tests.engine.test_runs_support import keyword_sentiment

    log = tmp_path / "net.log"
    data = keyword_sentiment(tmp_path / "kw.jsonl", n=24)
    res = guarded("-m", "tui.cli", "train", "sft", "--model", str(tiny_llama_dir), "--data", str(data), "--max-steps",
                  "2", "--max-seq-length", "64", "--save-steps", "1", "--eval-steps", "2", "--follow", log=log)
    assert res.returncode == 0 and "completed" in res.stdout + res.stderr, res.stdout[-1500:] + res.stderr[-1500:]
    assert attempts(log) == []
    from engine.runs import store

    (run,) = store.all_run_dirs()
    assert "worker priority" in (run / store.LOG).read_text()  # the worker ran under the guard too


def test_doctor_probe_online_is_bounded_and_says_offline(tmp_path):
    """Without HF_HUB_OFFLINE, doctor probes the hub once; a dead network answers 'unreachable' at once."""
    log = tmp_path / "net.log"
    started = time.monotonic()
    res = guarded("-m", "tui.cli", "doctor", "--json", log=log, offline=False)
    assert res.returncode == 0, res.stderr
    assert time.monotonic() - started < 60
    network = next(c for c in json.loads(res.stdout) if c["name"] == "network")
    assert network["status"] == "degraded" and "unreachable" in network["value"] and network["fix"]
    assert attempts(log) and all("huggingface.co" in a for a in attempts(log))  # the probe, and only it


def test_hub_probe_never_hangs(monkeypatch):
    from engine import doctor

    def stuck(*args, **kwargs):  # a black-holed network: no answer, no refusal
        time.sleep(5)
        raise OSError("timed out")

    monkeypatch.setattr(socket, "create_connection", stuck)
    started = time.monotonic()
    assert doctor.hub_reachable(timeout=0.3) is False
    assert time.monotonic() - started < 2.0


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("unshare") is None or
                    subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode != 0,
                    reason="no user network namespaces here")
def test_commands_work_in_an_empty_network_namespace(tmp_path):
    """No network device at all (only a down loopback): native code cannot reach out either."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    for args in (("generate", "the cat", "-n", "3", "--json"), ("tokenize", "hello", "--json")):
        res = subprocess.run(["unshare", "-rn", sys.executable, "-m", "tui.cli", *args], capture_output=True,
                             text=True, cwd=ROOT, env=env, timeout=240)
        assert res.returncode == 0, (args, res.stderr[-1500:])
    env.pop("HF_HUB_OFFLINE")
    started = time.monotonic()
    res = subprocess.run(["unshare", "-rn", sys.executable, "-m", "tui.cli", "doctor", "--json"], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=240)
    assert res.returncode == 0, res.stderr[-1500:]
    assert next(c for c in json.loads(res.stdout) if c["name"] == "network")["status"] == "degraded"
    assert time.monotonic() - started < 90
