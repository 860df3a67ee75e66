"""What a learner has done: steps read, quiz answers, time spent, settings.

One small SQLite file (``engine.paths.progress_db()``), stdlib ``sqlite3`` only.
Why it is shaped this way:

* WAL journal mode, so the CLI can read progress while the TUI writes it.
* Every write is one ``BEGIN IMMEDIATE`` transaction inside ``with conn:`` (commit
  or roll back as a whole), so a crash never leaves half an update behind.
* A busy timeout (1 s) rides out short contention; a lock held longer means another
  LLM Dojo is stuck on the file, and that becomes :class:`ProgressLocked`, a
  message that says what to do, instead of a traceback.
* A damaged file (garbage bytes, a truncated copy) is detected on open with
  ``PRAGMA quick_check`` and becomes :class:`ProgressCorrupt`; nothing is deleted
  behind the user's back: only :meth:`ProgressStore.recover`, called after the user
  agrees, moves the file aside to a timestamped ``.bak`` and starts fresh.
* A ``schema_version`` table plus ordered migrations lets later versions add tables
  without losing anyone's progress; a file from a newer LLM Dojo is refused.
* One connection shared by the TUI's worker threads, serialised by a lock
  (``check_same_thread=False``), since workers call the engine off the main thread.

Tables::

    lessons(lesson_id, current_step, completed, time_spent_s, updated_at)
    answers(lesson_id, question_id, response, correct, answered_at)   latest answer wins
    settings(key, value)       user preferences ("lang", "theme"); reset() keeps them
    state(key, value)          app bookkeeping ("last_lesson")
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DojoError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 1.0

# MIGRATIONS[n] takes a file from version n-1 to n. Append, never edit.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "CREATE TABLE lessons (lesson_id TEXT PRIMARY KEY, current_step INTEGER NOT NULL DEFAULT 0,"
        " completed INTEGER NOT NULL DEFAULT 0, time_spent_s REAL NOT NULL DEFAULT 0,"
        " updated_at REAL NOT NULL)",
        "CREATE TABLE answers (lesson_id TEXT NOT NULL, question_id TEXT NOT NULL,"
        " response TEXT NOT NULL, correct INTEGER NOT NULL, answered_at REAL NOT NULL,"
        " PRIMARY KEY (lesson_id, question_id))",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
}

_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


@dataclass(frozen=True)
class LessonProgress:
    lesson_id: str
    current_step: int = 0
    completed: bool = False
    time_spent_s: float = 0.0
    answers: dict[str, tuple[str, bool]] = field(default_factory=dict)
    quiz_correct: int = 0
    quiz_answered: int = 0
    updated_at: float = 0.0
    status: str = "not_started"


@dataclass(frozen=True)
class QuizScore:
    """A lesson's quiz as the map and ``llm-dojo progress`` both show it."""

    correct: int
    answered: int
    total: int

    @property
    def text(self) -> str:
        """``"4/5"`` (right out of the lesson's questions), or ``"-"`` before any answer."""
        return f"{self.correct}/{self.total}" if self.answered else "-"


def quiz_score(lesson: object, progress: LessonProgress | None) -> QuizScore:
    """Right and answered counts over the lesson's *current* questions.

    The one place the score is computed: answers to questions an update removed do
    not count, so the course map and the CLI can never disagree.
    """
    questions = getattr(lesson, "questions", ())
    ids = {q.id for q in questions}
    answers = progress.answers if progress is not None else {}
    kept = [ok for qid, (_, ok) in answers.items() if qid in ids]
    return QuizScore(correct=sum(kept), answered=len(kept), total=len(questions))


def _status(current_step: int, completed: bool, time_spent_s: float, answered: int) -> str:
    if completed:
        return "done"
    if current_step > 0 or answered > 0 or time_spent_s > 0:
        return "in_progress"
    return "not_started"


class ProgressError(DojoError):
    """The progress file cannot be used; the message says why and what to do."""


class ProgressCorrupt(ProgressError):
    def __init__(self, path: Path, detail: str = "") -> None:
        self.path = Path(path)
        self.backup_path: Path | None = None
        why = f" ({detail})" if detail else ""
        super().__init__(
            f"the progress file {self.path} is damaged{why}; LLM Dojo can back it up to a "
            f".bak file next to it and start fresh"
        )


