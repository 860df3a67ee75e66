"""`llm-dojo chat` in a subprocess: the --plain REPL fed through stdin, saved conversations,
and bad adapters / settings refused with one error line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.cli_helpers import ROOT, dojo, one_line_error
from tests.engine.test_chat import make_adapter


def chat(*args: str, stdin: str = "", timeout: int = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tui.cli", "chat", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=timeout)


@pytest.mark.slow
def test_plain_repl_json_then_list_export_delete(tiny_llama_dir):
    res = chat("--plain", "--model", str(tiny_llama_dir), "-n", "4", "--system", "짧게 답해.", "--json",
               stdin="안녕\n\n/adapter nope\nhello \\\nworld\n")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    replies = out["replies"]
    assert [r.get("key") for r in replies] == [None, "convo.empty_message", "convo.unknown_adapter", None]
    assert replies[0]["adapter"] is None and 1 <= replies[0]["new_tokens"] <= 4
    conv_id = out["saved"]

    listed = json.loads(dojo("chat", "--list", "--json").stdout)
    assert [(c["id"], c["messages"]) for c in listed["conversations"]] == [(conv_id, 4)]
    exported = json.loads(dojo("chat", "--export", conv_id, "--json").stdout)
    assert exported["system"] == "짧게 답해." and exported["messages"][2]["content"] == "hello \nworld"
    md = dojo("chat", "--export", conv_id)
    assert md.returncode == 0 and "## user\n\n안녕" in md.stdout and "## assistant (base)" in md.stdout
    more = chat("--plain", "--model", str(tiny_llama_dir), "-n", "2", "--resume", conv_id, "--json", stdin="more\n")
    assert more.returncode == 0, more.stderr
    assert json.loads(more.stdout)["saved"] == conv_id
    assert len(json.loads(dojo("chat", "--export", conv_id, "--json").stdout)["messages"]) == 6
    one_line_error(chat("--plain", "--resume", "nope"), "no saved conversation")
    renamed = dojo("chat", "--rename", conv_id, "--title", "인사", "--json")
    assert json.loads(renamed.stdout)["title"] == "인사"
    one_line_error(dojo("chat", "--rename", conv_id), "--title")
    assert dojo("chat", "--delete", conv_id).returncode == 0
    one_line_error(dojo("chat", "--export", conv_id), "no saved conversation")


def test_plain_streams_text_and_reports_speed():
    res = chat("--plain", "-n", "3", stdin="hello\n/quit\nnot sent\n")  # no --model: dojo-tiny, said to be a toy
    assert res.returncode == 0, res.stderr
    assert "note: dojo-tiny is a toy model" in res.stderr and "[dojo-tiny, adapter: base]" in res.stderr
    assert res.stdout.startswith("> ")
    assert "[base: " in res.stderr and "tokens/s]" in res.stderr and "saved as " in res.stderr
    conv_id = res.stderr.split("saved as ")[1].split()[0]
    saved = json.loads(dojo("chat", "--export", conv_id, "--json").stdout)
    assert [m["content"] for m in saved["messages"] if m["role"] == "user"] == ["hello"]  # /quit ended it


def test_adapters_switch_and_side_by_side(tiny_llama_dir, tmp_path):
    adapter = make_adapter(tiny_llama_dir, tmp_path / "kind", 1)
    res = chat("--plain", "--model", str(tiny_llama_dir), "--adapter", str(adapter), "-n", "3", "--seed", "5",
               "--sample", "--json", stdin="hello\n/adapter base\nhello\n/side\n")
    assert res.returncode == 0, res.stderr
    replies = json.loads(res.stdout)["replies"]
    assert replies[0]["adapter"] == "kind" and replies[1] == {"adapter": None} and replies[2]["adapter"] is None
    base, tuned = replies[3]["side_by_side"]
    assert base["adapter"] is None and tuned["adapter"] == "kind"
    assert base["text"] == replies[2]["text"]  # same seed, same settings, same base answer


def test_bad_adapters_and_settings_are_one_line(tiny_llama_dir, tmp_path):
    one_line_error(chat("--plain", "--model", str(tiny_llama_dir), "--adapter", str(tiny_llama_dir)),
                   "is not a PEFT adapter")
    one_line_error(chat("--adapter", str(tmp_path / "missing")), "no adapter folder")  # before the app opens
    other = make_adapter(tiny_llama_dir, tmp_path / "other", 2)
    cfg = json.loads((other / "adapter_config.json").read_text())
    cfg["base_model_name_or_path"] = "HuggingFaceTB/SmolLM2-135M"
    (other / "adapter_config.json").write_text(json.dumps(cfg))
    one_line_error(chat("--plain", "--model", str(tiny_llama_dir), "--adapter", str(other)),
                   "was trained on HuggingFaceTB/SmolLM2-135M")
    one_line_error(chat("--plain", "--top-p", "1.5"), "top-p")


def test_corrupt_saved_chat_is_skipped_and_named(tiny_llama_dir, isolated_home):
    folder = isolated_home / "chats"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bad.json").write_text("{", encoding="utf-8")
    res = dojo("chat", "--list", "--json")
    assert res.returncode == 0
    out = json.loads(res.stdout)
    assert out["conversations"] == [] and "bad.json" in out["skipped"][0]
    shutil.rmtree(folder)
