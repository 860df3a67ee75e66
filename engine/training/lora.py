"""LoRA adapters (peft): which modules get them, how many weights they add, and whether an
adapter fits a base model.

A LoRA adapter on a linear layer ``W`` (``out x in``) adds ``B @ A`` with ``A`` of shape
``r x in`` and ``B`` of shape ``out x r``: ``r x (in + out)`` trainable weights beside a
frozen ``out x in``. ``B`` starts at zero, so the adapted model starts exactly as the base.

* :func:`linear_modules` lists a model's linear layers by name (``q_proj``, ``up_proj``,
  GPT-2's ``c_attn``...), leaving out the output layer; an empty ``target_modules``
  adapts all of them (peft's "all-linear").
* :func:`apply_lora` wraps a model with peft and reports the trainable count (peft's own).
* :func:`check_adapter` compares an adapter with a base model *without loading either*
  (``adapter_config.json`` and the safetensors headers): a different base is refused
  before anything is loaded, naming the first module whose shape differs.
* :func:`load_adapter` loads a base with an adapter on top (``PeftModel.from_pretrained``).

Nothing here imports torch at module level.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import setting
from ..errors import DojoError

if TYPE_CHECKING:
    from ..runs.spec import RunSpec

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"


@dataclass(frozen=True)
class LoraInfo:
    """What wrapping a model with LoRA did."""

    targets: tuple[str, ...]
    trainable: int
    total: int
    adapted: int = 0
    """How many linear layers got an adapter."""
    notes: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.trainable / self.total if self.total else 0.0

    def summary(self) -> str:
        return (f"LoRA on {self.adapted} layers ({', '.join(self.targets)}): {self.trainable:,} trainable of "
                f"{self.total:,} weights ({self.percent:.2f}%)")

    def to_event(self) -> dict[str, Any]:
        return {"trainable_params": self.trainable, "total_params": self.total,
                "trainable_pct": round(self.percent, 4), "lora_targets": ",".join(self.targets)}


def _is_linear(module: Any) -> bool:
    import torch

    if isinstance(module, torch.nn.Linear):
        return True
    return type(module).__name__ == "Conv1D" and hasattr(module, "nf")  # GPT-2's transposed linear


def linear_modules(model: Any) -> list[str]:
    """Names (last component) of the model's linear layers, output layer excluded, sorted.

    >>> import torch                                                    # doctest: +SKIP
    >>> linear_modules(tiny_llama)                                      # doctest: +SKIP
    ['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj']
    """
    output = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    names = set()
    for name, module in model.named_modules():
        if module is output or not name or not _is_linear(module):
            continue
        names.add(name.rsplit(".", 1)[-1])
    return sorted(names)


def resolve_targets(model: Any, wanted: tuple[str, ...] | list[str], model_name: str = "the model") -> list[str]:
    """The target modules to adapt: ``wanted`` checked against the model, or all linear ones."""
    names = linear_modules(model)
    if not names:
        raise DojoError(f"{model_name} has no linear layers LoRA can adapt; use --method full")
    wanted = [w for w in wanted if w]
    if not wanted or list(wanted) == ["all-linear"]:
        return names
    missing = [w for w in wanted if w not in names]
    if missing:
        raise DojoError(f"--target {','.join(missing)} matches no linear layer of {model_name}; "
                        f"its linear layers are: {', '.join(names)}")
    return list(dict.fromkeys(wanted))


def lora_config(spec: RunSpec, targets: list[str]) -> Any:
    from peft import LoraConfig, TaskType

    return LoraConfig(r=spec.lora_r, lora_alpha=spec.lora_alpha, lora_dropout=spec.lora_dropout,
                      target_modules=targets, bias=spec.lora_bias, use_rslora=spec.use_rslora,
                      use_dora=spec.use_dora, task_type=TaskType.CAUSAL_LM)


def count_adapted(model: Any, targets: list[str]) -> int:
    output = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    return sum(1 for name, m in model.named_modules()
               if m is not output and name and _is_linear(m) and name.rsplit(".", 1)[-1] in targets)


def apply_lora(model: Any, spec: RunSpec, model_name: str = "the model") -> tuple[Any, LoraInfo]:
    """Wrap ``model`` with fresh LoRA adapters -> (peft model, what was done)."""
    from peft import get_peft_model
    from transformers import set_seed

    targets = resolve_targets(model, spec.target_modules, model_name)
    set_seed(spec.seed)  # A's random start: the same seed gives the same adapter, whatever ran before
    adapted = count_adapted(model, targets)
    peft_model = get_peft_model(model, lora_config(spec, targets))
    trainable, total = peft_model.get_nb_trainable_parameters()
    return peft_model, LoraInfo(tuple(targets), trainable, total, adapted)


def peft_info(peft_model: Any) -> LoraInfo:
    """The trainable count of a model that already carries an adapter."""
    cfg = peft_model.peft_config[peft_model.active_adapter]
    targets = tuple(sorted(cfg.target_modules)) if isinstance(cfg.target_modules, (set, list, tuple)) \
        else (str(cfg.target_modules),)
    trainable, total = peft_model.get_nb_trainable_parameters()
    from peft.tuners.tuners_utils import BaseTunerLayer

    adapted = sum(1 for m in peft_model.modules() if isinstance(m, BaseTunerLayer))
    return LoraInfo(targets, trainable, total, adapted)


# -- adapters on disk -------------------------------------------------------------------
def is_adapter(folder: Path | str) -> bool:
    return (Path(folder) / ADAPTER_CONFIG).is_file()


def read_adapter_config(folder: Path | str) -> dict[str, Any]:
    path = Path(folder).expanduser() / ADAPTER_CONFIG
    if not path.is_file():
        raise DojoError(f"{Path(folder)} is not a LoRA adapter (no {ADAPTER_CONFIG}); give the model folder of a "
                        "finished LoRA run")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DojoError(f"{path} cannot be read ({exc}); the adapter is damaged") from None


def safetensors_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name -> shape from a safetensors file's header (no tensor is read)."""
    try:
        with open(path, "rb") as fh:
            (size,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(size))
    except (OSError, ValueError, struct.error) as exc:
        raise DojoError(f"{path} is not a readable safetensors file ({exc})") from None
    return {k: tuple(v["shape"]) for k, v in header.items() if k != "__metadata__"}


