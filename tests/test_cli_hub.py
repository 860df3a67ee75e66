"""`llm-dojo hub ...` in a subprocess against the local fake Hub (HF_ENDPOINT set before huggingface_hub loads)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.cli_helpers import dojo, one_line_error
from tests.fake_hub import GOOD_TOKEN, FakeHub, FakeRepo, model_repo_files, subprocess_env


@pytest.fixture(scope="module")
def hub(tiny_llama_dir):
    with FakeHub() as fake:
        fake.add(FakeRepo("dojo/tiny-llama", model_repo_files(tiny_llama_dir, "# Tiny\n\nhello **card**\n"),
                          tags=["transformers", "ko"], task="text-generation", library="transformers", downloads=5))
        fake.add(FakeRepo("dojo/gated", {"config.json": b"{}", "model.safetensors": b"x"}, gated="auto", tags=["ko"]))
        fake.add(FakeRepo("dojo/pickle-only", {"config.json": b"{}", "pytorch_model.bin": b"p"}, tags=["ko"]))
        yield fake


@pytest.fixture
def env(hub, tmp_path):
    return subprocess_env(hub.url, tmp_path / "hf-home", tmp_path / "hf-cache")


def test_search_card_json(env) -> None:
    res = dojo("hub", "search", "llama", "--library", "transformers", "--json", env=env)
    assert res.returncode == 0, res.stderr
    assert [h["repo"] for h in json.loads(res.stdout)["hits"]] == ["dojo/tiny-llama"]
    res = dojo("hub", "card", "dojo/tiny-llama", "--json", env=env)
    c = json.loads(res.stdout)
    assert c["licence"] == "apache-2.0" and c["readme"].startswith("# Tiny") and c["weight_format"] == "safetensors"
    human = dojo("hub", "card", "dojo/tiny-llama", env=env)
    assert "apache-2.0" in human.stdout and "hello card" in human.stdout  # the README rendered as Markdown


def test_download_then_cache_then_delete(env, tmp_path, hub) -> None:
    res = dojo("hub", "download", "dojo/tiny-llama", "--json", env=env)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    data = hub.repos[("model", "dojo/tiny-llama")].files["model.safetensors"]
    got = (Path(out["path"]) / "model.safetensors").read_bytes()
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
    assert "onnx/model.onnx" not in out["files"] and "training_args.bin" not in out["files"]
    human = dojo("hub", "download", "dojo/tiny-llama", env=env)
    assert "0 B to fetch" in human.stderr + human.stdout  # size said up front; everything already cached
    lst = json.loads(dojo("hub", "cache", "--json", env=env).stdout)
    assert [r["repo"] for r in lst["repos"]] == ["dojo/tiny-llama"] and lst["repos"][0]["size"] > len(data)
    one_line_error(dojo("hub", "cache", "--delete", "dojo/tiny-llama", "--json", env=env), "add --yes")
    res = dojo("hub", "cache", "--delete", "dojo/tiny-llama", "--yes", "--json", env=env)
    assert json.loads(res.stdout)["freed_bytes"] == lst["repos"][0]["size"]
    assert json.loads(dojo("hub", "cache", "--json", env=env).stdout)["repos"] == []


def test_login_whoami_logout(env, tmp_path) -> None:
    res = dojo("hub", "whoami", "--json", env=env)
    assert json.loads(res.stdout)["configured"] is False
    one_line_error(_login(env, "hf_bad"), "401")
    res = _login(env, GOOD_TOKEN)
    assert res.returncode == 0, res.stderr
    assert GOOD_TOKEN not in res.stdout + res.stderr
    assert (tmp_path / "hf-home" / "token").read_text().strip() == GOOD_TOKEN
    who = dojo("hub", "whoami", env=env)
    assert "as dojo-student" in who.stdout and GOOD_TOKEN not in who.stdout
    assert json.loads(dojo("hub", "logout", "--json", env=env).stdout)["configured"] is False


def _login(env, token: str):
    import os
    import subprocess
    import sys

    from tests.cli_helpers import ROOT

    return subprocess.run([sys.executable, "-m", "tui.cli", "hub", "login"], input=token + "\n", capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, timeout=120)


def test_bad_input_one_line(env) -> None:
    one_line_error(dojo("hub", "card", "dojo/missing", env=env), "(404)")
    one_line_error(dojo("hub", "download", "dojo/gated", env=env), "gated (403)", "hub login")
    one_line_error(dojo("hub", "download", "dojo/pickle-only", env=env), "--allow-pickle")
    one_line_error(dojo("hub", "search", "--sort", "newest", env=env), "downloads")
    one_line_error(dojo("hub", "search", "x", env={**env, "HF_HUB_OFFLINE": "1"}), "HF_HUB_OFFLINE is set")
    one_line_error(dojo("hub", "cache", "--delete", "dojo/never", "--yes", env=env), "not in the local cache")
