"""The evaluation engine against independent computations: perplexity from the model's
logits by hand, acc/acc_norm from one forward pass per choice, metrics from the
libraries' own APIs, and every bad input from the issue."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from engine.errors import DojoError
from engine.evaluation.config import EvalConfig
from engine.evaluation.data import load_set

MC_ITEMS = [
    {"question": "The cat sat on the", "choices": ["mat", "language models predict", "hello"], "answer": 0},
    {"question": "안녕하세요", "choices": ["토크나이저 예제입니다.", "cat", "world, the"], "answer": 0, "lang": "ko"},
    {"question": "language models predict the next", "choices": ["token", "mat sat", "cat"], "answer": 2},
    {"question": "hello world,", "choices": ["the cat", "안녕", "predict the next token"], "answer": 1},
]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tiny_llama_dir):
    from engine.models.load import load_model

    return load_model(str(tiny_llama_dir))


def run(tiny, es, **config):
    from engine.evaluation.tasks import run_task

    return run_task(tiny.model, tiny.tokenizer, es, EvalConfig(**config))


def nll_by_hand(model, ids: list[int], targets: list[int]) -> list[float]:
    """-log P(target_i | ids[:i+1]) from one forward pass over ``ids``."""
    import torch

    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0]
    logp = torch.log_softmax(logits.double(), dim=-1)
    return [-float(logp[i, t]) for i, t in enumerate(targets)]


# -- perplexity --------------------------------------------------------------------------
def test_perplexity_is_exp_mean_token_nll(tiny, tmp_path):
    texts = ["the cat sat on the mat.", "안녕하세요 토크나이저"]
    data = write_jsonl(tmp_path / "ppl.jsonl", [{"text": t} for t in texts])
    result = run(tiny, load_set("perplexity", str(data)), task="perplexity", bootstrap=0)
    tok = tiny.tokenizer
    nll, count = 0.0, 0
    for text in texts:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        losses = nll_by_hand(tiny.model, [tok.bos_token_id] + ids[:-1], ids)
        nll, count = nll + sum(losses), count + len(ids)
    assert result.metric("perplexity").value == pytest.approx(math.exp(nll / count), rel=1e-4)
    nbytes = sum(len(t.encode()) for t in texts)
    assert result.metric("byte_perplexity").value == pytest.approx(math.exp(nll / nbytes), rel=1e-4)
    assert result.metric("bits_per_byte").value == pytest.approx(nll / nbytes / math.log(2), rel=1e-4)
    assert result.extra["tokens"] == count


def test_perplexity_rolling_windows_predict_every_token_once(tiny, tmp_path):
    text = "language models predict the next token, the cat sat on the mat. " * 2
    data = write_jsonl(tmp_path / "long.jsonl", [{"text": text}])
    result = run(tiny, load_set("perplexity", str(data)), task="perplexity", max_length=8, bootstrap=0)
    tok = tiny.tokenizer
    ids = tok(text, add_special_tokens=False)["input_ids"]
    full = [tok.bos_token_id] + ids
    nll = 0.0
    for s in range(0, len(ids), 8):  # window s reads full[s:s+8] and predicts ids[s:s+8]
        nll += sum(nll_by_hand(tiny.model, full[s : s + 8][: len(ids[s : s + 8])], ids[s : s + 8]))
    assert len(ids) > 16
    assert result.metric("perplexity").value == pytest.approx(math.exp(nll / len(ids)), rel=1e-4)


# -- multiple choice ---------------------------------------------------------------------
def direct_choice_scores(tiny, item) -> list[float]:
    """Sum log P(choice tokens | question) with one forward pass per choice, no batching."""
    from engine.evaluation.tasks import mc_context

    tok = tiny.tokenizer
    context = mc_context(item)
    out = []
    for choice in item["choices"]:
        whole = tok(context + " " + choice)["input_ids"]
        ctx = tok(context)["input_ids"]
        cont = whole[len(ctx):]
        out.append(-sum(nll_by_hand(tiny.model, whole[:-1], whole[1:])[len(ctx) - 1:]))
        assert len(cont) == len(whole) - len(ctx)
    return out


def test_acc_and_acc_norm_equal_a_direct_computation(tiny, tmp_path):
    data = write_jsonl(tmp_path / "mc.jsonl", MC_ITEMS)
    result = run(tiny, load_set("multiple_choice", str(data)), task="multiple_choice", bootstrap=0)
    acc, acc_norm = [], []
    for item, row in zip(MC_ITEMS, result.items):
        scores = direct_choice_scores(tiny, item)
        assert [c["loglikelihood"] for c in row["choices"]] == pytest.approx(scores, abs=1e-4)
        best = max(range(len(scores)), key=scores.__getitem__)
        norm = [s / len(c) for s, c in zip(scores, item["choices"])]
        best_norm = max(range(len(norm)), key=norm.__getitem__)
        assert (row["pred"], row["pred_norm"]) == (best, best_norm)
        acc.append(best == item["answer"])
        acc_norm.append(best_norm == item["answer"])
    assert result.metric("acc").value == pytest.approx(sum(acc) / len(acc))
    assert result.metric("acc_norm").value == pytest.approx(sum(acc_norm) / len(acc_norm))
    assert result.metric("acc_letter").n == len(MC_ITEMS)


def test_batch_size_does_not_change_scores(tiny, tmp_path):
    data = write_jsonl(tmp_path / "mc.jsonl", MC_ITEMS)
    es = load_set("multiple_choice", str(data))
    runs = [run(tiny, es, task="multiple_choice", batch_size=b, bootstrap=0) for b in (1, 8, 32)]
    flat = [[c["loglikelihood"] for row in r.items for c in row["choices"]] for r in runs]
    assert flat[0] == pytest.approx(flat[1], abs=1e-4) and flat[0] == pytest.approx(flat[2], abs=1e-4)


def test_few_shot_is_fixed_by_the_seed_and_longer(tiny, tmp_path):
    data = write_jsonl(tmp_path / "mc.jsonl", MC_ITEMS)
    es = load_set("multiple_choice", str(data))
    a = run(tiny, es, task="multiple_choice", n_shot=2, bootstrap=0)
    b = run(tiny, es, task="multiple_choice", n_shot=2, bootstrap=0)
    zero = run(tiny, es, task="multiple_choice", bootstrap=0)
    assert a.items == b.items and a.n_shot == 2
    assert a.items != zero.items
    with pytest.raises(DojoError, match="needs more items"):
        run(tiny, es, task="multiple_choice", n_shot=4)


def test_chat_template_is_applied_and_recorded(tiny, tmp_path):
    data = write_jsonl(tmp_path / "mc.jsonl", MC_ITEMS[:2])
    es = load_set("multiple_choice", str(data))
    chat = run(tiny, es, task="multiple_choice", chat_template=True, bootstrap=0)
    plain = run(tiny, es, task="multiple_choice", bootstrap=0)
    assert chat.chat_template and not plain.chat_template
    assert chat.items[0]["choices"][0]["loglikelihood"] != pytest.approx(plain.items[0]["choices"][0]["loglikelihood"])


def test_prompt_longer_than_context_is_cut_from_the_left_and_counted(tiny, tmp_path):
    long_q = "the cat sat on the mat and " * 10
    items = [{"question": long_q, "choices": ["mat", "cat"], "answer": 0}, MC_ITEMS[0]]
    data = write_jsonl(tmp_path / "mc.jsonl", items)
    result = run(tiny, load_set("multiple_choice", str(data)), task="multiple_choice", max_length=64, bootstrap=0)
    assert result.truncated == 1
    assert any(n.key == "eval.truncated" for n in result.notices)
    assert all(math.isfinite(c["loglikelihood"]) for row in result.items for c in row["choices"])


# -- classification ----------------------------------------------------------------------
def test_classification_metrics_equal_sklearn(tiny, tmp_path):
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    rows = [{"text": t, "label": l} for t, l in [("the cat sat", "positive"), ("hello world", "negative"),
                                                   ("안녕하세요", "positive"), ("predict the token", "negative"),
                                                   ("on the mat", "positive")]]
    data = write_jsonl(tmp_path / "cls.jsonl", rows)
    result = run(tiny, load_set("classification", str(data)), task="classification", bootstrap=0)
    preds = [r["pred"] for r in result.items]
    for r in result.items:  # the prediction is the label word with the largest log-likelihood
        assert r["pred"] == max(r["scores"], key=r["scores"].get)
    gold = [r["label"] for r in rows]
    assert result.metric("accuracy").value == pytest.approx(accuracy_score(gold, preds))
    assert result.metric("f1_macro").value == pytest.approx(f1_score(gold, preds, average="macro"))
    labels = ["negative", "positive"]
    assert result.extra["confusion_matrix"] == confusion_matrix(gold, preds, labels=labels).tolist()
    assert [n.key for n in result.notices] == ["eval.no_labels_in_card"]


def test_builtin_sentiment_is_the_heldout_split():
    es = load_set("classification", "sentiment-ko")
    rows = [json.loads(l) for l in (Path(__file__).parents[2] / "engine/data/sentiment_ko.jsonl").read_text().splitlines()]
    assert len(es) == sum(r["split"] == "test" for r in rows)
    assert es.labels == ("negative", "positive")


# -- generation metrics ------------------------------------------------------------------
def test_shipped_metric_modules_equal_the_libraries():
    import sacrebleu
    from rouge_score import rouge_scorer

    from engine.evaluation import metrics

    preds = ["the cat sat on the mat", "서울은 한국의 수도", "five"]
    refs = [["the cat is on the mat", "a cat sat on the mat"], ["서울"], ["five"]]
    streams = [[r[0] for r in refs], [r[1] if len(r) > 1 else r[0] for r in refs]]
    assert metrics.load("bleu").compute(predictions=preds, references=refs)["bleu"] == \
        pytest.approx(sacrebleu.corpus_bleu(preds, streams).score)
    assert metrics.load("chrf").compute(predictions=preds, references=refs)["chrf"] == \
        pytest.approx(sacrebleu.corpus_chrf(preds, streams).score)

    class Words:
        def tokenize(self, text):
            return text.lower().split()

    scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=Words())
    expected = sum(scorer.score_multi(r, p)["rougeL"].fmeasure for p, r in zip(preds, refs)) / 3
    assert metrics.load("rouge").compute(predictions=preds, references=refs)["rougeL"] == pytest.approx(expected)
    assert metrics.load("exact_match").compute(predictions=preds, references=refs)["exact_match"] == pytest.approx(1 / 3)


def test_generation_task_scores_what_it_generated(tiny, tmp_path):
    from engine.evaluation import metrics

    rows = [{"prompt": "Question: hello?\nAnswer:", "answer": "world"},
            {"prompt": "질문: 안녕?\n답:", "answer": ["안녕하세요", "네"]}]
    data = write_jsonl(tmp_path / "qa.jsonl", rows)
    result = run(tiny, load_set("generation", str(data)), task="generation", max_new_tokens=6, bootstrap=0)
    preds = [r["pred"] for r in result.items]
    refs = [["world"], ["안녕하세요", "네"]]
    assert all("\n" not in p for p in preds)
    assert result.metric("chrf").value == pytest.approx(
        metrics.load("chrf").compute(predictions=preds, references=refs)["chrf"])
    assert result.metric("exact_match").value == pytest.approx(
        sum(p.strip().lower() in [a.lower() for a in r] for p, r in zip(preds, refs)) / 2)


# -- comparison with an adapter ----------------------------------------------------------
@pytest.fixture(scope="module")
def adapter_dir(tiny_llama_dir, tmp_path_factory):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    torch.manual_seed(1)
    peft_model = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    folder = tmp_path_factory.mktemp("adapters") / "my-adapter"
    peft_model.save_pretrained(folder)
    return folder


def test_base_vs_adapter_comparison(tiny_llama_dir, adapter_dir, tmp_path):
    from engine.evaluation.api import Candidate, evaluate_candidates

    data = write_jsonl(tmp_path / "mc.jsonl", MC_ITEMS)
    config = EvalConfig(task="multiple_choice", data=str(data), bootstrap=20)
    events = []
    comp = evaluate_candidates([Candidate(str(tiny_llama_dir)), Candidate(str(tiny_llama_dir), str(adapter_dir)),
                                Candidate(str(tiny_llama_dir))], config, on_progress=events.append)
    base, adapted, again = comp.results
    assert adapted.adapter == str(adapter_dir) and adapted.label == "my-adapter"
    first = [c["loglikelihood"] for r in base.items for c in r["choices"]]
    assert first == pytest.approx([c["loglikelihood"] for r in again.items for c in r["choices"]], abs=1e-5)
    assert first != pytest.approx([c["loglikelihood"] for r in adapted.items for c in r["choices"]], abs=1e-3)
    rows = comp.rows()
    acc = [r for r in rows if r.metric == "acc"]
    assert acc[0].delta is None and acc[1].delta == pytest.approx(adapted.metric("acc").value - base.metric("acc").value)
    assert events[-1].fraction == pytest.approx(1.0) and {e.stage for e in events} == {"load", "score"}
    folder = comp.save(tmp_path / "out")
    assert json.loads((folder / "result.json").read_text())["rows"][0]["metric"] == "acc"
    assert (folder / "result.csv").read_text().splitlines()[0].startswith("task,model,adapter")
    assert "| multiple_choice |" in (folder / "result.md").read_text()


# -- bad input ---------------------------------------------------------------------------
def test_malformed_item_names_its_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(MC_ITEMS[0]) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(DojoError, match=r"bad.jsonl line 3: not valid JSON"):
        load_set("multiple_choice", str(path))
    write_jsonl(path, [MC_ITEMS[0], {"question": "q", "choices": "a,b", "answer": 0}])
    with pytest.raises(DojoError, match=r"line 2: 'choices' must be a list"):
        load_set("multiple_choice", str(path))


def test_answer_index_out_of_range(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [{"question": "q", "choices": ["a", "b", "c"], "answer": 3}])
    with pytest.raises(DojoError, match=r"line 1: answer index 3 is out of range: there are 3 choices, so it must "
                                        r"be 0 to 2"):
        load_set("multiple_choice", str(path))


def test_choices_that_tokenize_to_nothing(tiny, tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [{"question": "q", "choices": ["a", "  "], "answer": 0}])
    with pytest.raises(DojoError, match="line 1: choice 1 is empty"):
        load_set("multiple_choice", str(path))
    from engine.evaluation.scoring import loglikelihoods

    with pytest.raises(DojoError, match="encodes to no tokens"):
        loglikelihoods(tiny.model, [([1, 2], [])], max_length=16)


def test_metric_module_that_fails_to_load_names_the_package(tmp_path):
    from engine.evaluation.metrics import load_path

    folder = tmp_path / "needs_pkg"
    folder.mkdir()
    (folder / "needs_pkg.py").write_text("import datasets\nimport evaluate\nimport dojo_no_such_package_xyz\n\n"
                                         "class M(evaluate.Metric):\n    pass\n")
    with pytest.raises(DojoError, match="needs the package dojo_no_such_package_xyz: pip install"):
        load_path(folder)


def test_bad_settings_and_sets():
    with pytest.raises(DojoError, match="--limit -1"):
        EvalConfig(limit=-1)
    with pytest.raises(DojoError, match="unknown task"):
        EvalConfig(task="translation")
    with pytest.raises(DojoError, match="is for the classification task, not multiple_choice"):
        load_set("multiple_choice", "sentiment-ko")
    with pytest.raises(DojoError, match="no such file"):
        load_set("perplexity", "nowhere.jsonl")


def test_builtin_course_sets_are_well_formed():
    mc = load_set("multiple_choice", "course-mc")
    assert len(mc) >= 100 and {it["lang"] for it in mc.items} == {"ko", "en"}
    assert all(len(it["choices"]) == 4 for it in mc.items)
    assert len({it["answer"] for it in mc.items}) == 4  # the right answer is not always in one place
    qa = load_set("generation", "course-qa")
    assert len(qa) >= 20 and all(it["answers"] for it in qa.items)


# -- contamination -----------------------------------------------------------------------
@pytest.mark.slow  # builds the pretraining corpus (a few seconds)
def test_contamination_flags_text_the_embedded_model_was_trained_on():
    from engine.evaluation.contamination import check, flagged

    assert flagged(["one two three four five six seven eight nine", "brand new words here"],
                   ["zero one two three four five six seven eight"], n=8) == [True, False]
    seen = check("dojo-tiny", "perplexity", load_set("perplexity", "train-lessons", limit=20).items)
    unseen = check("dojo-tiny", "multiple_choice", load_set("multiple_choice", "course-mc").items)
    assert seen is not None and seen.fraction == 1.0 and seen.total == 20
    assert unseen is not None and unseen.fraction == 0.0  # the course questions are new text
    assert check("/some/local/model", "perplexity", [{"text": "x"}]) is None  # unknown training text


# -- a finished fine-tuning run, named by its id -----------------------------------------
def test_a_finished_run_is_evaluated_by_its_id(tiny_llama_dir, tmp_path):
    from engine.evaluation.api import Candidate, evaluate_candidates, run_output
    from engine.runs import store
    from engine.runs.spec import RunSpec

    run_dir = store.create_run(RunSpec(model="dojo-tiny"))
    store.write_status(run_dir, state="running")
    with pytest.raises(DojoError, match="evaluate it once it has completed"):
        run_output(run_dir.name)
    store.write_status(run_dir, state="completed", output=str(tiny_llama_dir))
    assert run_output(run_dir.name) == str(tiny_llama_dir)
    assert run_output(store.short_id(run_dir.name)) == str(tiny_llama_dir)
    assert run_output("dojo-tiny") == "dojo-tiny" and run_output("no-such-run-or-model") == "no-such-run-or-model"
    data = write_jsonl(tmp_path / "mc.jsonl", MC_ITEMS[:2])
    comp = evaluate_candidates([Candidate(run_dir.name)], EvalConfig(task="multiple_choice", data=str(data),
                                                                    bootstrap=0))
    assert comp.results[0].model == run_dir.name and len(comp.results[0].items) == 2


def test_mmlu_and_kmmlu_style_rows(tmp_path):
    path = write_jsonl(tmp_path / "k.jsonl", [
        {"question": "1+1?", "A": "1", "B": "2", "C": "3", "D": "4", "answer": 2},  # KMMLU: 1-based
        {"question": "2+2?", "choices": ["3", "4"], "answer": "B"},                  # a letter
        {"question": "3+3?", "choices": ["6", "7"], "answer": 0}])                   # MMLU: 0-based
    es = load_set("multiple_choice", str(path))
    assert [(it["choices"], it["answer"]) for it in es.items] == [(["1", "2", "3", "4"], 1), (["3", "4"], 1),
                                                                  (["6", "7"], 0)]
    write_jsonl(path, [{"question": "q", "A": "x", "B": "y", "answer": 3}])
    with pytest.raises(DojoError, match="answer index 2 is out of range"):
        load_set("multiple_choice", str(path))
