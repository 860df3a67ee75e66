"""The embeddings engine against independent computations: gensim called directly, numpy,
scipy, hand counts; and every bad input the issue lists."""

from __future__ import annotations

import threading
from collections import Counter

import numpy as np
import pytest

from engine.embeddings.config import QueryConfig, TrainConfig
from engine.embeddings.corpus import Corpus, lee_path, load_corpus
from engine.errors import DojoError

FAST = dict(epochs=3, vector_size=20)


@pytest.fixture(scope="module")
def lee() -> Corpus:
    return load_corpus("lee")


@pytest.fixture(scope="module")
def cbow(lee):
    from engine.embeddings.train import train

    return train(TrainConfig(algorithm="cbow", **FAST), corpus=lee, keep=False)


@pytest.fixture(scope="module")
def fasttext(lee):
    from engine.embeddings.train import train

    return train(TrainConfig(algorithm="fasttext", bucket=5000, **FAST), corpus=lee, keep=False)


def test_lee_corpus_counts_match_gensim_tokenizer_on_the_shipped_file(lee):
    from gensim.utils import simple_preprocess

    lines = lee_path().read_text(encoding="utf-8").splitlines()
    tokens = [w for line in lines for w in simple_preprocess(line)]
    assert lee.words == len(tokens) == 58152  # the lesson's count
    assert lee.stats()["distinct"] == len(set(tokens)) == 6981
    assert sum(1 for c in Counter(tokens).values() if c >= 5) == 1750


def test_cbow_is_exactly_gensim_called_directly(lee, cbow):
    from gensim.models import Word2Vec

    result, ours = cbow
    direct = Word2Vec(lee.lists(), vector_size=20, window=5, min_count=5, sg=0, negative=5, epochs=3, seed=1,
                      workers=1, compute_loss=True)
    assert ours.wv.index_to_key == direct.wv.index_to_key
    assert np.array_equal(ours.wv.vectors, direct.wv.vectors)
    assert result.vocab_size == 1750 and len(result.epochs) == 3
    assert all(e.words_per_s > 0 and e.loss is not None and e.loss > 0 for e in result.epochs)
    # gensim sums its loss over the call; ours is the per-epoch difference, so it adds up to gensim's
    assert sum(e.loss for e in result.epochs) == pytest.approx(direct.get_latest_training_loss(), rel=1e-6)


def test_skipgram_and_fasttext_follow_the_config(lee, fasttext):
    from engine.embeddings.train import gensim_model

    assert gensim_model(TrainConfig(algorithm="skipgram")).sg == 1
    assert gensim_model(TrainConfig(algorithm="cbow")).sg == 0
    result, emb = fasttext
    assert emb.wv.min_n == 3 and emb.wv.max_n == 6 and emb.wv.bucket == 5000
    assert all(e.loss is None for e in result.epochs)  # gensim computes no FastText loss


def test_events_generator_and_cancel(lee):
    from engine.embeddings.events import EpochEvent, TrainResult
    from engine.embeddings.train import train, train_events

    items = list(train_events(TrainConfig(epochs=2, vector_size=10), corpus=lee))
    assert [type(i) for i in items] == [EpochEvent, EpochEvent, TrainResult]
    assert items[-1].path is not None  # saved

    cancel = threading.Event()
    seen = []

    def on_event(event):
        seen.append(event.epoch)
        cancel.set()

    result, _ = train(TrainConfig(epochs=30, vector_size=10), corpus=lee, on_event=on_event, cancel=cancel)
    assert result.cancelled and seen == [1] and result.path is None


def test_save_and_reload_word2vec_and_fasttext(lee):
    from engine.embeddings import store
    from engine.embeddings.train import train

    _, w2v = train(TrainConfig(epochs=1, vector_size=10, name="w"), corpus=lee)
    _, ft = train(TrainConfig(algorithm="fasttext", epochs=1, vector_size=10, bucket=2000, name="f"), corpus=lee)
    assert store.list_saved() == ["f", "w"]
    again = store.load("w")
    assert again.algorithm == "cbow" and np.array_equal(again.wv["fire"], w2v.wv["fire"])
    ft_again = store.load("f")
    for word in ("fire", "palestinianss"):  # a known word, and one built from n-grams
        assert np.allclose(ft_again.wv[word], ft.wv[word], atol=1e-6)
    with pytest.raises(DojoError, match="train one first"):
        store.load("nope")


def test_empty_vocabulary_is_one_teaching_error(lee):
    from engine.embeddings.train import train

    top = max(lee.counts().values())
    with pytest.raises(DojoError) as err:
        train(TrainConfig(min_count=top + 1, epochs=1), corpus=lee, keep=False)
    assert err.value.key == "emb.empty_vocab" and str(top) in str(err.value)


