"""What a language model computes, on one sentence: probabilities token by token.

* :func:`score_sentence`: a causal LM reads a sentence left to right; each token gets the
  probability the model gave it *before* seeing it (``softmax(logits[t-1])[id_t]``), its
  log-probability, its rank among all tokens and the model's own favourite there. The
  sentence's negative log-likelihood is the sum of ``-log p``; perplexity is
  ``exp(mean NLL)``: "as unsure as a fair choice among this many tokens".
* :func:`next_token_table`: the raw next-token distribution after a prompt (softmax of
  the last position's logits, no temperature or cuts), with log-probabilities. The
  forward pass is the generation lab's :class:`~engine.generation.pipeline.NextTokenPipeline`,
  so ``llm-dojo next-token`` and this table show the same numbers.
* :func:`fill_mask`: a masked LM reads the whole sentence at once and predicts every mask
  from both sides; beside it a causal LM gets only the text left of each mask.

Models come from the app-wide cache (:func:`load`), so a model another lab loaded is
reused. Every function returns a frozen result with ``to_dict()`` (the ``--json`` output).

>>> r = score(LmScoreConfig(text="The history of the world"))       # doctest: +SKIP
>>> round(r.perplexity, 1), r.tokens[0].text, r.tokens[0].rank     # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import DojoError
from ..messages import Notice
from .config import MASK_LIMIT, LmFillMaskConfig, LmNextTokenConfig, LmScoreConfig
from .examples import GENERIC_MASK, example

if TYPE_CHECKING:
    from ..models.cache import ModelCache
    from ..models.load import Loaded

_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _lang_of(text: str) -> str:
    return "ko" if _HANGUL.search(text) else "en"


def _r(x: float, nd: int = 6) -> float | None:
    return None if math.isinf(x) or math.isnan(x) else round(x, nd)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class LmTokenScore:
    index: int
    """Position of the token in the sequence the model read (0 is the beginning-of-text token when one is added)."""
    token_id: int
    text: str
    prob: float
    """p(token | every token before it)."""
    logprob: float
    rank: int
    """1 when the model's favourite was this very token."""
    top_id: int
    top_text: str
    top_prob: float
    """The model's own most likely token at this position, and its probability."""

    @property
    def surprise(self) -> float:
        """-log p in nats: 0 for a certain token, large for a surprising one."""
        return -self.logprob

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.token_id, "text": self.text, "prob": _r(self.prob),
                "logprob": _r(self.logprob), "surprise": _r(self.surprise), "rank": self.rank,
                "top": {"id": self.top_id, "text": self.top_text, "prob": _r(self.top_prob)}}


@dataclass(frozen=True)
class LmScoreResult:
    model: str
    text: str
    tokens: tuple[LmTokenScore, ...]
    """Every scored token, in order (the first token of the text too, when a beginning-of-text token precedes it)."""
    bos: str | None
    """The beginning-of-text token put in front, or None."""
    notices: tuple[Notice, ...] = ()

    @property
    def total_nll(self) -> float:
        return -sum(t.logprob for t in self.tokens)

    @property
    def mean_nll(self) -> float:
        return self.total_nll / len(self.tokens)

    @property
    def perplexity(self) -> float:
        return math.exp(self.mean_nll)

    def most_surprising(self) -> LmTokenScore:
        return max(self.tokens, key=lambda t: t.surprise)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "text": self.text, "bos": self.bos, "scored_tokens": len(self.tokens),
                "total_nll": _r(self.total_nll), "mean_nll": _r(self.mean_nll), "perplexity": _r(self.perplexity, 4),
                "tokens": [t.to_dict() for t in self.tokens], "notices": [str(n) for n in self.notices]}


@dataclass(frozen=True)
class LmNextRow:
    rank: int
    token_id: int
    text: str
    prob: float
    logprob: float

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "id": self.token_id, "text": self.text, "prob": _r(self.prob),
                "logprob": _r(self.logprob)}


@dataclass(frozen=True)
class LmNextTokenResult:
    model: str
    prompt: str
    prompt_ids: tuple[int, ...]
    rows: tuple[LmNextRow, ...]
    vocab_size: int
    total_prob: float
    """The whole distribution's sum (1 up to rounding): the shown rows are its head."""
    entropy: float
    """Of the whole distribution, in nats; exp(entropy) is its perplexity."""
    notices: tuple[Notice, ...] = ()

    @property
    def shown_prob(self) -> float:
        return sum(r.prob for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "prompt": self.prompt, "prompt_tokens": len(self.prompt_ids),
                "vocab_size": self.vocab_size, "total_prob": _r(self.total_prob), "shown_prob": _r(self.shown_prob),
                "entropy": _r(self.entropy), "rows": [r.to_dict() for r in self.rows],
                "notices": [str(n) for n in self.notices]}


