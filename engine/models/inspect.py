"""A tour of one model without loading its weights: config, module tree, tokenizer, memory.

The model is built on PyTorch's ``meta`` device, where tensors have shapes but no
storage, so an 8B model's tree and parameter counts cost milliseconds and no memory.
Memory figures are estimates from those counts:

* fp32 / bf16: 4 / 2 bytes per parameter;
* int8 (bitsandbytes LLM.int8): the ``nn.Linear`` weights inside the blocks at 1 byte,
  plus one fp32 scale per output row; everything else (embeddings, norms, the output
  head) stays in bf16;
* nf4 (bitsandbytes 4-bit with double quantisation): those Linear weights at half a
  byte, plus one 8-bit scale per block of 64 weights and one fp32 scale per 256 blocks;
  the rest in bf16.

The KV cache holds one key and one value vector per layer, per KV head, per token:
``2 x layers x kv_heads x head_dim x bytes`` per token.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import DojoError
from .resolve import resolve_model

CONFIG_FIELDS: dict[str, str] = {
    "model_type": "the architecture family transformers uses to build the model",
    "architectures": "the model class the checkpoint was saved from (its task head)",
    "vocab_size": "rows of the embedding matrix: how many different tokens the model knows",
    "hidden_size": "width of every token's vector between blocks (d_model)",
    "intermediate_size": "width inside each block's feed-forward network (MLP)",
    "num_hidden_layers": "how many transformer blocks are stacked",
    "num_attention_heads": "query heads per attention layer; each looks at the sequence in its own way",
    "num_key_value_heads": "key/value heads; fewer than query heads means grouped-query attention (smaller KV cache)",
    "head_dim": "width of one attention head",
    "max_position_embeddings": "the longest context (in tokens) the model was built for",
    "rope_parameters": "rotary position embedding settings (base frequency theta, scaling type)",
    "rope_theta": "rotary position embedding base frequency: larger stretches to longer contexts",
    "rope_scaling": "how rotary positions are stretched beyond the trained context",
    "sliding_window": "attention looks back only this many tokens",
    "tie_word_embeddings": "the output head reuses the input embedding matrix (saves vocab x hidden parameters)",
    "hidden_act": "the non-linearity in the feed-forward network",
    "rms_norm_eps": "small constant that keeps RMSNorm from dividing by zero",
    "layer_norm_eps": "small constant that keeps LayerNorm from dividing by zero",
    "attention_bias": "whether the attention projections have bias vectors",
    "type_vocab_size": "segment (sentence A/B) embeddings, BERT style",
    "dtype": "number format the weights were saved in",
    "torch_dtype": "number format the weights were saved in",
    "bos_token_id": "id of the beginning-of-sequence token",
    "eos_token_id": "id of the end-of-sequence token: generation stops there",
    "pad_token_id": "id of the padding token used to batch sequences of different lengths",
}

ENCODER_ONLY = ("bert", "roberta", "distilbert", "electra", "xlm-roberta", "deberta", "deberta-v2", "modernbert")
"""Models that read the whole text at once: no generation, so no KV cache."""


@dataclass
class Block:
    name: str
    kind: str  # the module's class
    parameters: int
    bytes: int  # at the checkpoint's dtype
    depth: int
    repeat: int = 1  # identical sibling blocks folded into one row ("x N")
    note: str = ""
    short: str = ""  # the last part of the name ("embed_tokens", "0..3")


@dataclass
class Inspection:
    name: str
    source: str
    path: str
    model_class: str
    dtype: str
    config: list[dict] = field(default_factory=list)
    tree: list[Block] = field(default_factory=list)
    parameters: int = 0
    tokenizer: dict = field(default_factory=dict)
    memory: dict = field(default_factory=dict)
    kv_cache_per_1k: dict = field(default_factory=dict)
    heads: list[dict] = field(default_factory=list)
    loaded: dict = field(default_factory=dict)  # measure_load(), when asked for

    def to_dict(self) -> dict:
        return asdict(self)


def human_size(n: float) -> str:
    """Bytes as B/KiB/MiB/GiB/TiB, one decimal.

    >>> human_size(1536), human_size(4 * 2**20)
    ('1.5 KiB', '4.0 MiB')
    """
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} TiB"


def _dtype_name(config: Any) -> str:
    dt = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None) or "float32"
    return str(dt).replace("torch.", "")


def _dtype_bytes(name: str) -> int:
    return {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8}.get(name, 4)


def config_fields(config: Any) -> list[dict]:
    raw = config.to_dict()
    out = []
    for key, why in CONFIG_FIELDS.items():
        if key in raw and raw[key] is not None:
            if key == "torch_dtype" and "dtype" in raw:
                continue
            out.append({"field": key, "value": raw[key], "meaning": why})
    return out


def build_on_meta(config: Any, trust_remote_code: bool = False) -> Any:
    """The model of ``config`` with shapes but no storage (the meta device)."""
    import torch
    import transformers

    archs = getattr(config, "architectures", None) or []
    cls = getattr(transformers, archs[0], None) if archs else None
    with torch.device("meta"):
        if cls is not None:
            return cls(config)
        from transformers import AutoModel

        return AutoModel.from_config(config, trust_remote_code=trust_remote_code)


def _own_params(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())


def module_tree(model: Any, dtype_bytes: int, max_depth: int = 3) -> list[Block]:
    """Blocks to ``max_depth`` with parameter counts; repeated layers of a ModuleList shown once, ``x N``."""
    import torch

    rows: list[Block] = []
    tied = _tied_names(model)

    def walk(module: Any, prefix: str, depth: int) -> None:
        children = list(module.named_children())
        i = 0
        while i < len(children):
            name, child = children[i]
            full = f"{prefix}.{name}" if prefix else name
            repeat = 1
            if isinstance(module, torch.nn.ModuleList):
                shape = _signature(child)
                while i + repeat < len(children) and _signature(children[i + repeat][1]) == shape:
                    repeat += 1
            n = _own_params(child)
            note = "tied to the input embedding" if full in tied else ""
            short = name if repeat == 1 else f"{name}..{int(name) + repeat - 1}"
            label = full if repeat == 1 else f"{full}..{int(name) + repeat - 1}"
            rows.append(Block(label, type(child).__name__, n, n * dtype_bytes, depth, repeat, note, short))
            if depth < max_depth:
                walk(child, full, depth + 1)
            i += repeat

    walk(model, "", 0)
    return rows


def _signature(module: Any) -> tuple:
    return (type(module).__name__, tuple((n, tuple(p.shape)) for n, p in module.named_parameters()))


def _tied_names(model: Any) -> set[str]:
    """Modules whose weight is the same tensor as the input embedding's."""
    try:
        emb = model.get_input_embeddings().weight
        out = model.get_output_embeddings()
    except (AttributeError, NotImplementedError):
        return set()
    if out is None or out.weight is not emb:
        return set()
    return {name for name, m in model.named_modules() if m is out}