def model_shapes(folder: Path) -> dict[str, tuple[int, ...]]:
    """Weight name -> shape of a model folder's safetensors (single file or shards)."""
    shapes: dict[str, tuple[int, ...]] = {}
    for file in sorted(Path(folder).glob("*.safetensors")):
        if file.name != ADAPTER_WEIGHTS:
            shapes.update(safetensors_shapes(file))
    return shapes


def _base_key(adapter_key: str) -> tuple[str, str] | None:
    """``base_model.model.model.layers.0.q_proj.lora_A.weight`` -> (``model.layers.0.q_proj``, ``A``)."""
    for part in ("lora_A", "lora_B"):
        marker = f".{part}."
        if marker in adapter_key:
            module = adapter_key.split(marker)[0]
            module = module.removeprefix("base_model.model.")
            return module, part[-1]
    return None


def adapter_base(folder: Path | str) -> str:
    """The base model an adapter names: the run's task card, else peft's ``base_model_name_or_path``."""
    from .task_card import read_card

    card = read_card(folder)
    if card is not None and card.base_model:
        return card.base_model
    return str(read_adapter_config(folder).get("base_model_name_or_path") or "")


def check_adapter(adapter: Path | str, base_dir: Path, base_name: str) -> dict[str, Any]:
    """Refuse an adapter whose weights do not fit ``base_dir``'s model -> a short summary.

    Reads only JSON and safetensors headers. Every ``lora_A`` must be ``r x in`` and every
    ``lora_B`` ``out x r`` of the base layer it names; a layer the base lacks is a mismatch too."""
    folder = Path(adapter).expanduser()
    cfg = read_adapter_config(folder)
    trained_on = adapter_base(folder) or "an unknown model"
    weights = folder / ADAPTER_WEIGHTS
    if not weights.is_file():
        raise DojoError(f"{folder} has {ADAPTER_CONFIG} but no {ADAPTER_WEIGHTS}; the adapter is incomplete")
    base = model_shapes(base_dir)
    if not base:
        raise DojoError(f"{base_name} has no safetensors weights to compare the adapter with")
    transposed = bool(cfg.get("fan_in_fan_out"))
    for key, shape in sorted(safetensors_shapes(weights).items()):
        found = _base_key(key)
        if found is None:
            continue
        module, which = found
        weight = base.get(module + ".weight")
        if weight is None or len(weight) != 2:
            raise DojoError(f"the adapter in {folder} was trained on {trained_on}, not {base_name}: {base_name} has "
                            f"no layer {module}; use --model {trained_on} or an adapter trained on {base_name}")
        out_f, in_f = (weight[1], weight[0]) if transposed else (weight[0], weight[1])
        fits = shape[1] == in_f if which == "A" else shape[0] == out_f
        if not fits:
            raise DojoError(f"the adapter in {folder} was trained on {trained_on}, not {base_name}: its {module} "
                            f"adapter is {'x'.join(map(str, shape))} but {base_name}'s layer is "
                            f"{out_f}x{in_f}; use --model {trained_on} or an adapter trained on {base_name}")
    return {"adapter": str(folder), "adapter_base": trained_on, "r": cfg.get("r")}


