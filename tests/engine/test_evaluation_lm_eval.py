"""Anchor: our multiple-choice scores equal lm-evaluation-harness's on the same items and model.

lm-eval runs offline on a local task YAML (a JSON Lines file as its dataset) with the
tiny test model passed in as an object; ``acc`` and ``acc_norm`` must agree to 1e-4, and
so must every choice's log-likelihood (lm-eval's per-sample ``resps``)."""

from __future__ import annotations

import json
import math

import pytest

from engine.evaluation.config import EvalConfig
from engine.evaluation.data import load_set
from engine.evaluation.tasks import run_task

ITEMS = [
    {"question": "The cat sat on the", "choices": ["mat", "language models predict", "hello"], "answer": 0},
    {"question": "language models predict the next", "choices": ["token", "mat sat", "cat"], "answer": 2},
    {"question": "hello world,", "choices": ["the cat", "안녕", "predict the next token"], "answer": 1},
    {"question": "안녕하세요", "choices": ["토크나이저 예제입니다.", "cat", "world, the"], "answer": 0},
    {"question": "the mat", "choices": ["sat on the cat", "hello world", "models"], "answer": 1},
]


@pytest.mark.slow  # importing lm-eval and building its task take most of the time
def test_acc_and_acc_norm_equal_lm_evaluation_harness(tiny_llama_dir, tmp_path):
    lm_eval = pytest.importorskip("lm_eval")
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    from engine.models.load import load_model

    data = tmp_path / "items.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ITEMS) + "\n", encoding="utf-8")
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "dojo_mc.yaml").write_text(
        "task: dojo_mc\n"
        "dataset_path: json\n"
        f"dataset_kwargs:\n  data_files:\n    test: {data}\n"
        "test_split: test\n"
        "output_type: multiple_choice\n"
        'doc_to_text: "Question: {{question}}\\nAnswer:"\n'
        "doc_to_choice: \"{{choices}}\"\n"
        "doc_to_target: answer\n"
        "metric_list:\n  - metric: acc\n  - metric: acc_norm\n", encoding="utf-8")
    m = load_model(str(tiny_llama_dir))
    theirs = lm_eval.simple_evaluate(model=HFLM(pretrained=m.model, tokenizer=m.tokenizer, batch_size=4),
                                     tasks=["dojo_mc"], task_manager=TaskManager(include_path=str(tasks)),
                                     log_samples=True, bootstrap_iters=0)
    ours = run_task(m.model, m.tokenizer, load_set("multiple_choice", str(data)),
                    EvalConfig(task="multiple_choice", bootstrap=0))
    scores = theirs["results"]["dojo_mc"]
    assert ours.metric("acc").value == pytest.approx(scores["acc,none"], abs=1e-4)
    assert ours.metric("acc_norm").value == pytest.approx(scores["acc_norm,none"], abs=1e-4)
    samples = sorted(theirs["samples"]["dojo_mc"], key=lambda s: s["doc_id"])
    for sample, row in zip(samples, ours.items):
        their_ll = [r[0][0] for r in sample["resps"]]
        assert [c["loglikelihood"] for c in row["choices"]] == pytest.approx(their_ll, abs=1e-4)
        assert all(math.isfinite(x) for x in their_ll)
