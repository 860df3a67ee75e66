"""F12 in a lab (issue 21): the code panel shows the snippet for what the lab just did; `s` saves
it under the data directory, and the saved file, run on its own, prints the lab's output."""

from __future__ import annotations

import pytest

from engine.codegen.snippet import Snippet
from tui.i18n import set_lang
from tui.labs.generation.screen import GenerationScreen
from tui.widgets.code_panel import CodePanel

from .helpers import LabApp, run_snippet, text_of


@pytest.fixture(scope="module")
def loaded(tiny_llama_dir):
    from engine.models.load import load_model

    return load_model(str(tiny_llama_dir))


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_generation_lab_code_runs_and_prints_what_the_lab_wrote(loaded, tiny_llama_dir, isolated_home):
    set_lang("en")
    example = {"prompt": "hello world", "max_new_tokens": 10}
    app = LabApp(GenerationScreen(str(tiny_llama_dir), example, load=lambda name: loaded))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        lab = app.screen
        await pilot.press("ctrl+r")
        await settle(pilot)
        written = lab.result.text
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        shown = text_of(app)
        assert "AutoModelForCausalLM" in shown and "Save .py" in shown
        assert "model.generate(" in app.screen.snippet.code and "max_new_tokens=10" in app.screen.snippet.code
        await pilot.press("s")
        await pilot.pause()
        [saved] = list((isolated_home / "code").glob("generation-*.py"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lab
    assert run_snippet(saved.read_text(encoding="utf-8")).strip() == written.strip()


async def test_code_panel_in_korean_saves_a_notebook(isolated_home):
    set_lang("ko")
    try:
        app = LabApp(CodePanel(Snippet("토크나이저 예제", "print('안녕')\n\n\nprint(1 + 1)", ("tokenizers",)), "tokenizer"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert ".ipynb 저장" in text_of(app) and "토크나이저 예제" in text_of(app)
            await pilot.press("n")
            await pilot.pause()
        [nb] = list((isolated_home / "code").glob("tokenizer-*.ipynb"))
        import nbformat

        cells = nbformat.read(nb, as_version=4).cells
        assert [c.cell_type for c in cells] == ["markdown", "code", "code"] and cells[2].source == "print(1 + 1)"
    finally:
        set_lang("en")
