"""The evaluation lab under Pilot: evaluate from the keyboard, read the table the engine
computed, compare a base with an adapter, drill into an item, stop with Esc, bad inputs
as notices, and the Korean screen at 80x24 (snapshot)."""

from __future__ import annotations

import threading

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, SelectionList, Static

from tui import i18n
from tui.labs import register_strings
from tui.labs.evaluation.screen import EvaluationScreen


@pytest.fixture(scope="module")
def loaded(tiny_llama_dir):
    from engine.models.load import load_model

    return load_model(str(tiny_llama_dir))


@pytest.fixture
def lang():
    yield i18n.set_lang
    i18n.set_lang("en")


@pytest.fixture(scope="module")
def adapter(tiny_llama_dir, tmp_path_factory):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(3)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_llama_dir),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    folder = tmp_path_factory.mktemp("adapters") / "lora-tui"
    model.save_pretrained(folder)
    return folder


class LabApp(App):
    def __init__(self, loaded, try_it=None, load=None):
        super().__init__()
        register_strings()
        self.loaded = loaded
        self.try_it = {"tasks": ["course-mc"], "limit": 3, **(try_it or {})}
        self._load_fn = load or (lambda name: self.loaded)

    def on_mount(self) -> None:
        self.push_screen(EvaluationScreen(self.try_it, load=self._load_fn))


async def finish(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)


def text_of(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def notices(app) -> str:
    return "\n".join(n.message for n in app._notifications)


def table_rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_evaluate_shows_the_engines_numbers(loaded, tiny_llama_dir):
    from engine.evaluation.api import Candidate, evaluate_candidates
    from engine.evaluation.config import EvalConfig

    app = LabApp(loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await finish(pilot)
        rows = table_rows(app.screen.query_one("#ev-results", DataTable))
        assert rows[0][0] == "course-mc" and [r[1] for r in rows[1:]] == ["acc", "acc_norm", "acc_letter"]
        direct = evaluate_candidates([Candidate("x")], EvalConfig(task="multiple_choice", limit=3),
                                     load=lambda name: loaded).results[0]
        assert [float(r[2]) for r in rows[1:]] == pytest.approx([m.value for m in direct.metrics], abs=1e-4)
        assert "course-mc" in text_of(app) and "acc_norm" in text_of(app)
        assert "evaluations/" in str(app.screen.query_one("#ev-status", Static).render())  # saved, and said where


async def test_base_vs_adapter_and_drill_down(loaded, adapter):
    app = LabApp(loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#ev-adapters", Input).value = str(adapter)
        await pilot.press("ctrl+r")
        await finish(pilot)
        rows = table_rows(app.screen.query_one("#ev-results", DataTable))
        assert [r[0] for r in rows[1:]] == ["dojo-tiny"] * 3 + ["lora-tui"] * 3
        comp = app.screen.comparisons["course-mc"]
        delta = comp.results[1].metric("acc").value - comp.results[0].metric("acc").value
        assert rows[4][4] == f"{delta:+.4f}" and rows[1][4] == ""
        # drill down: the items tab shows the highlighted result's items and each choice's log-likelihood
        await pilot.press("f3")
        await pilot.pause()
        items = app.screen.query_one("#ev-items", DataTable)
        assert items.row_count == 3
        items.focus()
        await pilot.press("down")
        await pilot.pause()
        detail = str(app.screen.query_one("#ev-detail", Static).render())
        item = comp.results[0].items[1]
        assert f"{item['choices'][0]['loglikelihood']:8.2f}" in detail
        assert item["question"].split()[0] in detail


async def test_escape_stops_a_running_evaluation(loaded):
    gate = threading.Event()

    def slow_load(name):
        gate.wait(5)
        return loaded

    app = LabApp(loaded, load=slow_load)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.screen.running
        await pilot.press("escape")
        gate.set()
        await finish(pilot)
        assert not app.screen.running
        assert "Evaluation stopped" in text_of(app)
        assert app.screen.query_one("#ev-results", DataTable).row_count == 0


async def test_bad_inputs_are_notices(loaded):
    app = LabApp(loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#ev-adapters", Input).value = "/no/such/adapter"
        await pilot.press("ctrl+r")
        await finish(pilot)
        assert "no adapter folder at /no/such/adapter" in notices(app)
        assert "no adapter folder" in str(screen.query_one("#ev-status", Static).render())
        screen.query_one("#ev-adapters", Input).value = ""
        screen.query_one("#ev-sets", SelectionList).deselect_all()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert i18n.t("eval.no_sets") in notices(app)
        screen.query_one("#ev-sets", SelectionList).select("course-mc")
        screen.query_one("#cfg-limit", Input).value = "-2"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "--limit -2" in notices(app)


async def test_language_switch_keeps_the_results(loaded, lang):
    app = LabApp(loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await finish(pilot)
        before = table_rows(app.screen.query_one("#ev-results", DataTable))
        lang("ko")
        app.screen._language_changed()  # what the app's language toggle calls
        await pilot.pause()
        assert table_rows(app.screen.query_one("#ev-results", DataTable)) == before
        shown = text_of(app)
        assert "지표" in shown and "평가 세트" in shown and "평가 실행" in shown


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_korean_screen_fits(snap_compare, loaded, lang, size):
    lang("ko")
    app = LabApp(loaded, {"tasks": ["course-mc", "sentiment-ko"], "limit": 2})
    app.animation_level = "none"  # the tab underline and the bar must not be caught mid-animation

    async def run(pilot) -> None:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await finish(pilot)
        app.screen._status("eval.status.idle")  # the timing and the saved folder differ on every run
        app.clear_notifications()
        for box in app.screen.query(Input):
            box.cursor_blink = False  # a blinking cursor is on or off at random when the picture is taken
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run)
