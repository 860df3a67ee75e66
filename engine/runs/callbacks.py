"""How a training run talks to the outside: one ``TrainerCallback`` writing ``events.jsonl``.

``RunCallback`` turns transformers' logs into :class:`~engine.runs.events.RunEvent`
lines with namespaced keys (``train/loss``, ``eval/loss``, ``lr``, ``rewards/margins``...),
flushed per line, so a reader sees each step as soon as it is logged. It also carries
the run's guards, all at a step boundary:

* a stop request (``should_stop()``, set by SIGTERM or ``stop.request``) makes the
  trainer save a checkpoint at the end of the current step and leave the loop;
* a NaN or infinite loss stops training before anything is saved, with a message
  that says what to change;
* the best evaluation so far (by the task's metric: held-out accuracy for sentiment,
  held-out loss otherwise) is kept, so the saved model is the best one, not merely the
  last one, and the run says which step it came from (:class:`BestKeeper`).

Everything here is cheap: no GPU synchronisation beyond what the Trainer's own
logging does; token counts come from the collator on the CPU side.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from transformers import TrainerCallback

from .events import CHECKPOINT, EVAL, LOG, STOPPING, SUMMARY, TRAIN_BEGIN, EventWriter

_RENAME = {"loss": "train/loss", "learning_rate": "lr", "grad_norm": "grad_norm", "epoch": "epoch"}
_SKIP = {"total_flos", "step"}


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
    """transformers' log dict -> (event kind, namespaced keys).

    >>> namespaced({"loss": 2.0, "learning_rate": 1e-3, "grad_norm": 0.5, "epoch": 0.1})
    ('log', {'train/loss': 2.0, 'lr': 0.001, 'grad_norm': 0.5, 'epoch': 0.1})
    >>> namespaced({"eval_loss": 1.5, "eval_runtime": 0.2, "epoch": 1.0})
    ('eval', {'eval/loss': 1.5, 'eval/runtime': 0.2, 'epoch': 1.0})
    >>> namespaced({"rewards/margins": 0.3, "loss": 0.6})[1]["rewards/margins"]
    0.3
    """
    kind = EVAL if any(k.startswith("eval_") for k in logs) else SUMMARY if "train_runtime" in logs else LOG
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
        elif "/" in key:  # trl's own namespaces: rewards/..., logps/..., logits/...
            out[key] = value
        else:
            out["train/" + key] = value
    return kind, out


class BestKeeper:
    """Remembers the weights of the best evaluation so far, by one metric.

    Small models (the embedded ones, adapters) are copied in memory, which costs
    milliseconds; a model over ``max_bytes`` of trainable weights is not copied, and
    the last weights are kept instead (said in the run's final event)."""

    def __init__(self, metric: str, greater_is_better: bool, max_bytes: int = 512 * 2**20) -> None:
        self.metric, self.greater, self.max_bytes = metric, greater_is_better, max_bytes
        self.step: int | None = None
        self.value: float | None = None
        self.state: dict[str, Any] | None = None
        self.skipped = False

    def better(self, value: float) -> bool:
        """A later evaluation that ties the best replaces it (more training, same score)."""
        if not math.isfinite(value):
            return False
        return self.value is None or (value >= self.value if self.greater else value <= self.value)

    def offer(self, step: int, metrics: dict[str, Any], model: Any) -> bool:
        """Keep ``model``'s weights if this evaluation is the best so far. The evaluation
        before any training (step 0) is a baseline, never a candidate."""
        value = metrics.get(self.metric)
        if step == 0 or not isinstance(value, (int, float)) or not self.better(float(value)) or model is None:
            return False
        self.step, self.value = step, float(value)
        params = {n: p for n, p in model.named_parameters() if p.requires_grad}
        if sum(p.numel() * p.element_size() for p in params.values()) > self.max_bytes:
            self.skipped, self.state = True, None
            return True
        self.state = {n: p.detach().to("cpu", copy=True) for n, p in params.items()}
        return True

    def restore(self, model: Any) -> bool:
        """Put the best weights back into ``model`` -> whether anything was restored."""
        if self.state is None:
            return False
        import torch

        params = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in self.state.items():
                params[name].copy_(value.to(params[name].device))
        return True


class RunCallback(TrainerCallback):
    """Writes events, honours stop requests, guards against NaN, keeps the best weights.

    ``extra_eval(model) -> dict`` adds task metrics (sentiment accuracy) to each
    evaluation event; ``elapsed_offset`` carries wall time over a resume.

    ``save_every=(least, most)`` (seconds) paces the automatic checkpoints: one that the
    step interval asks for is skipped if the last was less than ``least`` ago, and one is
    taken when ``most`` has passed whatever the steps say. A checkpoint holds the
    optimizer's state (3x the weights): on a small model, five in a run of a few seconds
    cost a fifth of its speed, while a stop request still always checkpoints."""

    def __init__(self, writer: EventWriter, *, should_stop: Callable[[], bool],
                 tokens: TokenCounter | None = None, extra_eval: Callable[[Any], dict] | None = None,
                 elapsed_offset: float = 0.0, best: BestKeeper | None = None,
                 save_every: tuple[float, float] | None = None) -> None:
        self.save_every = save_every
        self._last_save = time.monotonic()
        self._step_end = 0.0
        self.writer = writer
        self.should_stop = should_stop
        self.tokens = tokens or TokenCounter()
        self.extra_eval = extra_eval
        self.elapsed_offset = elapsed_offset
        self.best = best
        self.failure: str | None = None
        self.stopped_at: int | None = None
        self.last_checkpoint: str | None = None
        self.first_eval: dict[str, Any] = {}
        self.last_eval: dict[str, Any] = {}
        self.evals: list[dict[str, Any]] = []
        self._t0 = time.monotonic()
        self._step0 = 0
        self._window: deque[tuple[float, int]] = deque(maxlen=20)

    # -- timing -----------------------------------------------------------------
    def _timing(self, state) -> dict[str, float]:
        now = time.monotonic()
        session = now - self._t0
        done = state.global_step - self._step0
        out = {"elapsed": round(self.elapsed_offset + session, 3)}
        if done > 0:
            out["eta"] = round((state.max_steps - state.global_step) * session / done, 1)
        return out

    # -- events -----------------------------------------------------------------
    def on_train_begin(self, args, state, control, **kwargs):
        self._t0 = self._last_save = time.monotonic()
        self._step0 = state.global_step
        self._window.clear()
        self._window.append((self._t0, self.tokens.tokens))
        self.tokens.paused = bool(args.eval_on_start and state.global_step == 0)
        self.writer.emit(TRAIN_BEGIN, state.global_step, state.max_steps, elapsed=round(self.elapsed_offset, 3))

    def on_step_end(self, args, state, control, **kwargs):
        if self.should_stop() and self.stopped_at is None:
            self.stopped_at = state.global_step
            control.should_log = True
            control.should_save = True
            control.should_training_stop = True
            self.writer.emit(STOPPING, state.global_step, state.max_steps, **self._timing(state))
        elif self.save_every is not None:
            least, most = self.save_every
            since = time.monotonic() - self._last_save
            if control.should_save and since < least:
                control.should_save = False
            elif since >= most:
                control.should_save = True
        self.tokens.paused = bool(control.should_evaluate)
        self._step_end = time.monotonic()
        return control

    def on_evaluate(self, args, state, control, **kwargs):
        self.tokens.paused = False
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        kind, values = namespaced(logs or {})
        if kind == LOG:
            now = time.monotonic()
            t_then, tok_then = self._window[0] if self._window else (self._t0, 0)
            if now > t_then:
                values["tokens/s"] = round((self.tokens.tokens - tok_then) / (now - t_then), 1)
            self._window.append((now, self.tokens.tokens))
        if kind == EVAL and self.extra_eval is not None and self.failure is None:
            values.update(self.extra_eval(kwargs.get("model")))
        values.update(self._timing(state))
        self._guard(values, state, control)
        if kind == EVAL:
            self.last_eval = {"step": state.global_step, **values}
            self.first_eval = self.first_eval or self.last_eval
            self.evals.append(self.last_eval)
            if self.best is not None and self.failure is None and self.best.offer(state.global_step, values,
                                                                                   kwargs.get("model")):
                values["best_step"], values["best_metric"] = self.best.step, self.best.value
        self.writer.emit(kind, state.global_step, state.max_steps, **values)
        return control

    def _guard(self, values: dict[str, Any], state, control) -> None:
        for key in ("train/loss", "eval/loss"):
            value = values.get(key)
            if isinstance(value, float) and not math.isfinite(value) and self.failure is None:
                lr = values.get("lr")
                now_lr = f" (now {lr:g})" if isinstance(lr, float) else ""
                self.failure = (
                    f"the {key.split('/')[0]} loss became {value} at step {state.global_step}, so the run stopped "
                    f"without saving broken weights; lower the learning rate{now_lr}, keep gradient clipping on "
                    "(max_grad_norm 1.0), or use float32 instead of float16"
                )
                control.should_training_stop = True
                control.should_save = False

    def on_save(self, args, state, control, **kwargs):
        self.last_checkpoint = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        now = time.monotonic()
        self._last_save = now
        # time since the step ended: the save itself (and an evaluation, when one fell on this step)
        self.writer.emit(CHECKPOINT, state.global_step, state.max_steps, path=self.last_checkpoint,
                         seconds=round(now - self._step_end, 3))
        return control
