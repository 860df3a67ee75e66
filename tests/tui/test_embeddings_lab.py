"""The embeddings lab under Pilot: a lesson's try_it trains and answers, keys train, query,
benchmark and count, Esc stops a training, bad input is a notice; it fits 80x24 in Korean."""

from __future__ import annotations

import pytest
from textual.app import App

from tui.i18n import set_lang
from tui.labs import register_strings
from tui.labs.embeddings.screen import EmbeddingsScreen
from tui.labs.embeddings.views import parse_query

QUICK = {"corpus": "lee", "word": "fire", "positive": ["arafat", "israeli"], "negative": ["palestinian"],
         "vector_size": 16, "window": 5, "min_count": 5, "epochs": 3, "seed": 1}


class LabApp(App):
    def __init__(self, example=None, lang: str = "en"):
        super().__init__()
        register_strings()
        set_lang(lang)
        self.example = example
        self.animation_level = "none"  # the tab underline slides: snapshots must not catch it mid-way

    def on_mount(self) -> None:
        self.push_screen(EmbeddingsScreen(self.example))


def text_of(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_for(pilot, condition, tries: int = 150) -> None:
    for _ in range(tries):
        await pilot.pause(0.1)
        if condition():
            return
    raise AssertionError("timed out")


@pytest.fixture(autouse=True)
def english():
    yield
    set_lang("en")


def test_parse_query():
    assert parse_query("fire") == ("similar", ["fire"])
    assert parse_query("israeli  palestinian") == ("similarity", ["israeli", "palestinian"])
    assert parse_query("arafat - palestinian + israeli") == ("analogy", ["arafat", "palestinian", "israeli"])
    assert parse_query("arafat -palestinian+israeli")[0] == "analogy"
    assert parse_query("a b c d") == ("doesnt_match", ["a", "b", "c", "d"])


async def test_try_it_trains_then_asks_its_word_and_analogy():
    app = LabApp(QUICK)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.answers) == 2)
        emb = screen.embeddings["cbow-lee"]
        assert emb.wv.vector_size == 16  # the form took the lesson's values
        analogy, near = screen.answers[0][0], screen.answers[1][0]
        expected = emb.wv.most_similar(positive=["arafat", "israeli"], negative=["palestinian"], topn=10)
        assert [w for w, _ in analogy.neighbours] == [w for w, _ in expected]
        assert near.words == ("fire",)
        shown = text_of(app)
        assert "analogy: arafat - palestinian + israeli" in shown and expected[0][0] in shown
        assert "cbow-lee done" in shown


async def test_keys_train_query_benchmark_and_count():
    app = LabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.pause()
        assert " Query  Benchmarks  Counts  One-hot  Map " in text_of(app)  # every tab label fits 80 columns
        screen.query_one("#cfg-epochs").value = "2"
        screen.query_one("#cfg-vector-size").value = "12"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "cbow-lee" in screen.embeddings and not screen.training)
        wv = screen.embeddings["cbow-lee"].wv
        assert wv.vector_size == 12
        query = screen.query_one("#embed-query")
        query.focus()
        query.value = "israeli palestinian"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(screen.answers))
        assert f"cosine(israeli, palestinian) = {wv.similarity('israeli', 'palestinian'):.4f}" in text_of(app)

        await pilot.press("f2")
        await wait_for(pilot, lambda: bool(screen.evaluations))
        from engine.embeddings.evaluate import evaluate

        expected = evaluate(screen.embeddings["cbow-lee"])
        shown = text_of(app)
        assert f"{expected.pairs[0].spearman:.3f}" in shown and f"/{expected.analogies.answerable:,}" in shown

        screen._show_tab("cooc")
        await pilot.pause()
        screen.query_one("#embed-cooc").value = "israeli palestinian arafat forces"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "X_i = 954" in text_of(app))
        assert "0.26" in text_of(app)  # arafat's ratio, the lesson's table


async def test_escape_stops_a_training_and_bad_input_is_a_notice():
    app = LabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#cfg-epochs").value = "200"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen._status_msg[0] == "embed.status.training")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.training)
        assert screen._status_msg[0] == "embed.status.cancelled" and not screen.embeddings

        screen.query_one("#cfg-epochs").value = "1"
        screen.query_one("#cfg-min-count").value = "100000"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen._status_msg[0] == "embed.status.failed")
        assert "min-count 100000 leaves no word" in screen._status_msg[1]["error"]
        assert any("min-count 100000 leaves no word" in n.message for n in app._notifications)

        screen.query_one("#embed-query").focus()
        screen.query_one("#embed-query").value = "fire"
        await pilot.press("enter")  # nothing trained yet
        await pilot.pause()
        assert any("Train an embedding first" in n.message for n in app._notifications)


async def test_map_places_words():
    app = LabApp(QUICK)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.answers) == 2)
        screen._show_tab("map")
        screen.query_one("#embed-map").value = "fire crews israeli palestinian"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.last_map is not None)
        await pilot.pause(0.2)
        shown = text_of(app)
        assert "palestinian" in shown and "variance" in shown


