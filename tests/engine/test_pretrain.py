"""The pretraining recipe on its micro presets: output, determinism, bad input, Ctrl-C + resume."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from engine.errors import DojoError
from engine.training.presets import get_preset
from engine.training.pretrain import PretrainInterrupted, StepEvent, pretrain


def _run(preset, out, **kw):
    return [ev for ev in pretrain(preset, out, **kw)]


@pytest.fixture(scope="module")
def micro_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("pre") / "micro"
    events = _run(get_preset("dojo-micro"), out)
    return out, events


def test_recipe_writes_a_loadable_chat_model(micro_run):
    from engine.models.load import load_model

    out, events = micro_run
    steps = [e for e in events if isinstance(e, StepEvent)]
    assert [e.step for e in steps] == list(range(1, steps[-1].total + 1))
    assert {e.stage for e in steps} == {"pretrain", "chat"}
    for name in ("model.safetensors", "config.json", "tokenizer.json", "generation_config.json", "README.md", "eval.json"):
        assert (out / name).exists(), name
    assert not (out / "checkpoints").exists()
    loaded = load_model(str(out))
    text = loaded.tokenizer.apply_chat_template([{"role": "user", "content": "안녕"}], tokenize=False, add_generation_prompt=True)
    assert text.endswith("<|im_start|>assistant\n")
    summary = json.loads((out / "eval.json").read_text())
    ev = summary["eval"]["heldout"]
    assert set(ev) == {"en", "ko"}
    assert ev["ko"]["trained"]["perplexity"] > 1 and ev["en"]["unigram"]["perplexity"] > 1
    card = (out / "README.md").read_text()
    assert f"{ev['en']['trained']['perplexity']:.1f}" in card


def test_recipe_is_deterministic(micro_run, tmp_path):
    from safetensors.torch import load_file

    out, _ = micro_run
    again = tmp_path / "again"
    _run(get_preset("dojo-micro"), again, evaluate=False)
    a, b = load_file(out / "model.safetensors"), load_file(again / "model.safetensors")
    assert a.keys() == b.keys()
    assert all((a[k] == b[k]).all() for k in a)


def test_interrupt_keeps_checkpoint_and_resume_matches(micro_run, tmp_path):
    from safetensors.torch import load_file

    out, _ = micro_run
    preset = get_preset("dojo-micro")
    target = tmp_path / "interrupted"
    seen = []

    def cancel() -> bool:
        return len(seen) >= 7

    with pytest.raises(PretrainInterrupted) as err:
        for ev in pretrain(preset, target, evaluate=False, cancel=cancel):
            if isinstance(ev, StepEvent):
                seen.append(ev.step)
    assert "--resume" in str(err.value) and err.value.exit_code == 130
    assert (target / "checkpoints" / "last.pt").exists()
    resumed = [e.step for e in pretrain(preset, target, resume=True, evaluate=False) if isinstance(e, StepEvent)]
    assert resumed[0] == 8  # continues the step count
    a, b = load_file(out / "model.safetensors"), load_file(target / "model.safetensors")
    assert all((a[k] == b[k]).all() for k in a)


def test_mlm_micro_recipe(tmp_path):
    from engine.models.load import load_model

    out = tmp_path / "mlm"
    _run(get_preset("dojo-micro-mlm"), out)
    loaded = load_model(str(out), task="masked-lm")
    assert loaded.tokenizer.mask_token == "[MASK]"
    summary = json.loads((out / "eval.json").read_text())
    assert 0 <= summary["eval"]["heldout"]["ko"]["top1_accuracy"] <= 1


def test_bad_preset_and_busy_out_dir(tmp_path):
    from tui.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["train", "pretrain", "--preset", "nope", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "dojo-tiny" in res.output, res.output
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(DojoError, match="--overwrite"):
        _run(get_preset("dojo-micro"), busy)
    assert (busy / "keep.txt").read_text() == "mine"
    with pytest.raises(DojoError, match="nothing to resume"):
        _run(get_preset("dojo-micro"), tmp_path / "fresh", resume=True)


def test_nan_loss_stops_with_message(tmp_path):
    preset = replace(get_preset("dojo-micro"), lr=1e12, steps=30, chat_steps=0)
    with pytest.raises(DojoError, match="lower the learning rate"):
        _run(preset, tmp_path / "nan", evaluate=False)
