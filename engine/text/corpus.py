"""The project's pretraining corpus, assembled from text that ships with dependencies.

Nothing here is copied into the repository: gensim's test data (a Wikipedia excerpt
and the Lee news corpus) and KoNLPy's corpora (the Korean constitution and bills)
are located through the installed packages at run time, and joined with original
text the project writes itself (``engine/data``, ``lessons/``).

Documents are split into a training part and a fixed held-out part *by document*,
so the held-out perplexity in the model cards measures text the models never saw.

>>> c = build_corpus(CorpusSpec())          # doctest: +SKIP
>>> c.stats()["ko"]["train_chars"] > 0      # doctest: +SKIP
True
"""

from __future__ import annotations

import bz2
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DojoError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Document:
    source: str  # e.g. "wiki", "lee", "kolaw", "kobill", "original"
    lang: str  # "ko" or "en"
    text: str


@dataclass(frozen=True)
class CorpusSpec:
    """Which text goes in, and how much of it."""

    english_chars: int = 1_300_000
    """English is plentiful; capping it keeps Korean from being a rounding error and
    keeps a CPU recipe inside its time budget."""
    korean_repeat: int = 2
    """Korean training text is scarce (about 65k characters of law and bills plus our
    own text), so it is seen this many times per pass over the corpus."""
    heldout_every: int = 10
    """Every Nth document of each source is held out for evaluation."""


@dataclass
class Corpus:
    train: list[Document] = field(default_factory=list)
    heldout: list[Document] = field(default_factory=list)
    spec: CorpusSpec = field(default_factory=CorpusSpec)

    def texts(self, split: str = "train", lang: str | None = None) -> list[str]:
        docs = self.train if split == "train" else self.heldout
        return [d.text for d in docs if lang is None or d.lang == lang]

    def stats(self) -> dict:
        out: dict = {}
        for lang in ("ko", "en"):
            tr = [d for d in self.train if d.lang == lang]
            ho = [d for d in self.heldout if d.lang == lang]
            out[lang] = {
                "train_docs": len(tr),
                "train_chars": sum(len(d.text) for d in tr),
                "heldout_docs": len(ho),
                "heldout_chars": sum(len(d.text) for d in ho),
                "sources": sorted({d.source for d in tr}),
            }
        return out


def language_of(text: str) -> str:
    """'ko' when Hangul syllables outnumber Latin letters, else 'en'."""
    return "ko" if len(_HANGUL.findall(text)) >= len(_LATIN.findall(text)) else "en"


def gensim_test_data() -> Path:
    try:
        import gensim
    except ImportError:  # pragma: no cover - a hard dependency
        raise DojoError("gensim is not installed; run: pip install gensim") from None
    path = Path(gensim.__file__).resolve().parent / "test" / "test_data"
    if not path.is_dir():
        raise DojoError(f"gensim's test data is missing at {path}; reinstall gensim")
    return path


def _clean_wiki(markup: str) -> list[str]:
    from gensim.corpora.wikicorpus import filter_wiki

    text = filter_wiki(markup)
    text = text.replace("'''", "").replace("''", "")
    paragraphs = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        # keep prose: long enough, ends like a sentence, no leftover markup
        if len(para) >= 120 and para[-1] in ".!?\"')" and "==" not in para and "|" not in para:
            paragraphs.append(para)
    return paragraphs


def wiki_documents() -> list[Document]:
    """Articles of gensim's shortened English Wikipedia dump, markup removed."""
    from gensim.corpora.wikicorpus import extract_pages

    dump = next(gensim_test_data().glob("enwiki-latest-pages-articles1*.bz2"))
    docs = []
    with bz2.open(dump) as fh:
        for _title, markup, _pid in extract_pages(fh):
            if markup.lstrip().lower().startswith("#redirect"):
                continue
            paras = _clean_wiki(markup)
            if paras:
                docs.append(Document("wiki", "en", "\n".join(paras)))
    return docs


