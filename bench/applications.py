"""Measure the LLM applications lab (the README's "LLM applications lab" figures).

    python bench/applications.py [--json] [--skip-icl]

Shared machines are noisy: timings are wall-clock seconds on the machine as it is, with
one thread per core.

1. Index build for the course texts (every lesson, Korean and English): BM25 and TF-IDF
   (gensim, imports excluded and given separately) and dense (dojo-tiny's mean-pooled
   hidden states, no disk cache). Target: under 5 s on 2 cores.
2. Retrieval per question (the shipped question set): milliseconds. Target: under 50 ms.
3. hit-rate@1/@3/@5 for bm25, tfidf and dense on ``engine/data/rag_questions.jsonl``.
4. Zero- vs k-shot accuracy of dojo-tiny on the held-out sentiment sets (every item),
   through the evaluation lab's scorer, at batch 32 and at batch 1: the same numbers,
   and the speed-up of batching.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def retrieval() -> dict:
    t = time.perf_counter()
    import gensim.models  # noqa: F401  (import time reported apart from the build)

    import_s = time.perf_counter() - t
    from engine.applications.rag import Retrievers, build_sparse, evaluate

    shared = Retrievers(disk_cache=False)
    t = time.perf_counter()
    every = shared.passages("ko") + shared.passages("en")
    read_s = time.perf_counter() - t
    from engine.applications.rag import sentence_encoder

    english = sentence_encoder()  # the optional `rag` extra: English dense retrieval uses it when installed
    out = {"passages": len(every), "read_lessons_s": read_s, "gensim_import_s": import_s, "retrievers": {},
           "dense_encoders": {"ko": "dojo-tiny", "en": english.name if english is not None else "dojo-tiny"}}
    for kind in ("bm25", "tfidf"):
        t = time.perf_counter()
        for lang in ("ko", "en"):
            build_sparse(shared.passages(lang), kind)
        out[f"{kind}_build_s"] = time.perf_counter() - t
    # the encoder model is loaded first and timed on its own (in the app it is usually loaded
    # already, by the lab or the lesson): the dense index time is then the passages' embedding
    t = time.perf_counter()
    shared.model("dojo-tiny")
    out["dense_model_load_s"] = time.perf_counter() - t
    for kind in ("bm25", "tfidf", "dense"):
        result = evaluate(kind, shared, ks=(1, 3, 5))
        out["retrievers"][kind] = {"hit_rate": result.hit_rate, "by_lang": result.by_lang,
                                   "index_s": result.index_seconds, "ms_per_question": result.ms_per_question,
                                   "n": result.n}
    return out


def icl() -> dict:
    from engine.applications.config import AppsIclConfig
    from engine.applications.icl import measure
    from engine.models.load import load_model

    loaded = load_model("dojo-tiny")
    out = {}
    for data in ("sentiment-ko", "sentiment-en"):
        runs = {}
        for batch in (32, 1):
            t = time.perf_counter()
            result = measure(AppsIclConfig(data=data, shots=("0", "1", "4"), batch_size=batch, finetuned=False),
                             loaded, load=lambda name: loaded)
            runs[batch] = (time.perf_counter() - t, result)
        fast, slow = runs[32], runs[1]
        out[data] = {"rows": [{"method": r.method, "accuracy": r.accuracy, "n": r.n} for r in fast[1].rows],
                     "majority_baseline": fast[1].chance, "seconds_batch32": fast[0], "seconds_batch1": slow[0],
                     "speedup": slow[0] / fast[0],
                     "same_numbers": [r.accuracy for r in fast[1].rows] == [r.accuracy for r in slow[1].rows]}
    return out


def main() -> None:
    report = {"retrieval": retrieval()}
    if "--skip-icl" not in sys.argv:
        report["icl"] = icl()
    if "--json" in sys.argv:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    r = report["retrieval"]
    print(f"{r['passages']} passages; lessons read in {r['read_lessons_s']:.2f} s; gensim import {r['gensim_import_s']:.2f} s")
    print(f"build: bm25 {r['bm25_build_s']:.2f} s, tfidf {r['tfidf_build_s']:.2f} s, "
          f"dense {r['retrievers']['dense']['index_s']:.1f} s (after loading dojo-tiny, imports included: "
          f"{r['dense_model_load_s']:.1f} s)")
    print(f"dense encoders: {r['dense_encoders']}")
    for kind, v in r["retrievers"].items():
        h = v["hit_rate"]
        langs = "  ".join(f"{lang} @1 {x['1']:.2f} @3 {x['3']:.2f}" for lang, x in v["by_lang"].items())
        print(f"{kind:6} hit@1 {h['1']:.3f} hit@3 {h['3']:.3f} hit@5 {h['5']:.3f}  "
              f"{v['ms_per_question']:.1f} ms/question  (n={v['n']}; {langs})")
    for data, v in report.get("icl", {}).items():
        rows = ", ".join(f"{x['method']} {x['accuracy']:.3f}" for x in v["rows"])
        print(f"{data}: {rows} (n={v['rows'][0]['n']}, majority {v['majority_baseline']:.2f}); batch 32 vs 1: "
              f"{v['speedup']:.1f}x faster, same numbers: {v['same_numbers']}")


if __name__ == "__main__":
    main()
