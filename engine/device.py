"""Device and dtype choice, and a description of the machine for `llm-dojo doctor`.

Choices follow what works best on each accelerator: CUDA computes in bf16 where the
GPU supports it (Ampere and newer), else fp16; Apple MPS in fp16; CPU in fp32 (CPU
half precision is slow and inexact). ``--device`` overrides, and an impossible
request is a one-line :class:`DeviceError`, never a stack trace.
"""

from __future__ import annotations

import importlib.util

from .errors import DeviceError

DTYPES = {"float32": "float32", "fp32": "float32", "float16": "float16", "fp16": "float16",
          "bfloat16": "bfloat16", "bf16": "bfloat16", "auto": "auto"}


def _torch():
    import torch

    return torch


def cuda_available() -> bool:
    return _torch().cuda.is_available()


def mps_available() -> bool:
    torch = _torch()
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def pick_device(requested: str | None = None) -> str:
    """'cuda' > 'mps' > 'cpu', or the requested one if this machine has it."""
    if requested in (None, "", "auto"):
        if cuda_available():
            return "cuda"
        if mps_available():
            return "mps"
        return "cpu"
    req = requested.lower()
    if req.startswith("cuda"):
        if not cuda_available():
            raise DeviceError(f"--device {requested}: this machine has no CUDA GPU visible to PyTorch; use --device cpu")
        if ":" in req:
            index = int(req.split(":", 1)[1]) if req.split(":", 1)[1].isdigit() else -1
            if not 0 <= index < _torch().cuda.device_count():
                raise DeviceError(f"--device {requested}: no such GPU (this machine has {_torch().cuda.device_count()})")
        return req
    if req == "mps":
        if not mps_available():
            raise DeviceError("--device mps: Apple's Metal backend is not available here; use --device cpu")
        return "mps"
    if req == "cpu":
        return "cpu"
    raise DeviceError(f"--device {requested}: unknown device; use auto, cpu, cuda, cuda:N or mps")


def bf16_native(index: int = 0) -> bool:
    """True when GPU ``index`` computes bf16 in hardware (compute capability 8.0+: Ampere,
    Ada, Hopper...). ``torch.cuda.is_bf16_supported()`` also counts emulation, which makes
    T4 / V100 / Titan RTX look bf16-capable while their bf16 autocast is slow."""
    torch = _torch()
    if not torch.cuda.is_available():
        return False
    major, _minor = torch.cuda.get_device_capability(index)
    return major >= 8


def cuda_index(device: str) -> int:
    """``cuda`` -> 0, ``cuda:N`` -> N (within what this process sees)."""
    return int(device.split(":", 1)[1]) if ":" in device else 0


def visible_devices(requested: str, current_mask: str | None) -> str:
    """The ``CUDA_VISIBLE_DEVICES`` a training worker sets for ``--device``: exactly one GPU.

    A run on ``auto``/``cuda`` uses the first visible GPU, so the Trainer never wraps the
    model in DataParallel by accident (its batch, steps and ETA would be off by the GPU
    count); ``cuda:N`` is the N-th GPU *of the mask already set*, as PyTorch counts it.

    >>> visible_devices("cuda", None), visible_devices("cuda:1", None)
    ('0', '1')
    >>> visible_devices("cuda:1", "2,3"), visible_devices("auto", "5,6")
    ('3', '5')
    """
    index = cuda_index(requested) if requested.startswith("cuda") else 0
    if current_mask is None or not current_mask.strip():
        return str(index)
    visible = [part.strip() for part in current_mask.split(",") if part.strip()]
    if not 0 <= index < len(visible):
        raise DeviceError(f"--device {requested}: CUDA_VISIBLE_DEVICES={current_mask} shows {len(visible)} GPU(s); "
                          f"use cuda:0..cuda:{max(len(visible) - 1, 0)}")
    return visible[index]


def pick_dtype(device: str, requested: str | None = None) -> str:
    """A dtype name for ``device``: bf16/fp16 on CUDA, fp16 on MPS, fp32 on CPU."""
    if requested not in (None, "", "auto"):
        name = DTYPES.get(requested.lower())
        if name is None:
            raise DeviceError(f"--dtype {requested}: unknown; use auto, float32, float16 or bfloat16")
        if name == "bfloat16" and device.startswith("cuda") and not _torch().cuda.is_bf16_supported():
            raise DeviceError("--dtype bfloat16: this GPU does not support bf16; use --dtype float16")
        return name
    if device.startswith("cuda"):
        return "bfloat16" if bf16_native(cuda_index(device)) else "float16"
    if device == "mps":
        return "float16"
    return "float32"


BITSANDBYTES_MIN = (0, 46, 1)
"""transformers 5 refuses older bitsandbytes (with an ImportError deep in loading)."""


def bitsandbytes_installed() -> bool:
    return importlib.util.find_spec("bitsandbytes") is not None


def bitsandbytes_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bitsandbytes")
    except PackageNotFoundError:
        return None


def version_tuple(text: str) -> tuple[int, ...]:
    """``"0.46.1"`` -> (0, 46, 1); pre-release and local parts are ignored."""
    out = []
    for part in text.split("+")[0].split("."):
        digits = "".join(ch for ch in part if ch.isdigit()) if part[:1].isdigit() else ""
        if not digits:
            break
        out.append(int(digits))
    return tuple(out)


def bitsandbytes_too_old(found: str | None) -> bool:
    return found is not None and version_tuple(found) < BITSANDBYTES_MIN


def check_quantization(device: str, load_in_4bit: bool, load_in_8bit: bool) -> None:
    """4/8-bit loading needs bitsandbytes and a CUDA device; say why when not."""
    if not (load_in_4bit or load_in_8bit):
        return
    flag = "--load-in-4bit" if load_in_4bit else "--load-in-8bit"
    if load_in_4bit and load_in_8bit:
        raise DeviceError("choose one of --load-in-4bit and --load-in-8bit")
    if not device.startswith("cuda"):
        raise DeviceError(
            f"{flag} needs an NVIDIA GPU with CUDA (bitsandbytes quantises on the GPU); "
            f"this run uses {device}. Drop {flag}, or run on a GPU machine"
        )
    floor = ".".join(map(str, BITSANDBYTES_MIN))
    found = bitsandbytes_version()
    if found is None:
        raise DeviceError(f"{flag} needs bitsandbytes; install it with: pip install 'bitsandbytes>={floor}'")
    if bitsandbytes_too_old(found):
        raise DeviceError(f"{flag} needs bitsandbytes {floor} or newer (this machine has {found}); "
                          f"upgrade it: pip install -U 'bitsandbytes>={floor}'")
