"""The LLM applications lab under Pilot: each of the three tabs driven from the keyboard
and read back against the engine's own numbers, bad inputs as notices, Esc back, and
the Korean screen at 80x24 and 120x40 (snapshots)."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Static

from tui import i18n
from tui.labs import register_strings
from tui.labs.applications.screen import ApplicationsScreen


@pytest.fixture(scope="module")
def loaded():
    from engine.models.load import load_model

    return load_model("dojo-tiny")


@pytest.fixture
def lang():
    yield i18n.set_lang
    i18n.set_lang("en")


class LabApp(App):
    def __init__(self, loaded, try_it=None):
        super().__init__()
        register_strings()
        self.loaded = loaded
        self.try_it = dict(try_it or {})

    def on_mount(self) -> None:
        self.push_screen(ApplicationsScreen(self.try_it, load=lambda name: self.loaded))


async def finish(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def static(app, wid: str) -> str:
    return str(app.screen.query_one(wid, Static).render())


def notices(app) -> str:
    return "\n".join(n.message for n in app._notifications)


def rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_datasets_tab_shows_what_the_datasets_library_reads(loaded):
    from engine.applications.config import AppsDataConfig
    from engine.applications.explore import explore

    app = LabApp(loaded, {"tab": "data", "dataset": "sentiment-en"})
    async with app.run_test(size=(100, 30)) as pilot:
        await finish(pilot)
        await pilot.press("ctrl+r")
        await finish(pilot)
        expected = explore(AppsDataConfig(source="sentiment-en", bins=8), tokenizer=loaded.tokenizer)
        table = app.screen.query_one("#apps-data-rows", DataTable)
        assert [r[0] for r in rows(table)] == [str(r["text"])[:60] for r in expected.sample]
        summary = static(app, "#apps-data-summary")
        assert "negative 100 (50%), positive 100 (50%)" in summary and "200 rows" in summary
        assert f"train {expected.split['train']} rows, test {expected.split['test']} rows" in summary
        assert f"map: computed and cached ({expected.map_cache})" in summary and expected.map_cached
        await pilot.press("ctrl+r")  # the same map again: read back from the cache file
        await finish(pilot)
        assert f"map: read from the cache ({expected.map_cache})" in static(app, "#apps-data-summary")
        hist = static(app, "#apps-data-hist").splitlines()[1:]
        assert [int(line.split()[-1]) for line in hist if line.strip()] == [b["count"] for b in expected.histogram]
        # a file that is not there: one translated line, the table keeps what it showed
        source = app.screen.query_one("#apps-data-source", Input)
        source.value = "no/such/file.jsonl"
        await pilot.press("ctrl+r")
        await finish(pilot)
        assert "no such file" in notices(app) and table.row_count == len(expected.sample)


async def test_prompt_tab_counts_tokens_as_you_type_and_measures_shots(loaded):
    from engine.applications.config import AppsIclConfig, AppsPromptConfig
    from engine.applications.icl import measure
    from engine.applications.prompts import build_prompt

    app = LabApp(loaded, {"tab": "prompt", "shots": 2, "limit": 6})
    async with app.run_test(size=(100, 30)) as pilot:
        await finish(pilot)
        first = build_prompt(AppsPromptConfig(shots=2), tokenizer=loaded.tokenizer)
        assert f"{first.tokens} / 512 tokens, 2 shots" in static(app, "#apps-prompt-count")
        assert static(app, "#apps-prompt-text") == first.text
        box = app.screen.query_one("#apps-prompt-form #cfg-input", Input)
        box.focus()
        box.value = ""
        await pilot.press(*"dull and slow")
        await pilot.pause(0.4)
        await finish(pilot)
        typed = build_prompt(AppsPromptConfig(shots=2, input="dull and slow"), tokenizer=loaded.tokenizer)
        assert typed.tokens != first.tokens
        assert f"{typed.tokens} / 512 tokens" in static(app, "#apps-prompt-count")
        assert static(app, "#apps-prompt-text").endswith("text: dull and slow\nlabel:")
        await pilot.press("ctrl+r")  # zero-shot vs 2-shot on the held-out set of the shot data
        await finish(pilot)
        result = measure(AppsIclConfig(data="sentiment-en", shots=("0", "2"), limit=6, seed=1234),
                         loaded, load=lambda name: loaded)
        shown = rows(app.screen.query_one("#apps-icl", DataTable))
        assert [r[:3] for r in shown] == [[r.method, str(r.shots), f"{r.accuracy:.3f}"] for r in result.rows]
        assert "6 items" in static(app, "#apps-icl-status")


async def test_rag_tab_answers_from_the_tokenizer_lesson(loaded):
    from engine.applications.rag import Retrievers

    question = "Which pair does BPE merge first?"
    app = LabApp(loaded, {"tab": "rag", "question": question, "k": 3})
    async with app.run_test(size=(100, 30)) as pilot:
        await finish(pilot)
        await pilot.press("ctrl+r")
        await finish(pilot)
        hits, _, _ = Retrievers(disk_cache=False).search(question, "bm25", 3, "en", "dojo-tiny")
        shown = static(app, "#apps-rag-hits")
        for n, hit in enumerate(hits, 1):
            assert f"[{n}] {hit.score:.3f} {hit.passage.title}" in shown
        assert any(h.passage.lesson == "tokenizers" and h.passage.step == 2 for h in hits)
        answer = app.screen.answer
        assert answer is not None and answer.answer and answer.answer in static(app, "#apps-rag-answer")
        assert static(app, "#apps-rag-prompt").endswith(f"Question: {question}\nAnswer:")
        assert "bm25: retrieval" in static(app, "#apps-rag-status")
        await pilot.press("f5")  # hit-rate of BM25 on the shipped question set
        await finish(pilot)
        from engine.applications.rag import evaluate

        measured = evaluate("bm25", Retrievers(disk_cache=False), ks=(1, 3))
        assert (f"bm25: {measured.n} questions, hit@1 {measured.hit_rate['1']:.2f}, "
                f"hit@3 {measured.hit_rate['3']:.2f}") in static(app, "#apps-rag-status")
        # an empty question is one notice; Esc with nothing running leaves the lab
        app.screen.query_one("#apps-rag-question", Input).value = "  "
        await pilot.press("ctrl+r")
        await finish(pilot)
        assert "question is empty" in notices(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ApplicationsScreen)


async def test_tabs_switch_from_the_keyboard_and_the_footer_fits_in_korean(loaded, lang):
    lang("ko")
    app = LabApp(loaded, {"tab": "data"})
    async with app.run_test(size=(80, 24)) as pilot:
        await finish(pilot)
        for key, tab in (("f3", "prompt"), ("f4", "rag"), ("f2", "data")):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen._active() == tab
        footer = text_of(app).splitlines()[-1]
        assert "실행" in footer and "RAG" in footer and "프롬프트" in footer and "f5 적중률" in footer


async def test_language_switch_keeps_results_and_inputs(loaded, lang):
    app = LabApp(loaded, {"tab": "rag", "question": "What does a chat template do to a conversation?",
                          "generate": False})
    async with app.run_test(size=(100, 30)) as pilot:
        await finish(pilot)
        await pilot.press("ctrl+r")
        await finish(pilot)
        before = static(app, "#apps-rag-hits").splitlines()[1:]
        assert static(app, "#apps-rag-hits").startswith("Retrieved passages")
        lang("ko")
        app.screen._language_changed()  # what the app's language toggle calls
        await pilot.pause()
        after = static(app, "#apps-rag-hits")
        assert after.startswith("찾은 구절") and after.splitlines()[1:] == before
        assert app.screen.query_one("#apps-rag-question", Input).value.startswith("What does a chat template")
        shown = text_of(app)
        assert "데이터셋" in shown and "프롬프트" in shown and "검색기" in shown


@pytest.mark.parametrize("size,extra", [((80, 24), {}), ((120, 40), {"chat_template": True, "cot": True})])
def test_korean_screen_fits(snap_compare, loaded, lang, size, extra):
    """The prompt tab (its text depends only on the shipped data and dojo-tiny's tokenizer; the RAG
    tab's scores move whenever any lesson's text changes, so it is checked by value above)."""
    lang("ko")
    app = LabApp(loaded, {"tab": "prompt", "shots": 1})
    app.animation_level = "none"

    async def run(pilot) -> None:
        await finish(pilot)
        if extra:
            form = app.screen.query_one("#apps-prompt-form")
            for name, value in extra.items():
                form.set_value(name, value)
            await pilot.pause(0.4)
            await finish(pilot)
        app.clear_notifications()
        for box in app.screen.query(Input):
            box.cursor_blink = False
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run)
