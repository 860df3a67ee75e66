"""A small RAG over the course itself: retrieved lesson passages, an augmented prompt, an answer.

* **Retrieval** (passages, BM25 / TF-IDF / dense indexes, the fallback) is
  :mod:`engine.applications.retrieval`; its names are importable from here too.
* **Answer**: the top passages go into the prompt as numbered context (dropped from
  the last when the prompt would not fit the context) and the model answers greedily.
* **hit-rate@k** over ``engine/data/rag_questions.jsonl``: the share of questions whose
  own lesson step is among the top k passages.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DojoError
from ..messages import Notice
from .config import AppsRagConfig
from .retrieval import (  # noqa: F401 - the retrieval half, importable from here as before
    HiddenStateEncoder, Hit, Passage, Retrievers, build_dense, build_sparse, question_lang, sentence_encoder, words,
)

INSTRUCTION = {"ko": "아래 구절만 근거로 질문에 답하세요.", "en": "Answer the question using only the passages below."}
LABELS = {"ko": ("질문", "답"), "en": ("Question", "Answer")}


@dataclass(frozen=True)
class RagAnswer:
    question: str
    lang: str
    retriever: str
    """The retriever that answered (bm25 after a dense fallback)."""
    hits: tuple[Hit, ...]
    prompt: str
    prompt_tokens: int
    answer: str | None
    seconds: dict[str, float]
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "lang": self.lang, "retriever": self.retriever,
                "hits": [h.to_dict() for h in self.hits], "prompt": self.prompt, "prompt_tokens": self.prompt_tokens,
                "answer": self.answer, "seconds": self.seconds, "notices": [n.to_dict() for n in self.notices]}


# -- the augmented prompt and the answer ---------------------------------------------------
def augmented_prompt(question: str, hits: list[Hit], lang: str) -> str:
    q_label, a_label = LABELS[lang]
    blocks = [INSTRUCTION[lang]]
    blocks += [f"[{n}] {h.passage.title}\n{h.passage.text}" for n, h in enumerate(hits, 1)]
    blocks.append(f"{q_label}: {question.strip()}\n{a_label}:")
    return "\n\n".join(blocks)


def fit_prompt(question: str, hits: list[Hit], lang: str, tokenizer: Any, room: int) -> tuple[str, int, list[Hit]]:
    """The prompt with as many of ``hits`` as fit in ``room`` tokens (the last dropped first)."""
    kept = list(hits)
    while True:
        prompt = augmented_prompt(question, kept, lang)
        n = len(tokenizer(prompt)["input_ids"])
        if n <= room or not kept:
            break
        kept.pop()
    if n > room:
        raise DojoError.keyed("apps.too_long", tokens=n, over=n - room, context=room)
    return prompt, n, kept


def ask(config: AppsRagConfig, retrievers: Retrievers | None = None, *,
        on_hits: Callable[[list[Hit], str], Any] | None = None, on_text: Callable[[str], Any] | None = None,
        cancel: threading.Event | None = None) -> RagAnswer:
    """Retrieve, build the augmented prompt and (``config.generate``) answer.

    ``on_hits(hits, prompt)`` is called once retrieval is done (before the model loads or
    writes); ``on_text(piece)`` with each piece of the answer as it is generated."""
    retrievers = retrievers or Retrievers()
    lang = config.lang or question_lang(config.question)
    t0 = time.perf_counter()
    hits, used, notices = retrievers.search(config.question, config.retriever, config.k, lang, config.model)
    t1 = time.perf_counter()
    seconds = {"retrieve": t1 - t0}
    if on_hits is not None:
        on_hits(list(hits), augmented_prompt(config.question, hits, lang))
    if not config.generate:
        prompt = augmented_prompt(config.question, hits, lang)
        from ..generation.chat_formats import tokenizer_for

        tokenizer = retrievers.loaded.tokenizer if retrievers.loaded is not None else tokenizer_for(config.model)
        return RagAnswer(config.question, lang, used, tuple(hits), prompt, len(tokenizer(prompt)["input_ids"]), None,
                         seconds, tuple(notices))
    loaded = retrievers.model(config.model)
    from ..models.context import context_length

    context = context_length(loaded.model, loaded.tokenizer) or 2048
    room = context - config.max_new_tokens
    prompt, n, kept = fit_prompt(config.question, hits, lang, loaded.tokenizer, room)
    if len(kept) < len(hits):
        notices.append(Notice("apps.passages_dropped", {"dropped": len(hits) - len(kept), "k": len(hits),
                                                        "context": context}))
    from ..generation.params import SamplingParams
    from ..generation.stream import run_stream

    ids = list(loaded.tokenizer(prompt)["input_ids"])
    pieces: list[str] = []

    def on_event(event: Any) -> None:
        if event.text:
            pieces.append(event.text)
            if on_text is not None:
                on_text(event.text)

    run_stream(loaded.model, loaded.tokenizer, ids, SamplingParams(max_new_tokens=config.max_new_tokens), on_event,
               cancel=cancel, logprobs=False)
    seconds["generate"] = time.perf_counter() - t1
    return RagAnswer(config.question, lang, used, tuple(hits), prompt, n, "".join(pieces).strip(), seconds,
                     tuple(notices))


# -- measuring retrieval -------------------------------------------------------------------
def questions(path: Path | None = None) -> list[dict[str, Any]]:
    from ..text.corpus import DATA_DIR

    path = path or DATA_DIR / "rag_questions.jsonl"
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            for key in ("question", "lesson", "step", "lang"):
                if key not in row:
                    raise DojoError(f"{path.name} line {n}: a question needs {key!r}")
            out.append(row)
    return out


@dataclass(frozen=True)
class RagEval:
    retriever: str
    ks: tuple[int, ...]
    hit_rate: dict[str, float]
    """``"1"``, ``"3"``... -> share of questions whose own step is in the top k."""
    n: int
    by_lang: dict[str, dict[str, float]]
    index_seconds: float
    ms_per_question: float
    items: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(retriever: str, retrievers: Retrievers | None = None, ks: tuple[int, ...] = (1, 3, 5),
             model: str = "dojo-tiny", qs: list[dict[str, Any]] | None = None) -> RagEval:
    """hit-rate@k of ``retriever`` over the question set."""
    retrievers = retrievers or Retrievers()
    qs = qs if qs is not None else questions()
    start = time.perf_counter()
    for lang in sorted({q["lang"] for q in qs}):
        if retriever == "dense":
            retrievers.dense(model, lang)
        else:
            retrievers.sparse(retriever, lang)
    index_seconds = time.perf_counter() - start
    top = max(ks)
    items, spent = [], 0.0
    for q in qs:
        t = time.perf_counter()
        hits, used, _ = retrievers.search(q["question"], retriever, top, q["lang"], model)
        spent += time.perf_counter() - t
        ranks = [i for i, h in enumerate(hits, 1) if h.passage.lesson == q["lesson"] and h.passage.step == q["step"]]
        items.append({"id": q.get("id"), "lang": q["lang"], "question": q["question"], "lesson": q["lesson"],
                      "step": q["step"], "rank": ranks[0] if ranks else None, "retriever": used,
                      "top": f"{hits[0].passage.lesson}/{hits[0].passage.step}" if hits else None})

    def rate(rows: list[dict[str, Any]], k: int) -> float:
        return sum(1 for r in rows if r["rank"] is not None and r["rank"] <= k) / len(rows) if rows else 0.0

    by_lang = {lang: {str(k): rate([r for r in items if r["lang"] == lang], k) for k in ks}
               for lang in sorted({r["lang"] for r in items})}
    return RagEval(retriever, tuple(ks), {str(k): rate(items, k) for k in ks}, len(items), by_lang, index_seconds,
                   1000 * spent / max(1, len(items)), items)
