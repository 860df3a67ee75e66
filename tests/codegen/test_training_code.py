"""The training labs' code (issue 21): the exported script, run on its own, trains on the same
examples as the lab's run with the same spec and seed (the same losses, step by step), and saves
an adapter the lab loads and that changes the model; the form's F12 and `train ... --show-code`."""

from __future__ import annotations

import json

import pytest

from engine.codegen.training import _data_lines, training_snippet
from engine.runs.spec import RunSpec
from tests.cli_helpers import dojo

from .helpers import run_snippet

QUICK = dict(max_steps=3, warmup=0.0, batch_size=2, max_seq_length=48, eval_on_start=False, eval_steps=100,
             save_steps=100)
"""A few steps at once (no warm-up step at learning rate 0), no evaluation or checkpoint midway."""


def small_copy(name: str, folder, train: int = 10, test: int = 4) -> str:
    """The first rows of a built-in data file (its own split kept), so a run's evaluation is quick;
    the whole files are read by the script as by the lab (test_the_script_reads_the_same_examples)."""
    from engine.training.datasets import DATA_DIR

    rows = [json.loads(line) for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    picked = [r for r in rows if r["split"] == "train"][:train] + [r for r in rows if r["split"] == "test"][:test]
    path = folder / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked), encoding="utf-8")
    return str(path)


def run_both(snippet, spec: RunSpec, tmp_path) -> tuple[dict, list[float]]:
    """The script in its own process and the lab's run in this one, side by side (two cores)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        script = pool.submit(run_snippet, snippet.text(), 300, tmp_path)
        ours = engine_losses(spec, tmp_path)
        return json.loads(script.result().splitlines()[-1]), ours


def engine_losses(spec: RunSpec, tmp_path) -> list[float]:
    """The lab's own run of ``spec`` (the worker's trainer, built by the engine), in process."""
    from engine.runs.launcher import absolute_paths

    if spec.kind == "dpo":
        from engine.training.dpo import build
    else:
        from engine.training.sft import build
    plan = build(absolute_paths(spec), tmp_path / "run", "cpu", callbacks=[], count=lambda n: None)
    plan.trainer.train()
    return [h["loss"] for h in plan.trainer.state.log_history if "loss" in h]


def logits(model, tokenizer, text: str):
    import torch

    ids = torch.tensor([tokenizer.encode(text)])
    with torch.no_grad():
        return model(input_ids=ids).logits[0, -1]


@pytest.mark.slow
def test_lora_sentiment_script_trains_like_the_lab_and_saves_an_adapter_it_loads(tmp_path):
    from engine.models.load import load_model
    from engine.training.lora import load_adapter
    from engine.training.sft import load_data, sentiment_accuracy

    data_file = small_copy("sentiment_ko.jsonl", tmp_path)
    spec = RunSpec.suggested("sentiment", gpu=False, method="lora", dataset=data_file, **QUICK)
    snippet = training_snippet(spec)
    assert "LoraConfig(" in snippet.code and "get_peft_model" in snippet.code and "r=8, lora_alpha=16" in snippet.code
    out, ours = run_both(snippet, spec, tmp_path)
    assert len(out["losses"]) == 3 and out["losses"] == pytest.approx(ours, abs=1e-4)
    assert len(set(ours)) == 3  # three different batches (and updates) compared, not one number thrice

    base = load_model("dojo-tiny", device="cpu", dtype="float32")
    before = logits(base.model, base.tokenizer, "text: 좋아요\nlabel:")
    tuned = load_adapter(base.model, tmp_path / out["output"])  # the lab's adapter loading
    assert (logits(tuned, base.tokenizer, "text: 좋아요\nlabel:") - before).abs().max() > 1e-3
    data = load_data(spec)
    assert out["accuracy"] == pytest.approx(sentiment_accuracy(tuned, base.tokenizer, data.test, data.labels, 48))


@pytest.mark.slow
def test_dpo_script_trains_like_the_lab_and_the_chat_loads_its_adapter(tmp_path):
    from engine.chat.session import ChatSession
    from engine.models.load import load_model

    spec = RunSpec.suggested(kind="dpo", gpu=False, dataset=small_copy("preferences.jsonl", tmp_path), **QUICK)
    snippet = training_snippet(spec)
    assert "DPOConfig(" in snippet.code and "beta=0.1" in snippet.code and "peft_config=lora_config" in snippet.code
    out, ours = run_both(snippet, spec, tmp_path)
    assert out["losses"] == pytest.approx(ours, abs=1e-4)
    assert out["losses"][0] == pytest.approx(0.6931, abs=1e-4)  # B = 0: policy = reference, loss = log 2
    assert abs(out["losses"][2] - out["losses"][0]) > 1e-3 and out["margins"][2] != 0

    loaded = load_model("dojo-tiny", device="cpu", dtype="float32")
    session = ChatSession(loaded, "dojo-tiny")
    name = session.add_adapter(str(tmp_path / out["output"]))  # the chat lab's adapter loading and checks
    with session.adapters.active_model(None) as model:
        before = logits(model, loaded.tokenizer, "토큰이 뭔가요?")
    with session.adapters.active_model(name) as model:
        after = logits(model, loaded.tokenizer, "토큰이 뭔가요?")
    assert (after - before).abs().max() > 1e-4


@pytest.mark.parametrize("task,source,columns", [
    ("sentiment", "sentiment", {}),  # Pang & Lee from gensim + the Korean sentences
    ("instruction", "instructions", {}),
    ("sentiment", "FILE.csv", {"text": "review", "label": "stars"}),
    ("instruction", "FILE.jsonl", {}),
    ("preference", "preferences", {}),
])
def test_the_script_reads_the_same_examples_in_the_same_order(tmp_path, task, source, columns):
    """The data part of the script, executed, gives the lab's train and held-out rows."""
    from engine.training.datasets import load_task_data
    from engine.training.dpo import load_preferences

    if source == "FILE.csv":
        path = tmp_path / "reviews.csv"
        path.write_text("review,stars\n" + "".join(f'"film {i}, part {i % 3}",{"good" if i % 2 else "bad"}\n'
                                                   for i in range(40)), encoding="utf-8")
        source = str(path)
    elif source == "FILE.jsonl":
        path = tmp_path / "chats.jsonl"
        path.write_text("".join(json.dumps({"prompt": f"q{i}", "completion": f"a{i}"}) + "\n" for i in range(30)),
                        encoding="utf-8")
        source = str(path)
    kind = "dpo" if task == "preference" else "sft"
    spec = RunSpec(kind=kind, task="sentiment" if task == "preference" else task, dataset=source, columns=columns)
    imports, lines = _data_lines(spec, task)
    scope: dict = {}
    exec("\n".join(imports + lines).replace("print(", "(lambda *a: None)("), scope)  # noqa: S102 - our own script
    ours = load_preferences(source) if kind == "dpo" else load_task_data(source, task, columns=columns)
    assert scope["train_rows"] == ours.train and scope["test_rows"] == ours.test
    assert 0 < len(ours.test) < len(ours.train)