@pytest.mark.parametrize("kwargs,needle", [({"algorithm": "bert"}, "cbow"), ({"epochs": 0}, "epochs"),
                                            ({"min_n": 5, "max_n": 3}, "min-n"), ({"name": "../x"}, "folder")])
def test_bad_config(kwargs, needle):
    with pytest.raises(DojoError, match=needle):
        TrainConfig(**kwargs)
    with pytest.raises(DojoError):
        QueryConfig(op="nearest")


def test_queries_equal_gensim_and_numpy(cbow):
    from engine.embeddings.query import analogy, doesnt_match, most_similar, similarity

    _, emb = cbow
    wv = emb.wv
    near = most_similar(emb, "fire", topn=5)
    assert [w for w, _ in near.neighbours] == [w for w, _ in wv.most_similar("fire", topn=5)]
    a, b = wv["israeli"], wv["palestinian"]
    assert similarity(emb, "israeli", "palestinian").similarity == pytest.approx(
        float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)), abs=1e-6)
    got = analogy(emb, "arafat", "palestinian", "israeli", topn=3)
    assert [w for w, _ in got.neighbours] == [w for w, _ in wv.most_similar(
        positive=["arafat", "israeli"], negative=["palestinian"], topn=3)]
    assert doesnt_match(emb, ["israeli", "palestinian", "cricket"]).odd_one == wv.doesnt_match(
        ["israeli", "palestinian", "cricket"])


def test_query_bad_inputs(cbow):
    from engine.embeddings.query import analogy, run_query

    _, emb = cbow
    with pytest.raises(DojoError) as err:
        run_query(emb, "similar", ["fier"])
    assert err.value.key == "emb.oov" and "did you mean" in str(err.value)
    with pytest.raises(DojoError) as err:
        run_query(emb, "similar", ["qqqqzzzz"])
    assert err.value.key == "emb.oov_no_suggestion"
    with pytest.raises(DojoError) as err:
        analogy(emb, "arafat", "arafat", "israeli")
    assert err.value.key == "emb.repeated_word"
    with pytest.raises(DojoError, match="needs 3"):
        run_query(emb, "analogy", ["arafat", "israeli"])


def test_fasttext_answers_for_an_oov_word_where_word2vec_refuses(cbow, fasttext):
    from engine.embeddings.query import most_similar

    word = "bushfires"  # once in the corpus, under min-count 5
    _, w2v = cbow
    _, ft = fasttext
    assert word not in w2v.wv.key_to_index and word not in ft.wv.key_to_index
    with pytest.raises(DojoError) as err:
        most_similar(w2v, word)
    assert err.value.key == "emb.oov"
    got = most_similar(ft, word, topn=3)
    assert got.oov == (word,) and got.notices[0].key == "emb.oov_subwords"
    assert [w for w, _ in got.neighbours] == [w for w, _ in ft.wv.most_similar(word, topn=3)]


def test_benchmarks_are_gensims_evaluators_and_match_scipy(cbow):
    from gensim.test.utils import datapath
    from scipy import stats

    from engine.embeddings.evaluate import evaluate

    _, emb = cbow
    result = evaluate(emb)
    ws = result.pairs[0]
    pearson, spearman, oov = emb.wv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    assert ws.spearman == pytest.approx(spearman[0]) and ws.oov_ratio == pytest.approx(oov)
    # independently: read the file, keep pairs with both words known, correlate cosines with human scores
    human, model, total = [], [], 0
    for line in open(datapath("wordsim353.tsv"), encoding="utf-8"):
        if line.startswith("#"):
            continue
        a, b, score = line.split("\t")
        total += 1
        a, b = a.lower(), b.lower()
        if a in emb.wv.key_to_index and b in emb.wv.key_to_index:
            human.append(float(score))
            model.append(float(emb.wv.similarity(a, b)))
    assert ws.spearman == pytest.approx(stats.spearmanr(human, model).statistic, abs=1e-9)
    assert ws.oov_ratio == pytest.approx(100 * (total - len(human)) / total)
    a = result.analogies
    assert a.total == 19544 and a.answerable == sum(n for _, _, n in a.sections)
    assert a.correct == sum(c for _, c, _ in a.sections) and len(a.sections) == 14


def test_cooccurrence_ratio_table_against_hand_counts():
    from engine.embeddings.cooc import ratio_table

    corpus = Corpus("toy", (("ice", "is", "solid", "water"), ("steam", "is", "gas", "water"),
                            ("solid", "ice", "cold")), "test")
    table = ratio_table(corpus, "ice", "steam", ["solid", "gas", "water"], window=2)
    # ice: (is, solid) + (solid, cold) -> is 1, solid 2, cold 1; steam: is 1, gas 1
    assert table.total_i == 4 and table.total_j == 2
    rows = {r.word: r for r in table.rows}
    assert rows["solid"].count_i == 2 and rows["solid"].ratio is None
    assert rows["gas"].p_j == pytest.approx(0.5) and rows["gas"].ratio == 0
    with pytest.raises(DojoError):
        ratio_table(corpus, "ice", "ice")
    with pytest.raises(DojoError):
        ratio_table(corpus, "ice", "lava")