def memory_estimates(model: Any) -> dict:
    """Weight memory in bytes at fp32, bf16, int8 and nf4 (bitsandbytes' layouts, see the module doc)."""
    import torch

    total = int(model.num_parameters())
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    linear, rows = 0, 0
    for m in model.modules():
        if isinstance(m, torch.nn.Linear) and m is not head:
            linear += m.weight.numel()
            rows += m.weight.shape[0]
    rest = total - linear
    int8 = linear * 1 + rows * 4 + rest * 2
    nf4 = linear // 2 + linear // 64 + (linear // (64 * 256)) * 4 + rest * 2
    return {"parameters": total, "quantised_linear_parameters": linear,
            "fp32": total * 4, "bf16": total * 2, "int8": int(int8), "nf4": int(nf4)}


def kv_cache_per_1k(config: Any) -> dict:
    """Bytes of KV cache for 1,024 tokens of one sequence, at fp32 and bf16 (0 for encoder-only models)."""
    layers = getattr(config, "num_hidden_layers", None)
    heads = getattr(config, "num_attention_heads", None)
    if not layers or not heads or config.model_type in ENCODER_ONLY:
        return {}
    kv = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    per_token = 2 * layers * kv * head_dim
    return {"values_per_token": per_token, "fp32": per_token * 4 * 1024, "bf16": per_token * 2 * 1024}


HEADS: dict[str, tuple[str, str]] = {
    "causal-lm": ("AutoModelForCausalLM", "predicts the next token at every position (generation, chat, SFT)"),
    "masked-lm": ("AutoModelForMaskedLM", "fills in masked tokens from both sides (BERT-style pre-training)"),
    "sequence-classification": ("AutoModelForSequenceClassification",
                                "one label for the whole text (sentiment, topic), from one position's vector"),
    "token-classification": ("AutoModelForTokenClassification", "one label per token (named entities, POS tags)"),
    "seq2seq-lm": ("AutoModelForSeq2SeqLM", "an encoder reads the input, a decoder writes the output (translation)"),
}


