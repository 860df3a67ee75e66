"""Start a run as a process of its own, so nothing the front end does can stop it.

``start(spec)`` checks what can be checked cheaply (the spec, the model's files and
context length, the dataset's lines and columns), creates the run directory and
spawns ``python -m engine.runs.worker RUN_DIR`` with:

* ``start_new_session=True``: the worker leads its own session and process group,
  so closing the TUI, Ctrl-C in the terminal, or SIGHUP from a dropped SSH
  connection never reaches it, and killing the launcher leaves it running;
* an argument list, never a shell string (no quoting bugs, no injection);
* stdin from /dev/null, stdout and stderr appended to ``run.log``;
* ``OMP_WAIT_POLICY=PASSIVE`` unless set: see ``worker_env``.

This module never imports torch: a parent that touched CUDA before spawning could
not hand the GPU to the child cleanly, and the TUI must stay light. A daemon thread
waits for the child, so a long-lived parent (the TUI, a test) never collects zombies.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from .. import paths
from ..errors import DojoError
from . import store
from .spec import RunSpec, gpu_present

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def preflight(spec: RunSpec) -> dict:
    """Cheap checks in the parent, before any process starts -> a short summary.

    A bad dataset line, a missing column or a too-long sequence length is reported
    at once, as a one-line error, instead of as a failed run a minute later."""
    spec.validate()
    if spec.device.startswith("cuda") and not gpu_present():
        raise DojoError(f"--device {spec.device}: no NVIDIA GPU is visible on this machine; use --device auto or cpu")
    if spec.qlora and not (spec.device.startswith("cuda") or (spec.device == "auto" and gpu_present())):
        where = "no NVIDIA GPU is visible on this machine" if spec.device == "auto" else f"--device is {spec.device}"
        raise DojoError(f"QLoRA needs a CUDA GPU for bitsandbytes' 4-bit weights and {where}; "
                        "train plain LoRA instead (drop --qlora)")
    _processes_preflight(spec)
    if spec.kind == "pretrain":
        return _pretrain_preflight(spec)
    if spec.kind == "dpo":
        from ..training.dpo import preflight as dpo_preflight

        return dpo_preflight(spec)
    if spec.kind == "sft":
        from ..training.sft import preflight as sft_preflight

        return sft_preflight(spec)
    if spec.kind == "eval":
        return _eval_preflight(spec)
    return {}  # pragma: no cover - later kinds add their own checks


def _processes_preflight(spec: RunSpec) -> None:
    """Several processes: Trainer runs only, no more than the GPUs visible, torch's launcher present."""
    from .queue import gpu_ids, processes, uses_gpu

    if spec.processes < 0:
        raise DojoError(f"--processes {spec.processes}: give 1 or more, or 0 for every visible GPU")
    if spec.processes > 1 and spec.kind not in ("sft", "dpo"):
        raise DojoError(f"--processes {spec.processes}: only fine-tuning runs (sft, lora, dpo) train with several "
                        "processes; drop --processes")
    n = processes(spec)
    if n > 1 and uses_gpu(spec):
        if spec.device.startswith("cuda:"):
            raise DojoError(f"--device {spec.device} names one GPU, --processes {n} needs {n}; use --device cuda "
                            "(set CUDA_VISIBLE_DEVICES to choose which GPUs)")
        if n > len(gpu_ids()):
            raise DojoError(f"--processes {n}: only {len(gpu_ids())} GPU(s) are visible; use at most that many "
                            "(one process per GPU)")
    if n > 1 and spec.qlora:
        raise DojoError("--qlora trains on one GPU here; drop --processes (or train plain LoRA on several GPUs)")
    if spec.fsdp and n < 2:
        raise DojoError("--fsdp shards the model across several processes; add --processes 2 or more")


def _eval_preflight(spec: RunSpec) -> dict:
    """The set must load (a bad line is named now, not in the worker) and every adapter must exist."""
    from ..evaluation.api import run_output
    from ..evaluation.data import load_set

    config = spec.evaluation()
    es = load_set(config.task, config.data_name, config.limit)
    for adapter in spec.adapters:
        if not Path(run_output(adapter)).expanduser().is_dir():
            raise DojoError(f"no adapter folder at {adapter}; list adapters with: llm-dojo models")
    return {"task": config.task, "data": es.source, "items": len(es.items),
            "candidates": 1 + len(spec.compare) + len(spec.adapters)}


