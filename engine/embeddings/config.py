"""The embeddings lab's settings: one frozen dataclass per action (train, query).

The CLI options (``llm-dojo embed train --help``) and the lab's form are built from
these fields and their docstrings; nothing else repeats a default.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from ..config import setting
from ..errors import DojoError

ALGORITHMS = ("cbow", "skipgram", "fasttext", "glove")
"""Word2Vec CBOW (``sg=0``), Word2Vec skip-gram (``sg=1``), FastText, GloVe (ours, in torch)."""

CORPORA = ("lee", "kolaw", "kobill", "korean")
"""Built-in corpora: gensim's Lee news corpus (English), KoNLPy's constitution and bills, and all Korean
text together. Any other value is read as the path of a UTF-8 text file."""

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class TrainConfig:
    algorithm: str = setting("cbow", choices=ALGORITHMS, short="-a")
    """cbow predicts a word from its neighbours; skipgram predicts the neighbours from the word (slower,
    better for rare words); fasttext adds character n-grams, so unseen words get vectors; glove fits
    the co-occurrence counts."""
    corpus: str = setting("lee", short="-c", metavar="NAME|PATH")
    """lee (300 English news stories shipped with gensim), kolaw, kobill or korean (KoNLPy's Korean texts,
    split into morphemes), or the path of a UTF-8 text file (one sentence or document per line)."""
    vector_size: int = setting(50, minimum=2, maximum=300, group="model")
    """Dimensions of each word vector; 50 is enough for a corpus of 60,000 words (large corpora use 100-300)."""
    window: int = setting(5, minimum=1, maximum=20, group="model")
    """How many words on each side count as context; 5 is Word2Vec's default."""
    min_count: int = setting(5, minimum=1, maximum=100, group="model")
    """Words seen fewer times than this are dropped from the vocabulary; 5 keeps 1,750 words of the Lee corpus."""
    negative: int = setting(5, minimum=1, maximum=20, group="model")
    """Negative samples (fake context words) per real pair; 5-20 suits small corpora."""
    epochs: int = setting(40, minimum=1, maximum=200, group="model")
    """Passes over the corpus; a small corpus needs many (gensim's 5 leaves the Lee vectors bunched together)."""
    workers: int = setting(1, minimum=1, maximum=16, group="model")
    """Training threads; 1 makes a run repeatable exactly (with the same seed), more are faster but vary."""
    seed: int = setting(1, minimum=0, maximum=2**31 - 1, group="model")
    """Seeds the initial vectors and the sampling, so the same settings give the same vectors."""
    min_n: int = setting(3, minimum=1, maximum=10, group="fasttext")
    """FastText: shortest character n-gram (with the < and > word-boundary marks)."""
    max_n: int = setting(6, minimum=1, maximum=10, group="fasttext")
    """FastText: longest character n-gram."""
    bucket: int = setting(100_000, minimum=1000, maximum=2_000_000, group="fasttext")
    """FastText: hash slots shared by all n-grams. gensim's default 2,000,000 takes 400 MB at 50 dimensions;
    100,000 is plenty for a corpus of this size."""
    x_max: float = setting(100.0, minimum=1.0, group="glove")
    """GloVe: co-occurrence count at which a pair's weight stops growing (the paper's 100)."""
    alpha: float = setting(0.75, minimum=0.0, maximum=1.0, group="glove")
    """GloVe: exponent of the weighting function (x / x_max) ** alpha; the paper found 0.75 best."""
    learning_rate: float = setting(0.15, minimum=1e-4, maximum=1.0, group="glove")
    """GloVe: AdaGrad's learning rate. The paper uses 0.05 with one update per pair; we update once per batch of
    4,096 pairs, so fewer, larger steps need a higher rate (0.25 and above diverge on the Lee corpus)."""
    name: str | None = setting(None, metavar="NAME")
    """Save the vectors under this name (default: algorithm-corpus, e.g. cbow-lee); queries use it."""

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise DojoError(f"algorithm {self.algorithm!r}: use one of {', '.join(ALGORITHMS)} (cbow is the "
                            "quickest)")
        for name, minimum in (("vector_size", 2), ("window", 1), ("min_count", 1), ("negative", 1),
                              ("epochs", 1), ("workers", 1), ("bucket", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise DojoError.keyed("emb.positive", name=name.replace("_", "-"), minimum=minimum, value=value)
        if not 1 <= self.min_n <= self.max_n:
            raise DojoError.keyed("emb.ngram_range", min_n=self.min_n, max_n=self.max_n)
        if self.seed < 0:
            raise DojoError.keyed("emb.positive", name="seed", minimum=0, value=self.seed)
        if self.x_max <= 0 or self.learning_rate <= 0:
            raise DojoError.keyed("emb.positive", name="x-max/learning-rate", minimum=0, value=min(
                self.x_max, self.learning_rate))
        if self.name is not None and not _NAME.match(self.name):
            raise DojoError.keyed("emb.bad_name", name=self.name)

    @property
    def model_name(self) -> str:
        """Where the vectors are saved: ``name``, else ``<algorithm>-<corpus>``."""
        if self.name:
            return self.name
        corpus = self.corpus if self.corpus in CORPORA else re.sub(r"[^A-Za-z0-9_-]", "_",
                                                                    self.corpus.rsplit("/", 1)[-1])[:32]
        return f"{self.algorithm}-{corpus}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


OPS = ("similar", "similarity", "analogy", "doesnt_match", "vector")


@dataclass(frozen=True)
class QueryConfig:
    op: str = setting("similar", choices=OPS)
    """similar: the nearest words to one word; similarity: the cosine of two words; analogy: a - b + c
    (arafat palestinian israeli); doesnt_match: the odd one out of several words; vector: the vector itself."""
    topn: int = setting(10, minimum=1, maximum=50, short="-k")
    """How many neighbours to list."""

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise DojoError(f"op {self.op!r}: use one of {', '.join(OPS)}")
        if isinstance(self.topn, bool) or not isinstance(self.topn, int) or self.topn < 1:
            raise DojoError.keyed("emb.positive", name="topn", minimum=1, value=self.topn)
