"""Faults the tests inject into a real run, kept out of the production callback.

The run's guards (NaN loss, a stop between two steps, a run killed mid-way) must be
tested on the real training path, in a real worker process. The worker adds
:class:`FaultInjection` to the trainer's callbacks only when one of these variables
is set; without them it does not exist in a run.

* ``LLM_DOJO_TEST_NAN_AT_STEP=N``: after step N the first weight is filled with NaN,
  so the next loss is NaN and the guard must stop the run;
* ``LLM_DOJO_TEST_STEP_SLEEP=S``: sleep S seconds per step, so a tiny run lasts long
  enough to be stopped or detached from on a fast machine.
"""

from __future__ import annotations

import os
import time
from typing import Any

from transformers import TrainerCallback

NAN_TEST_ENV = "LLM_DOJO_TEST_NAN_AT_STEP"
SLOW_TEST_ENV = "LLM_DOJO_TEST_STEP_SLEEP"


def requested() -> bool:
    return bool(os.environ.get(NAN_TEST_ENV) or os.environ.get(SLOW_TEST_ENV))


def step_sleep() -> float:
    return float(os.environ.get(SLOW_TEST_ENV, "0") or 0)


class FaultInjection(TrainerCallback):
    """Poisons the weights at one step and/or slows every step (tests only)."""

    def __init__(self) -> None:
        self.nan_step = int(os.environ.get(NAN_TEST_ENV, "0") or 0)
        self.sleep = step_sleep()

    def on_step_end(self, args, state, control, **kwargs):
        if self.nan_step and state.global_step == self.nan_step:
            poison(kwargs.get("model"))
        if self.sleep:
            time.sleep(self.sleep)
        return control


def poison(model: Any) -> None:
    """Fill one weight with NaN."""
    import torch

    if model is None:
        return
    with torch.no_grad():
        next(model.parameters()).fill_(float("nan"))
