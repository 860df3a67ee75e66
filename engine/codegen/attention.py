"""The attention lab as plain torch + transformers: capture attention (weights and raw scores),
the sinusoidal positional encoding and RoPE on a repeated word (the from-scratch encoder
trained with ``transformers.Trainer`` is :mod:`engine.codegen.encoder`).

Each builder takes the lab's own config (:mod:`engine.attention.config`) and returns a
:class:`Snippet` whose file prints its result as JSON, so a test can compare it with
``engine.attention``. Which model code to write (a Llama's ``q_proj``/``k_proj`` and rotary
embedding, a BERT's ``query``/``key``) is decided from the model's ``config.json``, read here,
before any weight loads.
"""

from __future__ import annotations

from typing import Any

from ..attention.config import AttentionConfig, AttentionPosEncConfig, AttentionRopeConfig
from ..errors import DojoError
from .generation import model_path
from .language_model import context_of
from .snippet import Snippet

ENCODERS = frozenset({"bert", "roberta", "xlm-roberta", "electra", "camembert", "distilbert"})
"""Model types whose self-attention has ``query``/``key`` projections (no rotation, no mask)."""
QK_PROJ = frozenset({"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text", "phi3", "olmo",
                     "olmo2", "granite", "smollm3", "cohere", "starcoder2"})
"""Model types whose attention has ``q_proj``/``k_proj`` and a rotary embedding (RoPE)."""


def _config_of(name: str) -> dict[str, Any]:
    from ..models.resolve import resolve_model

    try:
        return dict(resolve_model(name).config)
    except (DojoError, OSError, ValueError):
        return {}


def _kind(config: dict[str, Any]) -> tuple[bool, str]:
    """(masked LM?, 'qk_proj' | 'query_key' | '') from a ``config.json`` dict."""
    archs = [str(a) for a in config.get("architectures") or []]
    masked = any(a.endswith("ForMaskedLM") for a in archs)
    model_type = str(config.get("model_type", ""))
    if model_type in ENCODERS:
        return masked, "query_key"
    if model_type in QK_PROJ:
        return masked, "qk_proj"
    return masked, ""