@dataclass(frozen=True)
class LmCandidate:
    token_id: int
    text: str
    prob: float
    logprob: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.token_id, "text": self.text, "prob": _r(self.prob), "logprob": _r(self.logprob)}


@dataclass(frozen=True)
class LmMaskSlot:
    number: int
    """1 for the first mask of the text."""
    position: int
    """Token index of the mask in the masked model's input."""
    candidates: tuple[LmCandidate, ...]
    """The masked model's top candidates, reading both sides."""
    causal_prompt: str | None = None
    """What the causal model read: the text left of this mask (earlier masks filled with their top candidate)."""
    causal: tuple[LmCandidate, ...] = ()
    """The causal model's top next tokens after ``causal_prompt``: left context only."""

    def to_dict(self) -> dict[str, Any]:
        return {"mask": self.number, "position": self.position,
                "candidates": [c.to_dict() for c in self.candidates],
                "causal_prompt": self.causal_prompt, "causal": [c.to_dict() for c in self.causal]}


@dataclass(frozen=True)
class LmFillMaskResult:
    model: str
    causal_model: str | None
    text: str
    tokens: tuple[str, ...]
    """The masked model's input tokens, as its tokenizer writes them."""
    masks: tuple[LmMaskSlot, ...]
    notices: tuple[Notice, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "causal_model": self.causal_model, "text": self.text,
                "tokens": list(self.tokens), "masks": [m.to_dict() for m in self.masks],
                "notices": [str(n) for n in self.notices]}


# ---------------------------------------------------------------- helpers


def load(name: str, kind: str, what: str, cache: ModelCache | None = None) -> Loaded:
    """The model ``name`` from the shared cache, after checking it is a ``kind`` ('causal'/'masked') model."""
    from ..models.cache import shared
    from .kinds import require

    require(name, kind, what)
    return (cache or shared()).get(name, task="causal-lm" if kind == "causal" else "masked-lm")


def _check_text(text: str, what: str) -> None:
    if not text.strip():
        raise DojoError.keyed("lm.empty_text", example=repr(example("en", what)))


class _Texts:
    """Token id -> how the token reads on its own (bytes in hex when it is part of a character)."""

    def __init__(self, tokenizer: Any) -> None:
        from ..generation.detok import ByteTable

        self.tokenizer = tokenizer
        try:
            self.table = ByteTable.build(tokenizer)
        except Exception:  # a tokenizer without a fast backend: decode one id at a time
            self.table = None
        self.cache: dict[int, str] = {}

    def __call__(self, token_id: int) -> str:
        if token_id not in self.cache:
            if self.table is not None:
                from ..generation.detok import piece_text

                self.cache[token_id] = piece_text(self.tokenizer, token_id, self.table)
            else:
                self.cache[token_id] = str(self.tokenizer.convert_ids_to_tokens(token_id))
        return self.cache[token_id]


def _context(model: Any, tokenizer: Any) -> int | None:
    from ..models.context import context_length

    return context_length(model, tokenizer)


# ---------------------------------------------------------------- causal LM


