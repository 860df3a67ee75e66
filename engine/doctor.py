"""`llm-dojo doctor`: what this machine can do for the course, and how to fix what it can't.

Each :class:`Check` is ``ok``, ``degraded`` (works, with less) or ``missing`` (a
lab will not work), with a one-line fix. Nothing here changes the machine.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass

from . import paths
from .errors import StateDirError


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | degraded | missing
    value: str
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _version(pkg: str) -> str | None:
    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return None


def java_version() -> str | None:
    java = shutil.which("java")
    if java is None:
        home = os.environ.get("JAVA_HOME")
        cand = os.path.join(home, "bin", "java") if home else None
        java = cand if cand and os.path.exists(cand) else None
    if java is None:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (out.stderr or out.stdout).strip().splitlines()
    return first[0] if first else "unknown version"


def hub_reachable(timeout: float = 1.5) -> bool:
    """Can we open a TCP connection to the hub? (DNS included, bounded by a thread.)"""
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection(("huggingface.co", 443), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout + 0.5)
    return bool(result and result[0])


def _gpu_checks() -> list[Check]:
    import torch

    cuda_build = torch.version.cuda
    checks = [Check("torch", "ok", f"{torch.__version__}" + (f" (CUDA {cuda_build})" if cuda_build else " (CPU build)"))]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            major, minor = torch.cuda.get_device_capability(i)
            bf16 = (f"bf16 (compute {major}.{minor})" if major >= 8 else
                    f"fp16 (compute {major}.{minor}: bf16 only emulated, slow)")
            checks.append(Check(f"gpu {i}", "ok", f"{p.name}, {p.total_memory / 2**30:.1f} GiB, {bf16}"))
    elif getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        checks.append(Check("gpu", "ok", "Apple MPS (float16)"))
    else:
        fix = ("install a CUDA build of torch (pip install torch)" if not cuda_build else "check the NVIDIA driver (nvidia-smi)")
        checks.append(Check("gpu", "degraded", "none: labs run on the CPU with the embedded tiny models",
                            f"for real models and 4-bit, use a CUDA GPU machine; {fix}"))
    bnb = _version("bitsandbytes")
    from .device import BITSANDBYTES_MIN, bitsandbytes_too_old

    floor = ".".join(map(str, BITSANDBYTES_MIN))
    if bnb and bitsandbytes_too_old(bnb):
        checks.append(Check("bitsandbytes", "missing" if torch.cuda.is_available() else "degraded",
                            f"{bnb} is older than {floor}, which transformers needs for 4-bit / 8-bit",
                            f"pip install -U 'bitsandbytes>={floor}'"))
    elif bnb and torch.cuda.is_available():
        checks.append(Check("bitsandbytes", "ok", f"{bnb}: 4-bit / 8-bit loading available"))
    elif bnb:
        checks.append(Check("bitsandbytes", "degraded", f"{bnb} installed, but 4-bit needs a CUDA GPU", "use a CUDA GPU machine for QLoRA"))
    else:
        fix = (f"pip install 'bitsandbytes>={floor}' (Linux x86_64 installs it with llm-dojo)" if torch.cuda.is_available()
               else "on a Linux x86_64 CUDA machine it comes with llm-dojo; elsewhere QLoRA is not available")
        checks.append(Check("bitsandbytes", "missing" if torch.cuda.is_available() else "degraded",
                            "not installed: no 4-bit / 8-bit loading (QLoRA)", fix))
    return checks


def run_checks(probe_network: bool = True) -> list[Check]:
    checks = [Check("python", "ok", f"{platform.python_version()} ({sys.executable})")]
    try:
        home = paths.ensure_home()
        checks.append(Check("data dir", "ok", str(home)))
    except StateDirError as exc:
        home = None
        checks.append(Check("data dir", "missing", str(paths.home()), str(exc)))
    checks += _gpu_checks()
    for pkg in ("transformers", "tokenizers", "peft", "trl", "datasets", "evaluate", "gensim", "textual"):
        v = _version(pkg)
        checks.append(Check(pkg, "ok" if v else "missing", v or "not installed", "" if v else f"pip install {pkg}"))
    java = java_version()
    konlpy = _version("konlpy")
    checks.append(Check("java", "ok" if java else "missing", java or "not found",
                        "" if java else "KoNLPy needs Java: apt-get install default-jre (or set JAVA_HOME)"))
    checks.append(Check("konlpy", "ok" if konlpy and java else "missing",
                        f"{konlpy}" + ("" if java else " (cannot start without Java)") if konlpy else "not installed",
                        "" if konlpy else "pip install konlpy"))
    from .models.resolve import embedded_models

    emb = embedded_models()
    checks.append(Check("embedded models", "ok" if emb else "missing", ", ".join(emb) or "none",
                        "" if emb else "reinstall llm-dojo, or rebuild them: llm-dojo train pretrain --preset dojo-tiny"))
    target = home if home is not None else paths.home().parent
    try:
        free = shutil.disk_usage(target).free / 2**30
        checks.append(Check("free disk", "ok" if free >= 5 else "degraded", f"{free:.1f} GiB at {target}",
                            "" if free >= 5 else "free some space: checkpoints and adapters need several GiB"))
    except OSError:
        pass
    from huggingface_hub import constants

    from .models.catalog import cached_hub_models

    cached = cached_hub_models()
    checks.append(Check("hf cache", "ok", f"{constants.HF_HUB_CACHE} ({len(cached)} models)"))
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}:
        checks.append(Check("network", "degraded", "offline (HF_HUB_OFFLINE is set): embedded and cached models only"))
    elif probe_network:
        online = hub_reachable()
        checks.append(Check("network", "ok" if online else "degraded",
                            "the Hugging Face hub is reachable" if online else "the hub is unreachable: embedded and cached models only",
                            "" if online else "copy models into the HF cache (huggingface-cli download on a connected machine)"))
    return checks
