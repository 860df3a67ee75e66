"""The evaluation lab's code (issue 21): F12 after an evaluation shows the scoring loop and the
metric calls; that file, run on its own, gives the lab's per-item scores and metric values
(multiple choice few-shot, label words, greedy answers, perplexity over rolling windows)."""

from __future__ import annotations

import json

import pytest

from engine.codegen.evaluation import eval_snippet
from engine.evaluation.api import Candidate, evaluate_candidates
from engine.evaluation.config import EvalConfig
from tests.cli_helpers import dojo
from tui.i18n import set_lang
from tui.labs.evaluation.screen import EvaluationScreen
from tui.widgets.code_panel import CodePanel

from .helpers import LabApp, run_snippet, text_of


@pytest.fixture(scope="module")
def loaded(tiny_llama_dir):
    from engine.models.load import load_model

    return load_model(str(tiny_llama_dir))


@pytest.fixture(scope="module")
def adapter(tiny_llama_dir, tmp_path_factory):
    """A LoRA adapter with non-zero weights, so the base and the adapter score differently."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(5)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_llama_dir),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    folder = tmp_path_factory.mktemp("adapters") / "lora-code"
    model.save_pretrained(folder)
    return folder


def outputs(stdout: str) -> list:
    """The JSON documents a run of one or more snippets printed, in order."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while stdout[at:].strip():
        at += len(stdout[at:]) - len(stdout[at:].lstrip())
        doc, at = decoder.raw_decode(stdout, at)
        found.append(doc)
    return found


def same_as_lab(result, printed: dict) -> None:
    """Metric values and every item's scores of the engine's ``result`` and a snippet's output."""
    assert printed["model"] == result.label
    for metric in result.metrics:
        assert printed["metrics"][metric.name] == pytest.approx(metric.value, abs=1e-6), metric.name
    assert len(printed["items"]) == len(result.items)
    for ours, theirs in zip(result.items, printed["items"]):
        assert theirs["id"] == ours["id"]
        if result.task == "multiple_choice":
            assert theirs["loglikelihoods"] == pytest.approx([c["loglikelihood"] for c in ours["choices"]], abs=1e-6)
            assert theirs["letter_loglikelihoods"] == pytest.approx(
                [c["letter_loglikelihood"] for c in ours["choices"]], abs=1e-6)
            assert [theirs[k] for k in ("pred", "pred_norm", "pred_letter")] == \
                [ours[k] for k in ("pred", "pred_norm", "pred_letter")]
        elif result.task == "classification":
            assert theirs["scores"] == pytest.approx(ours["scores"], abs=1e-6) and theirs["pred"] == ours["pred"]
        elif result.task == "generation":
            assert theirs["pred"] == ours["pred"] and theirs["exact_match"] == ours["exact_match"]
        else:
            assert theirs["nll"] == pytest.approx(ours["nll"], abs=1e-4) and theirs["tokens"] == ours["tokens"]


