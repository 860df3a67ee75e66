"""The GPU path: how the model sits on the device, how decoding is sped up, how fast it is.

Loading choices (bf16/fp16, ``device_map``, 4-bit NF4) belong to
``engine.models.load.LoadOptions`` and are only described here
(:func:`placement`). Decoding choices are :class:`SpeedOptions`:

* ``static_cache``: transformers pre-allocates the KV cache for the whole length
  (``cache_implementation="static"``), so every decoding step has the same shapes;
* ``compile``: with a static cache on CUDA, ``generate`` runs the forward pass through
  ``torch.compile`` (mode "reduce-overhead": CUDA graphs), removing Python and kernel
  launch overhead, which dominates small-batch decoding. Without ``compile`` we set
  ``disable_compile`` so the static cache alone can be measured.

Decoding one token reads every weight once, so tokens/s can never beat
``memory bandwidth / weight bytes`` (the roofline); :func:`roofline` reports the
fraction reached. :func:`measure` times the streamed path (time to first token and
decode tokens/s).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from ..errors import DeviceError

# Peak HBM/GDDR bandwidth in GB/s from vendor data sheets, matched on the device name.
BANDWIDTH_GBPS = {
    "H200": 4800, "H100 NVL": 3900, "H100 SXM": 3350, "H100 80GB HBM3": 3350, "H100 PCIe": 2000, "H100": 3350,
    "GH200": 4000, "B200": 8000, "A100-SXM4-80GB": 2039, "A100 80GB PCIe": 1935, "A100": 1555, "L40S": 864,
    "L40": 864, "L4": 300, "A10G": 600, "A10": 600, "T4": 320, "V100": 900, "RTX 4090": 1008, "RTX 3090": 936,
}


@dataclass(frozen=True)
class SpeedOptions:
    static_cache: bool = False
    """Pre-allocated KV cache: fixed shapes each step, the precondition for compiling decoding."""
    compile: bool = False
    """torch.compile the forward pass (CUDA only, needs ``static_cache``); the first call pays the compile time."""

    def generate_kwargs(self, device: str, quantized: bool = False) -> dict[str, Any]:
        if self.compile and quantized:
            raise DeviceError("--compile does not work on 4-bit/8-bit bitsandbytes weights (transformers would "
                              "silently skip it); drop --compile, or load without --load-in-4bit/--load-in-8bit")
        if self.compile and not self.static_cache:
            raise DeviceError("--compile needs --static-cache: torch.compile captures decoding only when every "
                              "step has the same shapes")
        if self.compile and not str(device).startswith("cuda"):
            raise DeviceError(f"--compile is for CUDA GPUs; this model is on {device}. Drop --compile")
        if not self.static_cache:
            return {}
        kwargs: dict[str, Any] = {"cache_implementation": "static"}
        if self.compile:
            from transformers import CompileConfig

            kwargs["compile_config"] = CompileConfig(mode="reduce-overhead")
        else:
            kwargs["disable_compile"] = True
        return kwargs


@dataclass(frozen=True)
class SpeedReport:
    label: str
    new_tokens: int
    time_to_first_token: float
    tokens_per_second: float
    runs: int
    peak_memory_gb: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "new_tokens": self.new_tokens,
                "time_to_first_token_s": round(self.time_to_first_token, 4),
                "tokens_per_s": round(self.tokens_per_second, 2), "runs": self.runs,
                "peak_memory_gb": None if self.peak_memory_gb is None else round(self.peak_memory_gb, 2), **self.extra}


def weight_bytes(model: Any) -> int:
    """Bytes of parameters and buffers: what one decoding step reads at least once."""
    total = sum(p.numel() * p.element_size() for p in model.parameters())
    return total + sum(b.numel() * b.element_size() for b in model.buffers())


def placement(model: Any) -> dict[str, Any]:
    """Where the model lives: device map, dtype, quantisation, size in memory."""
    first = next(model.parameters())
    quant = getattr(getattr(model, "config", None), "quantization_config", None)
    quant_desc = None
    if quant is not None:
        quant_desc = "4-bit" if getattr(quant, "load_in_4bit", False) else "8-bit" if getattr(
            quant, "load_in_8bit", False) else type(quant).__name__
    device_map = getattr(model, "hf_device_map", None)
    return {"device": str(first.device), "dtype": str(first.dtype).replace("torch.", ""),
            "device_map": {k: str(v) for k, v in device_map.items()} if device_map else None,
            "quantization": quant_desc, "weight_gb": round(weight_bytes(model) / 1e9, 3)}


def bandwidth_gbps(device: Any = "cuda") -> tuple[float | None, str]:
    """Peak memory bandwidth of the GPU from the data-sheet table, and the name matched."""
    import torch

    if not torch.cuda.is_available():
        return None, "no CUDA device"
    name = torch.cuda.get_device_name(device)
    for key in sorted(BANDWIDTH_GBPS, key=len, reverse=True):
        if key.lower() in name.lower():
            return float(BANDWIDTH_GBPS[key]), name
    return None, name


def measure_bandwidth_gbps(device: Any = "cuda", megabytes: int = 1024, repeats: int = 10) -> float:
    """Achievable bandwidth: a device-to-device copy of ``megabytes`` (read + write counted)."""
    import torch

    src = torch.empty(megabytes * 2**20, dtype=torch.uint8, device=device)
    dst = torch.empty_like(src)
    dst.copy_(src)
    torch.cuda.synchronize(device)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(repeats):
        dst.copy_(src)
    end.record()
    torch.cuda.synchronize(device)
    seconds = start.elapsed_time(end) / 1000
    return 2 * src.numel() * repeats / seconds / 1e9


def roofline(model: Any, tokens_per_second: float, bandwidth: float) -> dict[str, float]:
    """tokens/s against the bound ``bandwidth / weight bytes`` (batch 1, weights dominate)."""
    wb = weight_bytes(model)
    bound = bandwidth * 1e9 / wb
    return {"weight_gb": round(wb / 1e9, 3), "bandwidth_gbps": round(bandwidth, 1),
            "roofline_tokens_per_s": round(bound, 1), "fraction_of_roofline": round(tokens_per_second / bound, 3)}


def measure(model: Any, tokenizer: Any, prompt_ids: list[int], max_new_tokens: int = 128, runs: int = 3,
            speed: SpeedOptions = SpeedOptions(), label: str = "", warmup: int = 1) -> SpeedReport:
    """Median time to first token and decode tokens/s of greedy streamed generation.

    ``min_new_tokens`` equals ``max_new_tokens`` so every run decodes the same count
    (an early EOS would flatter the numbers). Warm-up runs (compilation, CUDA graphs,
    allocator) are not counted.
    """
    import torch

    from .params import SamplingParams
    from .stream import generate_text

    device = str(next(model.parameters()).device)
    extra = {**speed.generate_kwargs(device), "min_new_tokens": max_new_tokens}
    params = SamplingParams(max_new_tokens=max_new_tokens)
    on_cuda = device.startswith("cuda")
    for _ in range(warmup):
        generate_text(model, tokenizer, prompt_ids, params, extra_generate_kwargs=extra, logprobs=False)
    if on_cuda:
        torch.cuda.reset_peak_memory_stats(device)
    results = [generate_text(model, tokenizer, prompt_ids, params, extra_generate_kwargs=extra, logprobs=False)
               for _ in range(runs)]
    peak = torch.cuda.max_memory_allocated(device) / 1e9 if on_cuda else None
    return SpeedReport(label or ("static+compile" if speed.compile else "static" if speed.static_cache else "eager"),
                       len(results[0].token_ids), statistics.median(r.time_to_first_token or 0.0 for r in results),
                       statistics.median(r.tokens_per_second or 0.0 for r in results), runs, peak)
