"""Load a resolved model and its tokenizer onto a device, reporting progress events.

``load_events`` is a generator of :class:`LoadEvent` ending with a :class:`Loaded`;
the CLI draws a rich progress bar from it and the TUI a progress widget. Use
``load_model`` when you only want the result.

>>> m = load_model("dojo-tiny")            # doctest: +SKIP
>>> m.model.device.type, m.dtype
('cpu', 'float32')
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..config import setting
from ..device import check_quantization, pick_device, pick_dtype
from ..errors import DojoError, ModelNotFound, UnsafeModel
from .resolve import ResolvedModel, resolve_model

TASKS = ("causal-lm", "masked-lm")


@dataclass(frozen=True)
class LoadOptions:
    task: str = setting("causal-lm", choices=TASKS)
    """causal-lm (generation, chat, fine-tuning) or masked-lm (fill-mask)."""
    device: str | None = setting(None, metavar="auto|cpu|cuda|cuda:N|mps")
    """Where to load the model: auto picks CUDA, then Apple MPS, then the CPU."""
    dtype: str | None = setting(None, choices=("auto", "float32", "float16", "bfloat16"))
    """Number format of the weights: auto picks bf16/fp16 on GPUs and fp32 on the CPU."""
    load_in_4bit: bool = setting(False)
    """Quantise to 4-bit NF4 with bitsandbytes (CUDA only): about a quarter of the bf16 memory."""
    load_in_8bit: bool = setting(False)
    """Quantise to 8-bit with bitsandbytes (CUDA only): about half of the bf16 memory."""
    allow_pickle: bool = setting(False)
    """Allow .bin/.pt pickle weights, which can run code when loaded; off unless you say so."""
    trust_remote_code: bool = setting(False)
    """Run the model's own Python code (read it first); off unless you say so."""
    spread_gpus: bool = setting(False)
    """Split a model that does not fit one GPU over every visible GPU (accelerate's device_map="auto");
    by default a model sits on one GPU, where decoding is fastest."""
    allow_network: bool = setting(False, flag="--online")
    """Allow downloading from the Hugging Face hub; offline by default, since many GPU boxes cannot reach it."""


@dataclass(frozen=True)
class LoadEvent:
    stage: str  # resolve | tokenizer | weights | ready
    fraction: float
    detail: str = ""


@dataclass
class Loaded:
    model: Any
    tokenizer: Any
    resolved: ResolvedModel
    device: str
    dtype: str

    @property
    def parameters(self) -> int:
        return count_parameters(self.model)


def count_parameters(model: Any) -> int:
    """The model's true parameter count. A 4-bit weight is stored packed, two values per
    byte, so summing ``numel()`` would report Llama-3-8B as about 4.5B; transformers'
    ``num_parameters()`` undoes the packing."""
    counter = getattr(model, "num_parameters", None)
    if callable(counter):
        return int(counter())
    return sum(p.numel() for p in model.parameters())


def device_map_for(device: str, *, quantized: bool, spread: bool = False) -> dict[str, Any] | str | None:
    """Where the weights go: one GPU (``{"": index}``) unless ``spread`` asks accelerate to
    split a model that does not fit one GPU over every visible GPU (``"auto"``). On one
    GPU decoding never hops devices and peak memory is that GPU's.

    >>> device_map_for("cpu", quantized=False), device_map_for("cuda", quantized=False)
    (None, {'': 0})
    >>> device_map_for("cuda:1", quantized=True), device_map_for("cuda", quantized=False, spread=True)
    ({'': 1}, 'auto')
    """
    if not device.startswith("cuda"):
        return None
    if spread:
        return "auto"
    from ..device import cuda_index

    return {"": cuda_index(device)}


def load_events(name: str, options: LoadOptions = LoadOptions()) -> Iterator[LoadEvent | Loaded]:
    if options.task not in TASKS:
        raise DojoError(f"unknown task {options.task!r}; use one of {', '.join(TASKS)}")
    device = pick_device(options.device)
    dtype = pick_dtype(device, options.dtype)
    check_quantization(device, options.load_in_4bit, options.load_in_8bit)
    yield LoadEvent("resolve", 0.05, name)
    resolved = resolve_model(
        name,
        allow_network=options.allow_network,
        allow_pickle=options.allow_pickle,
        trust_remote_code=options.trust_remote_code,
    )
    yield LoadEvent("tokenizer", 0.15, str(resolved.path))
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(resolved.path, trust_remote_code=options.trust_remote_code)
    except (OSError, ValueError) as exc:
        raise ModelNotFound(f"{resolved.path} has no usable tokenizer ({str(exc).splitlines()[0][:160]})") from None
    yield LoadEvent("weights", 0.3, f"{device} / {dtype}")
    kwargs: dict[str, Any] = {
        "dtype": getattr(torch, dtype),
        "trust_remote_code": options.trust_remote_code,
        "use_safetensors": None if options.allow_pickle else True,
    }
    if options.load_in_4bit or options.load_in_8bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = (
            BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                               bnb_4bit_compute_dtype=getattr(torch, dtype))
            if options.load_in_4bit else BitsAndBytesConfig(load_in_8bit=True)
        )
    device_map = device_map_for(device, quantized=options.load_in_4bit or options.load_in_8bit,
                                spread=options.spread_gpus)
    if device_map is not None:
        kwargs["device_map"] = device_map
    cls = AutoModelForCausalLM if options.task == "causal-lm" else AutoModelForMaskedLM
    try:
        model = cls.from_pretrained(resolved.path, **kwargs)
    except ValueError as exc:
        msg = str(exc).splitlines()[0]
        if "trust_remote_code" in msg:
            raise UnsafeModel(f"{name} needs its own Python code to load; pass --trust-remote-code if you trust it") from None
        if "Unrecognized configuration class" in msg or "Unrecognized model" in msg:
            raise ModelNotFound(f"{name} is not a {options.task} model this version of transformers knows ({msg[:120]})") from None
        raise
    except OSError as exc:
        raise ModelNotFound(f"cannot load the weights of {name} ({str(exc).splitlines()[0][:160]})") from None
    except torch.OutOfMemoryError:
        raise DojoError(f"out of memory loading {name} on {device}; try --load-in-4bit, a smaller model or --device cpu") from None
    if "device_map" not in kwargs and device != "cpu":
        model = model.to(device)
    model.eval()
    yield LoadEvent("ready", 1.0, f"{count_parameters(model):,} parameters")
    yield Loaded(model, tokenizer, resolved, device, dtype)


def load_model(name: str, options: LoadOptions | None = None, **overrides: Any) -> Loaded:
    """Load and return the model (all events consumed)."""
    from dataclasses import replace

    opts = replace(options or LoadOptions(), **overrides)
    result = None
    for event in load_events(name, opts):
        if isinstance(event, Loaded):
            result = event
    assert result is not None
    return result