def test_every_form_compiles_to_the_right_libraries(tmp_path):
    adapter = tmp_path / "sft-adapter"
    adapter.mkdir()
    cases = [
        (RunSpec.suggested("sentiment", gpu=False), ["Trainer(", "TrainingArguments("], ["peft", "trl"]),
        (RunSpec.suggested("instruction", gpu=False, method="lora", lora_r=4, target_modules=("q_proj", "v_proj"),
                           use_rslora=True, use_dora=True),
         ["SFTTrainer(", "SFTConfig(", "assistant_only_loss=True", "r=4", "['q_proj', 'v_proj']", "use_rslora=True",
          "use_dora=True"], ["BitsAndBytesConfig"]),
        (RunSpec.suggested("sentiment", gpu=False, method="lora", qlora=True),
         ["BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4', bnb_4bit_use_double_quant=True",
          "bnb_4bit_compute_dtype=torch.bfloat16", "prepare_model_for_kbit_training(model"], []),
        (RunSpec.suggested(kind="dpo", gpu=False, adapter=str(adapter), loss_type="ipo", beta=0.3),
         ["PeftModel.from_pretrained(model, ADAPTER, is_trainable=True)", "delete_adapter('ref')", "beta=0.3",
          "loss_type=['ipo']", "peft_config=None"], ["LoraConfig"]),
        (RunSpec.suggested("instruction", gpu=False, dataset="someone/chats", online=True, method="full"),
         ["load_dataset(name)", "read_hub('someone/chats')", "SFTTrainer("], ["peft"]),
    ]
    for spec, present, absent in cases:
        code = training_snippet(spec).text()
        compile(code, "snippet.py", "exec")
        assert "engine" not in code.replace("/engine/", "/")  # data paths may pass through the package folder
        for needle in present:
            assert needle in code, needle
        for needle in absent:
            assert needle not in code, needle


def test_cli_show_code_prints_the_run_as_a_script_instead_of_starting_it(isolated_home):
    shown = dojo("train", "lora", "--r", "4", "--alpha", "8", "--max-steps", "5", "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# Fine-tune dojo-tiny on sentiment labels, LoRA")
    assert "r=4, lora_alpha=8" in shown.stdout and "max_steps=5," in shown.stdout
    compile(shown.stdout, "snippet.py", "exec")
    dpo = dojo("train", "dpo", "--beta", "0.25", "--show-code")
    assert dpo.returncode == 0, dpo.stderr
    assert "DPOTrainer(" in dpo.stdout and "beta=0.25," in dpo.stdout
    assert store_empty(isolated_home)  # nothing started


async def test_f12_in_the_dpo_lab_shows_the_script_for_the_form_as_filled(isolated_home, monkeypatch):
    import engine.runs.spec
    from textual.widgets import Input

    from tui.i18n import set_lang
    from tui.labs.training.screen import TrainingScreen
    from tui.widgets.code_panel import CodePanel

    from .test_code_panel import LabApp, text_of

    monkeypatch.setattr(engine.runs.spec, "gpu_present", lambda: False)
    set_lang("en")
    app = LabApp(TrainingScreen({"max_seq_length": 64}, kind="dpo"))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        lab = app.screen
        lab.query_one("#cfg-beta", Input).value = "0.3"
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        assert "Preference-tune dojo-tiny with DPO (LoRA, beta 0.3)" in text_of(app)
        code = app.screen.snippet.code
        assert "beta=0.3," in code and "max_length=64," in code and "DPOTrainer(" in code
        await pilot.press("s")
        await pilot.pause()
        [saved] = list((isolated_home / "code").glob("training-dpo-*.py"))
        compile(saved.read_text(encoding="utf-8"), str(saved), "exec")
        await pilot.press("escape")
        await pilot.pause()
        lab.query_one("#cfg-beta", Input).value = "much"  # a row that cannot be read: the form's message
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        assert app.screen is lab and any("beta" in n.message.lower() for n in app._notifications)
    assert store_empty(isolated_home)


def store_empty(home) -> bool:
    from engine.runs import store

    return store.all_run_dirs() == []
