"""`llm-dojo data`, `prompt` and `rag` in a subprocess: JSON read back, every bad input one `error:` line."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.cli_helpers import dojo, one_line_error


def _json(res):
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_data_show_json_matches_the_file(tmp_path):
    rows = [{"body": f"review {i} " + "word " * i, "stars": "pos" if i % 2 else "neg"} for i in range(10)]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = _json(dojo("data", "show", str(path), "--text-column", "body", "--label-column", "stars", "--bins", "3",
                     "--json"))
    assert out["rows"] == 10 and out["labels"] == dict(Counter(r["stars"] for r in rows))
    assert sum(b["count"] for b in out["histogram"]) == 10 and len(out["histogram"]) == 3
    assert out["split"]["train"] + out["split"]["test"] == 10 and out["text_column"] == "body"


def test_data_show_bad_inputs(tmp_path):
    one_line_error(dojo("data", "show", str(tmp_path / "none.csv")), "no such file")
    one_line_error(dojo("data", "show", "someone/reviews", "--online"), "hub is offline")
    (tmp_path / "e.jsonl").write_text("", encoding="utf-8")
    one_line_error(dojo("data", "show", str(tmp_path / "e.jsonl")), "has no rows")
    one_line_error(dojo("data", "show", "sentiment-ko", "--text-column", "body"), "no column 'body'")


def test_prompt_build_json_and_overflow():
    out = _json(dojo("prompt", "build", "--shots", "2", "--input", "slow and dull", "--json"))
    assert out["text"].endswith("text: slow and dull\nlabel:") and len(out["shots"]) == 2 and out["tokens"] > 10
    cut = _json(dojo("prompt", "build", "--shots", "4", "--max-length", "60", "--json"))
    assert cut["dropped"] >= 1 and cut["tokens"] <= 60 and cut["notices"][0]["key"] == "apps.shots_dropped"
    one_line_error(dojo("prompt", "build", "--max-length", "8"), "more than the model's 8-token context")
    one_line_error(dojo("prompt", "build", "--shots", "40"), "--shots 40 must be 0 to 16")


@pytest.mark.slow
def test_prompt_icl_table_and_more_shots_than_examples():
    out = _json(dojo("prompt", "icl", "--shots", "0,1", "--limit", "4", "--no-finetuned", "--json"))
    assert [r["method"] for r in out["rows"]] == ["zero-shot", "1-shot"]
    assert all(0 <= r["accuracy"] <= 1 and r["n"] == 4 for r in out["rows"])
    one_line_error(dojo("prompt", "icl", "--shots", "4", "--limit", "2"), "needs more held-out items")


def test_rag_ask_and_eval_json():
    out = _json(dojo("rag", "ask", "BPE는 어떤 쌍을 먼저 병합하나요?", "--k", "3", "--no-generate", "--json"))
    assert out["lang"] == "ko" and len(out["hits"]) == 3
    assert any(h["lesson"] == "tokenizers" and h["step"] == 2 for h in out["hits"])
    assert out["prompt"].endswith("질문: BPE는 어떤 쌍을 먼저 병합하나요?\n답:")
    ev = _json(dojo("rag", "eval", "--retriever", "bm25", "--json"))["retrievers"][0]
    assert ev["retriever"] == "bm25" and ev["n"] >= 40 and ev["hit_rate"]["3"] >= ev["hit_rate"]["1"]
    assert sorted(ev["hit_rate"]) == ["1", "3", "5"]
    one_line_error(dojo("rag", "eval", "--k", "0"), "each k must be a whole number from 1 to 20")
    one_line_error(dojo("rag", "ask", "x", "--retriever", "grep"), "--retriever grep")
    one_line_error(dojo("rag", "ask", "?!", "--no-generate"), "no words to search")