def score_sentence(model: Any, tokenizer: Any, text: str, model_name: str = "the model") -> LmScoreResult:
    """Every token's log-probability given the tokens before it, from one forward pass."""
    import torch

    _check_text(text, "sentence")
    ids = list(tokenizer.encode(text, add_special_tokens=True, verbose=False))
    notices: list[Notice] = []
    bos_id = getattr(tokenizer, "bos_token_id", None)
    bos = None
    if bos_id is not None:
        bos = tokenizer.convert_ids_to_tokens(bos_id)
        if not ids or ids[0] != bos_id:
            ids = [bos_id] + ids  # the first token is then predicted from the start of a text
    texts = _Texts(tokenizer)
    if len(ids) < 2:
        raise DojoError.keyed("lm.too_short", text=text.strip())
    if bos_id is None:
        notices.append(Notice("lm.first_not_scored", {"model": model_name, "token": texts(ids[0])}))
    context = _context(model, tokenizer)
    if context is not None and len(ids) > context:
        notices.append(Notice("lm.truncated_start", {"n": len(ids), "model": model_name, "context": context,
                                                     "kept": context}))
        ids = ids[:context]
    device = getattr(model, "device", "cpu")
    x = torch.tensor([ids], dtype=torch.long, device=device)
    with torch.inference_mode():
        logits = model(input_ids=x, attention_mask=torch.ones_like(x), use_cache=False).logits[0, :-1].float()
        logp = torch.log_softmax(logits, dim=-1)
        target = x[0, 1:]
        lp = logp.gather(1, target[:, None])[:, 0]
        ranks = (logp > lp[:, None]).sum(dim=1) + 1
        top_lp, top_id = logp.max(dim=1)
    rows = tuple(
        LmTokenScore(index=i + 1, token_id=int(t), text=texts(int(t)), prob=math.exp(float(l)), logprob=float(l),
                     rank=int(r), top_id=int(ti), top_text=texts(int(ti)), top_prob=math.exp(float(tl)))
        for i, (t, l, r, ti, tl) in enumerate(zip(target.tolist(), lp.tolist(), ranks.tolist(), top_id.tolist(),
                                                  top_lp.tolist()))
    )
    return LmScoreResult(model=model_name, text=text, tokens=rows, bos=bos, notices=tuple(notices))


def next_token_table(model: Any, tokenizer: Any, text: str, top: int = 10,
                     model_name: str = "the model") -> LmNextTokenResult:
    """The raw next-token distribution after ``text``: its ``top`` rows, its sum and entropy."""
    import torch

    from ..generation.chat_formats import encode_prompt
    from ..generation.pipeline import NextTokenPipeline

    _check_text(text, "prompt")
    ids = encode_prompt(tokenizer, text)
    notices: list[Notice] = []
    context = _context(model, tokenizer)
    if context is not None and len(ids) >= context:
        keep = context - 1
        notices.append(Notice("lm.truncated_end", {"n": len(ids), "model": model_name, "context": context,
                                                   "kept": keep}))
        ids = ids[-keep:]
    pipe = NextTokenPipeline(model, tokenizer, ids, show=top)
    with torch.inference_mode():
        logp = torch.log_softmax(pipe.logits[0].float(), dim=-1)
        probs = logp.exp()
        total = float(probs.sum())
        entropy = float(-torch.special.xlogy(probs, probs).sum())
        head = torch.topk(logp, min(top, logp.shape[-1]))
    rows = tuple(LmNextRow(rank=i + 1, token_id=int(t), text=pipe.text(int(t)), prob=math.exp(float(l)),
                           logprob=float(l))
                 for i, (t, l) in enumerate(zip(head.indices.tolist(), head.values.tolist())))
    return LmNextTokenResult(model=model_name, prompt=text, prompt_ids=tuple(ids), rows=rows,
                             vocab_size=int(logp.shape[-1]), total_prob=total, entropy=entropy,
                             notices=tuple(notices))


# ---------------------------------------------------------------- masked LM


def _top(logp: Any, k: int, texts: _Texts) -> tuple[LmCandidate, ...]:
    import torch

    head = torch.topk(logp, min(k, logp.shape[-1]))
    return tuple(LmCandidate(int(t), texts(int(t)), math.exp(float(l)), float(l))
                 for t, l in zip(head.indices.tolist(), head.values.tolist()))


def check_masks(tokenizer: Any, text: str, model_name: str = "the model") -> tuple[str, int]:
    """The tokenizer's mask token and id, once ``text`` is known to hold 1 to MASK_LIMIT of them."""
    _check_text(text, "masked")
    mask = getattr(tokenizer, "mask_token", None)
    mask_id = getattr(tokenizer, "mask_token_id", None)
    if mask is None or mask_id is None:
        raise DojoError.keyed("lm.causal_model", model=model_name)
    n_masks = text.count(mask)
    if n_masks == 0:
        raise DojoError.keyed("lm.no_mask", mask=mask,
                              example=repr(example(_lang_of(text), "masked").replace(GENERIC_MASK, mask)))
    if n_masks > MASK_LIMIT:
        raise DojoError.keyed("lm.too_many_masks", n=n_masks, limit=MASK_LIMIT, mask=mask)
    return mask, mask_id


