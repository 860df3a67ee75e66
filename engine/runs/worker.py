"""The process that trains one run: ``python -m engine.runs.worker RUN_DIR [--resume]``.

It owns the run directory while it lives: status.json goes queued -> running ->
completed | failed | cancelled, events.jsonl gets one line per logging step, the
result lands in ``model/``. Its life in order:

1. Signal handlers first (before torch is imported): SIGTERM or SIGINT asks for a
   graceful stop (checkpoint at the end of the current step); SIGHUP is ignored,
   though a worker in its own session should never receive one.
2. ``CUDA_VISIBLE_DEVICES`` is set for ``--device cuda:N`` before torch loads.
3. Build the trainer (``engine.training.sft.build``), resume from the newest
   complete checkpoint when asked, train.
4. Classify the ending: stopped -> cancelled (checkpoint kept, resumable); NaN ->
   failed with the guard's message; CUDA out of memory -> failed with the fixes;
   a full disk -> failed with the path and the space needed; completed -> save the
   model, final held-out metrics, delete checkpoints (a completed run is final).
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path

from ..errors import DojoError
from . import store

_stop_requested = False


def _request_stop(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    global _stop_requested
    _stop_requested = True


def stop_requested(run_dir: Path) -> bool:
    return _stop_requested or (run_dir / store.STOP).exists()


def last_checkpoint(run_dir: Path) -> Path | None:
    """The newest checkpoint that was written completely (trainer_state.json is last)."""
    base = run_dir / "checkpoints"
    if not base.is_dir():
        return None
    done = [p for p in base.glob("checkpoint-*") if (p / "trainer_state.json").exists() and p.name[11:].isdigit()]
    return max(done, key=lambda p: int(p.name[11:]), default=None)


def _pick_device(requested: str) -> str:
    if requested.startswith("cuda:"):
        os.environ["CUDA_VISIBLE_DEVICES"] = requested.split(":", 1)[1]
        requested = "cuda"
    from ..device import pick_device

    return pick_device(requested)


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def explain(exc: BaseException, run_dir: Path, param_bytes: int = 0) -> str:
    """A one-line, actionable message for the ways a run ends badly."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, DojoError):
        return str(exc)
    if type(exc).__name__ == "OutOfMemoryError" or "CUDA out of memory" in text:
        return ("the GPU ran out of memory; try a smaller --batch-size with --grad-accum to keep the effective "
                "batch, a shorter --max-seq-length, --gradient-checkpointing, or 4-bit loading (QLoRA)")
    full = (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "No space left" in text \
        or "file write failed" in text
    if full:
        where = run_dir / "checkpoints"
        free = shutil.disk_usage(run_dir).free
        need = f"about {_mb(param_bytes * 3)} (weights and optimizer state)" if param_bytes else "more space"
        return (f"the disk is full while writing {where}: a checkpoint needs {need}, {_mb(free)} is free; "
                "free some space (or set LLM_DOJO_HOME to a larger disk) and resume the run")
    return f"{type(exc).__name__}: {text[:300]} (details in {run_dir / store.LOG})"


def _elapsed_so_far(run_dir: Path) -> float:
    events, _ = store.read_events(run_dir)
    return max((float(e.get("elapsed", 0.0)) for e in events), default=0.0)


def run(run_dir: Path, resume: bool) -> None:
    from .callbacks import EventWriter, RunCallback, TokenCounter

    writer = EventWriter(run_dir / store.EVENTS)
    param_bytes = 0
    try:
        spec = store.load_spec(run_dir)
        device = _pick_device(spec.device)
        checkpoint = last_checkpoint(run_dir) if resume else None
        if resume and checkpoint is None:
            raise DojoError(f"run {run_dir.name} has no complete checkpoint to resume from; start a new run")
        tokens = TokenCounter()
        callback = RunCallback(writer, should_stop=lambda: stop_requested(run_dir), tokens=tokens,
                               elapsed_offset=_elapsed_so_far(run_dir) if resume else 0.0)
        from ..training.sft import build

        plan = build(spec, run_dir, device, callbacks=[callback], count=tokens.add, resume=resume)
        callback.extra_eval = plan.extra_eval
        param_bytes = sum(p.numel() * p.element_size() for p in plan.trainer.model.parameters())
        if checkpoint is not None:
            writer.write({"event": "resume", "step": int(checkpoint.name[11:]), "total": plan.total_steps,
                          "checkpoint": str(checkpoint)})
        else:
            writer.write({"event": "start", "step": 0, "total": plan.total_steps, "device": device,
                          "data": plan.data.summary(), "notes": plan.notes})
        store.write_status(run_dir, state="running", device=device)
        if stop_requested(run_dir):
            raise _Cancelled("stopped before training began")
        plan.trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
        state = plan.trainer.state
        if callback.failure:
            raise DojoError(callback.failure)
        if callback.stopped_at is not None:
            raise _Cancelled(f"stopped at step {state.global_step}/{state.max_steps}; checkpoint saved, "
                             f"continue with: llm-dojo runs resume {run_dir.name}")
        if callback.last_eval.get("step") != state.global_step:
            plan.trainer.evaluate()  # final held-out numbers, logged as an eval event
        final = {"event": "done", "step": state.global_step, "total": state.max_steps,
                 **{k: v for k, v in callback.last_eval.items() if k.startswith("eval/")}}
        first = callback.first_eval
        if first.get("step") == 0 and "eval/accuracy" in first:
            final["eval/accuracy_before"] = first["eval/accuracy"]
        out = run_dir / "model"
        plan.save(out)
        final["output"] = str(out)
        writer.write(final)
        shutil.rmtree(run_dir / "checkpoints", ignore_errors=True)
        store.write_status(run_dir, state="completed", ended=time.time(), output=str(out), error=None)
    except _Cancelled as done:
        writer.write({"event": "cancelled", "message": str(done)})
        store.write_status(run_dir, state="cancelled", ended=time.time(), error=str(done))
    except BaseException as exc:  # every ending is recorded; the traceback goes to run.log
        message = explain(exc, run_dir, param_bytes)
        if not isinstance(exc, DojoError):
            traceback.print_exc()
        writer.write({"event": "failed", "message": message})
        store.write_status(run_dir, state="failed", ended=time.time(), error=message)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
    finally:
        writer.close()
        (run_dir / store.STOP).unlink(missing_ok=True)


class _Cancelled(Exception):
    """The run ended because someone asked it to stop."""


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    parser = argparse.ArgumentParser(prog="python -m engine.runs.worker")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)
    run_dir = args.run_dir.resolve()
    if not (run_dir / store.SPEC).exists():
        sys.stderr.write(f"error: {run_dir} is not a run directory (no {store.SPEC})\n")
        return 2
    store.write_status(run_dir, state="queued", pid=os.getpid(), pid_start=store.process_start(os.getpid()),
                       ended=None, error=None, **{"resumed" if args.resume else "started": time.time()})
    run(run_dir, args.resume)
    return 0 if store.status(run_dir).get("state") == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())
