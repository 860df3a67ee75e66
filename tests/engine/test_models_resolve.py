"""Model resolution order, the safety flags, and every bad input of the foundation."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import DeviceError, ModelNotFound, UnsafeModel
from engine.models import resolve as resolve_mod
from engine.models.load import load_model
from engine.models.resolve import resolve_model
from tests.conftest import copy_model, edit_config


def put_in_hf_cache(cache: Path, repo_id: str, model_dir: Path) -> Path:
    """Lay out a model the way huggingface_hub caches it (refs/main -> snapshot)."""
    import shutil

    repo = cache / ("models--" + repo_id.replace("/", "--"))
    snap = repo / "snapshots" / "0123456789abcdef0123456789abcdef01234567"
    shutil.copytree(model_dir, snap)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(snap.name)
    (repo / "blobs").mkdir()
    return snap


@pytest.fixture
def embedded(tmp_path, monkeypatch, tiny_llama_dir):
    root = tmp_path / "embedded"
    copy_model(tiny_llama_dir, root / "toy-embedded")
    monkeypatch.setattr(resolve_mod, "EMBEDDED_DIR", root)
    return root


def test_embedded_first(embedded, tmp_path, monkeypatch, tiny_llama_dir):
    # a local directory with the same name must not shadow the embedded model
    monkeypatch.chdir(tmp_path)
    copy_model(tiny_llama_dir, tmp_path / "toy-embedded")
    r = resolve_model("toy-embedded")
    assert r.source == "embedded" and r.path == embedded / "toy-embedded"


def test_local_directory_before_cache(tmp_path, monkeypatch, tiny_llama_dir):
    import huggingface_hub.constants as c

    put_in_hf_cache(Path(c.HF_HUB_CACHE), "org/tiny", tiny_llama_dir)
    monkeypatch.chdir(tmp_path)
    copy_model(tiny_llama_dir, tmp_path / "org" / "tiny")
    assert resolve_model("org/tiny").source == "local"
    monkeypatch.chdir(tmp_path / "org")
    r = resolve_model("org/tiny")
    assert r.source == "hf-cache" and r.path.name.startswith("0123456789")


def test_cached_model_loads_offline(tiny_llama_dir):
    import huggingface_hub.constants as c

    put_in_hf_cache(Path(c.HF_HUB_CACHE), "org/cached", tiny_llama_dir)
    loaded = load_model("org/cached")
    assert loaded.resolved.source == "hf-cache"
    assert loaded.device == "cpu" and loaded.dtype == "float32"
    assert next(loaded.model.parameters()).dtype.__str__() == "torch.float32"


def test_unknown_name_offline_lists_local(embedded):
    with pytest.raises(ModelNotFound) as err:
        resolve_model("meta-llama/Llama-3-8B")
    msg = str(err.value)
    assert "toy-embedded" in msg and "--online" in msg and "\n" not in msg


def test_not_a_model_directory(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("hi")
    with pytest.raises(ModelNotFound, match="not a model directory"):
        resolve_model(str(tmp_path / "notes"))


def test_adapter_directory_hint(tmp_path):
    (tmp_path / "ad").mkdir()
    (tmp_path / "ad" / "adapter_config.json").write_text("{}")
    with pytest.raises(ModelNotFound, match="--adapter"):
        resolve_model(str(tmp_path / "ad"))


def test_pickle_only_needs_flag(tmp_path, tiny_llama_dir):
    import torch
    from safetensors.torch import load_file

    d = copy_model(tiny_llama_dir, tmp_path / "binonly")
    state = load_file(d / "model.safetensors")
    (d / "model.safetensors").unlink()
    torch.save(state, d / "pytorch_model.bin")
    with pytest.raises(UnsafeModel, match="--allow-pickle"):
        resolve_model(str(d))
    with pytest.raises(UnsafeModel):
        load_model(str(d))
    loaded = load_model(str(d), allow_pickle=True)
    assert loaded.parameters > 0


def test_remote_code_needs_flag(tmp_path, tiny_llama_dir):
    d = copy_model(tiny_llama_dir, tmp_path / "remote")
    edit_config(d, auto_map={"AutoModelForCausalLM": "modeling_x.XForCausalLM"})
    with pytest.raises(UnsafeModel, match="--trust-remote-code"):
        resolve_model(str(d))
    assert resolve_model(str(d), trust_remote_code=True).source == "local"


def test_4bit_without_cuda_is_a_clear_error(tiny_llama_dir):
    with pytest.raises(DeviceError, match="CUDA"):
        load_model(str(tiny_llama_dir), load_in_4bit=True)


def test_cuda_device_without_gpu(tiny_llama_dir):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(DeviceError, match="no CUDA GPU"):
        load_model(str(tiny_llama_dir), device="cuda")


def test_catalog_counts_parameters_from_headers(tiny_llama_dir):
    from engine.models.catalog import safetensors_parameters

    loaded = load_model(str(tiny_llama_dir))
    assert safetensors_parameters(tiny_llama_dir) == loaded.parameters


def test_a_finished_runs_model_is_listed_and_resolves_by_its_short_name(tiny_llama_dir, tmp_path, monkeypatch):
    import shutil

    from engine.models.catalog import list_models
    from engine.runs import store
    from engine.runs.spec import RunSpec

    run_dir = store.create_run(RunSpec(model=str(tiny_llama_dir), task="sentiment"))
    out = run_dir / "model"
    shutil.copytree(tiny_llama_dir, out)
    name = "run:" + store.short_id(run_dir.name)
    store.write_status(run_dir, state="running", output=None)
    assert name not in [m.name for m in list_models()]  # not finished: not offered
    with pytest.raises(ModelNotFound, match="no finished model"):
        resolve_model(name)
    store.write_status(run_dir, state="completed", output=str(out))
    entry = next(m for m in list_models() if m.name == name)
    assert entry.source == "run" and "sentiment" in entry.kind and entry.base_model == str(tiny_llama_dir)
    assert resolve_model(name).path == out
    assert load_model(name).model.config.vocab_size > 0


def test_online_under_hf_hub_offline_says_the_variable_forbids_it(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFound, match="HF_HUB_OFFLINE is set") as info:
        resolve_model("someone/missing-model", allow_network=True)
    assert "pass --online" not in str(info.value)
