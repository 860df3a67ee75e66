"""`llm-dojo embed` through the real CLI: --json results, and bad input as one error line."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import dojo, one_line_error


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """One state dir for the module, with a small CBOW and FastText trained through the CLI."""
    home = tmp_path_factory.mktemp("embed-home")
    env = {"LLM_DOJO_HOME": str(home)}
    for algo in ("cbow", "fasttext"):
        res = dojo("embed", "train", "-a", algo, "--epochs", "3", "--vector-size", "16", "--bucket", "5000",
                   "--json", env=env)
        assert res.returncode == 0, res.stderr
    return env


def test_train_json(home):
    res = dojo("embed", "train", "--epochs", "2", "--vector-size", "8", "--name", "tiny", "--json", env=home)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["name"] == "tiny" and data["algorithm"] == "cbow" and data["vocab_size"] == 1750
    assert data["corpus"]["words"] == 58152 and len(data["epochs"]) == 2
    assert all(e["words_per_s"] > 0 for e in data["epochs"]) and data["path"].endswith("tiny")


def test_query_similar_analogy_and_oov(home):
    res = dojo("embed", "query", "cbow-lee", "fire", "-k", "3", "--json", env=home)
    data = json.loads(res.stdout)
    assert data["op"] == "similar" and len(data["neighbours"]) == 3
    res = dojo("embed", "query", "cbow-lee", "arafat", "palestinian", "israeli", "--op", "analogy", "--json", env=home)
    assert len(json.loads(res.stdout)["neighbours"]) == 10
    res = dojo("embed", "query", "fasttext-lee", "bushfires", "--json", env=home)
    data = json.loads(res.stdout)
    assert data["oov"] == ["bushfires"] and data["neighbours"] and data["notice_keys"] == ["emb.oov_subwords"]
    one_line_error(dojo("embed", "query", "cbow-lee", "bushfires", env=home), "out of vocabulary", "did you mean")


def test_bad_inputs_are_one_line(home, tmp_path):
    one_line_error(dojo("embed", "train", "--min-count", "100000", env=home), "min-count 100000")
    one_line_error(dojo("embed", "train", "-a", "bert", env=home), "cbow")
    one_line_error(dojo("embed", "query", "cbow-lee", "arafat", "arafat", "israeli", "--op", "analogy", env=home),
                   "repeats 'arafat'")
    one_line_error(dojo("embed", "query", "nothing", "fire", env=home), "train one first")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    one_line_error(dojo("embed", "train", "--corpus", str(empty), env=home), "no words")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe caf\xe9\n")
    one_line_error(dojo("embed", "train", "--corpus", str(bad), env=home), "not UTF-8")


def test_eval_table_json(home):
    res = dojo("embed", "eval", "cbow-lee", "fasttext-lee", "--json", env=home)
    assert res.returncode == 0, res.stderr
    results = json.loads(res.stdout)["results"]
    assert [r["name"] for r in results] == ["cbow-lee", "fasttext-lee"]
    for r in results:
        assert set(r["pairs"]) == {"wordsim353", "simlex999"}
        assert r["pairs"]["wordsim353"]["oov_ratio"] == pytest.approx(83.0, abs=0.1)  # same vocabulary
        assert r["analogies"]["total"] == 19544


def test_cooc_onehot_map_list(home):
    data = json.loads(dojo("embed", "cooc", "israeli", "palestinian", "arafat", "--json", env=home).stdout)
    assert data["x_i"] == 954 and data["rows"][0]["x_ik"] == 4 and data["rows"][0]["x_jk"] == 24
    data = json.loads(dojo("embed", "onehot", "--json", env=home).stdout)
    assert data["equal"] and data["vocab"] == ["time", "flies", "like", "an", "arrow"]
    data = json.loads(dojo("embed", "map", "cbow-lee", "fire", "crews", "israeli", "--json", env=home).stdout)
    assert [p["word"] for p in data["points"]] == ["fire", "crews", "israeli"]
    names = [r["name"] for r in json.loads(dojo("embed", "list", "--json", env=home).stdout)["embeddings"]]
    assert {"cbow-lee", "fasttext-lee"} <= set(names)
    one_line_error(dojo("embed", "cooc", "fire", "fire", env=home), "same")


@pytest.mark.slow
def test_context_json(home):
    res = dojo("embed", "context", "fire", "The rural fire service said", "Troops opened fire on them", "--json",
               env=home)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["static_cosine"] == pytest.approx(1.0) and data["last_layer_cosine"] < 0.99
    assert len(data["layers"]) == 5  # input embeddings + dojo-tiny's 4 layers
    one_line_error(dojo("embed", "context", "water", "a fire", "the fire", env=home), "does not occur")


def test_train_options_come_from_trainconfig():
    import typer.main

    from engine.config import describe
    from engine.embeddings.config import TrainConfig
    from tui.cli import app

    params = {p.name: p for p in typer.main.get_command(app).commands["embed"].commands["train"].params}
    for s in describe(TrainConfig):
        assert s.name in params, s.name
        assert params[s.name].help.startswith(s.help), s.name
        assert params[s.name].default is None  # the engine decides defaults
