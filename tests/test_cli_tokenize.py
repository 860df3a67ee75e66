"""The tokenizer and morphology commands through the real CLI (subprocess, --json), and their
bad inputs as one error line with exit code 2."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import dojo, one_line_error


def test_steps_json_reproduces_the_deck_bpe_without_marker():
    res = dojo("tokenizer", "steps", "--no-end-of-word", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert [s["merged"] for s in data["steps"]] == ["es", "est", "lo", "low", "ne", "new", "newest", "wi",
                                                     "wid", "widest"]
    assert data["end_of_word"] is None and all(c["agrees"] for c in data["deck"])


def test_steps_wordpiece_human_output_points_at_the_slip():
    res = dojo("tokenizer", "steps", "--algo", "wordpiece", "--steps", "4")
    assert res.returncode == 0, res.stderr
    assert "hu + ##gs" in res.stdout and "2/45" in res.stdout and "1/15" in res.stdout


def test_steps_from_word_freqs_and_text_files(tmp_path):
    freqs = tmp_path / "freqs.tsv"
    freqs.write_text("시간이\t3\n시간은\t2\n", encoding="utf-8")
    data = json.loads(dojo("tokenizer", "steps", "--word-freqs", str(freqs), "--steps", "2", "--json").stdout)
    assert data["steps"][0]["pair"] == ["시", "간"] and data["steps"][0]["count"] == 5
    text = tmp_path / "t.txt"
    text.write_text("hug hug pug\nhugs", encoding="utf-8")
    data = json.loads(dojo("tokenizer", "steps", "--algo", "unigram", "--text", str(text), "--steps", "1",
                           "--json").stdout)
    assert data["table"] == [["hug", 2], ["pug", 1], ["hugs", 1]] and data["start"]["total"] > 0


def test_steps_bad_inputs(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("low\t5\nlower two\n", encoding="utf-8")
    one_line_error(dojo("tokenizer", "steps", "--word-freqs", str(bad)), "line 2")
    one_line_error(dojo("tokenizer", "steps", "--algo", "bytes"), "bpe, wordpiece, unigram")
    one_line_error(dojo("tokenizer", "steps", "--steps", "0"), "1 to 500")
    one_line_error(dojo("tokenizer", "steps", "--word-freqs", str(tmp_path / "missing.tsv")), "cannot read")


def test_tokenize_json_korean_and_emoji():
    res = dojo("tokenize", "시간이 🙂", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["roundtrip"] and data["bytes"] == len("시간이 🙂".encode())
    assert any(s["partial"] for s in data["spans"]) and data["spans"][0]["byte_start"] == 0
    human = dojo("tokenize", "시간이 🙂")
    assert "part of a character" in human.stdout and "round trip exact" in human.stdout


@pytest.mark.slow
def test_tokenize_details_uses_transformers():
    data = json.loads(dojo("tokenize", "시간이", "--tokenizer", "dojo-tiny-mlm", "--details", "--json").stdout)
    facts = data["details"]
    assert facts["tokens"][0] == "[CLS]" and facts["model_max_length"] == 256
    assert "BertNormalizer" in facts["normalizer"] and facts["convert_tokens_to_string"].startswith("[CLS]")


def test_compare_and_train_and_list(tmp_path):
    env = {"LLM_DOJO_HOME": str(tmp_path / "home")}
    corpus = tmp_path / "c.txt"
    corpus.write_text("시간이 화살처럼 지나간다\n" * 20, encoding="utf-8")
    res = dojo("tokenizer", "train", "--kind", "bert-wordpiece", "--file", str(corpus), "--vocab-size", "120",
               "--name", "tiny-wp", "--json", env=env)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["name"] == "tiny-wp"
    listed = json.loads(dojo("tokenizer", "list", "--json", env=env).stdout)
    assert [r["name"] for r in listed][-1] == "tiny-wp"
    data = json.loads(dojo("tokenizer", "compare", "--json", "-k", "dojo-tiny", "-k", "tiny-wp", env=env).stdout)
    assert [r["name"] for r in data["rows"]] == ["words", "characters", "dojo-tiny", "tiny-wp"]
    assert data["text"] == "시간이 화살처럼 지나간다"


def test_tokenize_bad_inputs(tmp_path):
    one_line_error(dojo("tokenize", ""), "empty")
    one_line_error(dojo("tokenize", "x", "--tokenizer", "nope"), "no tokenizer called 'nope'")
    one_line_error(dojo("tokenizer", "train", "--kind", "char-bpe", "--vocab-size", "60"), "at least")
    one_line_error(dojo("tokenizer", "train", "--kind", "magic"), "byte-level-bpe")
    bad = tmp_path / "bytes.txt"
    bad.write_bytes(b"\xff\xfe bad")
    one_line_error(dojo("tokenizer", "train", "--file", str(bad)), "not UTF-8")


@pytest.mark.slow
def test_morphs_json_with_okt_stem():
    res = dojo("morphs", "아버지가 방에 들어가신다", "--stem", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    okt = data["results"][0]
    assert okt["analyzer"] == "okt" and okt["nouns"] == ["아버지", "방"] and ["들어가다", "Verb"] in okt["pos"]
    assert "".join(data["subwords"]) == "아버지가 방에 들어가신다"


def test_words_and_vocab_json():
    data = json.loads(dojo("tokenizer", "words", "방에 I can't go.", "--analyzer", "none", "--json").stdout)
    rows = {r["name"]: r for r in data["rows"]}
    assert rows["treebank"]["tokens"] == ["방에", "I", "ca", "n't", "go", "."] and rows["whitespace"]["count"] == 4
    data = json.loads(dojo("tokenizer", "vocab", "--lang", "en", "--max-chars", "3000", "--json").stdout)
    assert data["corpora"] == ["lee"] and data["rows"][0]["name"] == "whitespace"


def test_morph_bad_inputs():
    one_line_error(dojo("morphs", "  "), "empty")
    one_line_error(dojo("morphs", "방", "--analyzer", "mecab3"), "okt, komoran, hannanum, kkma, mecab")
    one_line_error(dojo("tokenizer", "vocab", "--lang", "fr"), "ko or en")