@pytest.mark.slow
async def test_lab_code_gives_the_labs_scores_for_every_set(loaded, tiny_llama_dir, adapter, tmp_path):
    """Base and LoRA adapter, three sets, one shot, the chat template: the same numbers."""
    set_lang("en")
    model = str(tiny_llama_dir)
    try_it = {"model": model, "adapters": [str(adapter)], "tasks": ["course-mc", "sentiment-ko", "course-qa"],
              "limit": 2, "n_shot": 1, "chat_template": True}
    app = LabApp(EvaluationScreen(try_it, load=lambda name: loaded))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f12")  # nothing evaluated yet: a notice, no panel
        await pilot.pause()
        assert not isinstance(app.screen, CodePanel)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        lab = app.screen
        assert set(lab.comparisons) == {"course-mc", "sentiment-ko", "course-qa"}
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        assert "import evaluate" in text_of(app) and "Save .py" in text_of(app)
        snippet = app.screen.snippet
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lab
    assert "evaluate.load(f\"{METRICS}/f1\")" in snippet.code and "engine/evaluation/metrics" in snippet.code
    assert "PeftModel.from_pretrained" in snippet.code and "apply_chat_template" in snippet.code
    # perplexity (rolling windows over the 128-token context) on a text file, in the same process
    text = tmp_path / "notes.txt"
    text.write_text("the cat sat on the mat. " * 30 + "\n\n언어 모델은 다음 토큰을 예측합니다.\n\n" + "hello world " * 5,
                    encoding="utf-8")
    ppl = EvalConfig(task="perplexity", data=str(text), limit=2, batch_size=1)
    out = outputs(run_snippet(snippet.text() + "\n\n" + eval_snippet([Candidate(model)], [ppl]).text()))
    assert [r["data"] for r in out[0]] == ["course-mc", "sentiment-ko", "course-qa"] * 2  # the base, then the adapter
    for k, printed in enumerate(out[0]):
        same_as_lab(lab.comparisons[printed["data"]].results[k // 3], printed)
    mc = [r for r in out[0] if r["data"] == "course-mc"]
    assert mc[0]["items"][0]["loglikelihoods"] != pytest.approx(mc[1]["items"][0]["loglikelihoods"], abs=1e-3)
    direct = evaluate_candidates([Candidate(model)], ppl, load=lambda name: loaded).results[0]
    assert direct.items[0]["tokens"] > 128  # the first text needs two windows
    same_as_lab(direct, out[1][0])


def test_cli_show_code_prints_the_labs_code_without_running(isolated_home):
    args = ["--task", "classification", "--data", "sentiment-en", "--limit", "3", "--n-shot", "1", "--chat-template"]
    shown = dojo("eval", *args, "--show-code")
    assert shown.returncode == 0, shown.stderr
    config = EvalConfig(task="classification", data="sentiment-en", limit=3, n_shot=1, chat_template=True)
    assert shown.stdout == eval_snippet([Candidate("dojo-tiny")], [config]).text()
    compile(shown.stdout, "eval.py", "exec")
    assert "datapath('pang_lee_polarity.cor')" in shown.stdout and "apply_chat_template" in shown.stdout
    assert not (isolated_home / "evaluations").exists()  # nothing ran, nothing saved


def test_every_task_and_file_format_gives_code_that_compiles(tmp_path):
    """Settings the runs above do not take: local files (a letter answer, KMMLU columns, several
    accepted answers, paragraphs of a .txt), zero-shot, two sentiment sets in one file."""
    import itertools

    kmmlu = tmp_path / "kmmlu.jsonl"
    kmmlu.write_text(json.dumps({"question": "q", "A": "a", "B": "b", "answer": 2}) + "\n", encoding="utf-8")
    letters = tmp_path / "mc.jsonl"
    letters.write_text(json.dumps({"question": "q", "choices": ["a", "b"], "answer": "B"}) + "\n", encoding="utf-8")
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"prompt": "p", "answer": ["x", "y"]}) + "\n", encoding="utf-8")
    paragraphs = tmp_path / "notes.txt"
    paragraphs.write_text("one\n\ntwo", encoding="utf-8")
    sets = [("multiple_choice", str(kmmlu)), ("multiple_choice", str(letters)), ("generation", str(qa)),
            ("perplexity", str(paragraphs)), ("classification", "sentiment-en")]
    for (task, data), chat in itertools.product(sets, (False, True)):
        snippet = eval_snippet([Candidate("dojo-tiny")], [EvalConfig(task=task, data=data, chat_template=chat)])
        compile(snippet.text(), f"{task}.py", "exec")
        assert ("written out" in snippet.code) == (data == str(kmmlu))  # KMMLU rows: the normalised items
    both = eval_snippet([Candidate("dojo-tiny")], [EvalConfig(task="classification", data="sentiment-ko"),
                                                    EvalConfig(task="classification", data="sentiment-en")])
    compile(both.text(), "both.py", "exec")
    assert both.code.count("def read_sentiment") == 1 and "items_1 = " in both.code
