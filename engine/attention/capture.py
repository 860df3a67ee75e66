"""Capture a model's attention: the softmax weights of every layer and head, and the raw scores.

The weights come from the model itself (``output_attentions=True`` with *eager* attention:
SDPA and flash attention never build the weight matrix, so a model loaded with them is
switched to eager for the capture and switched back after, with a notice).

The raw scaled scores QK^T/sqrt(d) are computed here, independently, from forward hooks
on each layer's query and key projections: reshape into heads, apply the rotary
embedding (RoPE) when the model rotates by position, repeat key heads for grouped-query
attention, and multiply. ``softmax(scores + M)`` (M = -inf above the diagonal for a causal
model) must reproduce the model's weights; the result records how closely
(``scores_check``).

>>> r = capture(shared().get("dojo-tiny"), "The cat sat on the mat")   # doctest: +SKIP
>>> r.weights.shape, r.causal
((4, 4, 7, 7), True)
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import DojoError
from ..messages import Notice
from .config import AttentionConfig
from .results import AttentionResult

if TYPE_CHECKING:
    from ..models.cache import ModelCache
    from ..models.load import Loaded

_switch = threading.Lock()
"""One capture (or RoPE demo) at a time: hooks and the eager switch belong to one forward pass."""


def task_for(name: str) -> str:
    """causal-lm or masked-lm, from the model's config (so dojo-tiny-mlm loads as a BERT)."""
    from ..models.resolve import resolve_model

    archs = resolve_model(name).config.get("architectures") or []
    return "masked-lm" if any(a.endswith("ForMaskedLM") for a in archs) else "causal-lm"


def load_for_attention(name: str, cache: ModelCache | None = None) -> Loaded:
    """The model from the shared cache (a model another lab loaded is not loaded again)."""
    from ..models.cache import shared

    return (cache or shared()).get(name, task=task_for(name))


def capture_config(config: AttentionConfig, text: str, cache: ModelCache | None = None) -> AttentionResult:
    """Load (or reuse) ``config.model`` and capture ``text``; checks the layer and head asked for."""
    if not isinstance(text, str) or not text.strip():
        raise DojoError.keyed("att.empty")  # before any model loads
    loaded = load_for_attention(config.model, cache)
    result = capture(loaded, text, name=config.model)
    check_selection(result, config.layer, config.head)
    return result


def check_selection(result: AttentionResult, layer: int, head: int | None) -> None:
    if not 0 <= layer < result.n_layers:
        raise DojoError.keyed("att.no_layer", layer=layer, model=result.model, last=result.n_layers - 1)
    if head is not None and not 0 <= head < result.n_heads:
        raise DojoError.keyed("att.no_head", head=head, model=result.model, last=result.n_heads - 1)


def token_texts(tokenizer: Any, ids: list[int]) -> list[str]:
    """Each token's own text: bytes decoded for byte-level BPE, the vocabulary piece (``##에``) otherwise."""
    from ..generation.detok import ByteTable, piece_text

    table = ByteTable.build(tokenizer)
    if table is None:
        return [str(t) for t in tokenizer.convert_ids_to_tokens(ids)]
    return [piece_text(tokenizer, i, table) for i in ids]


def is_causal(model: Any) -> bool:
    config = model.config
    return type(model).__name__.endswith("ForCausalLM") or bool(getattr(config, "is_decoder", False))


@contextmanager
def eager(model: Any, name: str):
    """Run the block with eager attention, the only kind that returns the weights; yields a notice when
    the model had to be switched (and switches it back after)."""
    impl = getattr(model.config, "_attn_implementation", None) or "eager"
    if impl == "eager":
        yield None
        return
    try:
        model.set_attn_implementation("eager")
    except Exception as exc:  # an architecture without an eager path
        raise DojoError.keyed("att.no_eager", model=name, reason=str(exc).splitlines()[0][:120]) from None
    try:
        yield Notice("att.switched_eager", {"model": name, "impl": impl})
    finally:
        model.set_attn_implementation(impl)


def _projections(model: Any) -> tuple[str, list[tuple[Any, Any, Any]]]:
    """(kind, [(attention module, query projection, key projection)] in layer order)."""
    llama, bert = [], []
    for _, module in model.named_modules():
        if hasattr(module, "q_proj") and hasattr(module, "k_proj"):
            llama.append((module, module.q_proj, module.k_proj))
        elif hasattr(module, "query") and hasattr(module, "key") and hasattr(module, "value"):
            bert.append((module, module.query, module.key))
    if llama:
        return "qk_proj", llama
    if bert:
        return "query_key", bert
    return "", []


def _rotary(model: Any) -> Any | None:
    for name, module in model.named_modules():
        if name.endswith("rotary_emb"):
            return module
    return None


