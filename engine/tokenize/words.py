"""Rule-based word tokenizers (NLTK) beside whitespace, morphemes and subwords, and why word
vocabularies explode: vocabulary size and out-of-vocabulary rate on held-out text.

NLTK's Treebank, WordPunct, Regexp (``\\w+``) and Tweet tokenizers are pure Python and
need no data. ``word_tokenize`` needs the Punkt sentence model (``punkt_tab``), which is
a data download; here it is tried, and when the data is missing (offline machines,
this one) the row says so and how to get it, instead of failing.

The vocabulary table splits each built-in corpus into training and held-out documents
(every 10th document held out, as everywhere in LLM Dojo), builds a vocabulary from the
training tokens and counts how many held-out tokens it has never seen. Word-level
splits of Korean leave many held-out words unseen (every particle and ending glued to
its stem makes a new "word"); morphemes fewer; a byte-level subword tokenizer none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DojoError
from ..messages import Notice

WORD_SPLITTERS = ("whitespace", "treebank", "wordpunct", "regexp", "tweet", "punkt")
VOCAB_CORPORA = {"ko": ("kolaw", "kobill"), "en": ("lee",)}


def _nltk(name: str):
    """A ``text -> list[str]`` function for ``name``; LookupError when its data is missing."""
    if name == "whitespace":
        return str.split
    from nltk import tokenize

    if name == "treebank":
        return tokenize.TreebankWordTokenizer().tokenize
    if name == "wordpunct":
        return tokenize.WordPunctTokenizer().tokenize
    if name == "regexp":
        return tokenize.RegexpTokenizer(r"\w+").tokenize
    if name == "tweet":
        return tokenize.TweetTokenizer().tokenize
    if name == "punkt":
        from nltk.data import find

        find("tokenizers/punkt_tab/english/")  # LookupError without the data
        return tokenize.word_tokenize
    raise DojoError(f"no word tokenizer {name!r}; use one of {', '.join(WORD_SPLITTERS)}")


@dataclass(frozen=True)
class SplitRow:
    name: str
    tokens: tuple[str, ...] | None
    """None when the splitter cannot run here (its notice says why)."""
    notice: Notice | None = None

    def to_dict(self) -> dict:
        return {"name": self.name, "tokens": None if self.tokens is None else list(self.tokens),
                "count": None if self.tokens is None else len(self.tokens),
                "notice": self.notice.to_dict() if self.notice else None}


@dataclass(frozen=True)
class SplitsResult:
    text: str
    rows: tuple[SplitRow, ...]

    def to_dict(self) -> dict:
        return {"text": self.text, "rows": [r.to_dict() for r in self.rows]}


def split_text(text: str, *, morphs: str | None = "okt", subwords: tuple[str, ...] = ("dojo-tiny",)) -> SplitsResult:
    """The text under every word splitter, then morphemes (KoNLPy) and subword tokenizers."""
    from .morph import MorphConfig, analyze, check_text
    from .playground import encode

    text = check_text(text)
    rows = []
    for name in WORD_SPLITTERS:
        try:
            rows.append(SplitRow(name, tuple(_nltk(name)(text))))
        except LookupError:
            rows.append(SplitRow(name, None, Notice("words.needs_data", {"name": "word_tokenize",
                                                                         "package": "punkt_tab"})))
    if morphs:
        try:
            rows.append(SplitRow(f"morphs:{morphs}", analyze(text, MorphConfig(analyzer=morphs)).morphs))
        except DojoError as exc:
            rows.append(SplitRow(f"morphs:{morphs}", None, Notice(exc.key or "morph.no_java", exc.args_)
                                 if exc.key else None))
    for name in subwords:
        rows.append(SplitRow(name, tuple(s.piece for s in encode(text, name).spans)))
    return SplitsResult(text, tuple(rows))


@dataclass(frozen=True)
class VocabRow:
    name: str
    train_tokens: int
    vocab: int
    heldout_tokens: int
    oov: int
    """Held-out tokens never seen in training (for a subword tokenizer: its unknown tokens)."""

    @property
    def oov_rate(self) -> float:
        return self.oov / self.heldout_tokens if self.heldout_tokens else 0.0

    def to_dict(self) -> dict:
        return {"name": self.name, "train_tokens": self.train_tokens, "vocab": self.vocab,
                "heldout_tokens": self.heldout_tokens, "oov": self.oov, "oov_rate": round(self.oov_rate, 4)}


@dataclass(frozen=True)
class VocabTable:
    lang: str
    corpora: tuple[str, ...]
    train_chars: int
    heldout_chars: int
    rows: tuple[VocabRow, ...]
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"lang": self.lang, "corpora": list(self.corpora), "train_chars": self.train_chars,
                "heldout_chars": self.heldout_chars, "rows": [r.to_dict() for r in self.rows],
                "notices": [n.to_dict() for n in self.notices]}


def vocab_table(lang: str = "ko", *, max_chars: int = 60_000, morphs: str | None = None,
                subwords: tuple[str, ...] = ("dojo-tiny", "dojo-tiny-mlm"), cancel=None) -> VocabTable:
    """Vocabulary size and held-out OOV rate of each splitter on the built-in ``lang`` corpora
    (the first ``max_chars`` characters of training text, all of the held-out text up to the same cap)."""
    from .train import corpus_texts

    if lang not in VOCAB_CORPORA:
        raise DojoError(f"language {lang!r}: use ko or en")
    corpora = VOCAB_CORPORA[lang]
    train = _capped([t for c in corpora for t in corpus_texts(c, "train")], max_chars)
    held = _capped([t for c in corpora for t in corpus_texts(c, "heldout")], max_chars)
    rows, notices = [], []
    splitters = [(n, _nltk(n)) for n in WORD_SPLITTERS if n != "punkt"]
    splitters.append(("characters", lambda s: [c for c in s if not c.isspace()]))
    if morphs:
        from .morph import MorphConfig, analyze

        try:
            analyze("가", MorphConfig(analyzer=morphs))
            splitters.append((f"morphs:{morphs}", lambda s: list(analyze(s, MorphConfig(analyzer=morphs)).morphs)))
        except DojoError as exc:
            notices.append(Notice(exc.key, exc.args_) if exc.key else Notice("morph.no_java", {"detail": str(exc)}))
    for name, split in splitters:
        if cancel is not None and cancel.is_set():
            break
        train_tokens = [tok for text in train for tok in split(text)]
        vocab = set(train_tokens)
        held_tokens = [tok for text in held for tok in split(text)]
        rows.append(VocabRow(name, len(train_tokens), len(vocab), len(held_tokens),
                             sum(1 for tok in held_tokens if tok not in vocab)))
    for name in subwords:
        from .playground import encode, load

        unk = [encode(text, name).n_unknown for text in held]
        tokens = sum(encode(text, name).n_tokens for text in held)
        rows.append(VocabRow(name, sum(encode(t, name).n_tokens for t in train),
                             load(name).tokenizer.get_vocab_size(), tokens, sum(unk)))
    return VocabTable(lang, corpora, sum(map(len, train)), sum(map(len, held)), tuple(rows), tuple(notices))


def _capped(texts: list[str], limit: int) -> list[str]:
    out, total = [], 0
    for text in texts:
        if total >= limit:
            break
        out.append(text[: limit - total])
        total += len(out[-1])
    return out
