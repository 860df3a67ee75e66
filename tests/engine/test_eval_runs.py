"""Evaluation as a run kind (issue 15): scores kept as they come, a stopped run resumes
from the last scored item and ends with the same numbers as an uninterrupted one."""

from __future__ import annotations

import json
import threading
import time

import pytest

from engine.errors import DojoError
from engine.evaluation.api import Candidate, evaluate_candidates
from engine.evaluation.cache import ItemCache, active, using
from engine.evaluation.config import EvalConfig
from engine.runs import control, launcher, store
from engine.runs.events import read_events
from engine.runs.spec import RunSpec


def test_cache_skips_a_torn_line_and_keeps_the_rest(tmp_path):
    path = tmp_path / "0.jsonl"
    cache = ItemCache(path, label="m")
    cache.put(cache.key("ll", [1], [2], 8), [-1.0, True, 1, False])
    cache.put(cache.key("ll", [1], [3], 8), [-2.0, False, 1, False])
    cache.close()
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"k": "abc", "v": [')  # killed in the middle of a write
    again = ItemCache(path, label="m")
    assert again.torn == 1 and len(again.values) == 2
    again.put("x", 1)
    again.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in lines)  # the torn tail was cut before appending
    assert ItemCache(path, label="m").values["x"] == 1


def test_cache_of_another_candidate_is_refused(tmp_path):
    ItemCache(tmp_path / "0.jsonl", label="dojo-tiny").close()
    with pytest.raises(DojoError, match="belong to 'dojo-tiny'"):
        ItemCache(tmp_path / "0.jsonl", label="other-model")


def test_using_sets_and_resets_the_active_cache(tmp_path):
    assert active() is None
    with using(ItemCache(tmp_path / "c.jsonl", label="m")) as cache:
        assert active() is cache
    assert active() is None


@pytest.mark.parametrize("task", ["multiple_choice", "generation"])
def test_a_stopped_evaluation_resumes_and_matches_an_uninterrupted_one(tmp_path, task):
    config = EvalConfig(task=task, limit=12, batch_size=2, bootstrap=0)
    whole = evaluate_candidates([Candidate("dojo-tiny")], config)
    cancel = threading.Event()
    seen = []

    def stop_after_a_few(event) -> None:
        seen.append(event.done)
        if event.stage == "score" and event.done >= 4:
            cancel.set()

    with pytest.raises(DojoError, match="stopped|cancel"):
        evaluate_candidates([Candidate("dojo-tiny")], config, on_progress=stop_after_a_few, cancel=cancel,
                            cache_dir=tmp_path)
    kept = ItemCache(tmp_path / "0.jsonl", label="dojo-tiny").values
    assert 4 <= len(kept) < (12 * 4 if task == "multiple_choice" else 12)
    resumed = evaluate_candidates([Candidate("dojo-tiny")], config, cache_dir=tmp_path)
    assert resumed.results[0].extra["scores_reused"] == len(kept)
    for a, b in zip(whole.results[0].metrics, resumed.results[0].metrics):
        assert a.name == b.name and a.value == pytest.approx(b.value, abs=1e-9)
    assert [i.get("pred") for i in whole.results[0].items] == [i.get("pred") for i in resumed.results[0].items]


def _wait(run_dir, timeout=120.0):
    deadline = time.monotonic() + timeout
    while store.status(run_dir).get("state") in store.ACTIVE and time.monotonic() < deadline:
        time.sleep(0.2)
    return store.status(run_dir)


def test_eval_run_stops_and_resumes_through_the_run_system():
    config = EvalConfig(task="classification", limit=16, batch_size=1, bootstrap=0)
    spec, summary = launcher.prepare(RunSpec(kind="eval", task="classification", eval_config=config.to_dict()))
    assert summary["items"] == 16 and summary["candidates"] == 1
    run_dir = store.create_run(spec)
    (run_dir / store.STOP).touch()  # a stop asked before the first score: the run ends cancelled
    launcher.spawn(run_dir)
    st = _wait(run_dir)
    assert st["state"] == "cancelled", st
    assert "llm-dojo runs resume" in st["error"]
    assert control.resumable(run_dir)
    control.resume(run_dir.name)
    st = _wait(run_dir)
    assert st["state"] == "completed", st
    result = json.loads((store.find_run(run_dir.name) / "results").glob("*/result.json").__next__()
                        .read_text(encoding="utf-8"))
    direct = evaluate_candidates([Candidate("dojo-tiny")], config).results[0]
    got = {m["name"]: m["value"] for m in result["results"][0]["metrics"]}
    for m in direct.metrics:
        assert got[m.name] == pytest.approx(m.value, abs=1e-9)
    events, _ = read_events(run_dir / store.EVENTS)
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and "cancelled" in kinds and "resume" in kinds and kinds[-1] == "done"
    assert events[-1].step == events[-1].total == 16


def test_bad_eval_run_settings_fail_before_anything_starts(tmp_path):
    with pytest.raises(DojoError, match="not known"):
        RunSpec(kind="eval", eval_config={"tsk": "perplexity"}).validate()
    with pytest.raises(DojoError, match="--limit"):
        RunSpec(kind="eval", eval_config={"limit": -3}).validate()
    bad = tmp_path / "mc.jsonl"
    bad.write_text('{"question": "q", "choices": ["a", "b"], "answer": 0}\nnot json\n', encoding="utf-8")
    with pytest.raises(DojoError, match=r"mc\.jsonl line 2"):
        launcher.prepare(RunSpec(kind="eval", eval_config={"task": "multiple_choice", "data": str(bad)}))
    with pytest.raises(DojoError, match="no adapter folder"):
        launcher.prepare(RunSpec(kind="eval", adapters=(str(tmp_path / "nowhere"),), eval_config={}))
    assert store.all_run_dirs() == []  # nothing was created