def fill_mask(model: Any, tokenizer: Any, text: str, top: int = 5, model_name: str = "the model",
              causal: Loaded | None = None, causal_name: str | None = None) -> LmFillMaskResult:
    """Top candidates for every mask (one forward pass), and beside them a causal model's
    next token after the text left of each mask."""
    import torch

    mask, mask_id = check_masks(tokenizer, text, model_name)
    ids = list(tokenizer.encode(text, add_special_tokens=True, verbose=False))
    notices: list[Notice] = []
    context = _context(model, tokenizer)
    if context is not None and len(ids) > context:
        notices.append(Notice("lm.truncated_start", {"n": len(ids), "model": model_name, "context": context,
                                                     "kept": context}))
        sep = getattr(tokenizer, "sep_token_id", None)
        ids = ids[: context - 1] + [sep] if sep is not None else ids[:context]
    positions = [i for i, t in enumerate(ids) if t == mask_id]
    if not positions:
        raise DojoError.keyed("lm.mask_cut", mask=mask, context=context, model=model_name)
    texts = _Texts(tokenizer)
    device = getattr(model, "device", "cpu")
    x = torch.tensor([ids], dtype=torch.long, device=device)
    with torch.inference_mode():
        logits = model(input_ids=x, attention_mask=torch.ones_like(x)).logits[0].float()
        slots_mlm = [_top(torch.log_softmax(logits[p], dim=-1), top, texts) for p in positions]
    # the causal model: for mask k, the text left of it, earlier masks filled with their top candidate
    pieces = text.split(mask)
    slots: list[LmMaskSlot] = []
    for k, (pos, cands) in enumerate(zip(positions, slots_mlm)):
        prompt, causal_rows = None, ()
        if causal is not None:
            left = pieces[0]
            for j in range(k):
                fill = slots_mlm[j][0].text if slots_mlm[j] else ""
                left = (left.rstrip() if fill.startswith("##") else left) + fill.removeprefix("##") + pieces[j + 1]
            prompt = left.rstrip()
            causal_rows = _causal_candidates(causal, prompt, top, k + 1, notices)
        slots.append(LmMaskSlot(k + 1, pos, cands, prompt, causal_rows))
    return LmFillMaskResult(model=model_name, causal_model=causal_name if causal is not None else None, text=text,
                            tokens=tuple(tokenizer.convert_ids_to_tokens(ids)), masks=tuple(slots),
                            notices=tuple(notices))


def _causal_candidates(causal: Loaded, prompt: str, top: int, number: int,
                       notices: list[Notice]) -> tuple[LmCandidate, ...]:
    import torch

    tok = causal.tokenizer
    if prompt.strip():
        table = next_token_table(causal.model, tok, prompt, top, model_name=str(causal.resolved.name))
        notices.extend(n for n in table.notices if n not in notices)
        return tuple(LmCandidate(r.token_id, r.text, r.prob, r.logprob) for r in table.rows)
    bos_id = getattr(tok, "bos_token_id", None)
    notices.append(Notice("lm.no_left_context", {"n": number}))
    if bos_id is None:
        return ()
    device = getattr(causal.model, "device", "cpu")
    x = torch.tensor([[bos_id]], dtype=torch.long, device=device)
    with torch.inference_mode():
        logp = torch.log_softmax(causal.model(input_ids=x).logits[0, -1].float(), dim=-1)
    return _top(logp, top, _Texts(tok))


# ---------------------------------------------------------------- over configs


def score(config: LmScoreConfig, cache: ModelCache | None = None) -> LmScoreResult:
    _check_text(config.text, "sentence")
    loaded = load(config.model, "causal", "score", cache)
    return score_sentence(loaded.model, loaded.tokenizer, config.text, config.model)


def next_token(config: LmNextTokenConfig, cache: ModelCache | None = None) -> LmNextTokenResult:
    _check_text(config.text, "prompt")
    loaded = load(config.model, "causal", "next-token", cache)
    return next_token_table(loaded.model, loaded.tokenizer, config.text, config.top, config.model)


def fill(config: LmFillMaskConfig, cache: ModelCache | None = None) -> LmFillMaskResult:
    _check_text(config.text, "masked")
    loaded = load(config.model, "masked", "fill-mask", cache)
    check_masks(loaded.tokenizer, config.text, config.model)  # before the causal model loads
    causal = load(config.causal_model, "causal", "the left-only comparison", cache) \
        if config.causal_model.strip() else None
    return fill_mask(loaded.model, loaded.tokenizer, config.text, config.top, config.model, causal,
                     config.causal_model if causal is not None else None)
