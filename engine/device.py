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
        return "bfloat16" if _torch().cuda.is_bf16_supported() else "float16"
    if device == "mps":
        return "float16"
    return "float32"


def bitsandbytes_installed() -> bool:
    return importlib.util.find_spec("bitsandbytes") is not None


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
    if not bitsandbytes_installed():
        raise DeviceError(f"{flag} needs bitsandbytes; install it with: pip install 'bitsandbytes>=0.45'")
