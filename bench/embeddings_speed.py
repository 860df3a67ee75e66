"""Words per second of the lab's training path against gensim called directly (same settings).

    python bench/embeddings_speed.py [--repeats 3] [--algorithms cbow,skipgram,fasttext] [--json]

For each algorithm, alternately: ``Word2Vec(sentences, ...)`` / ``FastText(sentences, ...)``
straight from gensim, and ``engine.embeddings.train.train`` (its epoch callback, loss
bookkeeping and events included; saving excluded), on the Lee corpus with the lab's
default settings (50 dimensions, window 5, min-count 5, 40 epochs, workers 1). Both
times include building the vocabulary. Words/s = corpus words x epochs / seconds; the
ratio (ours / gensim, median over the repeats) should be >= 0.95. It also checks that the
two paths give the same vectors (workers 1, same seed), and times the lab's default
training end to end (GloVe included), which should stay under 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def gensim_direct(algorithm: str, sentences, config):
    from gensim.models import FastText, Word2Vec

    common = dict(vector_size=config.vector_size, window=config.window, min_count=config.min_count,
                  negative=config.negative, epochs=config.epochs, workers=config.workers, seed=config.seed)
    if algorithm == "fasttext":
        return FastText(sentences, sg=0, min_n=config.min_n, max_n=config.max_n, bucket=config.bucket, **common)
    return Word2Vec(sentences, sg=1 if algorithm == "skipgram" else 0, compute_loss=True, **common)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--algorithms", default="cbow,skipgram,fasttext")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import numpy as np

    from engine.embeddings.config import TrainConfig
    from engine.embeddings.corpus import load_corpus
    from engine.embeddings.train import train

    corpus = load_corpus("lee")
    sentences = corpus.lists()
    out: dict = {"corpus_words": corpus.words, "repeats": args.repeats, "algorithms": {}}
    for algorithm in args.algorithms.split(","):
        config = TrainConfig(algorithm=algorithm)
        words = corpus.words * config.epochs
        ours, direct, same = [], [], True
        for r in range(args.repeats):
            order = ("ours", "gensim") if r % 2 == 0 else ("gensim", "ours")
            for who in order:
                t = time.perf_counter()
                if who == "ours":
                    _, emb = train(config, corpus=corpus, keep=False)
                    ours.append(words / (time.perf_counter() - t))
                    ours_vectors = emb.wv.vectors
                else:
                    model = gensim_direct(algorithm, sentences, config)
                    direct.append(words / (time.perf_counter() - t))
                    direct_vectors = model.wv.vectors
            same = same and bool(np.array_equal(ours_vectors, direct_vectors))
        ratio = statistics.median(o / d for o, d in zip(ours, direct))
        out["algorithms"][algorithm] = {
            "ours_words_per_s": round(statistics.median(ours)), "gensim_words_per_s": round(statistics.median(direct)),
            "ratio": round(ratio, 3), "same_vectors": same}
    t = time.perf_counter()
    train(TrainConfig(algorithm="glove"), corpus=corpus, keep=False)
    out["glove_default_seconds"] = round(time.perf_counter() - t, 2)
    if args.json:
        print(json.dumps(out, indent=1))
        return
    print(f"Lee corpus, {corpus.words:,} words x 40 epochs, workers 1, median of {args.repeats} alternating pairs")
    for algorithm, row in out["algorithms"].items():
        print(f"{algorithm:>9}: ours {row['ours_words_per_s']:>10,} words/s   gensim {row['gensim_words_per_s']:>10,}"
              f" words/s   ratio {row['ratio']:.3f}   same vectors: {row['same_vectors']}")
    print(f"GloVe (torch) default training: {out['glove_default_seconds']} s")


if __name__ == "__main__":
    main()
