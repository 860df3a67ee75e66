"""Re-measure the shipped embedded models on held-out text (the README's model figures).

    python bench/embedded_models.py [--json]

For dojo-tiny: held-out perplexity per token and bits per byte in English and Korean,
against the same architecture untrained and a unigram baseline. For dojo-tiny-mlm:
top-1 accuracy on held-out masked tokens against the most-frequent-token baseline.
The corpus is rebuilt from the installed gensim / KoNLPy files exactly as the recipe
built it, so the held-out documents are the ones the models never saw.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from engine.models.resolve import embedded_models
    from engine.text.corpus import build_corpus
    from engine.training.pretrain_eval import evaluate_model
    from engine.training.presets import get_preset

    results = {}
    for name, path in embedded_models().items():
        preset = get_preset(name)
        t = time.perf_counter()
        corpus = build_corpus(preset.corpus)
        results[name] = evaluate_model(preset, path, corpus, corpus.texts("train"))
        results[name]["seconds"] = round(time.perf_counter() - t, 1)
    if "--json" in sys.argv:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return
    for name, ev in results.items():
        print(f"== {name}")
        for lang, row in ev["heldout"].items():
            if "trained" in row:
                print(f"  {lang}: ppl trained {row['trained']['perplexity']:.1f} | untrained {row['untrained']['perplexity']:.1f}"
                      f" | unigram {row['unigram']['perplexity']:.1f}  (bits/byte trained {row['trained']['bits_per_byte']:.2f},"
                      f" untrained {row['untrained']['bits_per_byte']:.2f}; {row['tokens']:,} tokens)")
            else:
                print(f"  {lang}: masked top-1 {row['top1_accuracy']:.3f} vs most-frequent {row['most_frequent_baseline']:.3f}"
                      f" ({row['masked_tokens']:,} masked tokens)")
        for key, s in ev.get("samples", {}).items():
            print(f"  {key} greedy : {s['prompt']}|{s['greedy']!r}")
            if "sampled" in s:
                print(f"  {key} sampled: {s['prompt']}|{s['sampled']!r}")
        for text, top in ev.get("fill_mask", {}).items():
            print(f"  fill-mask {text} -> {top}")


if __name__ == "__main__":
    main()