def _pretrain_preflight(spec: RunSpec) -> dict:
    """The recipe's output directory must be empty, replaceable (--overwrite) or resumable (--resume)."""
    out = spec.pretrain_output()
    if spec.resume:
        if not (out / "checkpoints" / "last.pt").exists():
            raise DojoError(f"nothing to resume in {out}: no checkpoints/last.pt; start without --resume")
    elif out.exists() and not out.is_dir():
        raise DojoError(f"{out} exists and is not a directory; choose another --out")
    elif out.is_dir() and any(out.iterdir()) and not spec.overwrite:
        raise DojoError(f"{out} exists and is not empty; pass --overwrite to replace it, or --resume to continue it")
    return {"preset": spec.preset, "output": str(out)}


def absolute_paths(spec: RunSpec) -> RunSpec:
    """Local model and dataset paths made absolute: the worker runs in the run directory.
    Names (embedded models, built-in datasets, hub ids) are left as they are."""
    from ..models.resolve import embedded_models
    from ..training.datasets import BUILTIN

    def fix(value: str, names) -> str:
        path = Path(value).expanduser()
        return str(path.resolve()) if value and value not in names and path.exists() else value

    if spec.kind == "eval":  # local sets, models and adapters; run ids and built-in names stay names
        data = spec.eval_config.get("data", "")
        local = lambda v: str(Path(v).expanduser().resolve()) if v and Path(v).expanduser().exists() else v  # noqa: E731
        return spec.replace(model=fix(spec.model, embedded_models()), compare=tuple(local(m) for m in spec.compare),
                            adapters=tuple(local(a) for a in spec.adapters),
                            eval_config={**spec.eval_config, **({"data": local(data)} if data else {})})
    out = str(Path(spec.out).expanduser().resolve()) if spec.out else ""
    adapter = str(Path(spec.adapter).expanduser().resolve()) if spec.adapter else ""
    return spec.replace(model=fix(spec.model, embedded_models()), dataset=fix(spec.dataset, {*BUILTIN, "preferences"}),
                        out=out, adapter=adapter)


def prepare(spec: RunSpec) -> tuple[RunSpec, dict]:
    """``absolute_paths`` then ``preflight`` -> (the spec to run, the preflight summary)."""
    spec = absolute_paths(spec)
    return spec, preflight(spec)


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment, plus: the project importable, unbuffered output."""
    env = dict(os.environ)
    pythonpath = [str(PROJECT_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(pythonpath))
    env["PYTHONUNBUFFERED"] = "1"
    env["LLM_DOJO_HOME"] = str(paths.home())
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    # OpenMP threads that spin while waiting are fast on an idle machine and ruinous on
    # a shared one: next to another busy process, a tiny model's step took 20-40x longer
    # (measured on 2 cores) and the spinning starves the UI. Passive waiting costs little.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env.update(extra or {})
    return env


def spawn(run_dir: Path, *, resume: bool = False, env: dict[str, str] | None = None) -> int:
    """Spawn the worker for ``run_dir`` and return its pid (recorded in status.json)."""
    store.write_status(run_dir, queued_at=time.time())  # its place in the device's queue: launch order
    argv = [sys.executable, "-m", "engine.runs.worker", str(run_dir)]
    if resume:
        argv.append("--resume")
    with open(run_dir / store.LOG, "ab") as log:
        log.write(f"\n== {time.strftime('%Y-%m-%d %H:%M:%S')} {'resume' if resume else 'start'}: "
                  f"{' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=run_dir,
            env=worker_env(env),
            start_new_session=True,
            close_fds=True,
        )
    store.write_status(run_dir, pid=proc.pid, pid_start=store.process_start(proc.pid))
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc.pid


def busy(spec: RunSpec) -> list[str]:
    """Ids of the active runs a new run of ``spec`` would queue behind (they hold or wait for one of its
    devices, and were not started with --parallel); [] for a --parallel run."""
    from .queue import devices

    if spec.parallel:
        return []
    mine = set(devices(spec))
    out = []
    for run_dir in store.all_run_dirs():
        try:
            st = store.status(run_dir)
            if st.get("state") not in store.ACTIVE or st.get("parallel"):
                continue
            theirs = set(st.get("devices") or devices(store.load_spec(run_dir)))
        except DojoError:
            continue
        if mine & theirs:
            out.append(run_dir.name)
    return out


def start(spec: RunSpec, *, env: dict[str, str] | None = None, check: bool = True) -> str:
    """Check ``spec``, create its run directory, spawn the worker; return the run id.
    ``check=False``: the caller ran ``prepare`` already."""
    if check:
        spec, _ = prepare(spec)
    run_dir = store.create_run(spec)
    spawn(run_dir, env=env)
    return run_dir.name