def test_lee_ratio_table_is_the_lessons(lee):
    from engine.embeddings.cooc import context_counts, ratio_table

    table = ratio_table(lee, "israeli", "palestinian", ["arafat", "forces", "said"])
    ci = Counter()
    for s in lee.sentences:  # brute force, every pair of positions
        for p, w in enumerate(s):
            for q, v in enumerate(s):
                if w == "israeli" and p != q and abs(p - q) <= 5:
                    ci[v] += 1
    assert ci == context_counts(lee, "israeli")
    assert table.total_i == sum(ci.values()) and table.rows[0].count_i == ci["arafat"]


def test_onehot_times_w_is_the_lookup():
    from engine.embeddings.onehot import onehot_vs_dense

    r = onehot_vs_dense("Time flies like an arrow", dim=4)
    assert r.vocab == ("time", "flies", "like", "an", "arrow") and r.equal
    w = np.array(r.weights)
    assert np.allclose(np.array(r.onehot) @ w, np.array(r.lookup))
    assert np.array_equal(np.array(r.onehot_dots), np.eye(5, dtype=int))
    with pytest.raises(DojoError):
        onehot_vs_dense("   ")


def test_pca_map_matches_eigendecomposition(cbow):
    from engine.embeddings.pca import word_map

    _, emb = cbow
    words = ["israeli", "palestinian", "fire", "crews", "arafat"]
    r = word_map(emb, words)
    x = np.array([emb.wv[w] for w in words], dtype=np.float64)
    x -= x.mean(axis=0)
    values = np.linalg.eigvalsh(np.cov(x.T, bias=True))[::-1]
    pts = np.array(r.points)
    assert np.allclose(pts.var(axis=0), values[:2], rtol=1e-6)
    assert r.explained[0] == pytest.approx(values[0] / values.sum(), rel=1e-6)
    with pytest.raises(DojoError):
        word_map(emb, ["fire", "fire"])


def test_corpus_file_bad_inputs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(DojoError) as err:
        load_corpus(str(empty))
    assert err.value.key == "emb.empty_file"
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café au lait\n".encode("latin-1"))
    with pytest.raises(DojoError) as err:
        load_corpus(str(latin))
    assert err.value.key == "emb.not_utf8"
    with pytest.raises(DojoError) as err:
        load_corpus(str(tmp_path / "missing.txt"))
    assert err.value.key == "emb.no_file"
    good = tmp_path / "good.txt"
    good.write_text("The cat sat.\nThe dog sat too.\n", encoding="utf-8")
    assert load_corpus(str(good)).sentences == (("the", "cat", "sat"), ("the", "dog", "sat", "too"))


def test_glove_fits_the_cooccurrence_counts(lee):
    from engine.embeddings.glove import train_glove

    small = Corpus("lee50", lee.sentences[:50], "simple_preprocess")
    kv, events, _, cancelled = train_glove(small, TrainConfig(algorithm="glove", epochs=6, vector_size=16))
    assert not cancelled and len(events) == 6
    assert events[-1].loss < events[0].loss  # the weighted least squares goes down
    assert kv.vectors.shape == (sum(1 for c in small.counts().values() if c >= 5), 16)


def test_contextual_vectors_differ_by_sentence_and_match_the_model():
    import torch

    from engine.embeddings.contextual import contextual_similarity
    from engine.models.load import load_model

    loaded = load_model("dojo-tiny")
    a, b = "The rural fire service said", "Israeli troops opened fire on the crowd"
    r = contextual_similarity("fire", a, b, loaded=loaded)
    assert r.same_tokens and r.layers[0] == pytest.approx(1.0, abs=1e-6)  # the static lookup: one vector
    assert r.layers[-1] < 0.99  # the last layer sees different contexts
    # independently: the model's last hidden state at the token of " fire"
    tok, net = loaded.tokenizer, loaded.model
    fire = tok(" fire", add_special_tokens=False)["input_ids"]
    assert len(fire) == 1
    states = []
    for sentence in (a, b):
        ids = tok(sentence, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            h = net(torch.tensor([ids]), output_hidden_states=True).hidden_states[-1][0]
        states.append(h[ids.index(fire[0])].float())
    expected = float(torch.nn.functional.cosine_similarity(states[0], states[1], dim=0))
    assert r.layers[-1] == pytest.approx(expected, abs=1e-5)
    with pytest.raises(DojoError, match="does not occur"):
        contextual_similarity("water", a, b, loaded=loaded)
