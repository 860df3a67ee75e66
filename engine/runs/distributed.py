"""One run, several training processes: DDP (or FSDP) through torchrun.

``llm-dojo train ... --processes N`` (default: every visible GPU; one process on a
CPU) keeps the run system exactly as it is for one process, with one more level:

* the detached worker (``python -m engine.runs.worker RUN_DIR``) waits its turn for
  the devices (``engine.runs.queue``), then, for N > 1, *supervises*: it starts
  ``python -m torch.distributed.run --standalone --nproc-per-node N -m
  engine.runs.worker RUN_DIR`` and waits for it. Its pid stays the run's pid, so
  ``runs stop`` signals it and ``stop --now`` kills its process group;
* each of the N rank processes runs the same training code. Only the main process
  (rank 0) writes ``events.jsonl`` and ``status.json``; the others write nothing;
* a stop is agreed by all ranks at a step boundary (an all-reduce of "was a stop
  asked for?"), so they all save the same checkpoint and leave the loop together,
  instead of one rank leaving and the others waiting for it forever; transformers'
  checkpoint holds each rank's RNG state, so ``runs resume`` continues the same
  steps (with the same number of processes);
* torchrun starts each rank in a session of its own, so a rank asks the kernel to
  kill it when its parent (torchrun's agent) dies (``PR_SET_PDEATHSIG``): killing the
  worker's group never leaves an orphan training on.

On a CPU the ranks talk through the gloo backend: it lets a laptop try data
parallelism; it is not faster there. ``LLM_DOJO_TORCHRUN_ARGS`` replaces
``--standalone`` for a run over several machines (see README, "Several GPUs").
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RANK_ENV = "LLM_DOJO_RANK_PROCESS"
"""Set by the supervisor for the processes torchrun starts."""
TORCHRUN_ARGS_ENV = "LLM_DOJO_TORCHRUN_ARGS"


def is_rank_process() -> bool:
    return os.environ.get(RANK_ENV) == "1" and "RANK" in os.environ


def rank() -> int:
    return int(os.environ.get("RANK", "0") or 0) if is_rank_process() else 0


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1") or 1) if is_rank_process() else 1


def is_main() -> bool:
    return rank() == 0


class NullWriter:
    """The event writer of the ranks that are not the main process: writes nothing."""

    def emit(self, kind: str, step: int = 0, total: int | None = None, **values: Any) -> None:
        return None

    def write(self, event: Any) -> None:
        return None

    def close(self) -> None:
        return None


def die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this process when its parent dies (torchrun runs ranks in
    sessions of their own, out of reach of the worker's process group)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent is gone already
        os._exit(1)


def agreed(ask: Callable[[], bool]) -> Callable[[], bool]:
    """``ask`` made collective: with several processes, True on every rank as soon as any rank
    sees a stop request (one tiny all-reduce per step); with one process, ``ask`` itself."""
    if world_size() <= 1:
        return ask

    def collective() -> bool:
        import torch
        import torch.distributed as dist

        local = bool(ask())
        if not (dist.is_available() and dist.is_initialized()):
            return local
        device = f"cuda:{torch.cuda.current_device()}" if dist.get_backend() == "nccl" else "cpu"
        flag = torch.tensor([1.0 if local else 0.0], device=device)
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return bool(flag.item() > 0)

    return collective


def torchrun_argv(run_dir: Path, n: int, resume: bool) -> list[str]:
    """The command the supervisor runs: torchrun over this same worker module."""
    rendezvous = shlex.split(os.environ.get(TORCHRUN_ARGS_ENV, "")) or ["--standalone"]
    argv = [sys.executable, "-m", "torch.distributed.run", *rendezvous, "--nproc-per-node", str(n),
            "-m", "engine.runs.worker", str(run_dir)]
    return argv + (["--resume"] if resume else [])


def supervise(run_dir: Path, n: int, resume: bool, gpus: list[str] | None,
              stop_asked: Callable[[], bool]) -> int:
    """Run the N ranks through torchrun and wait; record an ending the main rank could not write."""
    from . import store

    env = dict(os.environ, **{RANK_ENV: "1"})
    if gpus:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(gpus[:n])
    argv = torchrun_argv(run_dir, n, resume)
    print(f"== {n} processes: {' '.join(argv)}", flush=True)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, cwd=run_dir, env=env)
    store.write_status(run_dir, processes=n, launcher="torchrun", launcher_pid=proc.pid)
    while proc.poll() is None:
        if stop_asked() and not (run_dir / store.STOP).exists():  # a bare SIGTERM: tell the ranks
            (run_dir / store.STOP).write_text(str(time.time()))
        time.sleep(0.2)
    st = store._read_status_file(run_dir)
    if st.get("state") in store.ACTIVE:  # the main rank died before it could say so, or is on another node
        from .history import tail_history

        step = tail_history(run_dir).step
        if proc.returncode == 0 and not (run_dir / store.EVENTS).stat().st_size:
            store.write_status(run_dir, state="completed", ended=time.time(), error=None,
                               note="this machine's processes finished; the events and the model are on the "
                                    "machine of rank 0")
        elif (run_dir / store.STOP).exists():
            store.write_status(run_dir, state="cancelled", ended=time.time(),
                               error=f"stopped at step {step}; the training processes ended without a checkpoint")
        else:
            store.write_status(run_dir, state="failed", ended=time.time(),
                               error=f"a training process ended (torchrun exit code {proc.returncode}) at step "
                                     f"{step}; see {run_dir / store.LOG}")
        (run_dir / store.STOP).unlink(missing_ok=True)
    return 0 if store._read_status_file(run_dir).get("state") == "completed" else 1