def lee_documents() -> list[Document]:
    path = gensim_test_data() / "lee_background.cor"
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [Document("lee", "en", " ".join(line.split())) for line in lines if line.strip()]


def konlpy_documents() -> list[Document]:
    """The Korean constitution (split into chapters) and the ten bills in KoNLPy."""
    try:
        from konlpy.corpus import kobill, kolaw
    except ImportError:  # pragma: no cover - a hard dependency
        raise DojoError("KoNLPy is not installed; run: pip install konlpy") from None
    docs = []
    law = kolaw.open("constitution.txt").read()
    for chunk in _chunks(_tidy_korean(law)):
        docs.append(Document("kolaw", "ko", chunk))
    for fid in sorted(kobill.fileids()):
        for chunk in _chunks(_tidy_korean(kobill.open(fid).read())):
            docs.append(Document("kobill", "ko", chunk))
    return docs


def _chunks(text: str, size: int = 1500) -> list[str]:
    """Cut long texts at line ends into pieces of about ``size`` characters, so that
    the held-out split can take whole pieces from every source."""
    out, cur = [], []
    for line in text.splitlines():
        cur.append(line)
        if sum(len(x) for x in cur) >= size:
            out.append("\n".join(cur))
            cur = []
    if cur:
        out.append("\n".join(cur))
    return out


def _tidy_korean(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def original_documents() -> list[Document]:
    """Text the project wrote: explanations, instruction answers, sentiment sentences
    and the lessons' readings, each paragraph tagged with its language."""
    docs: list[Document] = []
    explanations = DATA_DIR / "explanations.md"
    if explanations.exists():
        for para in re.split(r"\n\s*\n", explanations.read_text(encoding="utf-8")):
            para = para.strip()
            if para and not para.startswith("#"):
                docs.append(Document("original", language_of(para), para))
    for name in ("instructions.jsonl", "sentiment_ko.jsonl"):
        path = DATA_DIR / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("split") == "test":
                continue  # held-out rows stay unseen by every model
            if "messages" in row:
                text = "\n".join(m["content"] for m in row["messages"])
            else:
                text = row["text"]
            docs.append(Document("original", language_of(text), text))
    try:
        from lessons import ROOT as lessons_root
    except ImportError:  # pragma: no cover
        lessons_root = None
    if lessons_root is not None:
        for md in sorted(lessons_root.glob("[0-9][0-9]-*/??.md")):
            body = re.sub(r"```.*?```", "", md.read_text(encoding="utf-8"), flags=re.S)
            for para in re.split(r"\n\s*\n", body):
                para = para.strip()
                if len(para) > 40 and not para.startswith(("#", "|", "---")):
                    docs.append(Document("lessons", language_of(para), para))
    return docs


def _split(docs: list[Document], every: int) -> tuple[list[Document], list[Document]]:
    train, held = [], []
    for i, doc in enumerate(docs):
        (held if i % every == every - 1 else train).append(doc)
    return train, held


def build_corpus(spec: CorpusSpec = CorpusSpec()) -> Corpus:
    """Assemble the corpus deterministically (same installed files -> same corpus)."""
    corpus = Corpus(spec=spec)
    english = lee_documents() + wiki_documents()
    korean = konlpy_documents()
    original = original_documents()
    for group in (english, korean, original):
        train, held = _split(group, spec.heldout_every)
        corpus.heldout.extend(held)
        for doc in train:
            corpus.train.append(doc)
    # cap English by characters, keeping document order (deterministic)
    kept, budget = [], spec.english_chars
    for doc in corpus.train:
        if doc.lang == "en" and doc.source in ("wiki", "lee"):
            if budget <= 0:
                continue
            budget -= len(doc.text)
        kept.append(doc)
    korean_train = [d for d in kept if d.lang == "ko"]
    corpus.train = kept + korean_train * (spec.korean_repeat - 1)
    return corpus