def _scores(model: Any, kind: str, mods: list, qs: list, ks: list, input_ids: Any, n_heads: int,
            head_dim: int) -> tuple[Any, bool]:
    """(layers, heads, T, T) raw scaled scores from the hooked projections; and whether RoPE was applied."""
    import torch

    rotary = _rotary(model) if kind == "qk_proj" else None
    T = input_ids.shape[1]
    out = []
    cos = sin = None
    if rotary is not None:
        position_ids = torch.arange(T, device=input_ids.device)[None]
        cos, sin = rotary(qs[0], position_ids)
    for (module, _, _), q, k in zip(mods, qs, ks):
        hd = getattr(module, "head_dim", head_dim)
        q = q.view(1, T, -1, hd)
        k = k.view(1, T, -1, hd)
        if hasattr(module, "q_norm"):
            q, k = module.q_norm(q), module.k_norm(k)
        q, k = q.transpose(1, 2).float(), k.transpose(1, 2).float()
        if cos is not None:
            from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

            q, k = apply_rotary_pos_emb(q, k, cos.float(), sin.float())
        if k.shape[1] != q.shape[1]:  # grouped-query attention: each key head serves several query heads
            k = k.repeat_interleave(q.shape[1] // k.shape[1], dim=1)
        scaling = float(getattr(module, "scaling", hd ** -0.5))
        out.append(torch.matmul(q, k.transpose(-1, -2))[0] * scaling)
    return torch.stack(out), rotary is not None


def capture(loaded: Loaded, text: str, name: str | None = None) -> AttentionResult:
    """Every layer's and head's attention for ``text`` (weights and raw scores) in one forward pass."""
    import numpy as np
    import torch

    from ..models.context import context_length

    model, tokenizer = loaded.model, loaded.tokenizer
    name = name or loaded.resolved.name
    if not isinstance(text, str) or not text.strip():
        raise DojoError.keyed("att.empty")
    start = time.perf_counter()
    ids = list(tokenizer(text, verbose=False)["input_ids"])
    notices: list[Notice] = []
    context = context_length(model, tokenizer)
    truncated = None
    if context is not None and len(ids) > context:
        truncated = len(ids)
        notices.append(Notice("att.truncated", {"n": len(ids), "model": name, "context": context}))
        ids = ids[:context]
    config = model.config
    n_heads = int(config.num_attention_heads)
    head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // n_heads)
    kind, mods = _projections(model)
    qs: list[Any] = []
    ks: list[Any] = []
    handles = []
    input_ids = torch.tensor([ids], dtype=torch.long, device=getattr(model, "device", "cpu"))
    with _switch:  # one capture at a time: its hooks must see only its own forward pass
        try:
            me = threading.get_ident()  # another lab may run the same model on its own thread meanwhile
            for _, qp, kp in mods:
                handles.append(qp.register_forward_hook(
                    lambda m, a, o: qs.append(o.detach()) if threading.get_ident() == me else None))
                handles.append(kp.register_forward_hook(
                    lambda m, a, o: ks.append(o.detach()) if threading.get_ident() == me else None))
            with eager(model, name) as switched, torch.inference_mode():
                out = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                            output_attentions=True, use_cache=False)
        finally:
            for h in handles:
                h.remove()
    if switched is not None:
        notices.append(switched)
    if not out.attentions or out.attentions[0] is None:
        raise DojoError.keyed("att.no_eager", model=name, reason="it returned no attention weights")
    weights_t = torch.stack([a[0].float() for a in out.attentions])  # (L, H, T, T)
    causal = is_causal(model)
    scores_np = None
    check = None
    rope = False
    if kind and len(qs) == len(mods) == weights_t.shape[0]:
        with torch.inference_mode():
            scores_t, rope = _scores(model, kind, mods, qs, ks, input_ids, n_heads, head_dim)
            T = len(ids)
            mask = torch.triu(torch.full((T, T), float("-inf"), device=scores_t.device), 1) if causal \
                else torch.zeros((T, T), device=scores_t.device)
            check = float((torch.softmax(scores_t + mask, dim=-1) - weights_t).abs().max())
        scores_np = scores_t.cpu().numpy()
    else:
        notices.append(Notice("att.no_scores", {"arch": type(model).__name__}))
    return AttentionResult(
        model=name, tokens=tuple(token_texts(tokenizer, ids)), token_ids=tuple(ids), causal=causal,
        n_layers=int(weights_t.shape[0]), n_heads=int(weights_t.shape[1]), head_dim=head_dim,
        weights=weights_t.cpu().numpy().astype(np.float32), scores=scores_np, scores_check=check,
        truncated_from=truncated, notices=tuple(notices), seconds=time.perf_counter() - start,
        arch=type(model).__name__, rope=rope)