def task_heads(config: Any, num_labels: int = 2) -> list[dict]:
    """Which ``AutoModelFor*`` class fits which task for this config, and what head it adds.

    Each class is instantiated on the meta device; the head is every parameter outside
    its backbone (``base_model_prefix``); a head tied to the input embedding adds none."""
    import copy

    import torch
    import transformers

    out = []
    for task, (auto_name, what) in HEADS.items():
        cfg = copy.deepcopy(config)
        cfg.num_labels = num_labels
        row: dict[str, Any] = {"task": task, "auto_class": auto_name, "class": None, "head": [],
                               "head_parameters": 0, "what": what}
        mapping = getattr(transformers, auto_name)._model_mapping
        if type(cfg) not in mapping:
            out.append(row)
            continue
        with torch.device("meta"):
            model = mapping[type(cfg)](cfg)
        prefix = model.base_model_prefix + "."
        try:
            embedding = model.get_input_embeddings().weight
        except (AttributeError, NotImplementedError):
            embedding = None
        seen: set[int] = set()
        for n, p in model.named_parameters(remove_duplicate=False):
            if n.startswith(prefix):
                continue
            tied = p is embedding or id(p) in seen
            seen.add(id(p))
            row["head"].append(f"{n} {list(p.shape)}" + (" (tied)" if tied else ""))
            row["head_parameters"] += 0 if tied else p.numel()
        row["class"] = type(model).__name__
        out.append(row)
    return out


def tokenizer_facts(path: Any, trust_remote_code: bool = False) -> dict:
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as exc:
        return {"error": str(exc).splitlines()[0][:160]}
    return {
        "class": type(tok).__name__,
        "vocab_size": len(tok),
        "base_vocab_size": tok.vocab_size,
        "special_tokens": {k: str(v) for k, v in tok.special_tokens_map.items()},
        "model_input_names": list(tok.model_input_names),
        "padding_side": tok.padding_side,
        "model_max_length": tok.model_max_length if tok.model_max_length < 10**9 else None,
        "chat_template": bool(getattr(tok, "chat_template", None)),
    }


def _rss_bytes() -> int | None:
    """This process's resident memory (Linux ``/proc``; None elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def measure_load(name: str, *, device: str | None = None, dtype: str | None = None, **load: Any) -> dict:
    """Load ``name`` for real and say what it took: CUDA bytes allocated on a GPU, the RSS
    growth of this process on the CPU (a rough figure: the allocator and the libraries
    loaded on the way count too)."""
    import gc

    import torch

    from .load import load_model

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    gc.collect()
    on_cuda = torch.cuda.is_available() and (device or "auto") in ("auto", "cuda") or str(device).startswith("cuda")
    before = torch.cuda.memory_allocated() if on_cuda else _rss_bytes()
    loaded = load_model(name, device=device, dtype=dtype, **load)
    if loaded.device.startswith("cuda"):
        used, how = torch.cuda.memory_allocated() - (before or 0), "cuda allocated"
    else:
        after = _rss_bytes()
        used, how = (after - before if after is not None and before is not None else None), "rss delta"
    return {"device": loaded.device, "dtype": loaded.dtype, "bytes": used, "measure": how,
            "parameters": loaded.parameters}


def inspect_model(name: str, *, allow_network: bool = False, trust_remote_code: bool = False,
                  max_depth: int = 3) -> Inspection:
    """Everything the tour shows about ``name``, without reading a single weight."""
    from transformers import AutoConfig

    resolved = resolve_model(name, allow_network=allow_network, trust_remote_code=trust_remote_code)
    try:
        config = AutoConfig.from_pretrained(resolved.path, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as exc:
        raise DojoError(f"{name}: transformers cannot read its config.json ({str(exc).splitlines()[0][:140]})") from None
    dtype = _dtype_name(config)
    model = build_on_meta(config, trust_remote_code)
    return Inspection(
        name=name, source=resolved.source, path=str(resolved.path), model_class=type(model).__name__, dtype=dtype,
        config=config_fields(config), tree=module_tree(model, _dtype_bytes(dtype), max_depth),
        parameters=int(model.num_parameters()), tokenizer=tokenizer_facts(resolved.path, trust_remote_code),
        memory=memory_estimates(model), kv_cache_per_1k=kv_cache_per_1k(config), heads=task_heads(config),
    )