class ProgressLocked(ProgressError):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        super().__init__(f"the progress file {self.path} is locked by another LLM Dojo; "
                         f"close it and try again")


class ProgressStore:
    """The progress database at ``path``, opened (and created or migrated) on construction."""

    def __init__(self, path: Path, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.backup_path: Path | None = None  # set by recover(): where the damaged file went
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProgressError(f"cannot create {self.path.parent} ({exc.strerror or exc}); "
                                f"fix its permissions or set LLM_DOJO_HOME") from None
        try:
            self._conn = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        try:
            self._open()
        except BaseException:
            self._conn.close()
            raise

    @classmethod
    def recover(cls, path: Path, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> ProgressStore:
        """Move a damaged file to ``<name>.corrupt-<timestamp>.bak`` (kept) and start fresh.

        Call only after the user agreed. ``store.backup_path`` says where the old file went.
        """
        path = Path(path)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.corrupt-{stamp}.bak")
        n = 1
        while backup.exists():
            n += 1
            backup = path.with_name(f"{path.name}.corrupt-{stamp}-{n}.bak")
        moved = False
        try:
            if path.exists():
                os.replace(path, backup)
                moved = True
            for suffix in ("-wal", "-journal"):  # keep them beside the backup: it stays openable
                side = path.with_name(path.name + suffix)
                if side.exists():
                    os.replace(side, backup.with_name(backup.name + suffix))
            path.with_name(path.name + "-shm").unlink(missing_ok=True)
        except OSError as exc:
            raise ProgressError(f"cannot move the damaged progress file {path} aside "
                                f"({exc.strerror or exc}); close other LLM Dojo windows or move "
                                f"it yourself") from None
        store = cls(path, busy_timeout_s=busy_timeout_s)
        store.backup_path = backup if moved else None
        return store

    # -- reading ---------------------------------------------------------------------

    def get(self, lesson_id: str) -> LessonProgress:
        """Progress of one lesson (a not-started default if it was never opened)."""
        with self._read() as conn:
            row = conn.execute("SELECT current_step, completed, time_spent_s, updated_at FROM lessons"
                               " WHERE lesson_id = ?", (lesson_id,)).fetchone()
            answers = conn.execute("SELECT question_id, response, correct FROM answers"
                                   " WHERE lesson_id = ?", (lesson_id,)).fetchall()
        return _progress(lesson_id, row, answers)

    def all(self) -> dict[str, LessonProgress]:
        """Every lesson with any recorded progress, by id."""
        with self._read() as conn:
            rows = conn.execute("SELECT lesson_id, current_step, completed, time_spent_s, updated_at"
                                " FROM lessons ORDER BY lesson_id").fetchall()
            answers = conn.execute("SELECT lesson_id, question_id, response, correct FROM answers"
                                   ).fetchall()
        by_lesson: dict[str, list[tuple]] = {}
        for lesson_id, *answer in answers:
            by_lesson.setdefault(lesson_id, []).append(tuple(answer))
        return {r[0]: _progress(r[0], r[1:], by_lesson.get(r[0], [])) for r in rows}

    def last_lesson(self) -> str | None:
        """The id of the most recently opened lesson (via :meth:`set_step`)."""
        with self._read() as conn:
            row = conn.execute("SELECT value FROM state WHERE key = 'last_lesson'").fetchone()
        return row[0] if row else None

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    # -- writing (each method is one transaction) --------------------------------------

    def set_step(self, lesson_id: str, step: int) -> None:
        """Remember the step being read (0-based); also marks the lesson as last opened."""
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ValueError(f"step must be an integer >= 0, not {step!r}")
        with self._write() as conn:
            self._touch(conn, lesson_id)
            conn.execute("UPDATE lessons SET current_step = ? WHERE lesson_id = ?", (step, lesson_id))
            conn.execute("INSERT INTO state (key, value) VALUES ('last_lesson', ?)"
                         " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (lesson_id,))

    def record_answer(self, lesson_id: str, question_id: str, response: str, correct: bool) -> None:
        """Store an answer; a later answer to the same question replaces it."""
        with self._write() as conn:
            self._touch(conn, lesson_id)
            conn.execute(
                "INSERT INTO answers (lesson_id, question_id, response, correct, answered_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(lesson_id, question_id) DO UPDATE SET"
                " response = excluded.response, correct = excluded.correct,"
                " answered_at = excluded.answered_at",
                (lesson_id, question_id, str(response), int(bool(correct)), time.time()),
            )

    def mark_done(self, lesson_id: str) -> None:
        with self._write() as conn:
            self._touch(conn, lesson_id)
            conn.execute("UPDATE lessons SET completed = 1 WHERE lesson_id = ?", (lesson_id,))

    def add_time(self, lesson_id: str, seconds: float) -> None:
        """Add reading/lab time to a lesson (seconds >= 0)."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                or not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, not {seconds!r}")
        with self._write() as conn:
            self._touch(conn, lesson_id)
            conn.execute("UPDATE lessons SET time_spent_s = time_spent_s + ? WHERE lesson_id = ?",
                         (float(seconds), lesson_id))

    def set_setting(self, key: str, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"setting values are strings, not {type(value).__name__}")
        with self._write() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                         " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def reset(self) -> None:
        """Wipe all progress and answers; settings (language, theme) are kept."""
        with self._write() as conn:
            for table in ("lessons", "answers", "state"):
                conn.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------

    def _open(self) -> None:
        with self._guard():
            self._conn.execute("PRAGMA journal_mode = WAL").fetchone()
            self._conn.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL
            problems = [r[0] for r in self._conn.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise ProgressCorrupt(self.path, "; ".join(problems[:2]))
        self._migrate()

    def _migrate(self) -> None:
        with self._write() as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "schema_version" in tables:
                row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
                if row[0] is None:
                    raise ProgressCorrupt(self.path, "its schema version is missing")
                version = row[0]
            elif tables:
                raise ProgressCorrupt(self.path, "it is not an LLM Dojo progress file")
            else:
                version = 0
            if version > SCHEMA_VERSION:
                raise ProgressError(
                    f"the progress file {self.path} was written by a newer LLM Dojo (format "
                    f"{version}; this one reads up to {SCHEMA_VERSION}); update LLM Dojo"
                )
            if version == SCHEMA_VERSION:
                return
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step]:
                    conn.execute(statement)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))

    @staticmethod
    def _touch(conn: sqlite3.Connection, lesson_id: str) -> None:
        conn.execute("INSERT INTO lessons (lesson_id, updated_at) VALUES (?, ?)"
                     " ON CONFLICT(lesson_id) DO UPDATE SET updated_at = excluded.updated_at",
                     (lesson_id, time.time()))

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""
        with self._lock, self._guard(), self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            yield self._conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction, so multi-query reads see a single snapshot."""
        with self._lock, self._guard(), self._conn:
            self._conn.execute("BEGIN")
            yield self._conn

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.IntegrityError):
            raise  # bugs stay bugs
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: sqlite3.Error) -> ProgressError:
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(exc)
        if primary in _BUSY_CODES or "locked" in text:
            return ProgressLocked(self.path)
        if primary in _CORRUPT_CODES or "malformed" in text or "not a database" in text:
            return ProgressCorrupt(self.path, text)
        return ProgressError(f"cannot use the progress file {self.path} ({text}); check the disk "
                             f"and the file's permissions, or set LLM_DOJO_HOME to another directory")


def _progress(lesson_id: str, row: tuple | None, answers: list[tuple]) -> LessonProgress:
    step, completed, spent, updated = row if row else (0, 0, 0.0, 0.0)
    by_question = {qid: (response, bool(correct)) for qid, response, correct in answers}
    answered = len(by_question)
    return LessonProgress(
        lesson_id=lesson_id, current_step=int(step), completed=bool(completed),
        time_spent_s=float(spent), answers=by_question,
        quiz_correct=sum(ok for _, ok in by_question.values()), quiz_answered=answered,
        updated_at=float(updated), status=_status(int(step), bool(completed), float(spent), answered),
    )
