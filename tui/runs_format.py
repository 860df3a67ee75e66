"""How a run looks in a list, the same in the CLI's ``llm-dojo runs`` and the app's runs screen.

Both fronts build a row with :func:`run_row` from the same ``RunInfo`` (the engine's
fold of the run's events), so the step, the loss and the ETA a student reads in the
terminal are the ones the app shows (a test compares them). Ids are long
(``20250301-142233-sft-sentiment-3fa2``) and sortable; lists show :func:`short_id`
(time and the random tail), and any unique prefix or that short form finds the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.runs.store import short_id

if TYPE_CHECKING:
    from engine.runs.store import RunInfo

__all__ = ["COLUMNS", "STATE_STYLE", "fmt_eta", "queue_position", "run_row", "short_id"]

COLUMNS = ("id", "task", "model", "state", "step", "loss", "eta")
STATE_STYLE = {"queued": "yellow", "running": "cyan", "stopping": "yellow", "completed": "green",
               "failed": "red", "cancelled": "magenta"}


def fmt_eta(seconds: Any) -> str:
    """Seconds as m:ss or h:mm:ss; "-" when unknown.

    >>> fmt_eta(75), fmt_eta(3725), fmt_eta(None)
    ('1:15', '1:02:05', '-')
    """
    if not isinstance(seconds, (int, float)) or seconds != seconds:
        return "-"
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def run_row(info: RunInfo) -> dict[str, str]:
    """The cells of one run, as text (the state is the engine's word; fronts translate it)."""
    p = info.progress
    total = p.get("total")
    step = f"{p.get('step') or 0}/{total}" if total else "-"
    loss = p.get("loss")
    from engine.runs.store import ACTIVE

    return {
        "id": short_id(info.id), "task": info.spec.title, "model": info.spec.subject, "state": info.state,
        "step": step, "loss": f"{loss:.4f}" if isinstance(loss, (int, float)) else "-",
        "eta": fmt_eta(p.get("eta")) if info.state in ACTIVE else "-",
        "position": queue_position(info.queue),
    }


def queue_position(queue: dict[str, Any] | None) -> str:
    """A waiting run's place in its device's queue, as lists show it after the state ("#1": next).

    >>> queue_position({"position": 2, "devices": ["cpu"], "behind": None}), queue_position(None)
    ('#2', '')
    """
    return f"#{queue['position']}" if queue and queue.get("position") else ""