def load_adapter(base_model: Any, adapter: Path | str, *, trainable: bool = False, name: str = "default") -> Any:
    """``base_model`` with the adapter in ``adapter`` on top (a ``PeftModel``)."""
    from peft import PeftModel

    return PeftModel.from_pretrained(base_model, str(Path(adapter).expanduser()), is_trainable=trainable,
                                     adapter_name=name)


def qlora_available(device: str) -> None:
    """Raise a one-line DojoError unless QLoRA can run here (CUDA and bitsandbytes)."""
    if not device.startswith("cuda"):
        raise DojoError(f"QLoRA needs a CUDA GPU (bitsandbytes' 4-bit kernels), and this run is on {device}; "
                        "train plain LoRA instead (drop --qlora)")
    import importlib.util

    if importlib.util.find_spec("bitsandbytes") is None:
        raise DojoError("QLoRA needs bitsandbytes: pip install 'llm-dojo[gpu]' (or pip install bitsandbytes), "
                        "or train plain LoRA (drop --qlora)")


EMBEDDINGS = frozenset({"lm_head", "embed_tokens", "wte", "wpe", "embed_out", "embed_positions", "word_embeddings",
                        "position_embeddings", "token_type_embeddings", "shared", "output"})
"""Module names of embedding and output layers: 2-D weights that are not linear layers LoRA adapts."""


def estimate(model_dir: Path, spec: RunSpec) -> dict[str, Any]:
    """The adapter's size from the safetensors headers alone (no torch), shown before a run starts:
    ``r x (in + out)`` per adapted linear layer (plus ``out`` per layer for DoRA's magnitudes).
    The worker reports peft's own count when it wraps the model; the two agree (a test checks)."""
    shapes = model_shapes(model_dir)
    layers = {name[: -len(".weight")]: shape for name, shape in shapes.items()
              if name.endswith(".weight") and len(shape) == 2
              and name[: -len(".weight")].rsplit(".", 1)[-1] not in EMBEDDINGS}
    names = sorted({m.rsplit(".", 1)[-1] for m in layers})
    wanted = [w for w in spec.target_modules if w and w != "all-linear"]
    missing = [w for w in wanted if w not in names]
    if missing and names:
        raise DojoError(f"--target {','.join(missing)} matches no linear layer of {spec.model}; its linear layers "
                        f"are: {', '.join(names)}")
    targets = wanted or names
    cfg = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    transposed = cfg.get("model_type") == "gpt2"  # Conv1D stores (in, out)
    trainable = 0
    adapted = 0
    for module, (a, b) in layers.items():
        if module.rsplit(".", 1)[-1] in targets:
            out_f = b if transposed else a
            trainable += spec.lora_r * (a + b) + (out_f if spec.use_dora else 0)
            adapted += 1
    total = sum(math.prod(s) for s in shapes.values()) + trainable
    return {"trainable_params": trainable, "total_params": total,
            "trainable_pct": round(100.0 * trainable / total, 4) if total else 0.0,
            "lora_targets": ",".join(targets), "lora_layers": adapted}


