"""The embeddings lab's code (issue 21): gensim's training with the form's values and seed, run on its
own, gives the lab's vectors exactly (workers=1: gensim seeds its vectors with numpy's default_rng and
samples with a seeded RandomState, so the run is repeatable); the queries and the benchmarks on the
saved vectors give the lab's neighbours, similarities and scores; F12 shows the last action's code;
--show-code prints it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from textual.app import App

from engine.codegen.embeddings import cooc_snippet, eval_snippet, query_snippet, train_snippet
from engine.embeddings.config import TrainConfig
from engine.errors import DojoError
from tests.cli_helpers import dojo
from tui.i18n import set_lang
from tui.labs import register_strings
from tui.labs.embeddings.screen import EmbeddingsScreen
from tui.widgets.code_panel import CodePanel

from .helpers import run_snippet, text_of

CBOW = TrainConfig(algorithm="cbow", corpus="lee", vector_size=16, epochs=2, seed=3)
FASTTEXT = TrainConfig(algorithm="fasttext", corpus="lee", vector_size=8, epochs=1, bucket=5000, name="ft-tiny")
GLOVE = TrainConfig(algorithm="glove", corpus="lee", vector_size=8, epochs=2, min_count=10, seed=4)
QUERIES = [("similar", ["fire"]), ("analogy", ["arafat", "palestinian", "israeli"]), ("similarity", ["fire", "water"]),
           ("doesnt_match", ["fire", "water", "israeli"])]


def results(out: str) -> list:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.mark.slow  # trains three tiny models here and again in the snippet (10-20 s on 2 busy cores)
def test_training_queries_and_benchmarks_match_the_lab(isolated_home, tmp_path):
    from engine.embeddings import store
    from engine.embeddings.evaluate import evaluate
    from engine.embeddings.query import run_query
    from engine.embeddings.train import train

    trained = {c.model_name: train(c)[1] for c in (CBOW, FASTTEXT, GLOVE)}
    asked = [(CBOW.model_name, op, words) for op, words in QUERIES] + [(FASTTEXT.model_name, "similar", ["fire"])]
    snippets = [train_snippet(CBOW), train_snippet(FASTTEXT), train_snippet(GLOVE),
                *[query_snippet(name, op, words) for name, op, words in asked], eval_snippet([CBOW.model_name]),
                cooc_snippet("lee", "fire", "water", (), 4),
                cooc_snippet("lee", "police", "fire", ("said", "bushfires"))]
    out = results(run_snippet("\n\n\n".join(s.code for s in snippets), cwd=tmp_path))  # one process for all
    assert len(out) == len(snippets)

    for got, config in zip(out[:3], (CBOW, FASTTEXT, GLOVE)):
        wv = trained[config.model_name].wv
        assert got["vocab"] == wv.index_to_key
        assert np.abs(np.array(got["first"]) - wv.vectors[:3]).max() <= 1e-6
        assert got["abs_sum"] == pytest.approx(float(np.abs(wv.vectors).astype(np.float64).sum()), abs=1e-6)
    assert (tmp_path / "cbow-lee.bin").is_file() and (tmp_path / "ft-tiny.bin").is_file()
    assert (tmp_path / "glove-lee.bin").is_file()

    for got, (name, op, words) in zip(out[3:-3], asked):
        lab = run_query(store.load(name), op, words)
        if op in ("similar", "analogy"):
            assert [w for w, _ in got["neighbours"]] == [w for w, _ in lab.neighbours]
            assert [s for _, s in got["neighbours"]] == pytest.approx([s for _, s in lab.neighbours], abs=1e-6)
        elif op == "similarity":
            assert got["similarity"] == pytest.approx(lab.similarity, abs=1e-6)
        else:
            assert got["odd_one"] == lab.odd_one

    lab = evaluate(store.load(CBOW.model_name))
    scores = out[-3][CBOW.model_name]
    for pair in lab.pairs:
        mine = scores[f"{pair.benchmark}.{'tsv' if pair.benchmark == 'wordsim353' else 'txt'}"]
        assert mine["spearman"] == pytest.approx(pair.spearman, abs=1e-6)
        assert mine["pearson"] == pytest.approx(pair.pearson, abs=1e-6)
        assert mine["oov_ratio"] == pytest.approx(pair.oov_ratio, abs=1e-6)
    assert scores["analogies"] == {"correct": lab.analogies.correct, "answerable": lab.analogies.answerable}

    from engine.embeddings.cooc import ratio_table
    from engine.embeddings.corpus import load_corpus

    pairs = [("fire", "water", (), 4), ("police", "fire", ("said", "bushfires"), 5)]
    for got, (i, j, probes, window) in zip(out[-2:], pairs):
        lab = ratio_table(load_corpus("lee"), i, j, probes, window)
        assert (got["x_i"], got["x_j"]) == (lab.total_i, lab.total_j)
        assert [r[:3] for r in got["rows"]] == [[r.word, r.count_i, r.count_j] for r in lab.rows]
        assert [r[5] for r in got["rows"]] == pytest.approx([r.ratio for r in lab.rows], abs=1e-9)


def test_a_missing_corpus_file_or_model_is_the_labs_error(isolated_home, tmp_path):
    with pytest.raises(DojoError) as caught:
        train_snippet(TrainConfig(corpus=str(tmp_path / "nowhere.txt")))
    assert caught.value.key == "emb.no_file"
    with pytest.raises(DojoError) as caught:
        query_snippet("never-trained", "similar", ["fire"])
    assert caught.value.key == "emb.no_model"


class LabApp(App):
    def __init__(self, screen):
        super().__init__()
        register_strings()
        self.first = screen
        self.animation_level = "none"

    def on_mount(self) -> None:
        self.push_screen(self.first)


async def test_f12_shows_the_last_actions_code(isolated_home):
    set_lang("en")
    example = {"corpus": "lee", "word": "fire", "vector_size": 8, "min_count": 5, "epochs": 1, "seed": 2}
    app = LabApp(EmbeddingsScreen(example))  # a lesson's try_it: trains, then asks its word
    async with app.run_test(size=(100, 32)) as pilot:
        lab = app.screen
        for _ in range(300):
            await pilot.pause(0.1)
            if lab.answers:
                break
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        assert "most_similar('fire', topn=10)" in app.screen.snippet.code
        assert "KeyedVectors.load_word2vec_format" in text_of(app)
        await pilot.press("escape")
        await pilot.pause()
        lab.last_done = ("train", lab.config())  # as after a training: the form's values
        await pilot.press("f12")
        await pilot.pause()
        assert "Word2Vec(sentences, sg=0, vector_size=8, window=5, min_count=5" in app.screen.snippet.code
        assert "seed=2" in app.screen.snippet.code
        await pilot.press("escape")
        await pilot.pause()
        lab._show_tab("cooc")
        await pilot.pause()
        await pilot.press(*"fire water", "enter")  # the Counts tab: GloVe's ratio table
        for _ in range(100):
            await pilot.pause(0.1)
            if lab.last_done[0] == "cooc":
                break
        await pilot.press("f12")
        await pilot.pause()
        assert "def context_counts(word):" in app.screen.snippet.code
        assert "I, J, WINDOW = 'fire', 'water', 5" in app.screen.snippet.code
        await app.workers.wait_for_complete()


def test_cli_show_code_prints_the_comparison_instead_of_running(isolated_home, tmp_path):
    from engine.embeddings.evaluate import evaluate
    from engine.embeddings.train import train

    shown = dojo("embed", "compare", "--algorithms", "cbow", "--vector-size", "16", "--epochs", "2", "--seed", "3",
                 "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# Compare cbow on lee")
    assert "Word2Vec(sentences, sg=0, vector_size=16" in shown.stdout and "seed=3" in shown.stdout
    scores = results(run_snippet(shown.stdout, cwd=tmp_path))[-1]["cbow-lee"]
    lab = evaluate(train(CBOW, keep=False)[1])  # the same settings: the lab's compare trains this
    assert [scores["wordsim353.tsv"]["spearman"], scores["simlex999.txt"]["spearman"]] == pytest.approx(
        [lab.pairs[0].spearman, lab.pairs[1].spearman], abs=1e-6)
    assert scores["analogies"]["answerable"] == lab.analogies.answerable
