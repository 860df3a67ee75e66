"""Shared fixtures: an isolated LLM Dojo home for every test, and tiny real models.

Every test gets its own ``LLM_DOJO_HOME`` and Hugging Face cache, so nothing reads
or writes the developer's real state and the hub is never contacted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("dojo-home")
    cache = tmp_path_factory.mktemp("hf-cache")
    monkeypatch.setenv("LLM_DOJO_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    try:
        import huggingface_hub.constants as c

        monkeypatch.setattr(c, "HF_HUB_CACHE", str(cache))
    except ImportError:  # pragma: no cover
        pass
    return home


def make_tiny_llama(folder: Path, *, seed: int = 0) -> Path:
    """A real (random) LlamaForCausalLM with a byte-level BPE tokenizer and chat template."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from engine.text.train_tokenizer import train_byte_bpe, wrap_clm

    texts = ["hello world, the cat sat on the mat.", "안녕하세요 토크나이저 예제입니다.", "language models predict the next token"] * 20
    tok = wrap_clm(train_byte_bpe(texts, vocab_size=300), 128)
    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    model = LlamaForCausalLM(cfg)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory) -> Path:
    return make_tiny_llama(tmp_path_factory.mktemp("models") / "tiny-llama")


def copy_model(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def edit_config(folder: Path, **changes) -> None:
    cfg = json.loads((folder / "config.json").read_text())
    cfg.update(changes)
    (folder / "config.json").write_text(json.dumps(cfg))
