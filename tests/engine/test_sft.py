"""Supervised fine-tuning: it learns, it masks the right tokens, and bad data says where it is bad."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.errors import DojoError
from engine.runs import launcher
from engine.runs.spec import RunSpec
from engine.training import sft
from engine.training.datasets import load_task_data, pang_lee_path

from .test_runs_support import events, keyword_sentiment, tiny_spec, wait_state


def test_sentiment_sft_lowers_loss_and_raises_heldout_accuracy(tiny_llama_dir, tmp_path):
    data = keyword_sentiment(tmp_path / "kw.jsonl")
    run_id = launcher.start(tiny_spec(tiny_llama_dir, data, epochs=10, eval_steps=20))
    final = wait_state(run_id, {"completed", "failed", "cancelled"}, timeout=240)
    assert final["state"] == "completed", final
    evs = events(run_id)
    evals = [e for e in evs if e["event"] == "eval"]
    logs = [e for e in evs if e["event"] == "log"]
    assert evals[0]["step"] == 0 and evals[0]["eval/n"] == 32
    assert evals[0]["eval/accuracy"] <= 0.6
    assert evals[-1]["eval/accuracy"] >= 0.85
    assert evals[-1]["eval/loss"] < evals[0]["eval/loss"] / 4
    assert sum(e["train/loss"] for e in logs[-5:]) < sum(e["train/loss"] for e in logs[:5]) / 4
    done = evs[-1]
    assert done["eval/accuracy_before"] == evals[0]["eval/accuracy"] and done["eval/accuracy"] >= 0.85
    assert all({"step", "total", "epoch", "train/loss", "lr", "grad_norm", "tokens/s", "elapsed", "eta"} <= set(e)
               for e in logs[1:])


def test_label_scores_are_the_label_words_log_likelihoods(tiny_llama_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    scores = sft.label_scores(model, tok, ["the cat sat", "a long day"], ("positive", "negative"), 64)
    ids = tok(sft.sentiment_prompt("a long day"))["input_ids"]
    word = tok(" negative", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logp = torch.log_softmax(model(torch.tensor([ids + word])).logits[0], -1)
    expected = sum(float(logp[len(ids) - 1 + i, t]) for i, t in enumerate(word))
    assert scores[1][1] == pytest.approx(expected, abs=1e-4)
    assert len(scores) == 2 and all(len(s) == 2 for s in scores)


def test_sentiment_example_learns_only_the_label_and_eos(tiny_llama_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    ex = sft.encode_sentiment(tok, "the film was great " * 40, "positive", 48)
    assert len(ex["input_ids"]) <= 48
    target = [t for t in ex["labels"] if t != -100]
    assert target == tok(" positive", add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    assert tok.decode(ex["input_ids"]).endswith("\nlabel: positive<|im_end|>")


def test_model_without_pad_token_pads_with_eos_and_keeps_eos_in_labels(tiny_llama_dir, tmp_path):
    model_dir = shutil.copytree(tiny_llama_dir, tmp_path / "nopad")
    cfg = json.loads((model_dir / "tokenizer_config.json").read_text())
    cfg["pad_token"] = None
    (model_dir / "tokenizer_config.json").write_text(json.dumps(cfg))
    from engine.models.load import load_model

    loaded = load_model(str(model_dir))
    tok, model = loaded.tokenizer, loaded.model
    assert tok.pad_token is None
    note = sft.ensure_pad_token(tok, model)
    assert tok.pad_token == tok.eos_token and "EOS is kept" in note
    assert model.config.pad_token_id == tok.eos_token_id
    examples = [sft.encode_sentiment(tok, text, "negative", 64) for text in ("short", "a much longer sentence here")]
    batch = sft.PadCollator(tok.pad_token_id)(examples)
    for row, ex in zip(range(2), examples):
        n = len(ex["input_ids"])
        assert batch["labels"][row, n - 1].item() == tok.eos_token_id  # the real EOS is learned
        assert (batch["labels"][row, n:] == -100).all()  # padding (also EOS ids) is not
    assert (batch["input_ids"][0, len(examples[0]["input_ids"]):] == tok.eos_token_id).all()


def test_instruction_sft_learns_assistant_tokens_only(tiny_llama_dir, tmp_path):
    rows = [{"messages": [{"role": "user", "content": f"question {i}?"},
                          {"role": "assistant", "content": f"answer {i % 3}."}], "split": s}
            for i, s in enumerate(["train"] * 12 + ["test"] * 4)]
    path = tmp_path / "chat.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = RunSpec(task="instruction", model=str(tiny_llama_dir), dataset=str(path), max_steps=30, lr=1e-2,
                   batch_size=4, max_seq_length=64, eval_steps=30, save_steps=1000, logging_steps=1)
    from engine.runs.callbacks import RunCallback, TokenCounter
    from engine.runs.events import EventWriter

    counter = TokenCounter()
    callback = RunCallback(EventWriter(tmp_path / "events.jsonl"), should_stop=lambda: False, tokens=counter)
    plan = sft.build(spec, tmp_path, "cpu", callbacks=[callback], count=counter.add)
    tok = plan.trainer.processing_class
    example = plan.trainer.train_dataset[0]
    learned = [t for t in example["labels"] if t != -100]
    assert tok.decode(learned) == "answer 0.<|im_end|>"
    assert learned[-1] == tok.eos_token_id
    plan.trainer.train()
    losses = [e["train/loss"] for e in map(json.loads, (tmp_path / "events.jsonl").read_text().splitlines())
              if e["event"] == "log"]
    assert len(losses) == 30 and sum(losses[-5:]) < sum(losses[:5]) / 2
    assert counter.tokens > 0


def test_max_seq_length_above_context_is_refused(tiny_llama_dir):
    with pytest.raises(DojoError, match=r"--max-seq-length 512 is above the context of .* \(128 tokens\)"):
        sft.preflight(RunSpec(model=str(tiny_llama_dir), max_seq_length=512))


# -- data -----------------------------------------------------------------------------
def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_line_is_named(tmp_path):
    path = _write(tmp_path, "d.jsonl", '{"text": "a", "label": "x"}\n\n{"text": "b" "label": "y"}\n')
    with pytest.raises(DojoError, match=r"d.jsonl:3: not valid JSON"):
        load_task_data(str(path), "sentiment")
    csv_path = _write(tmp_path, "d.csv", "text,label\nfine,positive\ntoo,many,fields\n")
    with pytest.raises(DojoError, match=r"d.csv:3: 3 fields where the header has 2"):
        load_task_data(str(csv_path), "sentiment")


def test_missing_columns_list_what_exists_and_how_to_map(tmp_path):
    path = _write(tmp_path, "r.csv", "review,stars\ngood,positive\nbad,negative\n")
    with pytest.raises(DojoError) as err:
        load_task_data(str(path), "sentiment")
    assert "no column 'text'" in str(err.value) and "review, stars" in str(err.value)
    assert "--column text=NAME" in str(err.value)
    rows = "".join(f"review{i},{'positive' if i % 2 else 'negative'}\n" for i in range(40))
    path = _write(tmp_path, "r.csv", "review,stars\n" + rows)
    data = load_task_data(str(path), "sentiment", columns={"text": "review", "label": "stars"})
    assert len(data.train) + len(data.test) == 40 and data.labels == ("negative", "positive")


def test_prompt_completion_columns_become_messages(tmp_path):
    path = _write(tmp_path, "qa.jsonl", "".join(
        json.dumps({"q": f"q{i}", "a": f"a{i}", "split": "test" if i == 0 else "train"}) + "\n" for i in range(5)))
    data = load_task_data(str(path), "instruction", columns={"prompt": "q", "completion": "a"})
    assert data.test == [{"messages": [{"role": "user", "content": "q0"}, {"role": "assistant", "content": "a0"}]}]


def test_empty_split_and_unknown_label(tmp_path):
    path = _write(tmp_path, "e.jsonl", '{"text": "a", "label": "positive", "split": "train"}\n'
                                      '{"text": "b", "label": "negative", "split": "train"}\n')
    with pytest.raises(DojoError, match="held-out split 'test' is empty"):
        load_task_data(str(path), "sentiment")
    path = _write(tmp_path, "l.jsonl", '{"text": "a", "label": "positive", "split": "train"}\n'
                                      '{"text": "b", "label": "negative", "split": "train"}\n'
                                      '{"text": "c", "label": "neutral", "split": "test"}\n')
    with pytest.raises(DojoError, match=r"l.jsonl:3: label 'neutral' is not in .*negative, positive.*--labels"):
        load_task_data(str(path), "sentiment")
    with pytest.raises(DojoError, match=r"l.jsonl:1: label 'positive' is not in the label set \(good, bad\)"):
        load_task_data(str(path), "sentiment", labels=("good", "bad"))


def test_builtin_sentiment_splits_are_fixed_and_balanced():
    en = load_task_data("sentiment-en", "sentiment")
    assert (len(en.train), len(en.test)) == (160, 40)
    assert sorted(r["label"] for r in en.test).count("positive") == 20
    assert "gensim" in str(pang_lee_path())
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=Path(__file__).parents[2]).stdout
    assert "pang_lee_polarity" not in tracked  # located in the installed gensim, never copied
    ko = load_task_data("sentiment-ko", "sentiment")
    assert len(ko.train) + len(ko.test) >= 300 and ko.labels == ("negative", "positive")
    assert load_task_data("sentiment", "sentiment").test == en.test + ko.test
    chat = load_task_data("instructions", "instruction")
    assert len(chat.train) + len(chat.test) >= 300
