"""The process that trains one run: ``python -m engine.runs.worker RUN_DIR [--resume]``.

It owns the run directory while it lives: status.json goes queued -> running ->
completed | failed | cancelled, events.jsonl gets one line per logging step, the
result lands in ``model/`` (or the pretraining preset's output directory). Its life:

1. Signal handlers first (before torch is imported): SIGTERM or SIGINT asks for a
   graceful stop (checkpoint at the end of the current step); SIGHUP is ignored,
   though a worker in its own session should never receive one.
2. ``CUDA_VISIBLE_DEVICES`` is set to one GPU (``--device cuda:N`` within any mask already set,
   else the first) before torch loads: never DataParallel by accident.
3. Run the spec's kind: a ``Trainer`` run (``sft``) built by ``engine.training.sft``,
   or the pretraining recipe (``pretrain``), resuming when asked.
   Before step 3 the worker waits its turn for the device(s) (``engine.runs.queue``), as
   ``queued``; with ``--processes N`` it then supervises N ranks started by torchrun, each
   running step 3, of which only rank 0 writes events and status (``engine.runs.distributed``).
4. Classify the ending: stopped -> cancelled (checkpoint kept, resumable); NaN ->
   failed with the guard's message; CUDA out of memory -> failed with the fixes;
   a full disk -> failed with the path and the space needed; completed -> save the
   model (the best evaluation's weights), final held-out metrics, delete checkpoints.
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
from . import distributed, store
from . import events as ev
from .events import EventWriter
from .spec import RunSpec

_stop_requested = False
AUTO_SAVE_EVERY = (30.0, 600.0)
"""Automatic checkpoints (``save_steps`` 0): about five per run, but never two within 30 s of
training and never more than 10 minutes apart; a stop request always checkpoints."""


def _request_stop(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    global _stop_requested
    _stop_requested = True


def _write_status(run_dir: Path, **changes) -> None:
    """status.json is written by the main process only (several processes: rank 0)."""
    if distributed.is_main():
        store.write_status(run_dir, **changes)


def stop_requested(run_dir: Path) -> bool:
    return _stop_requested or (run_dir / store.STOP).exists()


def _pick_device(requested: str) -> str:
    """One GPU per run, set before torch loads (see ``engine.device.visible_devices``)."""
    from ..device import pick_device, visible_devices

    if distributed.world_size() > 1:  # a rank of several: the supervisor set the mask, the Trainer picks its GPU
        return pick_device("cuda" if requested.startswith("cuda") else requested)
    if requested.startswith("cuda") or requested in ("", "auto"):
        mask = os.environ.get("CUDA_VISIBLE_DEVICES")
        chosen = visible_devices(requested, mask)
        if requested.startswith("cuda") or _has_nvidia_gpu():
            os.environ["CUDA_VISIBLE_DEVICES"] = chosen
        if requested.startswith("cuda:"):
            requested = "cuda"
    return pick_device(requested)


def _has_nvidia_gpu() -> bool:
    """Whether an NVIDIA driver is present, asked without initialising CUDA in this process."""
    return shutil.which("nvidia-smi") is not None or Path("/proc/driver/nvidia").exists()


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def explain(exc: BaseException, run_dir: Path, param_bytes: int = 0) -> str:
    """A one-line, actionable message for the ways a run ends badly. A full disk also removes the
    half-written checkpoint first (see :func:`drop_incomplete_checkpoints`), so the message can say
    which complete checkpoint the run resumes from and how much space is really free."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, DojoError):
        return str(exc)
    if type(exc).__name__ == "OutOfMemoryError" or "CUDA out of memory" in text:
        return ("the GPU ran out of memory; try a smaller --batch-size with --grad-accum to keep the effective "
                "batch, a shorter --max-seq-length, or --gradient-checkpointing")
    full = (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "No space left" in text \
        or "file write failed" in text
    if full:
        where = run_dir / "checkpoints"
        dropped = drop_incomplete_checkpoints(run_dir)
        free = shutil.disk_usage(run_dir).free
        need = f"about {_mb(param_bytes * 3)} (weights and optimizer state)" if param_bytes else "more space"
        kept = store.last_checkpoint(run_dir)
        then = (f"resume from the checkpoint of step {kept.name[11:]}: llm-dojo runs resume {run_dir.name}"
                if kept is not None else "start the run again")
        half = f" (the half-written {', '.join(dropped)} was removed)" if dropped else ""
        return (f"the disk is full while writing {where}{half}: a checkpoint needs {need}, {_mb(free)} is free; "
                f"free some space (or set LLM_DOJO_HOME to a larger disk) and {then}")
    return f"{type(exc).__name__}: {text[:300]} (details in {run_dir / store.LOG})"


def drop_incomplete_checkpoints(run_dir: Path) -> list[str]:
    """Delete checkpoint folders a failed write left without ``trainer_state.json`` (written
    last, so its absence marks a checkpoint that never finished) -> their names. They could
    not be resumed from, and on a full disk their bytes are what the next try needs."""
    base = run_dir / "checkpoints"
    dropped = []
    for folder in sorted(base.glob("checkpoint-*")) if base.is_dir() else []:
        if folder.is_dir() and not folder.is_symlink() and not (folder / "trainer_state.json").exists():
            shutil.rmtree(folder, ignore_errors=True)
            dropped.append(folder.name)
    return dropped


def _elapsed_so_far(run_dir: Path) -> float:
    events, _ = ev.read_events(run_dir / store.EVENTS)
    return max((float(e.get("elapsed", 0.0) or 0.0) for e in events), default=0.0)


class _Cancelled(Exception):
    """The run ended because someone asked it to stop."""


def run(run_dir: Path, resume: bool) -> None:
    writer = EventWriter(run_dir / store.EVENTS) if distributed.is_main() else distributed.NullWriter()
    sizes = {"param_bytes": 0}
    try:
        spec = store.load_spec(run_dir)
        if spec.kind == "pretrain":
            _pretrain(spec, run_dir, writer, resume)
        elif spec.kind == "eval":
            _evaluate(spec, run_dir, writer, resume)
        else:
            _train(spec, run_dir, writer, resume, sizes)
    except _Cancelled as done:
        writer.emit(ev.CANCELLED, message=str(done))
        _write_status(run_dir, state="cancelled", ended=time.time(), error=str(done))
    except BaseException as exc:  # every ending is recorded; the traceback goes to run.log
        message = explain(exc, run_dir, sizes["param_bytes"])
        if not isinstance(exc, DojoError):
            traceback.print_exc()
        writer.emit(ev.FAILED, message=message)
        _write_status(run_dir, state="failed", ended=time.time(), error=message)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
    finally:
        writer.close()
        if distributed.is_main():
            (run_dir / store.STOP).unlink(missing_ok=True)


# -- Trainer runs (sft) -----------------------------------------------------------------
def _train(spec: RunSpec, run_dir: Path, writer: EventWriter, resume: bool, sizes: dict) -> None:
    from . import faults
    from .callbacks import BestKeeper, RunCallback, TokenCounter

    device = _pick_device(spec.device)
    checkpoint = store.last_checkpoint(run_dir) if resume else None
    if resume and checkpoint is None:
        raise DojoError(f"run {run_dir.name} has no complete checkpoint to resume from; start a new run")
    tokens = TokenCounter()
    sentiment = spec.task == "sentiment" and spec.kind == "sft"
    metric, greater = ("eval/accuracy", True) if sentiment else ("eval/loss", False)
    best = BestKeeper(metric, greater) if spec.keep_best else None
    stop = distributed.agreed(lambda: stop_requested(run_dir))  # several processes stop at the same step
    callback = RunCallback(writer, should_stop=stop, tokens=tokens, best=best,
                           elapsed_offset=_elapsed_so_far(run_dir) if resume else 0.0,
                           save_every=AUTO_SAVE_EVERY if spec.save_steps == 0 else None)
    callbacks = [callback] + ([faults.FaultInjection()] if faults.requested() else [])
    if spec.kind == "dpo":
        from ..training.dpo import build
    else:
        from ..training.sft import build

    world = distributed.world_size()  # each rank counts its own batches: the run's rate is about world x that
    plan = build(spec, run_dir, device, callbacks=callbacks, count=(lambda n: tokens.add(n * world)) if world > 1
                 else tokens.add, resume=resume)
    callback.extra_eval = plan.extra_eval
    sizes["param_bytes"] = sum(p.numel() * p.element_size() for p in plan.trainer.model.parameters())
    if checkpoint is not None:
        writer.emit(ev.RESUME, int(checkpoint.name[11:]), plan.total_steps, checkpoint=str(checkpoint))
    else:
        writer.emit(ev.START, 0, plan.total_steps, device=device, data=plan.data.summary(), notes=plan.notes,
                    **plan.info)
    _write_status(run_dir, state="running", device=device)
    if stop():
        raise _Cancelled("stopped before training began")
    plan.trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    state = plan.trainer.state
    if callback.failure:
        raise DojoError(callback.failure)
    if callback.stopped_at is not None:
        raise _Cancelled(f"stopped at step {state.global_step}/{state.max_steps}; checkpoint saved, "
                         f"continue with: llm-dojo runs resume {run_dir.name}")
    if callback.last_eval.get("step") != state.global_step:
        plan.trainer.evaluate()  # final held-out numbers, logged as an eval event (and offered to best)
    final: dict = {k: v for k, v in callback.last_eval.items() if k.startswith("eval/")}
    first = callback.first_eval
    if first.get("step") == 0 and "eval/accuracy" in first:
        final["eval/accuracy_before"] = first["eval/accuracy"]
    if best is not None and best.step is not None and best.restore(plan.trainer.model):
        final.update(best_eval(callback, best.step))
        final.update(best_step=best.step, best_metric=best.value, metric=best.metric)
    elif best is not None and best.skipped:
        final.update(best_step=state.global_step, note="the model is too large to keep a second copy in memory: "
                                                       "the last step's weights were saved")
    peak = _gpu_peak(device)
    if peak:
        final["gpu_peak_mb"] = peak
    out = run_dir / "model"
    if distributed.is_main():
        plan.save(out)
    else:  # FSDP gathers the shards from every rank; plain DDP writes nothing here
        plan.trainer.save_model(str(out))
    writer.emit(ev.DONE, state.global_step, state.max_steps, output=str(out), **final)
    if distributed.is_main():
        shutil.rmtree(run_dir / "checkpoints", ignore_errors=True)
    _write_status(run_dir, state="completed", ended=time.time(), output=str(out), error=None,
                  best_step=final.get("best_step"))


def _gpu_peak(device: str) -> float:
    """Peak GPU memory the run allocated, in MB (0 off CUDA)."""
    if not device.startswith("cuda"):
        return 0.0
    import torch

    return round(torch.cuda.max_memory_allocated() / 2**20, 1) if torch.cuda.is_available() else 0.0


def best_eval(callback, step: int) -> dict:
    """The eval/* metrics of the evaluation at ``step`` (the weights that were kept)."""
    for e in reversed(callback.evals):
        if e.get("step") == step:
            return {k: v for k, v in e.items() if k.startswith("eval/")}
    return {}


# -- evaluation runs ----------------------------------------------------------------------
SCORES = "scores"
"""An evaluation run's kept scores, one JSONL file per candidate (``engine.evaluation.cache``)."""
RESULTS = "results"


def _evaluate(spec: RunSpec, run_dir: Path, writer: EventWriter, resume: bool) -> None:
    """Every candidate on the run's task; scores kept as they come, so a resume skips them."""
    import threading

    from ..evaluation.api import Candidate, evaluate_candidates
    from ..evaluation.data import load_set
    from ..models.load import load_model

    config = spec.evaluation()
    device = _pick_device(spec.device)
    candidates = [Candidate(spec.model)] + [Candidate(m) for m in spec.compare] + \
        [Candidate(spec.model, a) for a in spec.adapters]
    n = len(load_set(config.task, config.data_name, config.limit).items)
    total = n * len(candidates)
    kept = sum(1 for _ in (run_dir / SCORES).glob("*.jsonl")) if resume else 0
    if resume:
        writer.emit(ev.RESUME, 0, total, checkpoint=str(run_dir / SCORES), candidates_started=kept)
    else:
        writer.emit(ev.START, 0, total, device=device, task=config.task, data=config.data_name, items=n,
                    candidates=[c.label for c in candidates])
    store.write_status(run_dir, state="running", device=device)
    cancel = threading.Event()
    watching = threading.Event()

    def watch() -> None:
        while not watching.wait(0.5):
            if stop_requested(run_dir):
                cancel.set()
                return

    threading.Thread(target=watch, name="stop-watch", daemon=True).start()
    started = time.monotonic()
    last = [0.0, -1]

    def progress(event) -> None:
        step = event.index * n + (round(n * event.done / event.total) if event.total else 0)
        now = time.monotonic()
        if step == last[1] or (now - last[0] < 0.5 and step < total):
            return
        last[0], last[1] = now, step
        done = step / total if total else 0.0
        eta = (now - started) * (1 - done) / done if done > 0 else None
        writer.emit(ev.LOG, step, total, candidate=event.label, stage=event.stage,
                    **({"eta": round(eta, 1)} if eta is not None else {}))

    def load(name: str):
        return load_model(name, device=device, dtype=None if spec.dtype == "auto" else spec.dtype,
                          allow_pickle=spec.allow_pickle, trust_remote_code=spec.trust_remote_code,
                          allow_network=spec.online)

    try:
        comparison = evaluate_candidates(candidates, config, load=load, on_progress=progress, cancel=cancel,
                                         cache_dir=run_dir / SCORES)
    except DojoError:
        if cancel.is_set():
            raise _Cancelled("stopped; every score computed so far is kept, continue with: "
                             f"llm-dojo runs resume {run_dir.name}") from None
        raise
    finally:
        watching.set()
    out = comparison.save(run_dir / RESULTS)  # result.json, .csv and .md, as `llm-dojo eval` writes them
    for k, result in enumerate(comparison.results):
        writer.emit(ev.EVAL, (k + 1) * n, total, candidate=result.label,
                    **{f"eval/{m.name}": m.value for m in result.metrics})
    base = comparison.results[0]
    writer.emit(ev.DONE, total, total, output=str(out),
                **{f"eval/{m.name}": m.value for m in base.metrics},
                reused=sum(int(r.extra.get("scores_reused", 0)) for r in comparison.results))
    store.write_status(run_dir, state="completed", ended=time.time(), output=str(out), error=None)


# -- the pretraining recipe --------------------------------------------------------------
def _pretrain(spec: RunSpec, run_dir: Path, writer: EventWriter, resume: bool) -> None:
    from ..training.presets import get_preset
    from ..training.pretrain import DoneEvent, PretrainInterrupted, StageEvent, StepEvent, pretrain

    preset = get_preset(spec.preset)
    out = spec.pretrain_output()
    device = _pick_device(spec.device)
    total = preset.steps + preset.chat_steps
    resuming = resume or spec.resume
    if resume:
        writer.emit(ev.RESUME, _recipe_step(out), total, checkpoint=str(out / "checkpoints"))
    else:
        writer.emit(ev.START, 0, total, device=device, output=str(out))
    store.write_status(run_dir, state="running", device=device)
    try:
        for item in pretrain(preset, out, overwrite=spec.overwrite and not resuming, resume=resuming,
                             evaluate=spec.evaluate, cancel=lambda: stop_requested(run_dir)):
            if isinstance(item, StageEvent):
                writer.emit(ev.STAGE, 0, total, stage=item.stage, detail=item.detail)
            elif isinstance(item, StepEvent):
                writer.emit(ev.LOG, item.step, item.total, **{"train/loss": item.loss, "lr": item.lr,
                                                               "tokens/s": round(item.tokens_per_s, 1),
                                                               "eta": round(item.eta_s, 1), "stage": item.stage})
            elif isinstance(item, DoneEvent):
                summary = {k: v for k, v in item.summary.items() if isinstance(v, (int, float, str))}
                writer.emit(ev.DONE, total, total, output=str(item.out_dir), **summary)
    except PretrainInterrupted:
        raise _Cancelled(f"stopped; the recipe's checkpoint in {out} is kept, continue with: "
                         f"llm-dojo runs resume {run_dir.name}") from None
    store.write_status(run_dir, state="completed", ended=time.time(), output=str(out), error=None)


def _recipe_step(out: Path) -> int:
    """The step the recipe's checkpoint was saved at (0 when there is none)."""
    from ..training.pretrain import CKPT

    if not (out / CKPT).exists():
        return 0
    import torch

    return int(torch.load(out / CKPT, weights_only=True, map_location="cpu").get("step", 0))


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    parser = argparse.ArgumentParser(prog="python -m engine.runs.worker")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)
    from ..paths import private_umask

    private_umask()  # checkpoints, models, logs: readable by their owner only (a shared GPU box)
    run_dir = args.run_dir.resolve()
    if distributed.is_rank_process():  # one of torchrun's processes: the supervisor did the rest
        distributed.die_with_parent()
        run(run_dir, args.resume)
        return 0
    from .priority import apply as apply_priority

    chosen = apply_priority()  # before torch loads: OMP_NUM_THREADS is read at import
    print(f"worker priority: nice {chosen['nice']}, cpu threads {chosen['threads'] or 'torch default'}", flush=True)
    if not (run_dir / store.SPEC).exists():
        sys.stderr.write(f"error: {run_dir} is not a run directory (no {store.SPEC})\n")
        return 2
    store.write_status(run_dir, state="queued", pid=os.getpid(), pid_start=store.process_start(os.getpid()),
                       ended=None, error=None, **{"resumed" if args.resume else "started": time.time()})
    from . import queue

    try:
        spec = store.load_spec(run_dir)
        if not queue.wait_turn(run_dir, spec, lambda: stop_requested(run_dir)):  # hold the device(s) until exit
            _cancel_queued(run_dir)
            return 1
        n = queue.processes(spec)
    except DojoError as exc:
        store.write_status(run_dir, state="failed", ended=time.time(), error=str(exc), waiting=False)
        return 1
    if n > 1:
        gpus = queue.gpu_ids() if queue.uses_gpu(spec) else None
        return distributed.supervise(run_dir, n, args.resume, gpus, lambda: _stop_requested)
    run(run_dir, args.resume)
    return 0 if store.status(run_dir).get("state") == "completed" else 1


def _cancel_queued(run_dir: Path) -> None:
    """A stop while waiting for the device: nothing was trained, nothing to keep."""
    started = any(e.kind in (ev.START, ev.RESUME) for e in ev.read_events(run_dir / store.EVENTS)[0])
    how = f"continue with: llm-dojo runs resume {run_dir.name}" if started else \
        f"start it later with: llm-dojo runs resume {run_dir.name}"
    store.write_status(run_dir, state="cancelled", ended=time.time(), error=f"stopped while queued; {how}",
                       stopped_queued=True)
    (run_dir / store.STOP).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
