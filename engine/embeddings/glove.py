"""GloVe (Pennington, Socher and Manning, 2014) in a few lines of torch.

GloVe has no maintained Python trainer, and its objective is short enough to read:

    J = sum over pairs (i, k) with X_ik > 0 of  f(X_ik) * (w_i . w~_k + b_i + b~_k - log X_ik)^2
    f(x) = (x / x_max) ** alpha  below x_max, 1 above

X is the co-occurrence matrix (counts weighted 1/distance, :func:`cooc.glove_counts`), w and
w~ are word and context vectors, b and b~ biases. As in the paper: x_max 100, alpha 0.75,
AdaGrad (written out, one accumulator per parameter; a higher learning rate than the paper's 0.05,
because we update once per batch of pairs, not once per pair), and the word's
final vector is w + w~. Each epoch visits every non-zero pair once, in a seeded random order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..errors import DojoError
from .config import TrainConfig
from .corpus import Corpus
from .events import EpochEvent

BATCH = 4096
"""Pairs per update. The reference code updates after every pair; one update per batch keeps torch fast on a
CPU but takes fewer, larger steps, so the learning rate is higher than the paper's 0.05."""


def vocabulary(corpus: Corpus, min_count: int) -> list[str]:
    """Words seen at least ``min_count`` times, most frequent first (ties: first seen first), like gensim."""
    return [w for w, c in corpus.counts().most_common() if c >= min_count]


def train_glove(corpus: Corpus, config: TrainConfig, *, on_event: Callable[[EpochEvent], None] | None = None,
                cancel: threading.Event | None = None) -> tuple[Any, list[EpochEvent], float, bool]:
    """-> (gensim ``KeyedVectors`` of w + w~, epoch events, seconds, cancelled)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tensors this small: thread hand-offs cost more than the work (10x on 2 busy cores)
    try:
        return _train(corpus, config, on_event, cancel)
    finally:
        torch.set_num_threads(threads)


def _train(corpus: Corpus, config: TrainConfig, on_event: Callable[[EpochEvent], None] | None,
           cancel: threading.Event | None) -> tuple[Any, list[EpochEvent], float, bool]:
    import torch
    from gensim.models import KeyedVectors

    from .cooc import glove_counts

    start = time.perf_counter()
    words = vocabulary(corpus, config.min_count)
    index = {w: n for n, w in enumerate(words)}
    counts = glove_counts(corpus, index, config.window)
    pairs = torch.tensor(list(counts.keys()), dtype=torch.long).reshape(-1, 2)
    x = torch.tensor(list(counts.values()), dtype=torch.float32)
    weight = (x / config.x_max).pow(config.alpha).clamp(max=1.0)
    log_x = x.log()

    gen = torch.Generator().manual_seed(config.seed)
    v, d = len(words), config.vector_size
    # word vectors w, context vectors wc, biases b and bc: the reference code's uniform (-0.5, 0.5) / d
    w, wc = ((torch.rand(v, d, generator=gen) - 0.5) / d for _ in range(2))
    b, bc = ((torch.rand(v, generator=gen) - 0.5) / d for _ in range(2))
    # AdaGrad: each parameter's step is divided by the root of its summed squared gradients
    hist = [torch.ones_like(p) for p in (w, wc, b, bc)]  # the reference code starts them at 1

    events: list[EpochEvent] = []
    cancelled = False
    for epoch in range(config.epochs):
        t0 = time.perf_counter()
        order = torch.randperm(len(x), generator=gen)
        total = 0.0
        for s in range(0, len(order), BATCH):
            idx = order[s:s + BATCH]
            i, k = pairs[idx, 0], pairs[idx, 1]
            diff = (w[i] * wc[k]).sum(1) + b[i] + bc[k] - log_x[idx]
            fdiff = weight[idx] * diff  # d J / d (w_i . w~_k), halved as in the reference code
            total += float((fdiff * diff).sum())
            grads = (torch.zeros_like(w).index_add_(0, i, fdiff[:, None] * wc[k]),
                     torch.zeros_like(wc).index_add_(0, k, fdiff[:, None] * w[i]),
                     torch.zeros_like(b).index_add_(0, i, fdiff),
                     torch.zeros_like(bc).index_add_(0, k, fdiff))
            for p, g, h in zip((w, wc, b, bc), grads, hist):
                p -= config.learning_rate * g / h.sqrt()
                h += g * g
        if total != total:  # NaN: the steps overshot
            raise DojoError.keyed("emb.glove_diverged", epoch=epoch + 1, lr=config.learning_rate)
        dt = time.perf_counter() - t0
        event = EpochEvent(epoch + 1, config.epochs, dt, corpus.words / dt if dt > 0 else 0.0, total / max(1, len(x)))
        events.append(event)
        if on_event is not None:
            on_event(event)
        if cancel is not None and cancel.is_set() and epoch + 1 < config.epochs:
            cancelled = True
            break
    vectors = (w + wc).numpy()
    kv = KeyedVectors(d)
    kv.add_vectors(words, vectors)
    return kv, events, time.perf_counter() - start, cancelled
