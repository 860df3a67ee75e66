"""The applications lab's code (issue 21): F12 on each tab shows the plain datasets /
transformers / gensim code of what the tab did, and that code, run on its own, gives the
lab's result: the same prompt text and token count, the same dataset report, the same
retrieved passages and scores, the same augmented prompt and greedy answer, and the same
zero- vs k-shot accuracy."""

from __future__ import annotations

import pytest

from engine.applications.config import AppsIclConfig, AppsPromptConfig, AppsRagConfig
from engine.codegen.applications import icl_snippet, prompt_snippet
from engine.codegen.rag import hit_rate_snippet, rag_snippet
from tests.cli_helpers import dojo
from tui.i18n import set_lang
from tui.labs.applications.screen import ApplicationsScreen
from tui.widgets.code_panel import CodePanel

from .helpers import LabApp, run_snippet
from .test_evaluation_code import outputs, text_of


@pytest.fixture(scope="module")
def tiny():
    from engine.models.load import load_model

    return load_model("dojo-tiny")


async def finish(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def shown_code(pilot, lab):
    """F12 on the lab -> the snippet in the panel (then back to the lab)."""
    await pilot.press("f12")
    await pilot.pause()
    app = pilot.app
    assert isinstance(app.screen, CodePanel), "F12 opened no code panel"
    snippet, shown = app.screen.snippet, text_of(app)
    assert snippet.title in shown and "Save .py" in shown
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is lab
    return snippet


@pytest.mark.slow
async def test_prompt_and_dataset_tabs_code_gives_the_labs_prompt_and_report(tiny):
    set_lang("en")
    lab = ApplicationsScreen({"tab": "prompt", "shots": 2, "limit": 4}, load=lambda name: tiny)
    app = LabApp(lab)
    async with app.run_test(size=(100, 30)) as pilot:
        await finish(pilot)
        assert lab.prompt is not None and len(lab.prompt.shots) == 2
        prompt_code = await shown_code(pilot, lab)
        await pilot.press("ctrl+r")  # zero- vs 2-shot accuracy: the tab's code is now that measurement
        await finish(pilot)
        assert lab.icl is not None
        icl_code = await shown_code(pilot, lab)
        assert icl_code.title.startswith("In-context learning") and "for n_shot in [0, 2]:" in icl_code.code
        await pilot.press("f2")
        await finish(pilot)
        await pilot.press("f12")  # the data tab has loaded nothing yet
        await pilot.pause()
        assert not isinstance(app.screen, CodePanel)
        await pilot.press("ctrl+r")
        await finish(pilot)
        assert lab.report is not None
        data_code = await shown_code(pilot, lab)
        await pilot.press("f5")  # BM25's hit-rate on the lesson questions: the RAG tab's code is that loop
        await finish(pilot)
        hits_code = await shown_code(pilot, lab)
        assert hits_code.title.startswith("hit-rate@1,3 of bm25") and "sparse_index(corpus, retriever)" in hits_code.code
    assert "random.Random(SEED).sample(read_sentiment(DATA, 'train'), SHOTS)" in prompt_code.code
    assert "load_dataset('json'" in data_code.code and "train_test_split" in data_code.code
    built, report = outputs(run_snippet(prompt_code.text() + "\n\n" + data_code.text()))
    assert built["text"] == lab.prompt.text and built["tokens"] == lab.prompt.tokens
    assert built["shots"] == lab.prompt.shots
    ours = lab.report
    assert report["rows"] == ours.rows and report["features"] == ours.features and report["labels"] == ours.labels
    assert report["text_column"] == ours.text_column and report["sample"] == ours.sample
    assert report["lengths"] == pytest.approx(ours.lengths) and report["histogram"] == ours.histogram
    assert report["split"] == {k: ours.split[k] for k in ("train", "test", "test_first")}


@pytest.mark.slow
def test_rag_icl_and_hit_rate_code_gives_the_same_passages_answer_and_accuracy(tiny):
    from engine.applications.icl import measure
    from engine.applications.rag import Retrievers, ask, evaluate

    retrievers = Retrievers(loaded=tiny, disk_cache=False)
    sparse = AppsRagConfig(question="토크나이저는 문장을 어떻게 나누나요?", k=3, max_new_tokens=8)
    dense = AppsRagConfig(question="What does LoRA train instead of the whole model?", retriever="dense", k=2,
                          generate=False)
    icl = AppsIclConfig(shots=("0", "2"), limit=6, finetuned=False)
    answers = [ask(sparse, retrievers), ask(dense, retrievers)]
    measured = measure(icl, tiny)
    hit_rates = evaluate("bm25", retrievers, ks=(1, 3))
    code = "\n\n".join(s.text() for s in (rag_snippet(sparse), rag_snippet(dense), icl_snippet(icl),
                                            hit_rate_snippet(("bm25",), (1, 3))))
    *printed, table, [hits] = outputs(run_snippet(code))
    for ours, theirs in zip(answers, printed):
        assert theirs["retriever"] == ours.retriever
        assert [h["id"] for h in theirs["hits"]] == [h.passage.id for h in ours.hits]
        assert [h["score"] for h in theirs["hits"]] == pytest.approx([h.score for h in ours.hits], abs=1e-6)
        assert theirs["prompt"] == ours.prompt and theirs["prompt_tokens"] == ours.prompt_tokens
        assert theirs["answer"] == ours.answer
    assert answers[0].answer and answers[1].answer is None
    assert hits["hit_rate"] == hit_rates.hit_rate and hits["by_lang"] == hit_rates.by_lang
    assert {q["id"]: hits["items"][q["id"]]["rank"] for q in hit_rates.items} == \
        {q["id"]: q["rank"] for q in hit_rates.items}
    assert [(r["n_shot"], r["metrics"]["accuracy"], r["metrics"]["f1_macro"]) for r in table] == \
        [(row.shots, pytest.approx(row.accuracy, abs=1e-9), pytest.approx(row.f1_macro, abs=1e-9))
         for row in measured.rows]


def test_cli_show_code_prints_the_prompt_and_rag_code():
    """prompt build, rag ask and rag eval print the builders' code and run nothing."""
    shown = dojo("prompt", "build", "--shots", "1", "--data", "sentiment-ko", "--cot", "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == prompt_snippet(AppsPromptConfig(shots=1, data="sentiment-ko", cot=True)).text()
    compile(shown.stdout, "prompt.py", "exec")
    question = "What is a chat template?"
    shown = dojo("rag", "ask", question, "--retriever", "dense", "--k", "2", "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == rag_snippet(AppsRagConfig(question=question, retriever="dense", k=2)).text()
    assert "def dense_index" in shown.stdout and "LuceneBM25Model" in shown.stdout
    compile(shown.stdout, "rag.py", "exec")
    shown = dojo("rag", "eval", "--retriever", "tfidf", "--k", "2", "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == hit_rate_snippet(("tfidf",), (2,)).text()


def test_other_settings_give_code_that_compiles():
    """Retrievers with and without an answer, prompts with every element, the other data sets."""
    import itertools

    from engine.applications.config import AppsDataConfig
    from engine.codegen.applications import data_snippet

    for retriever, generate, question in itertools.product(("bm25", "tfidf", "dense"), (True, False),
                                                           ("토큰이 뭐예요?", "What is a token?")):
        code = rag_snippet(AppsRagConfig(question=question, retriever=retriever, generate=generate)).text()
        compile(code, "rag.py", "exec")
        assert ("def dense_index" in code) == (retriever == "dense")
    for config in (AppsPromptConfig(), AppsPromptConfig(shots=4, cot=True, chat_template=True, context="c",
                                                        instruction="", data="sentiment-ko")):
        compile(prompt_snippet(config).text(), "prompt.py", "exec")
    for source in ("sentiment-en", "instructions", "rag-questions"):
        compile(data_snippet(AppsDataConfig(source=source)).text(), "data.py", "exec")
    compile(icl_snippet(AppsIclConfig(chat_template=True, data="sentiment-en")).text(), "icl.py", "exec")
    for kinds in (("bm25", "tfidf"), ("dense", "bm25")):
        compile(hit_rate_snippet(kinds, (1, 3, 5)).text(), "hits.py", "exec")
