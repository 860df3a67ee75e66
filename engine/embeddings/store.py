"""Saved embeddings: ``<state dir>/embeddings/<name>/`` with the vectors and a ``meta.json``.

Word2Vec and GloVe vectors are written in the word2vec binary format (``KeyedVectors.
save_word2vec_format``), FastText models in Facebook's binary format (``save_facebook_model``),
which keeps the n-gram buckets, so unseen words still get vectors after reloading. Neither
format is a pickle, so loading a file runs no code.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import DojoError

VECTORS = "vectors.bin"
FASTTEXT = "fasttext.bin"
META = "meta.json"


def root() -> Path:
    return paths.home() / "embeddings"


@dataclass
class Embedding:
    """Trained vectors in memory: ``wv`` is gensim's ``KeyedVectors`` (``FastTextKeyedVectors`` for FastText)."""

    name: str
    algorithm: str
    wv: Any
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def subwords(self) -> bool:
        """Whether unseen words get vectors (FastText's character n-grams)."""
        return self.algorithm == "fasttext"

    @property
    def vocab(self) -> list[str]:
        return list(self.wv.index_to_key)


def list_saved() -> list[str]:
    base = root()
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / META).is_file())


def save(embedding: Embedding, model: Any = None) -> Path:
    """Write ``embedding`` (``model``: the gensim FastText model, needed for its n-grams)."""
    folder = root() / embedding.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if embedding.algorithm == "fasttext":
        from gensim.models.fasttext import save_facebook_model

        save_facebook_model(model, str(folder / FASTTEXT), encoding="utf-8")
    else:
        embedding.wv.save_word2vec_format(str(folder / VECTORS), binary=True)
    (folder / META).write_text(json.dumps({"name": embedding.name, "algorithm": embedding.algorithm,
                                           **embedding.meta}, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def load(name: str) -> Embedding:
    folder = root() / name
    if not (folder / META).is_file():
        known = ", ".join(list_saved()) or "none yet"
        raise DojoError.keyed("emb.no_model", name=name, known=known)
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    algorithm = meta.pop("algorithm")
    meta.pop("name", None)
    if algorithm == "fasttext":
        from gensim.models.fasttext import load_facebook_vectors

        wv = load_facebook_vectors(str(folder / FASTTEXT), encoding="utf-8")
    else:
        from gensim.models import KeyedVectors

        wv = KeyedVectors.load_word2vec_format(str(folder / VECTORS), binary=True)
    return Embedding(name, algorithm, wv, meta)