def capture_snippet(config: AttentionConfig, text: str, *, device: str = "cpu", dtype: str = "float32") -> Snippet:
    """One forward pass with eager attention and ``output_attentions=True``; the chosen layer's raw
    scaled scores QK^T/sqrt(d) from hooks on its query and key projections (RoPE applied for a Llama),
    checked against the weights; the map the lab shows (one head or the heads' average)."""
    masked, kind = _kind(_config_of(config.model))
    auto = "AutoModelForMaskedLM" if masked else "AutoModelForCausalLM"
    lines = ["import json", "", "import torch", f"from transformers import {auto}, AutoTokenizer"]
    if kind == "qk_proj":
        lines.append("from transformers.models.llama.modeling_llama import apply_rotary_pos_emb")
    lines += ["", "", f"MODEL = {model_path(config.model)!r}  # {config.model}",
              "tokenizer = AutoTokenizer.from_pretrained(MODEL)",
              "# eager attention: the only implementation that builds the weight matrix (SDPA and flash never do)",
              f"model = {auto}.from_pretrained(MODEL, dtype=torch.{dtype}, attn_implementation='eager').to({device!r})",
              "model.eval()",
              f"text = {text!r}",
              f"LAYER, HEAD = {config.layer}, {config.head!r}  # HEAD None: the average over the layer's heads",
              f"VIEW = {'scores' if config.scores else 'weights'!r}  # 'weights': softmax; 'scores': QK^T/sqrt(d)",
              "", ""]
    if kind:
        q, k = ("q_proj", "k_proj") if kind == "qk_proj" else ("query", "key")
        lines += ["# catch the layer's query and key projections on their way out (for the raw scores)",
                  f"attn = [m for m in model.modules() if hasattr(m, {q!r}) and hasattr(m, {k!r})][LAYER]",
                  "caught = {}",
                  "", "",
                  "def keep(name):",
                  "    def hook(module, args, output):",
                  "        caught[name] = output.detach()",
                  "    return hook",
                  "", "",
                  f"hooks = [attn.{q}.register_forward_hook(keep('q')), attn.{k}.register_forward_hook(keep('k'))]"]
    lines += ["input_ids = tokenizer(text, return_tensors='pt').input_ids.to(model.device)",
              f"input_ids = input_ids[:, :{context_of(config.model)!r}]  # at most the model's context"
              if context_of(config.model) else "",
              "with torch.inference_mode():",
              "    out = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True,",
              "                use_cache=False)"]
    if kind:
        lines.append("for hook in hooks:\n    hook.remove()")
    lines += ["# out.attentions: one (batch, heads, tokens, tokens) tensor per layer; every row sums to 1",
              "weights = out.attentions[LAYER][0].float()",
              "T = input_ids.shape[1]"]
    result = ["'tokens': tokenizer.convert_ids_to_tokens(input_ids[0].tolist())",
              "'token_ids': input_ids[0].tolist()", "'weights': weights.tolist()"]
    if kind:
        head_dim = "attn.head_dim" if kind == "qk_proj" else "attn.attention_head_size"
        lines += ["with torch.inference_mode():",
                  f"    head_dim = {head_dim}",
                  "    q = caught['q'].view(1, T, -1, head_dim)",
                  "    k = caught['k'].view(1, T, -1, head_dim)"]
        if kind == "qk_proj":
            lines += ["    if hasattr(attn, 'q_norm'):  # some models normalise q and k per head",
                      "        q, k = attn.q_norm(q), attn.k_norm(k)",
                      "    q, k = q.transpose(1, 2).float(), k.transpose(1, 2).float()  # (1, heads, T, head_dim)",
                      "    # RoPE: rotate each query and key by an angle proportional to its position",
                      "    rotary = next(m for name, m in model.named_modules() if name.endswith('rotary_emb'))",
                      "    cos, sin = rotary(q, torch.arange(T, device=q.device)[None])",
                      "    q, k = apply_rotary_pos_emb(q, k, cos.float(), sin.float())",
                      "    if k.shape[1] != q.shape[1]:  # grouped-query attention: a key head serves several query heads",
                      "        k = k.repeat_interleave(q.shape[1] // k.shape[1], dim=1)"]
        else:
            lines += ["    q, k = q.transpose(1, 2).float(), k.transpose(1, 2).float()  # (1, heads, T, head_dim)"]
        lines += ["    scores = (q @ k.transpose(-1, -2))[0] * head_dim ** -0.5  # QK^T / sqrt(d), before mask and softmax"]
        if masked:
            lines += ["    mask = torch.zeros(T, T, device=scores.device)  # an encoder sees both sides: no mask"]
        else:
            lines += ["    # causal mask M: -inf above the diagonal, a token never sees the ones after it",
                      "    mask = torch.triu(torch.full((T, T), float('-inf'), device=scores.device), 1)"]
        lines += ["    check = (torch.softmax(scores + mask, dim=-1) - weights).abs().max()  # softmax(scores + M) = weights",
                  "source = scores if VIEW == 'scores' else weights"]
        result += ["'scores': scores.tolist()", "'scores_check': float(check)"]
    else:
        lines += ["# this architecture fuses its projections: only the softmax weights are shown",
                  "source = weights"]
    lines += ["shown = source.mean(dim=0) if HEAD is None else source[HEAD]",
              "attends = weights.mean(dim=0) if HEAD is None else weights[HEAD]"]
    result += ["'map': shown.tolist()", "'attends_to': attends.argmax(dim=-1).tolist()"]
    lines += ["print(json.dumps({" + ",\n                  ".join(result) + "}, ensure_ascii=False))"]
    which = "the heads' average" if config.head is None else f"head {config.head}"
    return Snippet(f"Attention of {config.model}, layer {config.layer}, {which}", "\n".join(lines),
                   ("torch", "transformers"))


def posenc_snippet(config: AttentionPosEncConfig) -> Snippet:
    """The sinusoidal matrix and PE(p).PE(p+k) against the distance k (and its spread over p)."""
    lines = ["import json", "", "import numpy as np", "", "",
             f"LENGTH, DIM, BASE = {config.length}, {config.dim}, {float(config.base)!r}", "", "",
             "# PE[pos, 2i] = sin(pos / BASE^(2i/DIM)), PE[pos, 2i+1] = cos(pos / BASE^(2i/DIM)), i < DIM/2",
             "pos = np.arange(LENGTH, dtype=np.float64)[:, None]",
             "i = np.arange(DIM // 2, dtype=np.float64)[None, :]",
             "angle = pos / np.power(BASE, 2 * i / DIM)",
             "pe = np.zeros((LENGTH, DIM))",
             "pe[:, 0::2] = np.sin(angle)",
             "pe[:, 1::2] = np.cos(angle)",
             "", "",
             "# PE(p).PE(p+k) = sum_i cos(k w_i): it depends on the distance k only, not on p",
             "gram = pe @ pe.T",
             "dots = [float(gram[0, k]) for k in range(LENGTH)]",
             "spread = max(float(np.ptp(np.diagonal(gram, offset=k))) for k in range(LENGTH))",
             "print(json.dumps({'matrix': pe.tolist(), 'distance_dot': dots, 'dot_spread': spread}))"]
    return Snippet(f"Sinusoidal positional encoding, {config.length} positions x {config.dim} dimensions",
                   "\n".join(lines), ("numpy",))


