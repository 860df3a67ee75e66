"""Corpora as lists of token lists, with the counts a lesson quotes.

* ``lee``: gensim's Lee background corpus (300 Australian news stories, one per line),
  found inside the installed gensim package and tokenized with
  ``gensim.utils.simple_preprocess`` (lower-case, 2-15 letters): 58,152 words, 6,981 distinct.
* ``kolaw`` / ``kobill``: the constitution and ten bills shipped with KoNLPy, split into
  morphemes by KoNLPy's Okt analyser (Korean glues endings onto stems, so whole eojeol would
  scatter one word over many forms). ``korean``: both, plus the project's own Korean
  sentences (``engine/data/sentiment_ko.jsonl``). Tokenizing takes seconds (Java starts), so
  the result is cached under the state directory.
* anything else: the path of a UTF-8 text file, one sentence or document per line, tokenized
  with ``simple_preprocess`` (or by Okt when the text is mostly Hangul).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DojoError
from .config import CORPORA


@dataclass(frozen=True)
class Corpus:
    name: str
    sentences: tuple[tuple[str, ...], ...]
    tokenizer: str
    """How the text was split: simple_preprocess or okt-morphs."""

    @property
    def words(self) -> int:
        return sum(len(s) for s in self.sentences)

    def counts(self) -> Counter:
        return Counter(w for s in self.sentences for w in s)

    def stats(self) -> dict:
        counts = self.counts()
        return {"name": self.name, "sentences": len(self.sentences), "words": self.words,
                "distinct": len(counts), "tokenizer": self.tokenizer}

    def lists(self) -> list[list[str]]:
        """The sentences as lists (gensim wants a re-iterable of lists of str)."""
        return [list(s) for s in self.sentences]


def lee_path() -> Path:
    from gensim.test.utils import datapath

    return Path(datapath("lee_background.cor"))


def benchmark_path(name: str) -> Path:
    """wordsim353.tsv, simlex999.txt or questions-words.txt inside the installed gensim."""
    from gensim.test.utils import datapath

    return Path(datapath(name))


def load_corpus(name: str) -> Corpus:
    """A built-in corpus by name, or a text file by path (``DojoError`` for an empty or non-UTF-8 file)."""
    if name == "lee":
        return _lee()
    if name in ("kolaw", "kobill", "korean"):
        return _korean(name)
    path = Path(name).expanduser()
    if not path.is_file():
        raise DojoError.keyed("emb.no_file", name=name, corpora=", ".join(CORPORA))
    return _file(path)


@lru_cache(maxsize=1)
def _lee() -> Corpus:
    from gensim.utils import simple_preprocess

    lines = lee_path().read_text(encoding="utf-8").splitlines()
    return Corpus("lee", tuple(tuple(simple_preprocess(line)) for line in lines if line.strip()),
                  "simple_preprocess")


def _file(path: Path) -> Corpus:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DojoError.keyed("emb.not_utf8", path=str(path), position=exc.start) from None
    lines = [line for line in text.splitlines() if line.strip()]
    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
    letters = sum(1 for ch in text if ch.isalpha()) or 1
    if hangul / letters > 0.5:
        sentences = tuple(tuple(s) for s in _morphs(lines) if s)
        tokenizer = "okt-morphs"
    else:
        from gensim.utils import simple_preprocess

        sentences = tuple(tuple(s) for s in (simple_preprocess(line) for line in lines) if s)
        tokenizer = "simple_preprocess"
    if not sentences:
        raise DojoError.keyed("emb.empty_file", path=str(path))
    return Corpus(path.name, sentences, tokenizer)


def korean_texts(name: str) -> list[str]:
    """The raw lines of a Korean corpus (non-empty)."""
    from konlpy.corpus import kobill, kolaw

    texts: list[str] = []
    if name in ("kolaw", "korean"):
        texts += kolaw.open("constitution.txt").read().splitlines()
    if name in ("kobill", "korean"):
        for fileid in sorted(kobill.fileids()):
            texts += kobill.open(fileid).read().splitlines()
    if name == "korean":
        data = Path(__file__).resolve().parent.parent / "data" / "sentiment_ko.jsonl"
        texts += [json.loads(line)["text"] for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line.strip() for line in texts if line.strip()]


_memo: dict[str, Corpus] = {}


def _korean(name: str) -> Corpus:
    if name in _memo:
        return _memo[name]
    from .. import paths

    cache = paths.home() / "embeddings" / "corpora" / f"{name}.okt.json"
    sentences: list[list[str]] | None = None
    if cache.is_file():
        try:
            sentences = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            sentences = None
    if sentences is None:
        sentences = [s for s in _morphs(korean_texts(name)) if s]
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
        except OSError:
            pass  # a read-only home only costs the tokenizing time next run
    corpus = Corpus(name, tuple(tuple(s) for s in sentences), "okt-morphs")
    _memo[name] = corpus
    return corpus


def _morphs(lines: list[str]) -> list[list[str]]:
    """Okt morphemes of each line, punctuation dropped."""
    try:
        from konlpy.tag import Okt

        okt = Okt()
    except Exception as exc:  # JVM missing or broken: a setup problem the person can fix
        raise DojoError.keyed("emb.konlpy_failed", error=str(exc).splitlines()[0][:80]) from None
    out = []
    for line in lines:
        out.append([m for m, tag in okt.pos(line) if tag not in ("Punctuation", "Foreign")])
    return out
