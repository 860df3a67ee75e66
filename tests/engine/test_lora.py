"""LoRA (peft) in SFT runs and DPO (trl) runs: counts against a hand count, only adapters train,
the adapter loads with plain peft, DPO raises the reward margin, and every bad input says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import DojoError
from engine.runs import launcher
from engine.runs.spec import RunSpec
from engine.training import dpo, lora, sft

from .test_runs_support import events, keyword_sentiment, tiny_spec, wait_state


def hand_count(config: dict, r: int, targets: set[str]) -> int:
    """r x (in + out) for every adapted projection of a Llama block, from the config alone."""
    h, inter, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    kv = config["num_key_value_heads"] * (h // config["num_attention_heads"])
    sizes = {"q_proj": (h, h), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (h, h),
             "gate_proj": (h, inter), "up_proj": (h, inter), "down_proj": (inter, h)}
    return layers * sum(r * (a + b) for name, (a, b) in sizes.items() if name in targets)


@pytest.fixture(scope="module")
def other_llama(tmp_path_factory) -> Path:
    """A Llama of another width: an adapter trained on tiny_llama must not fit it."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from tests.conftest import make_tiny_llama

    src = make_tiny_llama(tmp_path_factory.mktemp("src") / "tiny")
    tok = AutoTokenizer.from_pretrained(src)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    folder = tmp_path_factory.mktemp("other") / "wide-llama"
    LlamaForCausalLM(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def test_targets_and_trainable_count_match_peft_and_a_hand_count(tiny_llama_dir):
    from transformers import AutoModelForCausalLM

    config = json.loads((tiny_llama_dir / "config.json").read_text())
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    names = lora.linear_modules(model)
    assert names == sorted(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    spec = RunSpec(method="lora", lora_r=4, model=str(tiny_llama_dir))
    before = lora.estimate(tiny_llama_dir, spec)  # from the safetensors header, before anything loads
    wrapped, info = lora.apply_lora(model, spec)
    expected = hand_count(config, 4, set(names))
    assert info.trainable == expected == before["trainable_params"] == 4352
    assert info.total == before["total_params"] == sum(p.numel() for p in wrapped.parameters())
    assert info.adapted == 14 and before["lora_layers"] == 14
    assert sum(p.numel() for p in wrapped.parameters() if p.requires_grad) == expected
    only_qv = RunSpec(method="lora", lora_r=8, target_modules=("q_proj", "v_proj"), model=str(tiny_llama_dir))
    assert lora.estimate(tiny_llama_dir, only_qv)["trainable_params"] == hand_count(config, 8, {"q_proj", "v_proj"})


@pytest.mark.slow
def test_lora_sft_trains_only_adapters_lowers_loss_and_saves_a_peft_adapter(tiny_llama_dir, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from engine.runs.callbacks import RunCallback, TokenCounter
    from engine.runs.events import EventWriter

    data = keyword_sentiment(tmp_path / "kw.jsonl", n=80)
    spec = tiny_spec(tiny_llama_dir, data, method="lora", lora_r=4, max_steps=24, lr=2e-2, eval_steps=24,
                     eval_on_start=True)
    counter = TokenCounter()
    callback = RunCallback(EventWriter(tmp_path / "events.jsonl"), should_stop=lambda: False, tokens=counter)
    plan = sft.build(spec, tmp_path, "cpu", callbacks=[callback], count=counter.add)
    model = plan.trainer.model
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if "lora_" not in n}
    assert plan.info["trainable_params"] == 4352 and "4,352 trainable" in plan.notes[-1]
    assert all(not p.requires_grad for n, p in model.named_parameters() if "lora_" not in n)
    plan.trainer.train()
    after = dict(model.named_parameters())
    assert all(torch.equal(frozen[n], after[n]) for n in frozen)  # the base never moved
    assert any(float(p.abs().sum()) > 0 for n, p in after.items() if "lora_B" in n)  # B left zero
    evals = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    losses = [e["eval/loss"] for e in evals if e["event"] == "eval"]
    assert losses[-1] < losses[0] - 0.2, losses

    out = tmp_path / "model"
    plan.save(out)
    files = {p.name for p in out.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors"} <= files and "model.safetensors" not in files
    assert json.loads((out / "adapter_config.json").read_text())["base_model_name_or_path"] == str(tiny_llama_dir)
    assert lora.adapter_base(out) == str(tiny_llama_dir)
    assert (out / "adapter_model.safetensors").stat().st_size < (tiny_llama_dir / "model.safetensors").stat().st_size

    base = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    ids = torch.tensor([[5, 17, 33, 60, 61]])
    with torch.no_grad():
        plain = base(ids).logits
        loaded = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_llama_dir), str(out)).eval()
        adapted = loaded(ids).logits
        trained = model.eval()(ids).logits
    assert torch.allclose(adapted, trained, atol=1e-5)  # plain peft restores what was trained
    assert not torch.allclose(adapted, plain, atol=1e-3)  # and it changes the model's output
    assert lora.check_adapter(out, tiny_llama_dir, "tiny")["r"] == 4


def test_adapter_for_another_base_is_refused_before_loading(tiny_llama_dir, other_llama, tmp_path):
    from peft import get_peft_model
    from transformers import AutoModelForCausalLM

    spec = RunSpec(method="lora", lora_r=2)
    wrapped = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_llama_dir),
                             lora.lora_config(spec, ["q_proj", "v_proj"]))
    wrapped.save_pretrained(tmp_path / "adapter")
    with pytest.raises(DojoError) as err:
        lora.check_adapter(tmp_path / "adapter", other_llama, "wide-llama")
    msg = str(err.value)
    assert "\n" not in msg and "was trained on" in msg and "not wide-llama" in msg and "48x48" in msg
    with pytest.raises(DojoError, match="is not a LoRA adapter"):
        lora.check_adapter(tiny_llama_dir, tiny_llama_dir, "tiny")
    with pytest.raises(DojoError, match="was trained on"):
        launcher.preflight(RunSpec.suggested(kind="dpo", model=str(other_llama), adapter=str(tmp_path / "adapter"),
                                             max_seq_length=64))


