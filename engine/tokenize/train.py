"""Train a tokenizer with the ``tokenizers`` library on a chosen corpus, and save it loadable.

The classic implementations the deck lists (``ByteLevelBPETokenizer``,
``CharBPETokenizer``, ``BertWordPieceTokenizer``, ``SentencePieceBPETokenizer``, plus
``SentencePieceUnigramTokenizer``), or ``train_new_from_iterator`` on an existing fast
tokenizer (``base``: keep its normaliser, pre-tokeniser and special tokens, learn a new
vocabulary). Corpora are the text shipped with dependencies (KoNLPy's constitution and
bills, gensim's Lee news and Wikipedia excerpt), the project's own text, or a file.

Training is one call into Rust (seconds on these corpora); :func:`train` yields
:class:`TrainProgress` events between stages (reading, training, saving) and checks the
cancel flag there, then a :class:`TrainResult`. The tokenizer lands in
``<home>/tokenizers/<name>/tokenizer.json`` and the playground loads it by name.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import setting
from ..errors import DojoError
from ..messages import Notice

KINDS = ("byte-level-bpe", "char-bpe", "bert-wordpiece", "sentencepiece-bpe", "sentencepiece-unigram")
CORPORA = ("kolaw", "kobill", "lee", "wiki", "project")
SAMPLE = "시간이 화살처럼 지나간다. Time flies like an arrow."
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class TokenizerTrainConfig:
    kind: str = setting("byte-level-bpe", choices=KINDS)
    """Which classic tokenizer to train: byte-level BPE (GPT-2), character BPE with </w> (the original
    BPE), BERT's WordPiece, SentencePiece-style BPE or Unigram (with the ▁ word marker)."""
    corpus: str = setting("kolaw", choices=CORPORA)
    """Built-in text to learn from: kolaw (Korean constitution), kobill (Korean bills), lee (English news),
    wiki (English Wikipedia excerpt), project (this course's own Korean and English text)."""
    file: str | None = setting(None, metavar="FILE")
    """Learn from this UTF-8 text file instead of a built-in corpus."""
    vocab_size: int = setting(2000, minimum=50, maximum=100_000)
    """How many tokens the vocabulary ends with (special tokens and the alphabet included); 2000 trains in
    about a second on kolaw."""
    min_frequency: int = setting(2, minimum=1, maximum=1000)
    """A pair must occur this often to be merged (BPE and WordPiece)."""
    normalizer: str = setting("none", choices=("none", "nfc", "nfkc", "lowercase"))
    """Text normalisation before training: none, Unicode NFC or NFKC, or lowercase. (NFD/NFKD are left out
    on purpose: they split Hangul syllables into jamo.)"""
    hangul_alphabet: bool = False
    """Put the 2,350 common Hangul syllables (KS X 1001) in the initial alphabet, so no common syllable is
    ever unknown even if the corpus lacks it (not for byte-level BPE, whose alphabet is the 256 bytes)."""
    base: str | None = None
    """Instead of a classic class, retrain this existing tokenizer (train_new_from_iterator): same
    normaliser, pre-tokeniser and special tokens, a new vocabulary."""
    name: str | None = None
    """Save under this name (letters, digits, '.', '_', '-'); default: KIND-CORPUS-VOCAB."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DojoError(f"tokenizer kind {self.kind!r}: use one of {', '.join(KINDS)}")
        if self.corpus not in CORPORA:
            raise DojoError(f"corpus {self.corpus!r}: use one of {', '.join(CORPORA)} (or --file)")
        if not 50 <= self.vocab_size <= 100_000:
            raise DojoError(f"vocab size {self.vocab_size}: use 50 to 100000")
        if self.min_frequency < 1:
            raise DojoError(f"min frequency {self.min_frequency}: use 1 or more")
        if self.normalizer not in ("none", "nfc", "nfkc", "lowercase"):
            raise DojoError(f"normalizer {self.normalizer!r}: use none, nfc, nfkc or lowercase")
        if self.name is not None and not _NAME.match(self.name):
            raise DojoError(f"name {self.name!r}: use letters, digits, '.', '_' or '-' (64 at most)")

    @property
    def save_name(self) -> str:
        source = Path(self.file).stem if self.file else self.corpus
        kind = f"retrained-{Path(self.base).name}" if self.base else self.kind
        return self.name or re.sub(r"[^A-Za-z0-9._-]", "_", f"{kind}-{source}-{self.vocab_size}")[:64]


@dataclass(frozen=True)
class TrainProgress:
    stage: str
    """'read', 'train' or 'save'."""
    fraction: float
    detail: str = ""


@dataclass(frozen=True)
class TrainResult:
    name: str
    path: str
    kind: str
    vocab_size: int
    corpus_chars: int
    alphabet: int
    seconds: float
    sample: tuple[str, ...]
    """SAMPLE as the new tokenizer splits it."""
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"name": self.name, "path": self.path, "kind": self.kind, "vocab_size": self.vocab_size,
                "corpus_chars": self.corpus_chars, "alphabet": self.alphabet, "seconds": round(self.seconds, 3),
                "sample_text": SAMPLE, "sample_tokens": list(self.sample),
                "notices": [n.to_dict() for n in self.notices]}


def corpus_texts(corpus: str, split: str = "train") -> list[str]:
    """Documents of a built-in corpus; every 10th document is held out (``split='heldout'``)."""
    from ..text import corpus as c

    if corpus in ("kolaw", "kobill"):
        docs = [d for d in c.konlpy_documents() if d.source == corpus]
    elif corpus == "lee":
        docs = c.lee_documents()
    elif corpus == "wiki":
        docs = c.wiki_documents()
    elif corpus == "project":
        docs = c.original_documents()
    else:
        raise DojoError(f"corpus {corpus!r}: use one of {', '.join(CORPORA)}")
    train, held = c._split(docs, 10)
    return [d.text for d in (train if split == "train" else held)]


def _read_file(path: str) -> list[str]:
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise DojoError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise DojoError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DojoError(f"{path} has no text to learn from")
    return lines


def _normalize(texts: list[str], how: str) -> list[str]:
    import unicodedata

    if how in ("nfc", "nfkc"):
        return [unicodedata.normalize(how.upper(), t) for t in texts]
    if how == "lowercase":
        return [t.lower() for t in texts]
    return texts


def _classic(config: TokenizerTrainConfig):
    from tokenizers import implementations as impl

    norm = None if config.normalizer in ("none", "lowercase") else config.normalizer
    lower = config.normalizer == "lowercase"
    if config.kind == "byte-level-bpe":
        return impl.ByteLevelBPETokenizer(lowercase=lower, unicode_normalizer=norm), ["<|endoftext|>"]
    if config.kind == "char-bpe":
        return impl.CharBPETokenizer(lowercase=lower, unicode_normalizer=norm), ["<unk>"]
    if config.kind == "bert-wordpiece":
        # strip_accents=False: accent stripping decomposes Hangul into jamo (NFD)
        return impl.BertWordPieceTokenizer(lowercase=lower, strip_accents=False), \
            ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    if config.kind == "sentencepiece-bpe":
        return impl.SentencePieceBPETokenizer(), ["<unk>"]
    return impl.SentencePieceUnigramTokenizer(), ["<unk>"]


def train(config: TokenizerTrainConfig, cancel=None):
    """Yield TrainProgress events, then the TrainResult."""
    from ..paths import ensure_home
    from ..text.train_tokenizer import common_hangul
    from .playground import _load, encode, trained_dir

    started = time.perf_counter()
    yield TrainProgress("read", 0.0, config.file or config.corpus)
    texts = _read_file(config.file) if config.file else corpus_texts(config.corpus)
    texts = _normalize(texts, config.normalizer) if not config.base else texts
    chars = sum(len(t) for t in texts)
    alphabet = {ch for t in texts for ch in t if not ch.isspace()}
    extra = common_hangul() if config.hangul_alphabet and config.kind != "byte-level-bpe" else []
    notices: list[Notice] = []
    if cancel is not None and cancel.is_set():
        return
    yield TrainProgress("train", 0.2, f"{chars:,} characters, {len(alphabet):,} distinct")
    if config.base:
        from transformers import AutoTokenizer

        from ..models.resolve import resolve_model

        base = AutoTokenizer.from_pretrained(str(resolve_model(config.base).path))
        if not getattr(base, "is_fast", False):
            raise DojoError(f"{config.base}'s tokenizer is not a fast tokenizer; train_new_from_iterator needs one")
        new = base.train_new_from_iterator(texts, vocab_size=config.vocab_size, initial_alphabet=list(extra))
        backend = new.backend_tokenizer
    else:
        tok, specials = _classic(config)
        need = len(specials) + (256 if config.kind == "byte-level-bpe" else len(alphabet | set(extra)))
        if config.vocab_size < need:
            raise DojoError.keyed("tok.vocab_below_alphabet", vocab=config.vocab_size,
                                  alphabet=need - len(specials), need=need)
        kwargs: dict = {"vocab_size": config.vocab_size, "special_tokens": specials, "show_progress": False}
        if config.kind != "sentencepiece-unigram":
            kwargs["min_frequency"] = config.min_frequency
        if config.kind in ("char-bpe", "bert-wordpiece", "sentencepiece-bpe"):
            kwargs["limit_alphabet"] = len(alphabet | set(extra)) + 1
        if extra:
            kwargs["initial_alphabet"] = extra
        if config.kind == "sentencepiece-unigram":
            kwargs["unk_token"] = "<unk>"
        tok.train_from_iterator(texts, **kwargs)
        backend = tok._tokenizer
    if cancel is not None and cancel.is_set():
        return
    yield TrainProgress("save", 0.9, config.save_name)
    ensure_home()
    out = trained_dir() / config.save_name
    out.mkdir(parents=True, exist_ok=True)
    backend.save(str(out / "tokenizer.json"))
    _load.cache_clear()
    sample = [span.piece for span in encode(SAMPLE, str(out)).spans]
    if backend.get_vocab_size() < config.vocab_size:
        notices.append(Notice("tok.vocab_not_reached", {"got": backend.get_vocab_size(), "asked": config.vocab_size}))
    yield TrainResult(config.save_name, str(out / "tokenizer.json"), f"retrained {config.base}" if config.base
                      else config.kind, backend.get_vocab_size(), chars, len(alphabet), time.perf_counter() - started,
                      tuple(sample), tuple(notices))
