"""How hard a training worker competes with the app for the machine.

A worker and the app share the CPU. On a laptop or a small VM (2-4 cores), a worker
that uses every core at normal priority makes the app's screen stutter while it
trains. Two knobs, both read by the worker before torch is imported:

* ``LLM_DOJO_WORKER_NICE`` (default 10): the worker's ``os.nice`` increment. A niced
  worker still gets every idle cycle, so a run alone on the machine is not slowed;
  the app simply wins when both want the CPU at once. ``0`` turns it off.
* ``LLM_DOJO_WORKER_THREADS`` (default ``auto``): torch's CPU threads. ``auto`` is
  torch's own default (a thread per core); a number caps it, e.g. ``1`` on a 2-core
  machine leaves the app a whole core (``bench/ui_latency.py`` measured that this costs
  the run about a quarter of its speed on 2 cores, while niceness alone costs nothing);
  ``OMP_NUM_THREADS`` set by you wins over both.
"""

from __future__ import annotations

import os

NICE_ENV = "LLM_DOJO_WORKER_NICE"
THREADS_ENV = "LLM_DOJO_WORKER_THREADS"
DEFAULT_NICE = 10


def worker_nice(environ: dict[str, str] | None = None) -> int:
    raw = (environ if environ is not None else os.environ).get(NICE_ENV, "").strip()
    try:
        return max(0, min(19, int(raw))) if raw else DEFAULT_NICE
    except ValueError:
        return DEFAULT_NICE


def worker_threads(environ: dict[str, str] | None = None) -> int | None:
    """The worker's CPU thread count, or None for torch's default."""
    env = environ if environ is not None else os.environ
    if env.get("OMP_NUM_THREADS", "").strip():
        return None  # the person chose; torch reads it itself
    raw = env.get(THREADS_ENV, "auto").strip().lower()
    if raw not in ("", "auto"):
        try:
            return max(1, int(raw))
        except ValueError:
            pass
    return None


def apply() -> dict[str, int | None]:
    """Lower this process's priority and cap its threads; call before torch loads."""
    nice = worker_nice()
    applied = 0
    if nice and hasattr(os, "nice"):
        try:
            applied = os.nice(nice)  # the new niceness
        except OSError:  # not permitted here: run at normal priority
            applied = 0
    threads = worker_threads()
    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)
        os.environ["MKL_NUM_THREADS"] = str(threads)
    return {"nice": applied, "threads": threads}