def test_bad_lora_settings_say_what_works(tiny_llama_dir):
    from transformers import AutoModelForCausalLM

    with pytest.raises(DojoError, match=r"--r 0: the LoRA rank must be at least 1"):
        RunSpec(method="lora", lora_r=0).validate()
    with pytest.raises(DojoError, match=r"--lora-dropout 1"):
        RunSpec(method="lora", lora_dropout=1.0).validate()
    with pytest.raises(DojoError, match="use it with --method lora"):
        RunSpec(qlora=True).validate()
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    with pytest.raises(DojoError) as err:
        lora.resolve_targets(model, ("query", "q_proj"), "tiny")
    assert "--target query matches no linear layer of tiny" in str(err.value)
    assert "down_proj, gate_proj, k_proj, o_proj, q_proj, up_proj, v_proj" in str(err.value)
    with pytest.raises(DojoError, match="--target query matches no linear layer"):
        lora.estimate(tiny_llama_dir, RunSpec(method="lora", target_modules=("query",)))


def test_qlora_is_refused_without_cuda(tiny_llama_dir, monkeypatch):
    monkeypatch.setattr(launcher, "gpu_present", lambda: False)
    spec = RunSpec.suggested(method="lora", qlora=True, model=str(tiny_llama_dir), max_seq_length=64)
    with pytest.raises(DojoError) as err:
        launcher.preflight(spec)
    assert str(err.value).startswith("QLoRA needs a CUDA GPU") and "drop --qlora" in str(err.value)
    with pytest.raises(DojoError, match="QLoRA needs a CUDA GPU .* this run is on cpu"):
        lora.qlora_available("cpu")


