"""The LoRA and DPO labs: the training screen's forms for the new run kinds, pressed with Pilot."""

from __future__ import annotations

import time

import pytest
from textual.app import App
from textual.widgets import Input, Select

from engine.runs import store
from tui.i18n import set_lang
from tui.labs import PACKAGES, register_strings
from tui.labs.training.screen import TrainingScreen
from tui.widgets.runs.plot import RunPlot
from tui.widgets.runs.view import RunView

from .conftest import make_app, screen_text


class Host(App[None]):
    def __init__(self, screen) -> None:
        super().__init__()
        register_strings()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


@pytest.fixture(autouse=True)
def english(monkeypatch):
    import engine.runs.spec

    monkeypatch.setattr(engine.runs.spec, "gpu_present", lambda: False)
    set_lang("en")
    yield
    set_lang("en")


async def until(pilot, predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_lora_and_dpo_labs_open_the_training_package():
    assert PACKAGES["lora"] == PACKAGES["dpo"] == PACKAGES["sft"] == "tui.labs.training"


async def test_lora_form_shows_the_adapter_size_and_refuses_qlora_on_cpu(tiny_llama_dir, monkeypatch):
    from engine.runs import launcher

    monkeypatch.setattr(launcher, "gpu_present", lambda: False)
    app = Host(TrainingScreen({"model": str(tiny_llama_dir), "max_seq_length": 64}, kind="lora"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        size = str(app.screen.query_one("#form-lora-size").render())
        assert "8,704 of" in size  # r=8 on the 14 projections of the tiny Llama: 2 x 8 x 544
        app.screen.query_one("#cfg-lora-r", Input).value = "4"
        await pilot.pause()
        assert "4,352 of 44,192" in str(app.screen.query_one("#form-lora-size").render())
        app.screen.query_one("#cfg-target-modules", Input).value = "query"
        await pilot.pause()
        assert "--target query matches no linear layer" in str(app.screen.query_one("#form-lora-size").render())
        app.screen.query_one("#cfg-target-modules", Input).value = ""
        app.screen.query_one("#cfg-qlora", Select).value = True
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("QLoRA needs a CUDA GPU" in n.message for n in app._notifications), 20,
                    "the QLoRA refusal")
        assert store.all_run_dirs() == [] and app.screen.query_one(RunView).run_id is None
        assert app.screen.titles()[1] == "LoRA adapters (PEFT)"


@pytest.mark.slow
async def test_dpo_form_starts_a_dpo_run_and_plots_the_reward_margin(tiny_llama_dir):
    # an eighth of an epoch of the 192 built-in training pairs at batch 8: 3 steps
    screen = TrainingScreen({"model": str(tiny_llama_dir), "max_seq_length": 64, "epochs": 0.125, "batch_size": 8},
                            kind="dpo")
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#cfg-method", Select).value == "lora"
        assert app.screen.query_one("#cfg-beta", Input).value == "0.1"
        await pilot.press("ctrl+s")
        view = app.screen.query_one(RunView)
        await until(pilot, lambda: view.run_id is not None or app._notifications, 30, "the run to start")
        assert view.run_id is not None, [n.message for n in app._notifications]
        await until(pilot, lambda: view.run_state == "completed", 180, "the run to complete")
        spec = store.load_spec(store.find_run(view.run_id))
        assert spec.kind == "dpo" and spec.method == "lora" and spec.task == "preference"
        plot = app.screen.query_one(RunPlot)
        assert plot.right == "rewards/margins" and len(plot.series["rewards/margins"]) == 3
        assert "reward margin" in str(app.screen.query_one("#run-plot-caption").render())


def test_lora_lab_in_korean_at_80x24(snap_compare, dojo_home, monkeypatch):
    app = make_app("ko")

    async def open_lora(pilot) -> None:
        await pilot.pause()
        app.open_lab("lora", {})
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_lora)


async def test_lora_lab_opens_from_the_app_with_korean_labels(dojo_home):
    app = make_app("ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.open_lab("lora", {})
        await pilot.pause()
        text = screen_text(app)
        assert "LoRA 랭크 r" in text and "어댑터: 가중치" in text
        assert app.open_lab("dpo", {})
        await pilot.pause()
        assert "DPO 베타" in screen_text(app)


@pytest.fixture
def finished_lora_run(tiny_llama_dir):
    """A completed LoRA run as the worker leaves it: its adapter in <run>/model."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from engine.runs.spec import RunSpec

    run_dir = store.create_run(RunSpec(task="instruction", model=str(tiny_llama_dir), method="lora"))
    torch.manual_seed(0)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_llama_dir),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    model.save_pretrained(run_dir / "model")
    AutoTokenizer.from_pretrained(tiny_llama_dir).save_pretrained(run_dir / "model")
    store.write_status(run_dir, state="completed", output=str(run_dir / "model"))
    return run_dir


async def test_a_finished_adapter_offers_chat_evaluate_and_merge(finished_lora_run, tiny_llama_dir):
    """Issue 13: c opens the chat lab with the adapter on its base, e the evaluation lab with base and
    adapter, m merges it into a standalone model."""
    from textual.screen import Screen

    from tui.labs.runs.screen import RunsScreen

    opened: list[tuple[str, dict]] = []

    def recorder(name):
        def factory(try_it):
            opened.append((name, dict(try_it)))
            return Screen()
        return factory

    app = make_app("en", labs={"chat": recorder("chat"), "evaluation": recorder("evaluation")})
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(RunsScreen())
        await pilot.pause()
        adapter = str(finished_lora_run / "model")
        await pilot.press("c")
        await pilot.pause()
        assert opened[-1] == ("chat", {"model": str(tiny_llama_dir), "adapters": [adapter]})
        app.pop_screen()
        await pilot.press("e")
        await pilot.pause()
        assert opened[-1] == ("evaluation", {"model": str(tiny_llama_dir), "adapters": [adapter],
                                             "tasks": ["course-mc", "course-qa"]})
        app.pop_screen()
        await pilot.press("m")
        await until(pilot, lambda: any("Merged:" in n.message for n in app._notifications), 60, "the merge")
        merged = finished_lora_run / "model-merged"
        assert (merged / "config.json").exists() and list(merged.glob("*.safetensors"))
        assert not (merged / "adapter_config.json").exists()
        assert "c chat" in screen_text(app) and "m merge" in screen_text(app)
