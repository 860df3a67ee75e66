"""The models lab: Pilot picks models from the list and reads the tour; a Korean 80x24 snapshot."""

from __future__ import annotations

import pytest

from .conftest import make_app, screen_text


async def _settle(app, pilot) -> None:
    for _ in range(4):
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
    await pilot.pause()


async def test_tour_and_switch_model(dojo_home, tiny_llama_dir, tmp_path) -> None:
    from engine.models.gguf import convert_events
    from tests.engine.gguf_fixture import write_llama_gguf

    for _ in convert_events(write_llama_gguf(tiny_llama_dir, tmp_path / "t.gguf"), "my-gguf"):
        pass
    app = make_app("en")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.open_lab("models", {"model": "dojo-tiny"})
        await _settle(app, pilot)
        text = screen_text(app)
        assert "dojo-tiny: LlamaForCausalLM, 5,261,568 parameters" in text
        assert "KV cache per 1k tokens: bf16 4.0 MiB" in text
        assert "dojo-tiny-mlm" in text and "built-in" in text
        assert "my-gguf" in text and "imported" in text  # the model added with llm-dojo models add
        await pilot.press("f2", "down", "enter")  # the second model in the list: dojo-tiny-mlm
        await _settle(app, pilot)
        text = screen_text(app)
        assert "dojo-tiny-mlm: BertForMaskedLM" in text and "No KV cache" in text
        await pilot.press("escape")
        await pilot.pause()
        assert "dojo-tiny-mlm: BertForMaskedLM" not in screen_text(app)


async def test_unknown_model_is_one_notice(dojo_home) -> None:
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_lab("models", {"model": "no-such-model"})
        await _settle(app, pilot)
        assert any("no model named 'no-such-model'" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize("lang", ["ko"])
def test_snapshot_ko_80x24(snap_compare, dojo_home, lang: str) -> None:
    app = make_app(lang)

    async def open_tour(pilot) -> None:
        await pilot.pause()
        app.open_lab("models", {"model": "dojo-tiny"})
        await _settle(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_tour)
