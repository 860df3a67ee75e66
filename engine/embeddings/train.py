"""Train word vectors: gensim's Word2Vec (CBOW, skip-gram) and FastText, or our GloVe in torch.

:func:`train` builds gensim's vocabulary and calls its ``train`` exactly as gensim's own
constructor does (same arguments, so the same seed gives the same vectors as
``Word2Vec(sentences, ...)``), with a callback that times each epoch and reads the loss.
Training stops after the epoch in flight when ``cancel`` is set. The vectors are saved
(``store``) unless cancelled. :func:`train_events` is the same as a generator of events.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from ..errors import DojoError
from .config import TrainConfig
from .corpus import Corpus, load_corpus
from .events import EpochEvent, TrainResult
from .store import Embedding, save

OnEvent = Callable[[EpochEvent], None]


class _Stop(Exception):
    """Raised from the epoch callback to end training early (gensim has no cancel flag)."""


def check_vocabulary(corpus: Corpus, min_count: int) -> int:
    """How many words min-count keeps; ``DojoError`` when none (or too few to train on)."""
    counts = corpus.counts()
    top = max(counts.values(), default=0)
    kept = sum(1 for c in counts.values() if c >= min_count)
    if kept == 0:
        raise DojoError.keyed("emb.empty_vocab", min_count=min_count, top=top)
    if kept < 2:
        raise DojoError.keyed("emb.too_small_vocab", words=kept)
    return kept


def gensim_model(config: TrainConfig):
    """The untrained gensim model for ``config`` (the same arguments as a direct ``Word2Vec(...)`` call)."""
    common = dict(vector_size=config.vector_size, window=config.window, min_count=config.min_count,
                  negative=config.negative, epochs=config.epochs, workers=config.workers, seed=config.seed)
    if config.algorithm == "fasttext":
        from gensim.models import FastText

        return FastText(sg=0, min_n=config.min_n, max_n=config.max_n, bucket=config.bucket, **common)
    from gensim.models import Word2Vec

    return Word2Vec(sg=1 if config.algorithm == "skipgram" else 0, compute_loss=True, **common)


def train(config: TrainConfig, *, on_event: OnEvent | None = None, cancel: threading.Event | None = None,
          corpus: Corpus | None = None, keep: bool = True) -> tuple[TrainResult, Embedding]:
    """Train ``config`` -> (the result as plain data, the vectors). ``keep``: save them."""
    corpus = corpus or load_corpus(config.corpus)
    check_vocabulary(corpus, config.min_count)
    if config.algorithm == "glove":
        from .glove import train_glove

        wv, events, seconds, cancelled = train_glove(corpus, config, on_event=on_event, cancel=cancel)
        model = None
    else:
        wv, model, events, seconds, cancelled = _train_gensim(corpus, config, on_event, cancel)
    words = corpus.words * len(events)
    meta = {"config": config.to_dict(), "corpus": corpus.stats(), "epochs": [e.to_dict() for e in events],
            "seconds": round(seconds, 3), "cancelled": cancelled}
    embedding = Embedding(config.model_name, config.algorithm, wv, meta)
    path = str(save(embedding, model)) if keep and not cancelled else None
    result = TrainResult(name=config.model_name, algorithm=config.algorithm, corpus=corpus.stats(),
                         vocab_size=len(wv.index_to_key), vector_size=config.vector_size, epochs=events,
                         seconds=seconds, words_per_s=words / seconds if seconds > 0 else 0.0,
                         cancelled=cancelled, path=path, config=config.to_dict())
    return result, embedding


def _train_gensim(corpus: Corpus, config: TrainConfig, on_event: OnEvent | None,
                  cancel: threading.Event | None):
    from gensim.models.callbacks import CallbackAny2Vec

    sentences = corpus.lists()
    model = gensim_model(config)
    model.build_vocab(sentences)
    events: list[EpochEvent] = []
    loss_so_far = [0.0]
    word2vec = config.algorithm != "fasttext"

    class Progress(CallbackAny2Vec):
        def on_epoch_begin(self, m) -> None:
            self.t0 = time.perf_counter()

        def on_epoch_end(self, m) -> None:
            dt = time.perf_counter() - self.t0
            loss = None
            if word2vec:  # gensim sums the loss over the whole train() call
                total = float(m.get_latest_training_loss())
                loss, loss_so_far[0] = total - loss_so_far[0], total
            event = EpochEvent(len(events) + 1, config.epochs, dt, m.corpus_total_words / dt if dt > 0 else 0.0,
                               loss)
            events.append(event)
            if on_event is not None:
                on_event(event)
            if cancel is not None and cancel.is_set() and len(events) < config.epochs:
                raise _Stop

    start = time.perf_counter()
    cancelled = False
    try:
        model.train(sentences, total_examples=model.corpus_count, total_words=model.corpus_total_words,
                    epochs=model.epochs, start_alpha=model.alpha, end_alpha=model.min_alpha,
                    compute_loss=model.compute_loss, callbacks=[Progress()])
    except _Stop:
        cancelled = True
    seconds = time.perf_counter() - start
    return model.wv, model, events, seconds, cancelled


def train_events(config: TrainConfig, cancel: threading.Event | None = None,
                 corpus: Corpus | None = None) -> Iterator[EpochEvent | TrainResult]:
    """:func:`train` as a generator: each ``EpochEvent``, then the ``TrainResult`` (errors re-raised)."""
    box: queue.Queue = queue.Queue()
    done = object()

    def run() -> None:
        try:
            result, _ = train(config, on_event=box.put, cancel=cancel, corpus=corpus)
            box.put(result)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            box.put(exc)
        box.put(done)

    threading.Thread(target=run, daemon=True, name="embed-train").start()
    while (item := box.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item
