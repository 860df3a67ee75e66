"""Faults the tests inject into a real run, kept out of the production callback.

The run's guards (NaN loss, a stop between two steps, a run killed mid-way, CUDA out
of memory, a full disk) must be tested on the real training path, in a real worker
process. The worker adds :class:`FaultInjection` to the trainer's callbacks only when
one of these variables is set; without them it does not exist in a run.

* ``LLM_DOJO_TEST_NAN_AT_STEP=N``: after step N the first weight is filled with NaN,
  so the next loss is NaN and the guard must stop the run;
* ``LLM_DOJO_TEST_STEP_SLEEP=S``: sleep S seconds per step, so a tiny run lasts long
  enough to be stopped or detached from on a fast machine;
* ``LLM_DOJO_TEST_OOM_AT_STEP=N``: step N raises ``torch.cuda.OutOfMemoryError`` as it
  begins, inside the training loop, as a real allocation failure would;
* ``LLM_DOJO_TEST_ENOSPC_AT_STEP=N``: the first checkpoint written at step N or later
  writes part of its weights file, then the write raises ``OSError(ENOSPC)``, as on a
  full disk.

Each injection prints ``fault injected: KIND at T`` (wall time) to the run's log, so
a test can time how long the run takes to say what happened.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

NAN_TEST_ENV = "LLM_DOJO_TEST_NAN_AT_STEP"
SLOW_TEST_ENV = "LLM_DOJO_TEST_STEP_SLEEP"
OOM_TEST_ENV = "LLM_DOJO_TEST_OOM_AT_STEP"
ENOSPC_TEST_ENV = "LLM_DOJO_TEST_ENOSPC_AT_STEP"
ALL = (NAN_TEST_ENV, SLOW_TEST_ENV, OOM_TEST_ENV, ENOSPC_TEST_ENV)


def requested() -> bool:
    return any(os.environ.get(name) for name in ALL)


def step_sleep() -> float:
    return float(os.environ.get(SLOW_TEST_ENV, "0") or 0)


def _step_env(name: str) -> int:
    return int(os.environ.get(name, "0") or 0)


def _announce(kind: str) -> None:
    print(f"fault injected: {kind} at {time.time():.3f}", flush=True)


class FaultInjection(TrainerCallback):
    """Poisons the weights at one step, slows every step, fails an allocation or a
    checkpoint write (tests only)."""

    def __init__(self) -> None:
        self.nan_step = _step_env(NAN_TEST_ENV)
        self.oom_step = _step_env(OOM_TEST_ENV)
        self.enospc_step = _step_env(ENOSPC_TEST_ENV)
        self.sleep = step_sleep()
        self.step = 0

    def on_train_begin(self, args, state, control, **kwargs):
        model = kwargs.get("model")
        if self.enospc_step and model is not None:
            full_disk(model, lambda: self.step >= self.enospc_step)
        return control

    def on_step_begin(self, args, state, control, **kwargs):
        if self.oom_step and state.global_step + 1 == self.oom_step:
            import torch

            _announce("cuda-oom")
            raise torch.cuda.OutOfMemoryError(
                "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity; "
                "6.90 GiB already allocated) [simulated by LLM_DOJO_TEST_OOM_AT_STEP]")
        return control

    def on_step_end(self, args, state, control, **kwargs):
        self.step = state.global_step
        if self.nan_step and state.global_step == self.nan_step:
            _announce("nan")
            poison(kwargs.get("model"))
        if self.sleep:
            time.sleep(self.sleep)
        return control


def full_disk(model: Any, now: Any) -> None:
    """Make ``model.save_pretrained`` behave as on a full disk once ``now()`` is true:
    it writes the first bytes of the weights file, then raises ENOSPC."""
    real = model.save_pretrained

    def save_pretrained(save_directory, *args, **kwargs):
        if not now():
            return real(save_directory, *args, **kwargs)
        folder = Path(save_directory)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "model.safetensors", "wb") as fh:
            fh.write(b"\0" * 4096)  # what fitted before the disk filled up
        _announce("enospc")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "model.safetensors"))

    model.save_pretrained = save_pretrained


def poison(model: Any) -> None:
    """Fill one weight with NaN."""
    import torch

    if model is None:
        return
    with torch.no_grad():
        next(model.parameters()).fill_(float("nan"))
