"""Runs take turns per device: the second run on a GPU waits instead of both dying of out-of-memory.

No daemon schedules anything. Each run's worker is already a detached process of its
own (``engine.runs.launcher``); before it loads a model it takes an exclusive
``flock`` on one file per device it will use, ``<data dir>/queue/<device>.lock``, and
holds it until it exits. The kernel drops the lock when the process ends, however it
ends (completed, failed, SIGKILL, out of memory), so a crashed run never blocks the
queue. While it waits, the worker's status is ``queued`` with ``waiting: true``, the
devices it wants and the time it joined (``queued_at``); only the first in line (the
earliest ``queued_at`` of the live waiters that share a device) tries the lock, so
runs start in the order they were started, not in whatever order the kernel wakes
them. A queued run is a waiting process like a running one: it survives the app and
the SSH session, ``runs stop`` cancels it at once (it never touched the device) and
``runs rm`` removes it.

``parallel`` in the spec (``--parallel``) skips the queue: the run starts at once,
next to whatever else is on the device.

A device is named without importing torch: ``cpu``, ``mps``, or ``cuda<ID>`` with the
GPU's id as ``CUDA_VISIBLE_DEVICES`` names it (a number, or a ``GPU-...`` UUID).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from .. import paths
from .spec import RunSpec, gpu_present

QUEUE_DIR = "queue"
POLL_S = 0.25


def gpu_ids(mask: str | None = None) -> list[str]:
    """The GPUs this process may use, by the ids ``CUDA_VISIBLE_DEVICES`` gives (all when unset).

    >>> gpu_ids("2, 3")
    ['2', '3']
    """
    mask = os.environ.get("CUDA_VISIBLE_DEVICES") if mask is None else mask
    if mask is not None and mask.strip():
        return [part.strip() for part in mask.split(",") if part.strip()]
    if mask is not None:  # set but empty: no GPU visible
        return []
    gpus = Path("/proc/driver/nvidia/gpus")
    try:
        count = sum(1 for _ in gpus.iterdir()) if gpus.is_dir() else 0
    except OSError:
        count = 0
    return [str(i) for i in range(count)]


def uses_gpu(spec: RunSpec) -> bool:
    return spec.device.startswith("cuda") or (spec.device == "auto" and gpu_present() and bool(gpu_ids()))


def processes(spec: RunSpec) -> int:
    """Training processes for ``spec``: ``--processes N``, or 0 = every visible GPU (1 on a CPU or
    Mac; runs that are not Trainer runs always use 1)."""
    if spec.kind not in ("sft", "dpo"):
        return 1
    if spec.processes > 0:
        return spec.processes
    if spec.device.startswith("cuda:") or spec.qlora:
        return 1  # one named GPU; QLoRA's 4-bit model is placed on one GPU
    return max(1, len(gpu_ids())) if uses_gpu(spec) else 1


def devices(spec: RunSpec) -> list[str]:
    """The devices a run occupies, as queue names (sorted, so every run locks in one order)."""
    if spec.device == "mps" or (spec.device == "auto" and sys.platform == "darwin" and not uses_gpu(spec)):
        return ["mps"]
    if not uses_gpu(spec):
        return ["cpu"]
    from ..device import visible_devices

    ids = gpu_ids()
    if processes(spec) > 1:
        chosen = ids[: processes(spec)] or [str(i) for i in range(processes(spec))]
    else:
        chosen = [visible_devices(spec.device, ",".join(ids) if ids else None)]
    return sorted({"cuda" + re.sub(r"[^A-Za-z0-9_.-]", "_", g) for g in chosen})


def lock_dir() -> Path:
    base = paths.ensure_home() / QUEUE_DIR
    base.mkdir(mode=0o700, exist_ok=True)
    return base


# -- who waits, who is first -------------------------------------------------------------
def _waiting(status: dict[str, Any]) -> bool:
    from .store import pid_alive

    return status.get("state") == "queued" and bool(status.get("waiting")) and \
        pid_alive(status.get("pid"), status.get("pid_start"))


def _order(name: str, status: dict[str, Any]) -> tuple[float, str]:
    return float(status.get("queued_at") or 0.0), name


def _statuses() -> dict[str, dict[str, Any]]:
    from .store import _read_status_file, all_run_dirs

    return {d.name: _read_status_file(d) for d in all_run_dirs()}


def positions(statuses: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Run id -> ``{"position": n, "devices": [...], "behind": run id or None}`` for each waiting run.

    Position 1 is next in line. ``behind`` is the run that holds one of its devices now
    (the oldest such), when there is one."""
    waiting = {name: st for name, st in statuses.items() if _waiting(st)}
    holders = [(name, st) for name, st in statuses.items()
               if st.get("state") in ("queued", "running", "stopping") and st.get("devices")
               and not st.get("waiting") and not st.get("parallel")]
    out = {}
    for name, st in waiting.items():
        mine = set(st.get("devices") or ())
        ahead = [other for other, ost in waiting.items()
                 if other != name and mine & set(ost.get("devices") or ()) and _order(other, ost) < _order(name, st)]
        behind = sorted((_order(h, hst), h) for h, hst in holders if mine & set(hst.get("devices") or ()))
        out[name] = {"position": len(ahead) + 1, "devices": sorted(mine), "behind": behind[0][1] if behind else None}
    return out


