"""A torn last line in ``events.jsonl`` (a crash in the middle of a write), and a corrupt
line in the middle: every reader skips them and shows the run from its complete lines."""

from __future__ import annotations

import json

from engine.runs import store
from engine.runs.spec import RunSpec

from .helpers import BUDGET_S, dojo, fault


@fault("torn_events")
def test_torn_last_line_is_skipped_and_the_run_still_shows():
    run_dir = store.create_run(RunSpec())
    good = [{"event": "start", "t": 1.0, "step": 0, "total": 6}] + \
        [{"event": "log", "t": 1.0 + i, "step": i, "total": 6, "train/loss": 3.0 - i / 3} for i in range(1, 5)]
    with open(run_dir / store.EVENTS, "wb") as fh:
        for i, e in enumerate(good):
            fh.write(json.dumps(e).encode() + b"\n")
            if i == 2:
                fh.write(b'{"event": "log", "st\xff\xfe garbage\n')  # a corrupt line in the middle
        fh.write(b'{"event": "log", "t": 9.0, "step": 5, "total": 6, "train/lo')  # torn: no newline
    store.write_status(run_dir, state="cancelled", ended=2.0, error="stopped at step 4/6")
    before = (run_dir / store.EVENTS).read_bytes()

    res = dojo("runs", "--json")
    assert res.returncode == 0 and res.cpu < BUDGET_S, res.stderr
    row = {r["id"]: r for r in json.loads(res.stdout)}[run_dir.name]
    assert (row["step"], row["total"], round(row["loss"], 4)) == (4, 6, round(3.0 - 4 / 3, 4))
    shown = dojo("runs", "attach", run_dir.name)
    assert shown.returncode in (0, 1) and "4/6" in shown.stdout + shown.stderr, shown.stdout + shown.stderr
    assert "Traceback" not in shown.stderr
    assert (run_dir / store.EVENTS).read_bytes() == before  # readers never rewrite the file

    from engine.runs.events import EventWriter, read_events

    writer = EventWriter(run_dir / store.EVENTS)  # what a resumed worker does first
    writer.emit("resume", 4, 6)
    writer.close()
    evs, _ = read_events(run_dir / store.EVENTS)
    assert [(e.kind, e.step) for e in evs][-2:] == [("log", 4), ("resume", 4)]
