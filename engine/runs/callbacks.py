"""How a training run talks to the outside: one ``TrainerCallback`` and an event file.

``RunCallback`` turns transformers' logs into ``events.jsonl`` lines with namespaced
keys, flushed per line, so a reader sees each step as soon as it is logged::

    {"event": "log", "t": 1735.2, "step": 12, "total": 90, "epoch": 0.4,
     "train/loss": 1.93, "lr": 0.00048, "grad_norm": 2.1, "tokens/s": 5210.0,
     "elapsed": 14.2, "eta": 92.3}
    {"event": "eval", "step": 18, "total": 90, "eval/loss": 1.71, "eval/accuracy": 0.64, ...}

It also carries the run's two guards, both at a step boundary:

* a stop request (``should_stop()``, set by SIGTERM or ``stop.request``) makes the
  trainer save a checkpoint at the end of the current step and leave the loop;
* a NaN or infinite loss stops training before anything is saved, with a message
  that says what to change.

Everything here is cheap: no GPU synchronisation beyond what the Trainer's own
logging does, token counts come from the collator on the CPU side.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

NAN_TEST_ENV = "LLM_DOJO_TEST_NAN_AT_STEP"
"""Tests set this to a step number: the weights are poisoned after that step, so the
NaN guard is exercised on the real training path."""
SLOW_TEST_ENV = "LLM_DOJO_TEST_STEP_SLEEP"
"""Tests set this to seconds per step, so a tiny run lasts long enough to be stopped
or detached from on a fast machine."""

_RENAME = {"loss": "train/loss", "learning_rate": "lr", "grad_norm": "grad_norm", "epoch": "epoch"}
_SKIP = {"total_flos", "step"}


class EventWriter:
    """Appends one JSON object per line to ``events.jsonl`` and flushes each line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = open(path, "a+b")
        if self._fh.tell() > 0:  # a killed worker may have left half a line: end it
            self._fh.seek(-1, os.SEEK_END)
            if self._fh.read(1) != b"\n":
                self._fh.write(b"\n")

    def write(self, event: dict[str, Any]) -> None:
        event = {"t": round(time.time(), 3), **event}
        self._fh.write((json.dumps(event, ensure_ascii=False, allow_nan=True) + "\n").encode("utf-8"))
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


class TokenCounter:
    """Counts non-padding tokens as training batches are collated (on the CPU, no GPU
    sync). The callback pauses it while the trainer evaluates, whose batches go
    through the same collator. The dataloader fetches one batch ahead, so a single
    step's count is off by a batch; rates are taken over a window of steps."""

    def __init__(self) -> None:
        self.tokens = 0
        self.paused = False

    def add(self, n: int) -> None:
        if not self.paused:
            self.tokens += n


