"""Faults caught before anything runs: each is one ``error:`` line from the real CLI, within
the budget, with the user's files unchanged, and the CLI still works right after.

Models are copies of the session's tiny LLaMA (two layers, 32 wide), changed the way a
student's download would be: no chat template, pickle-only weights, remote code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import copy_model, edit_config

from .helpers import dojo, fault, files_snapshot, says, within_budget


@pytest.fixture(scope="module")
def models(tiny_llama_dir, tmp_path_factory) -> dict[str, Path]:
    import torch
    from safetensors.torch import load_file

    base = tmp_path_factory.mktemp("fault-models")
    plain = copy_model(tiny_llama_dir, base / "no-template")
    (plain / "chat_template.jinja").unlink(missing_ok=True)
    cfg = json.loads((plain / "tokenizer_config.json").read_text())
    cfg.pop("chat_template", None)
    (plain / "tokenizer_config.json").write_text(json.dumps(cfg))
    pickled = copy_model(tiny_llama_dir, base / "bin-only")
    state = load_file(pickled / "model.safetensors")
    (pickled / "model.safetensors").unlink()
    torch.save(state, pickled / "pytorch_model.bin")
    remote = copy_model(tiny_llama_dir, base / "remote")
    edit_config(remote, auto_map={"AutoModelForCausalLM": "modeling_x.XForCausalLM"})
    (remote / "modeling_x.py").write_text("raise SystemExit('remote code ran')\n")
    return {"tiny": tiny_llama_dir, "no-template": plain, "bin-only": pickled, "remote": remote, "base": base}


@fault("no_chat_template")
def test_chat_without_a_chat_template(models):
    before = files_snapshot(models["no-template"])
    res = dojo("generate", "hi", "--chat", "--model", str(models["no-template"]))
    says("no_chat_template", res.error_line(), model=str(models["no-template"]))
    within_budget(res)
    ok = dojo("generate", "hi", "--chat", "--format", "chatml", "--model", str(models["no-template"]), "-n", "2",
              "--json")
    assert ok.returncode == 0 and len(json.loads(ok.stdout)["token_ids"]) == 2, ok.stderr
    assert files_snapshot(models["no-template"]) == before


@fault("no_chat_template_sft")
def test_instruction_sft_without_a_chat_template_starts_no_run(models):
    res = dojo("train", "sft", "--task", "instruction", "--model", str(models["no-template"]), "--max-steps", "2",
               "--max-seq-length", "64")
    says("no_chat_template_sft", res.error_line(), model=str(models["no-template"]))
    within_budget(res, floor=0.0)  # refused without importing torch
    listed = dojo("runs", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []


@fault("bnb_on_cpu")
def test_4bit_on_a_cpu_machine(models):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: 4-bit is allowed here")
    res = dojo("generate", "hi", "--model", str(models["tiny"]), "--load-in-4bit")
    says("bnb_on_cpu", res.error_line())
    within_budget(res)


@fault("qlora_on_cpu")
def test_qlora_on_a_cpu_machine(models, tmp_path):
    from tests.engine.test_runs_support import keyword_sentiment
    from engine.runs.worker import _has_nvidia_gpu

    if _has_nvidia_gpu():
        pytest.skip("this machine has an NVIDIA driver: QLoRA is allowed here")
    data = keyword_sentiment(tmp_path / "kw.jsonl", n=20)
    res = dojo("train", "lora", "--model", str(models["tiny"]), "--data", str(data), "--qlora", "--max-steps", "2",
               "--max-seq-length", "64")
    says("qlora_on_cpu", res.error_line())
    within_budget(res, floor=0.0)
    assert json.loads(dojo("runs", "--json").stdout) == []


@fault("adapter_other_base")
def test_adapter_for_another_base_model(models):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    adapter = models["base"] / "adapter-for-tiny"
    if not adapter.exists():
        model = AutoModelForCausalLM.from_pretrained(models["tiny"])
        lora = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
        lora.save_pretrained(adapter)
    other = models["no-template"]  # same shapes, another model: only the recorded base tells them apart
    before = files_snapshot(adapter)
    res = dojo("generate", "hi", "--model", str(other), "--adapter", str(adapter), "-n", "2")
    says("adapter_other_base", res.error_line(), adapter=adapter.name, base=str(models["tiny"]), model=str(other))
    within_budget(res)
    assert files_snapshot(adapter) == before


@fault("pickle_only")
def test_model_with_only_bin_weights(models):
    before = files_snapshot(models["bin-only"])
    res = dojo("generate", "hi", "--model", str(models["bin-only"]), "-n", "2")
    says("pickle_only", res.error_line(), model=str(models["bin-only"]))
    within_budget(res)
    ok = dojo("generate", "hi", "--model", str(models["bin-only"]), "--allow-pickle", "-n", "2", "--json")
    assert ok.returncode == 0, ok.stderr
    assert files_snapshot(models["bin-only"]) == before


@fault("remote_code")
def test_model_that_needs_remote_code(models):
    res = dojo("generate", "hi", "--model", str(models["remote"]), "-n", "2")
    says("remote_code", res.error_line(), model=str(models["remote"]))
    assert "remote code ran" not in res.stderr + res.stdout
    within_budget(res)


@fault("malformed_line")
def test_malformed_dataset_line(models, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b'{"text": "fine", "label": "pos"}\n{"text": oops}\n{"text": "also fine", "label": "neg"}\n')
    before = broken.read_bytes()
    res = dojo("train", "sft", "--model", str(models["tiny"]), "--data", str(broken), "--max-seq-length", "64")
    says("malformed_line", res.error_line(), file=str(broken), line="2")
    within_budget(res, floor=0.0)
    assert broken.read_bytes() == before
    assert json.loads(dojo("runs", "--json").stdout) == []


@fault("pad_is_eos")
def test_pad_token_equal_to_eos_keeps_eos_in_the_labels(models, tmp_path):
    """Padding with the EOS id must not mask EOS out of the labels: the collators pad labels
    by length. Checked on the batches the real trainers are built with (both SFT tasks)."""
    from tests.engine.test_runs_support import keyword_sentiment, tiny_spec
    from transformers import AutoTokenizer

    from engine.training.sft import build

    folder = copy_model(models["tiny"], tmp_path / "pad-eos")
    cfg = json.loads((folder / "tokenizer_config.json").read_text())
    cfg["pad_token"] = cfg["eos_token"]
    (folder / "tokenizer_config.json").write_text(json.dumps(cfg))
    tok = AutoTokenizer.from_pretrained(folder)
    eos = tok.eos_token_id
    assert tok.pad_token_id == eos
    sentiment = keyword_sentiment(tmp_path / "kw.jsonl", n=20)
    chats = tmp_path / "chats.jsonl"
    chats.write_text("".join(json.dumps({"messages": [{"role": "user", "content": "hello " * (i + 1)},
                                                      {"role": "assistant", "content": "hi"}]}) + "\n"
                             for i in range(8)))
    for task, data in (("sentiment", sentiment), ("instruction", chats)):
        spec = tiny_spec(folder, data, task=task, batch_size=8, max_steps=1, device="cpu")
        plan = build(spec, tmp_path / task, "cpu", callbacks=[], count=lambda n: None)
        says("pad_is_eos", "(a note, not an error) " + plan.notes[0], eos=tok.eos_token)
        batch = next(iter(plan.trainer.get_train_dataloader()))
        ids, labels, mask = batch["input_ids"], batch["labels"], batch["attention_mask"]
        lengths = mask.sum(dim=1).tolist()
        assert len(set(lengths)) > 1, "the batch needs padding for the check to mean anything"
        for row, n in enumerate(lengths):
            real = ids[row, :n].tolist()
            last_eos = max(i for i, t in enumerate(real) if t == eos)
            assert labels[row, last_eos].item() == eos, (task, row, real, labels[row].tolist())
            assert (labels[row, n:] == -100).all() and (ids[row, n:] == eos).all()


@fault("db_locked")
def test_progress_database_locked_by_another_process(tmp_path):
    import os
    import subprocess
    import sys
    import time

    from engine.course.progress import ProgressStore
    from engine.paths import ensure_home, progress_db

    ensure_home()
    db = progress_db()
    with ProgressStore(db) as store:
        store.set_step("tokenizers", 2)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(60)\n")],
        stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert holder.stdout.readline().strip() == "locked"
        free = dojo("--version")
        res = dojo("progress", "--json")
        says("db_locked", res.error_line(), path=str(db))
        extra = res.wall - free.wall
        assert extra < 2.0, f"{extra:.2f} s beyond start-up before the message"
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    again = dojo("progress", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["lessons"]["tokenizers"]["current_step"] == 2  # the data survived