def test_snapshot_korean_80x24_cooc(snap_compare):
    app = LabApp(lang="ko")

    async def count(pilot) -> None:
        await pilot.pause()
        screen = app.screen
        screen._show_tab("cooc")
        await pilot.pause()
        screen.query_one("#embed-cooc").cursor_blink = False  # a blinking cursor makes snapshots flaky
        screen.query_one("#embed-cooc").value = "israeli palestinian arafat forces said"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "954" in text_of(app))

    assert snap_compare(app, terminal_size=(80, 24), run_before=count)


async def test_map_keeps_hangul_out_of_the_plot():
    from engine.embeddings.pca import MapResult

    app = LabApp(lang="ko")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen._show_tab("map")
        result = MapResult(("대통령", "국회", "law"), ((0.0, 1.0), (1.0, 0.0), (-1.0, -1.0)), (0.6, 0.3))
        screen.post_message(screen.Mapped(result))
        await pilot.pause(0.3)
        plot_text = "\n".join(strip.text for strip in screen.query_one("#embed-plot").render_lines(
            screen.query_one("#embed-plot").region.reset_offset))
        assert "law" in plot_text and "대통령" not in plot_text and "1" in plot_text
        assert str(screen.query_one("#embed-map-legend").render()) == "1=대통령  2=국회"
        assert "60%, 30%" in text_of(app)


@pytest.mark.slow
async def test_f3_trains_all_four_and_compares_them_in_one_table():
    app = LabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#cfg-epochs").value = "1"
        screen.query_one("#cfg-vector-size").value = "8"
        await pilot.press("f3")
        await wait_for(pilot, lambda: len(screen.evaluations) == 4, tries=600)
        assert not screen.training
        assert set(screen.evaluations) == {"cbow-lee", "skipgram-lee", "fasttext-lee", "glove-lee"}
        shown = text_of(app)
        for name in screen.evaluations:
            assert name in shown


async def test_a_saved_embedding_answers_without_training_again():
    from engine.embeddings.config import TrainConfig
    from engine.embeddings.train import train

    train(TrainConfig(epochs=1, vector_size=8))  # saved as cbow-lee, what the form names
    app = LabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#embed-query").value = "fire"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(screen.answers))
        assert screen.current == "cbow-lee" and "nearest to fire" in text_of(app)


def test_snapshot_korean_120x40_cooc(snap_compare):
    app = LabApp(lang="ko")

    async def count(pilot) -> None:
        await pilot.pause()
        screen = app.screen
        screen._show_tab("cooc")
        await pilot.pause()
        screen.query_one("#embed-cooc").cursor_blink = False  # a blinking cursor makes snapshots flaky
        screen.query_one("#embed-cooc").value = "israeli palestinian arafat forces said"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "954" in text_of(app))

    assert snap_compare(app, terminal_size=(120, 40), run_before=count)


async def test_onehot_tab_shows_the_lookup():
    from engine.embeddings.onehot import onehot_vs_dense

    app = LabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.onehot is not None)
        screen._show_tab("onehot")
        await pilot.pause()
        expected = onehot_vs_dense("Time flies like an arrow")
        shown = text_of(app)
        assert "10000" in shown and "00001" in shown
        assert " ".join(f"{v:+.2f}" for v in expected.product[0]) in shown
        assert "one-hot x W equals the rows looked up" in shown
        screen.query_one("#embed-onehot").value = "the cat saw the dog"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.onehot.tokens[0] == "the")
        assert screen.onehot.vocab == ("the", "cat", "saw", "dog")


@pytest.mark.slow
async def test_lesson_3_opens_the_lab_and_reproduces_its_analogy(dojo_home):
    """The real lesson's try_it through the real app: the lesson's first analogy answer comes from the lab."""
    import tomllib
    from pathlib import Path

    from .conftest import make_app, screen_text

    lesson = Path(__file__).resolve().parents[2] / "lessons" / "03-word-embeddings" / "lesson.toml"
    try_it = tomllib.loads(lesson.read_text(encoding="utf-8"))["try_it"]
    app = make_app("ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.open_lab("embeddings", try_it)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EmbeddingsScreen)
        await wait_for(pilot, lambda: len(screen.answers) == 2, tries=600)
        analogy = screen.answers[0][0]
        assert analogy.op == "analogy" and analogy.neighbours[0][0] == "sharon"  # lesson: sharon 0.778
        assert "sharon" in screen_text(app)


async def test_an_oov_query_is_a_notice_naming_the_nearest_spelling():
    app = LabApp({**QUICK, "word": "fier"})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.answers) == 1)  # the analogy still ran after the failed word
        assert screen.answers[0][0].op == "analogy"
        assert any("'fier' is out of vocabulary" in n.message and "did you mean" in n.message
                   for n in app._notifications)
