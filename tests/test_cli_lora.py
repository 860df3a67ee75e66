"""`llm-dojo train lora` and `llm-dojo train dpo` through the real CLI (subprocess, --json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.runs import store
from tests.cli_helpers import dojo, one_line_error
from tests.engine.test_runs_support import events, keyword_sentiment, wait_state

QUICK = ("--max-seq-length", "64", "--logging-steps", "1", "--eval-steps", "1000", "--save-steps", "1000")


def _home_env() -> dict:
    import os

    return {"LLM_DOJO_HOME": os.environ["LLM_DOJO_HOME"]}


@pytest.mark.slow
def test_train_lora_reports_the_adapter_size_first_and_saves_only_the_adapter(tiny_llama_dir, tmp_path):
    data = keyword_sentiment(tmp_path / "kw.jsonl", n=40)
    res = dojo("train", "lora", "--model", str(tiny_llama_dir), "--data", str(data), "--r", "4",
               "--target", "q_proj,v_proj", "--max-steps", "4", *QUICK, "--json", env=_home_env())
    assert res.returncode == 0, res.stderr
    started = json.loads(res.stdout)
    before = started["lora"]
    # q_proj and v_proj are 32x32 in both layers of the tiny Llama: 2 layers x 2 x 4 x (32 + 32)
    assert before["trainable_params"] == 2 * 2 * 4 * (32 + 32) and before["lora_targets"] == "q_proj,v_proj"
    final = wait_state(started["id"], {"completed", "failed", "cancelled"}, timeout=180)
    assert final["state"] == "completed", final
    start = next(e for e in events(started["id"]) if e["event"] == "start")
    assert start["trainable_params"] == before["trainable_params"]  # peft's own count agrees
    spec = store.load_spec(store.find_run(started["id"]))
    assert spec.kind == "sft" and spec.method == "lora" and spec.title == "sft/sentiment+lora"
    out = Path(final["output"])
    assert json.loads((out / "adapter_config.json").read_text())["target_modules"] in (["q_proj", "v_proj"],
                                                                                      ["v_proj", "q_proj"])
    assert not (out / "model.safetensors").exists()


def test_train_lora_bad_input_is_one_line(tiny_llama_dir, tmp_path):
    data = keyword_sentiment(tmp_path / "kw.jsonl", n=40)
    common = ("train", "lora", "--model", str(tiny_llama_dir), "--data", str(data), *QUICK)
    one_line_error(dojo(*common, "--qlora", "--device", "cpu", env=_home_env()), "QLoRA needs a CUDA GPU",
                   "drop --qlora")
    one_line_error(dojo(*common, "--r", "0", env=_home_env()), "--r 0", "at least 1")
    one_line_error(dojo(*common, "--target", "query", env=_home_env()), "--target query matches no linear layer",
                   "q_proj")
    assert store.all_run_dirs() == []


def test_train_dpo_bad_data_and_wrong_adapter_are_one_line(tiny_llama_dir, tmp_path):
    bad = tmp_path / "pairs.jsonl"
    bad.write_text('{"prompt": "a", "chosen": "b", "rejected": "c"}\n{"prompt": "a", "chosen": "b"}\n')
    one_line_error(dojo("train", "dpo", "--model", str(tiny_llama_dir), "--data", str(bad), *QUICK,
                        env=_home_env()), "pairs.jsonl:2: no field 'rejected'")
    one_line_error(dojo("train", "dpo", "--model", str(tiny_llama_dir), "--adapter", str(tiny_llama_dir), *QUICK,
                        env=_home_env()), "is not a LoRA adapter")
    one_line_error(dojo("train", "dpo", "--beta", "0", "--model", str(tiny_llama_dir), *QUICK, env=_home_env()),
                   "--beta 0")


@pytest.mark.slow
def test_train_dpo_starts_a_background_run_on_the_builtin_pairs(tiny_llama_dir):
    res = dojo("train", "dpo", "--model", str(tiny_llama_dir), "--max-steps", "2", "--batch-size", "4", *QUICK,
               "--json", env=_home_env())
    assert res.returncode == 0, res.stderr
    started = json.loads(res.stdout)
    assert started["data"]["train"] == 192 and started["data"]["test"] == 48
    final = wait_state(started["id"], {"completed", "failed", "cancelled"}, timeout=180)
    assert final["state"] == "completed", final
    logs = [e for e in events(started["id"]) if e["event"] == "log"]
    assert len(logs) == 2 and all("rewards/margins" in e and "rewards/accuracies" in e for e in logs)
    assert store.load_spec(store.find_run(started["id"])).title == "dpo/lora"


@pytest.mark.slow
def test_train_merge_and_delta_refuse_another_base_in_one_line(tiny_llama_dir, tmp_path):
    from peft import get_peft_model
    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

    from engine.runs.spec import RunSpec
    from engine.training import lora

    wrapped = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_llama_dir),
                             lora.lora_config(RunSpec(method="lora", lora_r=2), ["q_proj"]))
    wrapped.save_pretrained(tmp_path / "adapter")
    cfg = json.loads((tiny_llama_dir / "config.json").read_text())
    other = LlamaForCausalLM(LlamaConfig(**{**cfg, "hidden_size": 64, "intermediate_size": 96}))
    other.save_pretrained(tmp_path / "other")
    res = dojo("train", "delta", "--adapter", str(tmp_path / "adapter"), "--json")
    assert res.returncode == 0, res.stderr
    layers = json.loads(res.stdout)["layers"]
    assert [r["module"].rsplit(".", 1)[-1] for r in layers] == ["q_proj", "q_proj"]
    assert all(r["delta_norm"] == 0 for r in layers)  # B starts at zero: a fresh adapter changes nothing
    one_line_error(dojo("train", "merge", "--adapter", str(tmp_path / "adapter"), "--model", str(tmp_path / "other")),
                   "was trained on", "adapter is 2x32")
    one_line_error(dojo("train", "delta", "--adapter", str(tmp_path / "other")), "is not a LoRA adapter")