def namespaced(logs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """transformers' log dict -> (event type, namespaced keys).

    >>> namespaced({"loss": 2.0, "learning_rate": 1e-3, "grad_norm": 0.5, "epoch": 0.1})
    ('log', {'train/loss': 2.0, 'lr': 0.001, 'grad_norm': 0.5, 'epoch': 0.1})
    >>> namespaced({"eval_loss": 1.5, "eval_runtime": 0.2, "epoch": 1.0})
    ('eval', {'eval/loss': 1.5, 'eval/runtime': 0.2, 'epoch': 1.0})
    """
    kind = "eval" if any(k.startswith("eval_") for k in logs) else "summary" if "train_runtime" in logs else "log"
    out: dict[str, Any] = {}
    for key, value in logs.items():
        if key in _SKIP or not isinstance(value, (int, float)):
            continue
        if key in _RENAME:
            out[_RENAME[key]] = value
        elif key.startswith("eval_"):
            out["eval/" + key[5:]] = value
        elif key.startswith("train_"):
            out["train/" + key[6:]] = value
        else:
            out["train/" + key] = value
    return kind, out


class RunCallback(TrainerCallback):
    """Writes events, honours stop requests, guards against NaN.

    ``extra_eval(model) -> dict`` adds task metrics (sentiment accuracy) to each
    evaluation event; ``elapsed_offset`` carries wall time over a resume."""

    def __init__(self, writer: EventWriter, *, should_stop: Callable[[], bool],
                 tokens: TokenCounter | None = None, extra_eval: Callable[[Any], dict] | None = None,
                 elapsed_offset: float = 0.0) -> None:
        self.writer = writer
        self.should_stop = should_stop
        self.tokens = tokens or TokenCounter()
        self.extra_eval = extra_eval
        self.elapsed_offset = elapsed_offset
        self.failure: str | None = None
        self.stopped_at: int | None = None
        self.last_checkpoint: str | None = None
        self.first_eval: dict[str, Any] = {}
        self.last_eval: dict[str, Any] = {}
        self._nan_step = int(os.environ.get(NAN_TEST_ENV, "0") or 0)
        self._sleep = float(os.environ.get(SLOW_TEST_ENV, "0") or 0)
        self._t0 = time.monotonic()
        self._step0 = 0
        self._window: deque[tuple[float, int]] = deque(maxlen=20)

    # -- timing -----------------------------------------------------------------
    def _timing(self, state) -> dict[str, float]:
        now = time.monotonic()
        session = now - self._t0
        done = state.global_step - self._step0
        eta = (state.max_steps - state.global_step) * session / done if done > 0 else None
        out = {"elapsed": round(self.elapsed_offset + session, 3)}
        if eta is not None:
            out["eta"] = round(eta, 1)
        return out

    def _base(self, state) -> dict[str, Any]:
        return {"step": state.global_step, "total": state.max_steps}

    # -- events -----------------------------------------------------------------
    def on_train_begin(self, args, state, control, **kwargs):
        self._t0 = time.monotonic()
        self._step0 = state.global_step
        self._window.clear()
        self._window.append((self._t0, self.tokens.tokens))
        self.tokens.paused = bool(args.eval_on_start and state.global_step == 0)
        self.writer.write({"event": "train_begin", **self._base(state), "elapsed": round(self.elapsed_offset, 3)})

    def on_step_end(self, args, state, control, **kwargs):
        if self._nan_step and state.global_step == self._nan_step:
            _poison(kwargs.get("model"))
        if self._sleep:
            time.sleep(self._sleep)
        if self.should_stop() and self.stopped_at is None:
            self.stopped_at = state.global_step
            control.should_log = True
            control.should_save = True
            control.should_training_stop = True
            self.writer.write({"event": "stopping", **self._base(state), **self._timing(state)})
        self.tokens.paused = bool(control.should_evaluate)
        return control

    def on_evaluate(self, args, state, control, **kwargs):
        self.tokens.paused = False
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        kind, values = namespaced(logs or {})
        event: dict[str, Any] = {"event": kind, **self._base(state), **values}
        if kind == "log":
            now = time.monotonic()
            t_then, tok_then = self._window[0] if self._window else (self._t0, 0)
            if now > t_then:
                event["tokens/s"] = round((self.tokens.tokens - tok_then) / (now - t_then), 1)
            self._window.append((now, self.tokens.tokens))
        if kind == "eval" and self.extra_eval is not None and self.failure is None:
            event.update(self.extra_eval(kwargs.get("model")))
        event.update(self._timing(state))
        for key in ("train/loss", "eval/loss"):
            value = event.get(key)
            if isinstance(value, float) and not math.isfinite(value) and self.failure is None:
                lr = event.get("lr")
                now_lr = f" (now {lr:g})" if isinstance(lr, float) else ""
                self.failure = (
                    f"the {key.split('/')[0]} loss became {value} at step {state.global_step}, so the run stopped "
                    f"without saving broken weights; lower the learning rate{now_lr}, keep gradient clipping on "
                    "(max_grad_norm 1.0), or use float32 instead of float16"
                )
                control.should_training_stop = True
                control.should_save = False
        if kind == "eval":
            self.last_eval = event
            self.first_eval = self.first_eval or event
        self.writer.write(event)
        return control

    def on_save(self, args, state, control, **kwargs):
        self.last_checkpoint = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        self.writer.write({"event": "checkpoint", **self._base(state), "path": self.last_checkpoint})
        return control


def _poison(model) -> None:
    """Fill one weight with NaN (test hook for the NaN guard)."""
    import torch

    if model is None:
        return
    with torch.no_grad():
        next(model.parameters()).fill_(float("nan"))