# -- DPO -----------------------------------------------------------------------------------
def test_builtin_preferences_are_bilingual_and_well_formed():
    data = dpo.load_preferences("")
    assert len(data.train) == 192 and len(data.test) == 48
    rows = data.train + data.test
    assert all(r["chosen"] != r["rejected"] and r["prompt"] for r in rows)
    assert len({r["prompt"] for r in rows}) == len(rows)
    hangul = sum(any("\uac00" <= ch <= "\ud7a3" for ch in r["prompt"]) for r in rows)
    assert hangul == 120


def test_bad_preference_rows_name_their_line(tmp_path):
    good = {"prompt": "p", "chosen": "a", "rejected": "b"}
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(good) + "\n" + '{"prompt": "q", "chosen": "x" "rejected": "y"}\n')
    with pytest.raises(DojoError, match=r"p.jsonl:2: not valid JSON"):
        dpo.load_preferences(str(path))
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "rejected": "a"}) + "\n")
    with pytest.raises(DojoError, match=r"p.jsonl:2: the chosen and rejected answers are the same"):
        dpo.load_preferences(str(path))
    path.write_text(json.dumps({**good, "chosen": " "}) + "\n")
    with pytest.raises(DojoError, match=r"p.jsonl:1: 'chosen' is empty"):
        dpo.load_preferences(str(path))
    path.write_text(json.dumps({"question": "p", "chosen": "a", "rejected": "b"}) + "\n")
    with pytest.raises(DojoError, match=r"p.jsonl:1: no field 'prompt'.*--column prompt=NAME"):
        dpo.load_preferences(str(path))


def preference_file(path: Path) -> Path:
    """Pairs whose preferred answer always says 'yes': a pattern a tiny model learns in a few steps."""
    rows = [{"prompt": f"question {i}?", "chosen": f"yes, {i} is fine.", "rejected": f"no. {i} bad!",
             "split": "test" if i % 5 == 0 else "train"} for i in range(30)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.slow
def test_dpo_run_raises_reward_margins_and_logs_trl_metrics(tiny_llama_dir, tmp_path):
    data = preference_file(tmp_path / "pairs.jsonl")
    spec = RunSpec.suggested(kind="dpo", model=str(tiny_llama_dir), dataset=str(data), max_steps=16, lr=5e-2,
                             batch_size=8, max_seq_length=64, logging_steps=1, eval_steps=8, save_steps=1000)
    assert spec.method == "lora" and spec.task == "preference" and spec.title == "dpo/lora"
    run_id = launcher.start(spec)
    final = wait_state(run_id, {"completed", "failed", "cancelled"}, timeout=300)
    assert final["state"] == "completed", final
    evs = events(run_id)
    start = next(e for e in evs if e["event"] == "start")
    assert start["trainable_params"] > 0 and "reference is the base model" in " ".join(start["notes"])
    logs = [e for e in evs if e["event"] == "log"]
    assert all({"train/loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies"}
               <= set(e) for e in logs)
    margins = [e["rewards/margins"] for e in logs]
    assert sum(margins[-4:]) / 4 > sum(margins[:4]) / 4 + 0.05, margins
    assert logs[-1]["train/loss"] < logs[0]["train/loss"]
    out = Path(final["output"])
    assert (out / "adapter_config.json").exists() and not (out / "model.safetensors").exists()
    from engine.runs.history import RunHistory
    from engine.runs.events import read_events
    from engine.runs import store

    history = RunHistory()
    history.apply(read_events(store.find_run(run_id) / store.EVENTS)[0])
    assert len(history.series["rewards/margins"]) == len(logs)  # what the runs screen plots


@pytest.fixture(scope="module")
def trained_adapter(tiny_llama_dir, tmp_path_factory) -> Path:
    """A small adapter with non-zero B (trained a few steps), saved as a run saves it."""
    from engine.runs.callbacks import RunCallback, TokenCounter
    from engine.runs.events import EventWriter

    tmp = tmp_path_factory.mktemp("adapter-run")
    data = keyword_sentiment(tmp / "kw.jsonl", n=40)
    spec = tiny_spec(tiny_llama_dir, data, method="lora", lora_r=4, lora_alpha=8, max_steps=6, lr=2e-2,
                     eval_on_start=False)
    counter = TokenCounter()
    callback = RunCallback(EventWriter(tmp / "events.jsonl"), should_stop=lambda: False, tokens=counter)
    plan = sft.build(spec, tmp, "cpu", callbacks=[callback], count=counter.add)
    plan.trainer.train()
    plan.save(tmp / "model")
    return tmp / "model"


def test_delta_norms_match_peft_own_delta_weights(trained_adapter, tiny_llama_dir):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    rows = lora.adapter_deltas(trained_adapter)
    assert len(rows) == 14 and all(r["delta_norm"] > 0 for r in rows)
    peft_model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_llama_dir), str(trained_adapter))
    modules = dict(peft_model.base_model.model.named_modules())
    for row in rows:
        layer = modules[row["module"]]
        assert row["delta_norm"] == pytest.approx(float(torch.linalg.norm(layer.get_delta_weight("default"))),
                                                  rel=1e-5)
        assert row["weight_norm"] == pytest.approx(float(torch.linalg.norm(layer.base_layer.weight)), rel=1e-5)
        out_f, in_f = row["shape"]
        assert row["adapter_params"] == 4 * (out_f + in_f) and row["weight_params"] == out_f * in_f


