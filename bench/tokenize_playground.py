"""Tokenizer lab speed: the playground path against the ``tokenizers`` library, in one run.

    python bench/tokenize_playground.py [--pairs 7] [--json]

Three figures, each a median over interleaved pairs (library then ours, ours then
library, ...) so a machine whose speed drifts affects both alike:

1. Encode throughput: ``engine.tokenize.playground.encode`` (encode, counts, spans for the
   viewed part) over ``Tokenizer.encode`` on the same text, with the embedded
   byte-level tokenizer, on about 200,000 characters of Korean and English. Target >= 0.9.
   Also shown: the same ratio on a 2,000-character text, where building every span
   costs a visible share.
2. Re-tokenize latency: the playground's encode of 2,000 characters, in milliseconds
   (the lab re-tokenizes on every keystroke), and the same plus drawing the coloured
   spans and the stats line (the lab's ``views``, rendered to an 80-column console).
   Target < 50 ms.
3. Training: the from-scratch Python BPE (``engine.tokenize.bpe``, the step-through's
   trainer) against ``tokenizers``' ``BpeTrainer`` learning the same number of merges
   from the same word-frequency table (KoNLPy's constitution, whitespace words). This is
   a teaching point, not a target: the ratio says how much a Rust trainer with
   incremental pair counts gains over recounting every pair each step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _timed(fn, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def corpus_text(chars: int) -> str:
    from engine.tokenize.train import corpus_texts

    text = "\n".join(corpus_texts("kolaw") + corpus_texts("kobill") + corpus_texts("lee"))
    while len(text) < chars:
        text += "\n" + text
    return text[:chars]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--merges", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from engine.tokenize.bpe import bpe_steps
    from engine.tokenize.playground import encode, load

    library = load("dojo-tiny").tokenizer
    long_text, short_text = corpus_text(200_000), corpus_text(2_000)
    encode(short_text, "dojo-tiny")  # warm both paths
    library.encode(short_text, add_special_tokens=False)

    ratios_long, ratios_short, latencies = [], [], []
    for i in range(args.pairs):
        arms = [("lib", long_text), ("ours", long_text)]
        if i % 2:
            arms.reverse()
        times = {}
        for arm, text in arms:
            if arm == "lib":
                times[arm] = _timed(lambda: library.encode(text, add_special_tokens=False))
            else:
                times[arm] = _timed(lambda: encode(text, "dojo-tiny"))
        ratios_long.append(times["lib"] / times["ours"])
        lib_short = _timed(lambda: library.encode(short_text, add_special_tokens=False), 20)
        ours_short = _timed(lambda: encode(short_text, "dojo-tiny"), 20)
        ratios_short.append(lib_short / ours_short)
        latencies.append(ours_short * 1000)

    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    words = Counter(corpus_text(50_000).split())
    table = tuple(words.items())
    alphabet = len({ch for w in words for ch in w})

    def train_library():
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        trainer = trainers.BpeTrainer(vocab_size=alphabet + args.merges, show_progress=False, min_frequency=0)
        tok.train_from_iterator([w for w, c in table for _ in range(c)], trainer=trainer)

    from rich.console import Console

    from tui.labs import register_strings
    from tui.labs.tokenizer import views

    register_strings()
    console = Console(width=80, file=open("/dev/null", "w"), force_terminal=True)

    def keystroke():
        enc = encode(short_text, "dojo-tiny")
        console.print(views.stats_text(enc))
        console.print(views.spans_text(enc, short_text))

    keystroke_ms = statistics.median(_timed(keystroke) * 1000 for _ in range(args.pairs))

    train_ratios, ours_seconds = [], []
    for i in range(max(3, args.pairs // 2)):
        lib_t = _timed(train_library)
        ours_t = _timed(lambda: bpe_steps(table, args.merges, end_of_word=False))
        train_ratios.append(ours_t / lib_t)
        ours_seconds.append(ours_t)

    out = {
        "encode_ratio_200k_chars": round(statistics.median(ratios_long), 3),
        "encode_ratio_2k_chars": round(statistics.median(ratios_short), 3),
        "retokenize_2k_chars_ms": round(statistics.median(latencies), 2),
        "retokenize_and_draw_2k_chars_ms": round(keystroke_ms, 2),
        "python_bpe_over_tokenizers_training": round(statistics.median(train_ratios), 1),
        "python_bpe_seconds": round(statistics.median(ours_seconds), 2),
        "training_table": {"distinct_words": len(table), "merges": args.merges},
        "pairs": args.pairs,
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"encode throughput, playground / tokenizers (200k chars): {out['encode_ratio_200k_chars']:.3f} "
          f"(target >= 0.9)")
    print(f"encode throughput, playground / tokenizers (2k chars):   {out['encode_ratio_2k_chars']:.3f}")
    print(f"re-tokenize 2,000 characters: {out['retokenize_2k_chars_ms']:.2f} ms; with drawing the spans "
          f"{out['retokenize_and_draw_2k_chars_ms']:.2f} ms (target < 50 ms)")
    print(f"BPE training, from-scratch Python / tokenizers ({len(table):,} words, {args.merges} merges): "
          f"{out['python_bpe_over_tokenizers_training']:.0f}x slower ({out['python_bpe_seconds']:.2f} s)")


if __name__ == "__main__":
    main()
