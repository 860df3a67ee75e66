"""`llm-dojo eval` in a subprocess: a base-vs-adapter table as JSON and Markdown, and
every bad input as one `error:` line with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import dojo, one_line_error

ITEMS = [
    {"question": "The cat sat on the", "choices": ["mat", "language models predict"], "answer": 0},
    {"question": "hello", "choices": ["world", "안녕하세요 토크나이저"], "answer": 0},
    {"question": "안녕하세요", "choices": ["cat", "토크나이저 예제입니다."], "answer": 1},
]


@pytest.fixture(scope="module")
def mc_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("eval-data") / "mc.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ITEMS) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def adapter(tiny_llama_dir, tmp_path_factory) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(2)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_llama_dir),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    folder = tmp_path_factory.mktemp("adapters") / "lora-a"
    model.save_pretrained(folder)
    return folder


def test_base_vs_adapter_json_and_saved_files(tiny_llama_dir, adapter, mc_file, isolated_home):
    res = dojo("eval", "--model", str(tiny_llama_dir), "--adapter", str(adapter), "--task", "multiple_choice",
               "--data", str(mc_file), "--bootstrap", "20", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    rows = data["rows"]
    assert [r["metric"] for r in rows] == ["acc", "acc_norm", "acc_letter"] * 2
    assert rows[0]["adapter"] is None and rows[3]["adapter"] == str(adapter)
    assert rows[3]["delta"] == pytest.approx(rows[3]["value"] - rows[0]["value"])
    base, lora = data["results"]
    assert len(base["items"]) == 3 and len(base["items"][0]["choices"]) == 2
    assert base["items"][0]["choices"][0]["loglikelihood"] != pytest.approx(lora["items"][0]["choices"][0]["loglikelihood"])
    saved = Path(res.stderr.split("saved: ")[1].splitlines()[0])
    assert saved.parent == isolated_home / "evaluations"
    assert json.loads((saved / "result.json").read_text())["rows"] == rows


def test_markdown_table(tiny_llama_dir, mc_file):
    res = dojo("eval", "-m", str(tiny_llama_dir), "-t", "multiple_choice", "--data", str(mc_file), "--limit", "2",
               "--markdown", "--no-save", "--bootstrap", "0")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("| task | model |") and len(lines) == 2 + 3
    assert "saved:" not in res.stderr


def test_bad_items_say_which_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ITEMS[0]) + "\n" + json.dumps({"question": "q", "choices": ["a", "b"], "answer": 5})
                   + "\n", encoding="utf-8")
    one_line_error(dojo("eval", "-t", "multiple_choice", "--data", str(bad)), "bad.jsonl line 2", "out of range")
    bad.write_text("{\"question\": \n", encoding="utf-8")
    one_line_error(dojo("eval", "-t", "multiple_choice", "--data", str(bad)), "line 1: not valid JSON")


def test_bad_options():
    one_line_error(dojo("eval", "-t", "translation"), "--task translation", "perplexity")
    one_line_error(dojo("eval", "--limit", "-1"), "--limit -1")
    one_line_error(dojo("eval", "--adapter", "/no/such/adapter"), "no adapter folder")
    one_line_error(dojo("eval", "-t", "perplexity", "--data", "course-mc"), "course-mc", "multiple_choice")


def test_detach_runs_in_the_background_and_follow_prints_the_table(tiny_llama_dir, adapter, mc_file, isolated_home):
    """Issue 15: `--detach` starts an evaluation run (resumable by item) and prints its id."""
    res = dojo("eval", "-m", str(tiny_llama_dir), "--adapter", str(adapter), "-t", "multiple_choice", "--data",
               str(mc_file), "--bootstrap", "0", "--detach", "--json")
    assert res.returncode == 0, res.stderr
    started = json.loads(res.stdout)
    assert started["items"] == 3 and started["candidates"] == 2 and started["task"] == "multiple_choice"
    attach = dojo("runs", "attach", started["id"], timeout=180)
    assert attach.returncode == 0, attach.stderr
    listed = {r["id"]: r for r in json.loads(dojo("runs", "--json").stdout)}
    run = listed[started["id"]]
    assert run["kind"] == "eval" and run["state"] == "completed" and run["step"] == run["total"] == 6
    rows = json.loads((Path(run["output"]) / "result.json").read_text(encoding="utf-8"))["rows"]
    direct = json.loads(dojo("eval", "-m", str(tiny_llama_dir), "--adapter", str(adapter), "-t", "multiple_choice",
                             "--data", str(mc_file), "--bootstrap", "0", "--no-save", "--json").stdout)["rows"]
    assert [(r["metric"], round(r["value"], 9)) for r in rows] == [(r["metric"], round(r["value"], 9)) for r in direct]


def test_detach_bad_input_starts_nothing(isolated_home, tmp_path):
    one_line_error(dojo("eval", "--follow"), "--follow", "--detach")
    one_line_error(dojo("eval", "--detach", "--adapter", str(tmp_path / "none")), "no adapter folder")
    assert not (isolated_home / "runs").exists() or not any((isolated_home / "runs").iterdir())