def first_in_line(run_id: str, keys: Iterable[str]) -> bool:
    statuses = _statuses()
    mine = statuses.get(run_id, {})
    keys = set(keys)
    return not any(other != run_id and _waiting(st) and keys & set(st.get("devices") or ())
                   and _order(other, st) < _order(run_id, mine) for other, st in statuses.items())


# -- the locks -------------------------------------------------------------------------------
_held: list[IO[str]] = []
"""Lock files this process holds; closed (and so released) when it exits."""


def try_lock(keys: list[str]) -> list[IO[str]] | None:
    """Every device's lock at once, or none of them (never half, so two runs cannot deadlock)."""
    import fcntl

    base = lock_dir()
    got: list[IO[str]] = []
    for key in sorted(keys):
        fh = open(base / f"{key}.lock", "a+")  # noqa: SIM115 - held for the process's life
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            for other in got:
                other.close()
            return None
        got.append(fh)
    return got


def wait_turn(run_dir: Path, spec: RunSpec, should_stop: Callable[[], bool], poll: float = POLL_S) -> bool:
    """Wait (as ``queued``) until every device of ``spec`` is free, then hold them -> True;
    False when a stop was asked for while waiting. A ``parallel`` run returns at once."""
    from . import store

    keys = devices(spec)
    if spec.parallel:
        store.write_status(run_dir, devices=keys, parallel=True, waiting=False)
        return True
    try:
        import fcntl  # noqa: F401
    except ImportError:  # pragma: no cover - Windows: no flock, no queue
        return True
    joined = store._read_status_file(run_dir).get("queued_at") or time.time()  # set at launch: launch order
    store.write_status(run_dir, state="queued", devices=keys, waiting=True, queued_at=joined, parallel=False)
    announced = False
    while True:  # the device first: a free device is taken even when a stop is asked (the run handles it)
        if first_in_line(run_dir.name, keys):
            got = try_lock(keys)
            if got is not None:
                _held.extend(got)
                for fh in got:  # who holds the device, for people reading the lock files
                    fh.seek(0)
                    fh.truncate()
                    fh.write(f"{run_dir.name} {os.getpid()}\n")
                    fh.flush()
                store.write_status(run_dir, waiting=False, got_device=time.time())
                return True
        if should_stop():
            store.write_status(run_dir, waiting=False)
            return False
        if not announced:
            print(f"queued: waiting for {', '.join(keys)} (another run holds it)", flush=True)
            announced = True
        time.sleep(poll)
