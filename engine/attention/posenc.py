"""Position, made visible: the sinusoidal encoding as the deck defines it, and RoPE on a repeated word.

Sinusoidal (Vaswani et al. 2017; the deck's 2.1 "Positional Encoding")::

    PE[pos, 2i]   = sin(pos / base^(2i/d))
    PE[pos, 2i+1] = cos(pos / base^(2i/d))        for i = 0 .. d/2 - 1

The deck writes the range as 0 <= i <= d/2; at i = d/2 the column 2i = d would be past
the last dimension (d - 1), so i stops below d/2, as its own code (``range(int(d/2))``)
does. The dot product of two positions' encodings is sum_i cos(k w_i) for a distance
k: it depends on the distance only, which :func:`positional_encoding` shows numerically.

RoPE (Su et al. 2021; the deck's appendix, "apple apple apple apple"): a Llama rotates
each query and key by an angle proportional to its position instead of adding a
vector, so q_m . k_n depends on (m - n) and on the content, never on m alone.
:func:`rope_demo` uses a real model's first-layer projections and its own rotary
embedding: layer 0 sees only the token embeddings, so the same word has the same
query and key at every position before the rotation.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ..errors import DojoError
from ..messages import Notice
from .config import AttentionPosEncConfig, AttentionRopeConfig
from .results import PosEncResult, RopeResult

if TYPE_CHECKING:
    from ..models.cache import ModelCache
    from ..models.load import Loaded

DECK_NOTES = (
    "The deck writes 0 <= i <= d_model/2; i must stop below d/2 (column 2i+1 = d+1 does not exist), as its "
    "own code range(int(d/2)) does.",
    "The deck's first attention formula, softmax(QK^T)V, is captioned scaled dot-product attention but "
    "leaves out the scaling 1/sqrt(d_k) its later slides use.",
)


def sinusoidal(length: int, dim: int, base: float = 10000.0) -> Any:
    """The (length, dim) matrix: sin on even columns 2i, cos on odd columns 2i+1, i < dim/2 (numpy float64)."""
    import numpy as np

    pos = np.arange(length, dtype=np.float64)[:, None]
    i = np.arange(dim // 2, dtype=np.float64)[None, :]
    angle = pos / np.power(float(base), 2 * i / dim)
    pe = np.zeros((length, dim), dtype=np.float64)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe


def positional_encoding(config: AttentionPosEncConfig = AttentionPosEncConfig()) -> PosEncResult:
    """The matrix, and PE(p).PE(p+k) against the distance k (with its spread over starting positions p)."""
    import numpy as np

    pe = sinusoidal(config.length, config.dim, config.base)
    gram = pe @ pe.T
    n = config.length
    dots = []
    spread = 0.0
    for k in range(n):
        diag = np.diagonal(gram, offset=k)
        dots.append(float(diag[0]))
        spread = max(spread, float(diag.max() - diag.min()))
    return PosEncResult(config.length, config.dim, float(config.base), pe, tuple(dots), spread, DECK_NOTES)


def _word_ids(tokenizer: Any, word: str, repeats: int) -> tuple[list[int], list[int]]:
    """Ids of ``word`` repeated (separated by spaces) and the index of the last token of each copy.

    Every copy is spelled " word" when the first copy's last token would differ without the space (byte-level
    BPE marks a leading space), so the last token of each copy is one and the same id."""
    for lead in ("", " "):
        ids: list[int] = []
        ends: list[int] = []
        for n in range(repeats):
            ids += tokenizer((" " if n else lead) + word, add_special_tokens=False)["input_ids"]
            ends.append(len(ids) - 1)
        if len({ids[e] for e in ends}) == 1:
            return ids, ends
    raise DojoError.keyed("att.one_word", name="word", value=word)


def rope_demo(loaded: Loaded, config: AttentionRopeConfig = AttentionRopeConfig(),
              name: str | None = None) -> RopeResult:
    """The rotated q.k/sqrt(d) of one word against itself at every pair of positions, and with another word.

    Each copy after the first is " word" (the same tokens), so the query and key of its last token are the
    same vectors before the rotation; the scores then differ only through the rotation.
    """
    import numpy as np
    import torch
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

    from .capture import _projections, _rotary, _switch, token_texts

    name = name or loaded.resolved.name
    model, tok = loaded.model, loaded.tokenizer
    kind, mods = _projections(model)
    rotary = _rotary(model)
    if kind != "qk_proj" or rotary is None:
        raise DojoError.keyed("att.no_rope", model=name)
    if config.layer >= len(mods):
        raise DojoError.keyed("att.no_layer", layer=config.layer, model=name, last=len(mods) - 1)
    module, qp, kp = mods[config.layer]
    hd = int(getattr(module, "head_dim", model.config.hidden_size // model.config.num_attention_heads))
    n_heads = qp.out_features // hd
    if config.head >= n_heads:
        raise DojoError.keyed("att.no_head", head=config.head, model=name, last=n_heads - 1)
    word, other = config.word.strip(), config.other.strip()
    at = min(2, config.repeats - 1)

    def scores(ids: list[int], ends: list[int], rotate: bool = True) -> Any:
        captured: dict[str, Any] = {}
        me = threading.get_ident()
        x = torch.tensor([ids], device=getattr(model, "device", "cpu"))
        with _switch:
            hooks = [qp.register_forward_hook(
                         lambda m, a, o: captured.setdefault("q", o.detach()) if threading.get_ident() == me else None),
                     kp.register_forward_hook(
                         lambda m, a, o: captured.setdefault("k", o.detach()) if threading.get_ident() == me else None)]
            try:
                with torch.inference_mode():
                    model(input_ids=x, use_cache=False)
            finally:
                for h in hooks:
                    h.remove()
        with torch.inference_mode():
            T = len(ids)
            q = captured["q"].view(1, T, -1, hd).transpose(1, 2).float()
            k = captured["k"].view(1, T, -1, hd).transpose(1, 2).float()
            if hasattr(module, "q_norm"):
                q = module.q_norm(q.transpose(1, 2)).transpose(1, 2)
                k = module.k_norm(k.transpose(1, 2)).transpose(1, 2)
            if rotate:
                cos, sin = rotary(q, torch.arange(T, device=x.device)[None])
                q, k = apply_rotary_pos_emb(q, k, cos.float(), sin.float())
            kh = config.head // (q.shape[1] // k.shape[1])
            s = q[0, config.head] @ k[0, kh].T * float(getattr(module, "scaling", hd ** -0.5))
        e = torch.tensor(ends)
        return s[e][:, e].double().cpu().numpy()

    ids, ends = _word_ids(tok, word, config.repeats)
    same = scores(ids, ends)
    flat = scores(ids, ends, rotate=False)
    n = config.repeats
    by_offset: dict[int, tuple[float, ...]] = {}
    for off in range(n):
        by_offset[off] = tuple(float(same[i, i - off]) for i in range(off, n))
    spread = max((max(v) - min(v)) for v in by_offset.values())
    lower = np.tril_indices(n)
    unrotated = float(flat[lower].max() - flat[lower].min())
    # the same positions, one copy's last token replaced by the other word's: only the content changes
    # (the whole copy when the other word has as many tokens, else its last token only)
    ids2 = list(ids)
    other_ids = tok(" " + other, add_special_tokens=False)["input_ids"]
    first = ends[at - 1] + 1 if at else 0
    if len(other_ids) == ends[at] - first + 1:
        ids2[first:ends[at] + 1] = other_ids
    else:
        ids2[ends[at]] = other_ids[-1]
    changed = scores(ids2, ends)
    touched = [(i, j) for i in range(n) for j in range(i + 1) if at in (i, j)]
    change = max(abs(float(changed[i, j] - same[i, j])) for i, j in touched)
    notices: list[Notice] = []
    return RopeResult(model=name, layer=config.layer, head=config.head, tokens=tuple(token_texts(tok, ids)),
                      changed_tokens=tuple(token_texts(tok, ids2)), changed_at=at,
                      positions=tuple(ends), same=same, by_offset=by_offset, offset_spread=float(spread),
                      unrotated_spread=unrotated, other_word=other, changed=changed, content_change=change,
                      notices=tuple(notices))