def rope_snippet(config: AttentionRopeConfig, *, device: str = "cpu", dtype: str = "float32") -> Snippet:
    """The rotated q.k/sqrt(d) of one word against itself at every pair of positions, without the
    rotation, and with another word put in (the lab's RoPE page)."""
    _, kind = _kind(_config_of(config.model))
    if kind != "qk_proj":
        raise DojoError.keyed("att.no_rope", model=config.model)
    lines = ["import json", "", "import torch", "from transformers import AutoModelForCausalLM, AutoTokenizer",
             "from transformers.models.llama.modeling_llama import apply_rotary_pos_emb", "", "",
             f"MODEL = {model_path(config.model)!r}  # {config.model}",
             "tokenizer = AutoTokenizer.from_pretrained(MODEL)",
             f"model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.{dtype}).to({device!r})",
             "model.eval()",
             f"WORD, OTHER, REPEATS = {config.word.strip()!r}, {config.other.strip()!r}, {config.repeats}",
             f"LAYER, HEAD = {config.layer}, {config.head}",
             "attn = [m for m in model.modules() if hasattr(m, 'q_proj') and hasattr(m, 'k_proj')][LAYER]",
             "rotary = next(m for name, m in model.named_modules() if name.endswith('rotary_emb'))",
             "head_dim = attn.head_dim", "", "",
             "def word_ids(word, repeats):",
             "    \"\"\"The word repeated, and the index of each copy's last token (the same id every time).\"\"\"",
             "    for lead in ('', ' '):  # byte-level BPE: ' apple' and 'apple' are different tokens",
             "        ids, ends = [], []",
             "        for n in range(repeats):",
             "            ids += tokenizer((' ' if n else lead) + word, add_special_tokens=False).input_ids",
             "            ends.append(len(ids) - 1)",
             "        if len({ids[e] for e in ends}) == 1:",
             "            return ids, ends",
             "    raise SystemExit(f'{word!r} does not tokenize the same way every time')",
             "", "",
             "def scores(ids, ends, rotate=True):",
             "    \"\"\"q_i . k_j / sqrt(d) of the chosen head, for the copies' last tokens.\"\"\"",
             "    caught = {}",
             "",
             "    def keep(name):",
             "        def hook(module, args, output):",
             "            caught[name] = output.detach()",
             "        return hook",
             "",
             "    hooks = [attn.q_proj.register_forward_hook(keep('q')), attn.k_proj.register_forward_hook(keep('k'))]",
             "    x = torch.tensor([ids], device=model.device)",
             "    with torch.inference_mode():",
             "        model(input_ids=x, use_cache=False)",
             "        for hook in hooks:",
             "            hook.remove()",
             "        T = len(ids)",
             "        q = caught['q'].view(1, T, -1, head_dim)",
             "        k = caught['k'].view(1, T, -1, head_dim)",
             "        if hasattr(attn, 'q_norm'):",
             "            q, k = attn.q_norm(q), attn.k_norm(k)",
             "        q, k = q.transpose(1, 2).float(), k.transpose(1, 2).float()",
             "        if rotate:  # RoPE: each position turns q and k by its own angle",
             "            cos, sin = rotary(q, torch.arange(T, device=x.device)[None])",
             "            q, k = apply_rotary_pos_emb(q, k, cos.float(), sin.float())",
             "        kh = HEAD // (q.shape[1] // k.shape[1])  # the key head this query head reads",
             "        s = q[0, HEAD] @ k[0, kh].T * head_dim ** -0.5",
             "    e = torch.tensor(ends)",
             "    return s[e][:, e].double()",
             "", "",
             "ids, ends = word_ids(WORD, REPEATS)",
             "same = scores(ids, ends)",
             "flat = scores(ids, ends, rotate=False)  # without the rotation every pair scores the same",
             "by_offset = {off: [float(same[i, i - off]) for i in range(off, REPEATS)] for off in range(REPEATS)}",
             "lower = torch.tril_indices(REPEATS, REPEATS)",
             "unrotated = flat[lower[0], lower[1]]",
             "# the same positions with one copy replaced by OTHER: only the content changes",
             "at = min(2, REPEATS - 1)",
             "ids2 = list(ids)",
             "other_ids = tokenizer(' ' + OTHER, add_special_tokens=False).input_ids",
             "first = ends[at - 1] + 1 if at else 0",
             "if len(other_ids) == ends[at] - first + 1:",
             "    ids2[first:ends[at] + 1] = other_ids",
             "else:",
             "    ids2[ends[at]] = other_ids[-1]",
             "changed = scores(ids2, ends)",
             "change = max(abs(float(changed[i, j] - same[i, j])) for i in range(REPEATS) for j in range(i + 1)",
             "             if at in (i, j))",
             "print(json.dumps({'tokens': tokenizer.convert_ids_to_tokens(ids), 'positions': ends,",
             "                  'same': same.tolist(), 'by_offset': by_offset,",
             "                  'offset_spread': max(max(v) - min(v) for v in by_offset.values()),",
             "                  'unrotated_spread': float(unrotated.max() - unrotated.min()),",
             "                  'changed': changed.tolist(), 'content_change': change}, ensure_ascii=False))"]
    return Snippet(f"RoPE on {config.word.strip()!r} x {config.repeats} with {config.model}, layer {config.layer} "
                   f"head {config.head}", "\n".join(lines), ("torch", "transformers"))
