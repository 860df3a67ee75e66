"""How likely is a continuation? Batched log-likelihoods and rolling perplexity (torch).

Every task reduces to one request type, as in lm-evaluation-harness: a *context* and a
*continuation* (token ids); the answer is the summed log-probability of the
continuation's tokens given what comes before, and whether greedy decoding would have
produced exactly that continuation.

* Requests are sorted longest first and padded on the right into batches; the
  attention mask hides the padding and a causal model never looks right, so the batch
  size changes the speed only (a test checks 1 vs 8 vs 32 to 1e-4).
* Only the continuation's rows of the logits are turned into log-probabilities: the
  batch x length x vocabulary tensor never leaves the device.
* A request longer than the model reads is cut from the left, as harnesses do
  (``(context + continuation)[-(max_length + 1):][:-1]`` is the input), and counted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DojoError


@dataclass(frozen=True)
class Score:
    logprob: float
    """Sum of log P(token | everything before) over the continuation."""
    greedy: bool
    """Every continuation token was the model's top choice."""
    tokens: int
    """Continuation length in tokens."""
    truncated: bool
    """The context was cut from the left to fit."""


def encode_pair(tokenizer: Any, context: str, continuation: str) -> tuple[list[int], list[int]]:
    """(context ids, continuation ids), split the way lm-evaluation-harness splits them.

    Spaces at the end of the context move to the continuation; the whole string is encoded
    once and the context's length cut off, so tokens that merge across the join are counted
    where the tokenizer puts them."""
    n = len(context) - len(context.rstrip())
    if n:
        continuation, context = context[-n:] + continuation, context[:-n]
    whole = list(tokenizer(context + continuation)["input_ids"])
    ctx = list(tokenizer(context)["input_ids"])
    return ctx, whole[len(ctx):]


def loglikelihoods(model: Any, requests: Sequence[tuple[list[int], list[int]]], *, batch_size: int = 8,
                   max_length: int, pad_id: int = 0, on_batch: Callable[[int], Any] | None = None,
                   cancel: threading.Event | None = None) -> list[Score]:
    """One :class:`Score` per (context ids, continuation ids), in the order given."""
    import torch

    for ctx, cont in requests:
        if not cont:
            raise DojoError("a continuation encodes to no tokens: there is nothing to score")
        if len(cont) > max_length:
            raise DojoError(f"a continuation of {len(cont)} tokens is longer than the {max_length} tokens the "
                            "model reads at once")
        if not ctx:
            raise DojoError("a context encodes to no tokens: give the model something to read first")
    from .cache import active

    out: list[Score | None] = [None] * len(requests)
    cache = active()  # an evaluation run: scores computed before a stop are read back, not recomputed
    keys = [cache.key("ll", ctx, cont, max_length) for ctx, cont in requests] if cache is not None else []
    todo = range(len(requests))
    if cache is not None:
        for i, key in enumerate(keys):
            found = cache.get(key)
            if found is not None:
                out[i] = Score(*found)
        todo = [i for i in todo if out[i] is None]
        if len(todo) < len(requests) and on_batch is not None:
            on_batch(len(requests) - len(todo))
    order = sorted(todo, key=lambda i: -(len(requests[i][0]) + len(requests[i][1])))
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                if cancel is not None and cancel.is_set():
                    raise DojoError.keyed("eval.cancelled", done=start, total=len(order))
                chunk = order[start : start + batch_size]
                rows = []
                for i in chunk:
                    ctx, cont = requests[i]
                    whole = (ctx + cont)[-(max_length + 1):]
                    rows.append((whole[:-1], len(cont), len(ctx) + len(cont) > max_length + 1))
                width = max(len(r[0]) for r in rows)
                ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
                attn = torch.zeros_like(ids)
                for j, (inp, _, _) in enumerate(rows):
                    ids[j, : len(inp)] = torch.tensor(inp)
                    attn[j, : len(inp)] = 1
                logits = model(input_ids=ids.to(device), attention_mask=attn.to(device)).logits
                for j, (i, (inp, n, cut)) in enumerate(zip(chunk, rows)):
                    cont = requests[i][1]
                    rows_logits = logits[j, len(inp) - n : len(inp)].float()
                    logp = torch.log_softmax(rows_logits, dim=-1)
                    target = torch.tensor(cont, device=logp.device)
                    picked = logp.gather(1, target[:, None]).squeeze(1)
                    greedy = bool((logp.argmax(-1) == target).all())
                    out[i] = Score(float(picked.sum()), greedy, n, cut)
                    if cache is not None:
                        cache.put(keys[i], [out[i].logprob, greedy, n, cut])
                if cache is not None:
                    cache.flush()
                if on_batch is not None:
                    on_batch(len(chunk))
    finally:
        model.train(was_training)
    return out  # type: ignore[return-value]


def rolling_windows(ids: list[int], prefix: int, max_length: int) -> list[tuple[list[int], list[int]]]:
    """Requests that predict every token of ``ids`` exactly once, ``max_length`` at a time.

    The first window reads ``prefix`` (the BOS token) and predicts the first tokens; each
    next window reads the last token of the one before and predicts the next
    ``max_length`` tokens: lm-evaluation-harness's ``loglikelihood_rolling`` windows.

    >>> rolling_windows([5, 6, 7, 8, 9], 1, 2)
    [([1], [5, 6]), ([6], [7, 8]), ([8], [9])]
    """
    out = []
    for start in range(0, len(ids), max_length):
        ctx = [prefix] if start == 0 else [ids[start - 1]]
        out.append((ctx, ids[start : start + max_length]))
    return out