def test_merge_saves_a_standalone_model_that_answers_like_base_plus_adapter(trained_adapter, tiny_llama_dir,
                                                                             tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    result = lora.merge_adapter(lora.MergeConfig(adapter=str(trained_adapter), out=str(tmp_path / "merged")))
    out = Path(result["output"])
    assert not (out / "adapter_config.json").exists() and (out / "model.safetensors").exists()
    assert (out / "dojo_task.json").exists() and (out / "tokenizer.json").exists()
    ids = torch.tensor([[5, 17, 33, 60, 61, 7]])
    with torch.no_grad():
        merged = AutoModelForCausalLM.from_pretrained(out).eval()(ids).logits
        adapted = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_llama_dir),
                                            str(trained_adapter)).eval()(ids).logits
        base = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()(ids).logits
    assert torch.allclose(merged, adapted, atol=1e-4) and not torch.allclose(merged, base, atol=1e-3)
    with pytest.raises(DojoError, match="exists and is not empty"):
        lora.merge_adapter(lora.MergeConfig(adapter=str(trained_adapter), out=str(out)))


def test_dpo_on_an_sft_adapter_keeps_that_sft_model_as_the_reference(trained_adapter, tiny_llama_dir, tmp_path):
    import torch

    from engine.runs.callbacks import RunCallback, TokenCounter
    from engine.runs.events import EventWriter

    data = preference_file(tmp_path / "pairs.jsonl")
    spec = RunSpec.suggested(kind="dpo", model=str(tiny_llama_dir), dataset=str(data), adapter=str(trained_adapter),
                             max_steps=2, batch_size=4, max_seq_length=64, logging_steps=1, eval_steps=1000,
                             save_steps=1000, eval_on_start=False).validate()
    counter = TokenCounter()
    callback = RunCallback(EventWriter(tmp_path / "events.jsonl"), should_stop=lambda: False, tokens=counter)
    plan = dpo.build(spec, tmp_path, "cpu", callbacks=[callback], count=counter.add)
    model = plan.trainer.model
    assert set(model.peft_config) == {"default", "ref"} and "reference is that SFT model" in " ".join(plan.notes)
    params = dict(model.named_parameters())
    refs = [n for n in params if ".ref." in n]
    assert refs and all(not params[n].requires_grad for n in refs)
    assert all(torch.equal(params[n], params[n.replace(".ref.", ".default.")]) for n in refs)
    before = plan.trainer.evaluate()
    # policy == reference at the start: had the reference been the bare base, the SFT adapter's
    # own changes would show as non-zero rewards here
    assert before["eval_rewards/chosen"] == pytest.approx(0, abs=1e-5)
    assert before["eval_rewards/rejected"] == pytest.approx(0, abs=1e-5)
    plan.trainer.train()
    plan.save(tmp_path / "model")
    assert (tmp_path / "model" / "adapter_model.safetensors").exists() and not (tmp_path / "model" / "ref").exists()


