"""`llm-dojo models add` and the imported model everywhere else, through the real CLI."""

from __future__ import annotations

import json

from tests.cli_helpers import dojo, one_line_error
from tests.engine.gguf_fixture import write_llama_gguf


def test_add_gguf_then_list(tiny_llama_dir, tmp_path):
    gguf = write_llama_gguf(tiny_llama_dir, tmp_path / "tiny.gguf", name="Tiny Chat 1M")
    res = dojo("models", "add", "--gguf", str(gguf), "--json")
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["name"] == "tiny-chat-1m"  # from the file's general.name
    assert info["architecture"] == "llama" and len(info["sha256"]) == 64
    rows = {r["name"]: r for r in json.loads(dojo("models", "--json").stdout)}
    assert rows["tiny-chat-1m"]["source"] == "imported"
    assert rows["tiny-chat-1m"]["parameters"] == info["parameters"]
    assert rows["dojo-tiny"]["source"] == "embedded"
    again = dojo("models", "add", "--gguf", str(gguf))
    one_line_error(again, "already installed", "--force")


def test_add_bad_input(tmp_path):
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    one_line_error(dojo("models", "add", "--gguf", str(text)), "is not a GGUF file")
    one_line_error(dojo("models", "add"), "give either a known model")
    one_line_error(dojo("models", "add", "llama-70b"), "no known model named 'llama-70b'", "--gguf FILE")


def test_inspect_json_and_table():
    res = dojo("inspect", "dojo-tiny", "--json", "--load", "--device", "cpu")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    # a fresh process: loading the fp32 weights grows resident memory by at least most of their size
    assert data["loaded"]["measure"] == "rss delta" and data["loaded"]["device"] == "cpu"
    assert data["loaded"]["bytes"] >= 0.5 * data["memory"]["fp32"]
    assert data["loaded"]["parameters"] == data["parameters"]
    assert data["source"] == "embedded" and data["parameters"] > 1_000_000
    assert {"fp32", "bf16", "int8", "nf4"} <= set(data["memory"]) and data["kv_cache_per_1k"]["bf16"] > 0
    one_line_error(dojo("inspect", "no-such-model"), "no model named 'no-such-model'")


def test_inspect_table_in_process():
    from typer.testing import CliRunner

    from tui.cli import app

    res = CliRunner().invoke(app, ["inspect", "dojo-tiny-mlm", "--depth", "1"], terminal_width=100)
    assert res.exit_code == 0, res.output
    assert "BertForMaskedLM" in res.output and "[MASK]" in res.output
    assert "encoder-only" in res.output and "nf4" in res.output
