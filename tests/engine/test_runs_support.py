"""Helpers shared by the run-system and SFT tests (no tests here): a learnable dataset, specs,
waiting, process checks."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from engine.runs import store
from engine.runs.spec import RunSpec

POS = ["great", "wonderful", "lovely", "excellent", "superb", "delightful"]
NEG = ["awful", "terrible", "boring", "dreadful", "horrible", "dull"]
NOUNS = ["film", "plot", "cast", "music", "ending", "story", "acting", "script"]
TEMPLATES = ["the {n} was {a}", "a {a} {n} overall", "what a {a} {n}", "honestly the {n} felt {a}"]


def keyword_sentiment(path: Path, n: int = 160, seed: int = 0) -> Path:
    """Sentences whose label follows from one adjective: learnable by a tiny model in seconds,
    with a held-out split (every fifth row) that shares words but not sentences."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = "pos" if i % 2 else "neg"  # short label words: the deciding token weighs more in the loss
        adj = rng.choice(POS if label == "pos" else NEG)
        text = rng.choice(TEMPLATES).format(n=rng.choice(NOUNS), a=adj)
        rows.append({"text": text, "label": label, "split": "test" if i % 5 == 0 else "train"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def tiny_spec(model: Path, data: Path, **changes) -> RunSpec:
    base = dict(task="sentiment", model=str(model), dataset=str(data), epochs=8, lr=1e-2, batch_size=16,
                max_seq_length=64, logging_steps=1, eval_steps=1000, save_steps=1000)
    base.update(changes)
    return RunSpec(**base)


def events(run_id: str) -> list[dict]:
    """The run's events as the JSON objects written to events.jsonl."""
    from engine.runs.events import read_events

    return [e.to_dict() for e in read_events(store.find_run(run_id) / store.EVENTS)[0]]


def wait_for(predicate, timeout: float = 120.0, what: str = "condition", run_id: str | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    log = ""
    if run_id:
        log = (store.find_run(run_id) / store.LOG).read_text(errors="replace")[-3000:]
    raise AssertionError(f"timed out waiting for {what}\n{log}")


def wait_state(run_id: str, states: set[str], timeout: float = 120.0) -> dict:
    run_dir = store.find_run(run_id)
    return wait_for(lambda: (s := store.status(run_dir)).get("state") in states and s, timeout,
                    f"state in {states}", run_id)


def wait_step(run_id: str, step: int, timeout: float = 120.0) -> int:
    return wait_for(lambda: max((e.get("step", 0) for e in events(run_id) if e.get("event") == "log"), default=0)
                    >= step, timeout, f"step {step}", run_id)


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is ``pgid``."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            out.append(int(proc.name))
    return out