@pytest.mark.slow
def test_a_stopped_lora_run_resumes_from_its_adapter_checkpoint(tiny_llama_dir, tmp_path, monkeypatch):
    from engine.runs import control
    from engine.runs.faults import SLOW_TEST_ENV

    from .test_runs_support import wait_step

    monkeypatch.setenv(SLOW_TEST_ENV, "0.02")
    data = keyword_sentiment(tmp_path / "kw.jsonl", n=80)
    run_id = launcher.start(tiny_spec(tiny_llama_dir, data, method="lora", lora_r=4, max_steps=60))
    wait_step(run_id, 3)
    stopped = control.stop(run_id, timeout=60)
    assert stopped["state"] == "cancelled", stopped
    step = next(e for e in events(run_id) if e["event"] == "stopping")["step"]
    checkpoint = store_dir(run_id) / "checkpoints" / f"checkpoint-{step}"
    assert (checkpoint / "adapter_model.safetensors").exists() and not (checkpoint / "model.safetensors").exists()
    control.resume(run_id)
    done = wait_state(run_id, {"completed", "failed", "cancelled"}, timeout=180)
    assert done["state"] == "completed", done
    after = [e["step"] for e in events(run_id) if e["event"] == "log" and e["step"] > step]
    assert after == list(range(step + 1, 61))
    assert (Path(done["output"]) / "adapter_config.json").exists()


def store_dir(run_id: str) -> Path:
    from engine.runs import store

    return store.find_run(run_id)


def test_chat_format_pairs_need_a_chat_template(tiny_llama_dir, tmp_path):
    import shutil

    from engine.runs.callbacks import RunCallback, TokenCounter
    from engine.runs.events import EventWriter

    rows = [{"prompt": [{"role": "user", "content": f"q{i}?"}], "chosen": [{"role": "assistant", "content": "yes."}],
             "rejected": [{"role": "assistant", "content": "no!"}], "split": "test" if i % 4 == 0 else "train"}
            for i in range(8)]
    path = tmp_path / "chat.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    data = dpo.load_preferences(str(path))
    assert dpo.is_chat(data.train) and dpo.as_conversation(data.train, True)[0]["prompt"] == rows[1]["prompt"]
    bare = shutil.copytree(tiny_llama_dir, tmp_path / "no-template")
    (bare / "chat_template.jinja").unlink(missing_ok=True)
    cfg = json.loads((bare / "tokenizer_config.json").read_text())
    cfg.pop("chat_template", None)
    (bare / "tokenizer_config.json").write_text(json.dumps(cfg))
    spec = RunSpec.suggested(kind="dpo", model=str(bare), dataset=str(path), max_steps=1, max_seq_length=64)
    counter = TokenCounter()
    callback = RunCallback(EventWriter(tmp_path / "events.jsonl"), should_stop=lambda: False, tokens=counter)
    with pytest.raises(DojoError, match="pairs are chat messages but .* has no chat template"):
        dpo.build(spec, tmp_path, "cpu", callbacks=[callback], count=counter.add)
    path.write_text(json.dumps({"prompt": [{"role": "robot", "content": "x"}], "chosen": "a", "rejected": "b"}) + "\n")
    with pytest.raises(DojoError, match=r"chat.jsonl:1: 'prompt' must be text or a list"):
        dpo.load_preferences(str(path))
