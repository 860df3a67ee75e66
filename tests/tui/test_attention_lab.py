"""The attention lab under Pilot: keys change the layer, head, view and model; typing recaptures;
the positional-encoding, RoPE and encoder pages show the engine's numbers; Hangul rows line up;
snapshots at 80x24 (Korean, Korean tokens) and 120x40."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.app import App

from engine.attention.capture import load_for_attention
from engine.models.cache import ModelCache
from tui.i18n import set_lang
from tui.labs import register_strings
from tui.labs.attention.screen import AttentionScreen
from tui.labs.attention.views import heatmap

KO = {"model": "dojo-tiny", "text": "고양이가 매트 위에 앉았다", "layer": 0, "head": 0}
EN = {"model": "dojo-tiny", "text": "The cat sat on the mat", "layer": 0, "head": 0}


@pytest.fixture(scope="module")
def cache():
    return ModelCache(capacity=2)


class LabApp(App):
    def __init__(self, cache, example=EN, lang: str = "en"):
        super().__init__()
        register_strings()
        set_lang(lang)
        self.cache, self.example = cache, example
        self.animation_level = "none"

    def load(self, name):
        return load_for_attention(name, self.cache)

    def on_mount(self) -> None:
        self.push_screen(AttentionScreen(self.example, load=self.load))


@pytest.fixture(autouse=True)
def english():
    yield
    set_lang("en")


def text_of(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_for(pilot, condition, tries: int = 300) -> None:
    for _ in range(tries):
        await pilot.pause(0.1)
        if condition():
            return
    raise AssertionError("timed out")


async def ready(pilot) -> AttentionScreen:
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.result is not None and screen.pe is not None and screen.rope is not None)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_keys_change_layer_head_view_and_model(cache):
    app = LabApp(cache)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert "layer 0/3" in text_of(app) and "head 0/3" in text_of(app)
        await pilot.press("f2")
        assert screen.sel_layer == 1 and "layer 1/3" in text_of(app)
        await pilot.press("f3", "f3", "f3")
        assert "head 3/3" in text_of(app)
        await pilot.press("f3")
        assert screen.sel_head is None and "head average" in text_of(app)
        await pilot.press("f4")
        shown = text_of(app)
        assert "raw scores" in shown and "causal mask" in shown
        # the row of "The" (first token) shows only its own score, the rest is masked
        first_row = next(line for line in shown.splitlines() if line.startswith("The ") and "-" in line)
        assert first_row.split()[1:3] == [f"{screen.result.map(1, None, 'scores')[0, 0]:+.0f}", "-"]
        await pilot.press("f4", "f5")
        await wait_for(pilot, lambda: screen.result.model == "dojo-tiny-mlm")
        await pilot.pause()
        assert "bidirectional" in text_of(app) and "[CLS]" in text_of(app)


async def test_typing_recaptures_and_shows_what_each_token_attends_to(cache):
    app = LabApp(cache)
    async with app.run_test(size=(120, 40)) as pilot:  # wide enough for the whole "attends to" line
        screen = await ready(pilot)
        await pilot.press("end", *" again")
        await wait_for(pilot, lambda: " again" in screen.result.tokens)
        await pilot.pause()
        r = screen.result
        targets = r.attends_to(0, 0)
        shown = text_of(app)
        assert f"again->{r.tokens[targets[-1]].strip()}" in shown
        assert "row sums off by" in shown and screen.latencies


async def test_pe_and_rope_pages_show_the_engine_numbers(cache):
    from engine.attention.config import AttentionRopeConfig
    from engine.attention.posenc import rope_demo

    app = LabApp(cache)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        screen.query_one("#att-tabs").active = "att-tab-pe"
        await pilot.pause(0.2)
        shown = text_of(app)
        assert "PE[pos, 2i] = sin" in shown and "pos 5" in shown and "Deck check" in shown
        screen.query_one("#att-tabs").active = "att-tab-rope"
        await pilot.pause(0.2)
        expected = rope_demo(load_for_attention("dojo-tiny", cache), AttentionRopeConfig())
        shown = text_of(app)
        assert f"{expected.by_offset[1][0]:.4f}" in shown and "banana" in shown


def test_hangul_rows_line_up():
    tokens = ["고양이가", " 매", "트", "<EC 95>", "a"]
    grid = [[0.2] * 5 for _ in range(5)]
    for width in (40, 80, 200):
        lines = heatmap(tokens, tokens, grid, width=width).plain.splitlines()
        assert len({cell_len(line) for line in lines}) == 1, lines


async def test_hangul_heatmap_fits_80_columns(cache):
    app = LabApp(cache, KO, lang="ko")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        rows = screen.map_picture.plain.splitlines()
        assert len({cell_len(line) for line in rows}) == 1 and cell_len(rows[0]) <= 78
        shown = text_of(app)
        assert "층 0/3" in shown and "esc" in shown.splitlines()[-1]


@pytest.mark.slow
async def test_training_streams_its_loss(cache):
    app = LabApp(cache, {**EN, "epochs": 1, "pretrained": False, "batch_size": 32})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+r")
        assert screen.query_one("#att-tabs").active == "att-tab-enc"
        await wait_for(pilot, lambda: screen.encoder is not None, tries=600)
        await pilot.pause(0.4)
        r = screen.encoder
        assert [loss for _, loss in screen.losses["scratch"]] == [loss for _, loss in r.scratch.losses]
        assert len(r.scratch.losses) == 5  # 160 sentences / 32
        assert f"held-out accuracy {r.scratch.accuracy:.3f}" in text_of(app)


async def test_escape_stops_training_then_leaves(cache):
    app = LabApp(cache, {**EN, "epochs": 20, "pretrained": False})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: bool(screen.losses.get("scratch")), tries=600)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.encoder is not None, tries=600)
        assert len(screen.encoder.scratch.losses) < 20 * 10  # stopped early
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AttentionScreen)


def _snap_app(cache, example, lang):
    return LabApp(cache, example, lang)


async def _settle(pilot) -> None:
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.result is not None and screen.pe is not None and screen.rope is not None)
    await pilot.app.workers.wait_for_complete()
    screen.query_one("#att-text").cursor_blink = False
    await pilot.pause(0.3)


def test_snapshot_korean_heatmap_80x24(snap_compare, cache):
    assert snap_compare(_snap_app(cache, KO, "ko"), terminal_size=(80, 24), run_before=_settle)


def test_snapshot_english_120x40(snap_compare, cache):
    assert snap_compare(_snap_app(cache, {**EN, "head": None}, "en"), terminal_size=(120, 40), run_before=_settle)


def test_preload_names_only_causal_models():
    from tui.labs import preload_name

    assert preload_name("attention", {}) == "dojo-tiny"
    assert preload_name("attention", {"model": "dojo-tiny"}) == "dojo-tiny"
    assert preload_name("attention", {"model": "dojo-tiny-mlm"}) is None  # the app preloads causal LMs only


async def test_lesson_11_try_it_opens_the_lab(dojo_home):
    """The real lesson's [try_it] through the app: its sentence, layer 0, head 0."""
    from engine.course.lessons import load_course
    from tests.tui.conftest import make_app

    lesson = load_course().get("transformer-architecture")
    assert lesson.lab == "attention"
    app = make_app("ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lab("attention", dict(lesson.try_it))
        await wait_for(pilot, lambda: getattr(app.screen, "result", None) is not None)
        await wait_for(pilot, lambda: "층 0/3" in text_of(app))
        shown = text_of(app)
        assert lesson.try_it["text"] in shown and "층 0/3" in shown and "헤드 0/3" in shown
        app.lang = "en"  # the app's language toggle: the lab redraws in English, keeping its state
        await wait_for(pilot, lambda: "Attention map" in text_of(app))
        shown = text_of(app)
        assert "layer 0/3" in shown and "head 0/3" in shown and "Attention map" in shown
        assert lesson.try_it["text"] in shown
