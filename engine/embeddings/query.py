"""Questions to trained vectors, answered by gensim's ``KeyedVectors``.

Every word is checked first: a word outside the vocabulary is a ``DojoError`` that names the
closest known spelling (``difflib``), except for FastText, which builds a vector for any
word from its character n-grams and says so in a notice. Cosine similarity is
``a . b / (|a| |b|)``, as gensim computes it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ..errors import DojoError
from ..messages import Notice
from .store import Embedding


@dataclass(frozen=True)
class QueryResult:
    op: str
    words: tuple[str, ...]
    neighbours: tuple[tuple[str, float], ...] = ()
    """(word, cosine similarity), most similar first."""
    similarity: float | None = None
    odd_one: str | None = None
    vector: tuple[float, ...] = ()
    oov: tuple[str, ...] = ()
    """Words the model never saw in training (FastText answered from subwords)."""
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "words": list(self.words),
                "neighbours": [{"word": w, "similarity": round(s, 4)} for w, s in self.neighbours],
                "similarity": None if self.similarity is None else round(self.similarity, 4),
                "odd_one": self.odd_one, "vector": [round(v, 5) for v in self.vector], "oov": list(self.oov),
                "notices": [str(n) for n in self.notices], "notice_keys": [n.key for n in self.notices]}


def suggest(embedding: Embedding, word: str) -> str | None:
    """The known word spelled most like ``word`` (or None)."""
    vocab = embedding.wv.key_to_index
    lowered = word.lower()
    if lowered != word and lowered in vocab:
        return lowered
    close = difflib.get_close_matches(lowered, embedding.wv.index_to_key, n=1, cutoff=0.6)
    return close[0] if close else None


def check_words(embedding: Embedding, words: tuple[str, ...] | list[str]) -> tuple[tuple[str, ...], list[Notice]]:
    """-> (words not in the vocabulary, notices). Raises for them unless the model has subwords."""
    vocab = embedding.wv.key_to_index
    missing = tuple(w for w in words if w not in vocab)
    notices: list[Notice] = []
    for word in missing:
        if embedding.subwords:
            notices.append(Notice("emb.oov_subwords", {"word": word}))
            continue
        close = suggest(embedding, word)
        if close:
            raise DojoError.keyed("emb.oov", word=word, vocab=len(vocab), suggestion=close)
        raise DojoError.keyed("emb.oov_no_suggestion", word=word, vocab=len(vocab))
    return missing, notices


def _need(op: str, words: tuple[str, ...], need: int, exact: bool = True) -> None:
    if (len(words) != need) if exact else (len(words) < need):
        raise DojoError.keyed("emb.too_few_words", op=op, need=need if exact else f"at least {need}",
                              got=len(words))


def most_similar(embedding: Embedding, word: str, topn: int = 10) -> QueryResult:
    oov, notices = check_words(embedding, [word])
    pairs = embedding.wv.most_similar(word, topn=topn)
    return QueryResult("similar", (word,), tuple((w, float(s)) for w, s in pairs), oov=oov, notices=tuple(notices))


def similarity(embedding: Embedding, a: str, b: str) -> QueryResult:
    oov, notices = check_words(embedding, [a, b])
    return QueryResult("similarity", (a, b), similarity=float(embedding.wv.similarity(a, b)), oov=oov,
                       notices=tuple(notices))


def analogy(embedding: Embedding, a: str, b: str, c: str, topn: int = 5) -> QueryResult:
    """a - b + c: gensim's ``most_similar(positive=[a, c], negative=[b])`` (the three words are never answers)."""
    seen: set[str] = set()
    for word in (a, b, c):
        if word in seen:
            raise DojoError.keyed("emb.repeated_word", word=word)
        seen.add(word)
    oov, notices = check_words(embedding, [a, b, c])
    pairs = embedding.wv.most_similar(positive=[a, c], negative=[b], topn=topn)
    return QueryResult("analogy", (a, b, c), tuple((w, float(s)) for w, s in pairs), oov=oov,
                       notices=tuple(notices))


def doesnt_match(embedding: Embedding, words: tuple[str, ...] | list[str]) -> QueryResult:
    words = tuple(words)
    _need("doesnt_match", words, 3, exact=False)
    oov, notices = check_words(embedding, words)
    return QueryResult("doesnt_match", words, odd_one=embedding.wv.doesnt_match(list(words)), oov=oov,
                       notices=tuple(notices))


def vector(embedding: Embedding, word: str) -> QueryResult:
    oov, notices = check_words(embedding, [word])
    return QueryResult("vector", (word,), vector=tuple(float(v) for v in embedding.wv[word]), oov=oov,
                       notices=tuple(notices))


def run_query(embedding: Embedding, op: str, words: tuple[str, ...] | list[str], topn: int = 10) -> QueryResult:
    """One query by name (the CLI's and the lab's entry)."""
    words = tuple(w.strip() for w in words if w.strip())
    if op == "similar":
        _need(op, words, 1)
        return most_similar(embedding, words[0], topn)
    if op == "similarity":
        _need(op, words, 2)
        return similarity(embedding, *words)
    if op == "analogy":
        _need(op, words, 3)
        return analogy(embedding, *words, topn=topn)
    if op == "doesnt_match":
        return doesnt_match(embedding, words)
    if op == "vector":
        _need(op, words, 1)
        return vector(embedding, words[0])
    raise DojoError(f"op {op!r}: use similar, similarity, analogy, doesnt_match or vector")
