"""The fuzzing budget: small in CI, as large as asked for from ``bench/fuzz.py``.

``LLM_DOJO_FUZZ_EXAMPLES`` (default 25) sets Hypothesis' ``max_examples`` for every
fuzz test; each example has a 2 s deadline (a slow input is a finding), and
:func:`no_hang` interrupts any single call after 10 s (Hypothesis' deadline only
judges a call once it returns, so it cannot catch a hang by itself). The database is
off: CI runs leave no files, and a failure prints the example to reproduce it.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from datetime import timedelta

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("LLM_DOJO_FUZZ_EXAMPLES", "25") or 25)
HANG_S = 10.0

FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=2), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


class Hang(Exception):
    """A call that did not return within HANG_S seconds."""


@contextlib.contextmanager
def no_hang(seconds: float = HANG_S) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread if the block runs longer than ``seconds``."""

    def fire(signum, frame):  # noqa: ARG001
        raise Hang(f"no answer within {seconds:g} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def one_line(exc: Exception) -> None:
    """A rejection must be one line of text that says something."""
    text = str(exc)
    assert text.strip() and "\n" not in text, repr(text)
    assert "Traceback" not in text
