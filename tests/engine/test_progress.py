"""ProgressStore: round trips, restarts, WAL, damaged and locked files, reset, settings."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from engine.course.progress import (ProgressCorrupt, ProgressError, ProgressLocked, ProgressStore,
                                    SCHEMA_VERSION)
from engine.paths import progress_db


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("LLM_DOJO_HOME", str(tmp_path / "home"))
    return progress_db()


def fill(store: ProgressStore) -> None:
    store.set_step("tokenizers", 2)
    store.record_answer("tokenizers", "q1", "1", True)
    store.record_answer("tokenizers", "q2", "0.5", False)
    store.add_time("tokenizers", 30.5)
    store.add_time("tokenizers", 10)


def test_round_trip(db):
    store = ProgressStore(db)
    assert db.parent.is_dir()
    fresh = store.get("tokenizers")
    assert (fresh.status, fresh.current_step, fresh.quiz_answered, fresh.answers) == ("not_started", 0, 0, {})
    fill(store)
    p = store.get("tokenizers")
    assert p.current_step == 2 and not p.completed
    assert p.time_spent_s == pytest.approx(40.5)
    assert p.answers == {"q1": ("1", True), "q2": ("0.5", False)}
    assert (p.quiz_correct, p.quiz_answered, p.status) == (1, 2, "in_progress")
    assert p.updated_at == pytest.approx(time.time(), abs=60)
    store.record_answer("tokenizers", "q2", "0.25", True)  # a later answer replaces the earlier one
    assert store.get("tokenizers").answers["q2"] == ("0.25", True)
    store.mark_done("tokenizers")
    assert store.get("tokenizers").status == "done"
    assert set(store.all()) == {"tokenizers"}
    assert store.last_lesson() == "tokenizers"
    store.close()


def test_status_rules(db):
    with ProgressStore(db) as store:
        store.set_step("a", 0)
        store.add_time("b", 1)
        store.record_answer("c", "q1", "x", False)
        store.set_step("d", 1)
        assert {k: v.status for k, v in store.all().items()} == {
            "a": "not_started", "b": "in_progress", "c": "in_progress", "d": "in_progress"}
        assert store.last_lesson() == "d"
        store.set_step("a", 3)
        assert store.last_lesson() == "a"


def test_survives_restart(db):
    store = ProgressStore(db)
    fill(store)
    store.set_setting("lang", "en")
    store.close()
    again = ProgressStore(db)
    p = again.get("tokenizers")
    assert (p.current_step, p.quiz_correct, p.quiz_answered) == (2, 1, 2)
    assert p.time_spent_s == pytest.approx(40.5)
    assert again.get_setting("lang") == "en"
    assert again.last_lesson() == "tokenizers"
    again.close()


def test_wal_mode_and_schema_version(db):
    ProgressStore(db).close()
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    raw.close()


def test_two_stores_share_one_file(db):
    """The TUI writes while the CLI reads: both see the same data."""
    writer, reader = ProgressStore(db), ProgressStore(db)
    writer.set_step("x", 4)
    assert reader.get("x").current_step == 4
    writer.close()
    reader.close()


def test_usable_from_a_worker_thread(db):
    store = ProgressStore(db)
    worker = threading.Thread(target=store.set_step, args=("x", 1))
    worker.start()
    worker.join()
    assert store.get("x").current_step == 1
    store.close()


def test_bad_values_are_bugs(db):
    with ProgressStore(db) as store:
        for bad in (-1, 1.5, True):
            with pytest.raises(ValueError):
                store.set_step("x", bad)
        for bad in (-1, float("nan"), float("inf")):
            with pytest.raises(ValueError):
                store.add_time("x", bad)
        with pytest.raises(TypeError):
            store.set_setting("lang", 1)
        assert store.all() == {}


def test_garbage_file_is_corrupt(db):
    db.parent.mkdir(parents=True)
    db.write_bytes(os.urandom(3000))
    with pytest.raises(ProgressCorrupt) as info:
        ProgressStore(db)
    message = str(info.value)
    assert str(db) in message and "damaged" in message
    assert "back it up" in message and "start fresh" in message
    assert info.value.path == db and info.value.backup_path is None


def test_truncated_file_is_corrupt(db):
    store = ProgressStore(db)
    for i in range(200):
        store.record_answer(f"lesson-{i % 10}", f"q{i}", "an answer " * 20, i % 2 == 0)
    store.close()
    data = db.read_bytes()
    assert len(data) > 3 * 4096
    db.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProgressCorrupt):
        ProgressStore(db)


def test_foreign_database_is_not_ours(db):
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as raw:
        raw.execute("CREATE TABLE photos (id INTEGER)")
    raw.close()
    with pytest.raises(ProgressCorrupt, match="not an LLM Dojo progress file"):
        ProgressStore(db)


def test_newer_schema_is_refused_not_called_corrupt(db):
    ProgressStore(db).close()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    raw.close()
    with pytest.raises(ProgressError, match="newer LLM Dojo") as info:
        ProgressStore(db)
    assert not isinstance(info.value, ProgressCorrupt)


def test_recover_keeps_a_backup_and_starts_fresh(db):
    db.parent.mkdir(parents=True)
    garbage = os.urandom(3000)
    db.write_bytes(garbage)
    store = ProgressStore.recover(db)
    backup = store.backup_path
    assert backup is not None and backup.parent == db.parent
    assert re.fullmatch(r"progress\.sqlite3\.corrupt-\d{8}-\d{6}\.bak", backup.name)
    assert backup.read_bytes() == garbage
    assert store.all() == {} and store.last_lesson() is None
    store.set_step("x", 1)
    store.close()
    assert ProgressStore(db).get("x").current_step == 1
    # A second recovery in the same second gets its own name; the first backup stays.
    db.write_bytes(garbage)
    second = ProgressStore.recover(db)
    assert second.backup_path != backup and backup.exists() and second.backup_path.exists()
    second.close()


def hold_exclusive_lock(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    return other


def test_locked_at_open(db):
    ProgressStore(db).close()
    other = hold_exclusive_lock(db)
    try:
        with pytest.raises(ProgressLocked) as info:
            ProgressStore(db, busy_timeout_s=0.2)
        assert str(info.value) == (f"the progress file {db} is locked by another LLM Dojo; "
                                   f"close it and try again")
    finally:
        other.rollback()
        other.close()
    ProgressStore(db).close()  # usable again once the lock is gone


def test_locked_write_raises_and_leaves_nothing_half_done(db):
    store = ProgressStore(db, busy_timeout_s=0.2)
    store.set_step("x", 1)
    other = hold_exclusive_lock(db)
    try:
        with pytest.raises(ProgressLocked):
            store.set_step("x", 5)
        with pytest.raises(ProgressLocked):
            store.reset()
        assert store.get("x").current_step == 1  # WAL: reading still works
    finally:
        other.rollback()
        other.close()
    store.set_step("x", 5)
    assert store.get("x").current_step == 5
    store.close()


def test_short_lock_is_waited_out(db):
    """A lock released within the busy timeout is not an error."""
    store = ProgressStore(db)
    other = hold_exclusive_lock(db)
    timer = threading.Timer(0.3, other.rollback)
    timer.start()
    try:
        started = time.monotonic()
        store.set_step("x", 2)
        assert time.monotonic() - started >= 0.2
    finally:
        timer.join()
        other.close()
    assert store.get("x").current_step == 2
    store.close()


def test_reset_wipes_progress_and_keeps_settings(db):
    store = ProgressStore(db)
    fill(store)
    store.set_setting("theme", "dark")
    store.reset()
    assert store.all() == {} and store.last_lesson() is None
    assert store.get("tokenizers").status == "not_started"
    assert store.get_setting("theme") == "dark"
    store.close()


def test_settings(db):
    store = ProgressStore(db)
    assert store.get_setting("lang") is None
    assert store.get_setting("lang", "ko") == "ko"
    store.set_setting("lang", "en")
    store.set_setting("lang", "ko")
    store.set_setting("theme", "light")
    assert (store.get_setting("lang"), store.get_setting("theme")) == ("ko", "light")
    store.close()
    with ProgressStore(db) as again:
        assert again.get_setting("lang") == "ko"
