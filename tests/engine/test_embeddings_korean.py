"""The Korean corpus: KoNLPy's constitution split into morphemes by Okt, cached, trained on."""

from __future__ import annotations

import pytest

from engine.errors import DojoError


@pytest.mark.slow
def test_kolaw_is_okt_morphemes_and_trains():
    from konlpy.corpus import kolaw
    from konlpy.tag import Okt

    from engine import paths
    from engine.embeddings.config import TrainConfig
    from engine.embeddings.corpus import load_corpus
    from engine.embeddings.query import most_similar
    from engine.embeddings.train import train

    corpus = load_corpus("kolaw")
    lines = [line.strip() for line in kolaw.open("constitution.txt").read().splitlines() if line.strip()]
    okt = Okt()
    first = [m for m, tag in okt.pos(lines[1]) if tag not in ("Punctuation", "Foreign")]
    assert corpus.sentences[1] == tuple(first) and corpus.tokenizer == "okt-morphs"
    assert "대한민국" in corpus.counts()
    assert (paths.home() / "embeddings" / "corpora" / "kolaw.okt.json").is_file()  # cached for the next run

    _, w2v = train(TrainConfig(corpus="kolaw", epochs=5, vector_size=16), corpus=corpus, keep=False)
    _, ft = train(TrainConfig(algorithm="fasttext", corpus="kolaw", epochs=5, vector_size=16, bucket=5000),
                  corpus=corpus, keep=False)
    assert most_similar(w2v, "대통령", topn=3).neighbours
    word = "대통령께서"  # a stem with an ending glued on: never seen whole
    with pytest.raises(DojoError) as err:
        most_similar(w2v, word)
    assert err.value.key == "emb.oov" and "대통령" in str(err.value)
    assert most_similar(ft, word, topn=3).oov == (word,)