# -- merge and inspect ----------------------------------------------------------------------
@dataclass(frozen=True)
class MergeConfig:
    adapter: str = setting("", metavar="DIR")
    """The adapter to merge: a LoRA run's model folder (adapter_config.json + adapter_model.safetensors)."""
    out: str = setting("", metavar="DIR")
    """Where the standalone merged model goes. Empty: <adapter>-merged beside the adapter."""
    model: str = setting("", short="-m", metavar="NAME|DIR")
    """The base model. Empty: the one the adapter names (its run's task card, else adapter_config.json)."""
    overwrite: bool = setting(False)
    """Replace a non-empty output folder."""


def _base_for(adapter: Path, model: str) -> tuple[str, Path]:
    from ..models.resolve import resolve_model

    name = model or adapter_base(adapter)
    if not name:
        raise DojoError(f"the adapter in {adapter} does not name its base model; give it with --model")
    path = resolve_model(name).path
    check_adapter(adapter, path, name)
    return name, path


def merge_adapter(config: MergeConfig) -> dict[str, Any]:
    """Fold ``B @ A`` (scaled) into the base weights and save a standalone model (no peft needed
    to load it) -> a summary. The adapter is checked against the base before anything loads."""
    import shutil

    from ..models.load import load_model
    from .task_card import TASK_FILE

    adapter = Path(config.adapter).expanduser()
    if not config.adapter:
        raise DojoError("give the adapter folder to merge: --adapter DIR")
    read_adapter_config(adapter)
    name, _ = _base_for(adapter, config.model)
    out = Path(config.out).expanduser() if config.out else adapter.with_name(adapter.name + "-merged")
    if out.exists() and any(out.iterdir()) and not config.overwrite:
        raise DojoError(f"{out} exists and is not empty; pass --overwrite to replace it, or choose another --out")
    loaded = load_model(name, device="cpu", dtype="float32")
    merged = load_adapter(loaded.model, adapter).merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(out)
    tokenizer = loaded.tokenizer
    if (adapter / "tokenizer_config.json").exists():
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(adapter)
    tokenizer.save_pretrained(out)
    if (adapter / TASK_FILE).exists():
        shutil.copy(adapter / TASK_FILE, out / TASK_FILE)
    return {"output": str(out), "base": name, "adapter": str(adapter),
            "parameters": sum(p.numel() for p in merged.parameters()),
            "bytes": sum(f.stat().st_size for f in out.glob("*.safetensors"))}


def adapter_deltas(adapter: Path | str, model: str = "") -> list[dict[str, Any]]:
    """What the adapter changes, per adapted layer: the norm of its update ``scale x B @ A``, the
    norm of the frozen weight, their ratio, and the adapter's size vs. the full weight's."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import load_file

    folder = Path(adapter).expanduser()
    cfg = read_adapter_config(folder)
    _, base_dir = _base_for(folder, model)
    tensors = load_file(str(folder / ADAPTER_WEIGHTS))
    r = int(cfg.get("r", 8))
    alpha = float(cfg.get("lora_alpha", r))
    scale = alpha / (r ** 0.5) if cfg.get("use_rslora") else alpha / r
    transposed = bool(cfg.get("fan_in_fan_out"))
    where: dict[str, Path] = {}
    for file in sorted(base_dir.glob("*.safetensors")):
        for key in safetensors_shapes(file):
            where[key] = file
    rows = []
    for key in sorted(k for k in tensors if ".lora_A." in k):
        module, _ = _base_key(key)  # type: ignore[misc]
        b = tensors[key.replace(".lora_A.", ".lora_B.")].float()
        delta = scale * (b @ tensors[key].float())
        with safe_open(str(where[module + ".weight"]), framework="pt") as fh:
            weight = fh.get_tensor(module + ".weight").float()
        if transposed:
            weight = weight.T
        delta_norm, weight_norm = float(torch.linalg.norm(delta)), float(torch.linalg.norm(weight))
        rows.append({"module": module, "shape": list(weight.shape), "delta_norm": delta_norm,
                     "weight_norm": weight_norm, "relative": delta_norm / weight_norm if weight_norm else 0.0,
                     "adapter_params": int(tensors[key].numel() + b.numel()), "weight_params": int(weight.numel())})
    return rows


@dataclass(frozen=True)
class DeltaConfig:
    adapter: str = setting("", metavar="DIR")
    """The adapter to inspect: a LoRA run's model folder."""
    model: str = setting("", short="-m", metavar="NAME|DIR")
    """The base model. Empty: the one the adapter names."""
