"""The code panel itself at 80x24 and 120x40, in Korean (issue 21): title, highlighted code with
Korean strings, and its footer (copy, save .py, save .ipynb, close), nothing cut off."""

from __future__ import annotations

import types

import pytest
from textual.app import App

from engine.codegen.generation import generation_snippet
from engine.generation.params import SamplingParams
from tui.i18n import set_lang
from tui.labs import register_strings
from tui.widgets.code_panel import CodePanel


class PanelApp(App):
    def __init__(self, snippet) -> None:
        super().__init__()
        register_strings()
        self.snippet = snippet

    def on_mount(self) -> None:
        self.push_screen(CodePanel(self.snippet, "generation"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_code_panel_in_korean(snap_compare, monkeypatch, size):
    # the header carries the export date: pinned, so the snapshot is the same every day
    monkeypatch.setattr("engine.codegen.snippet.time", types.SimpleNamespace(strftime=lambda fmt: "2026-12-03"))
    monkeypatch.setattr("engine.codegen.generation.model_path", lambda name: "/home/student/models/dojo-tiny")
    set_lang("ko")
    snippet = generation_snippet("dojo-tiny", "토크나이저가 뭐예요?", SamplingParams(
        do_sample=True, temperature=0.8, top_k=20, seed=5, max_new_tokens=16), chat=True, system="친절하게 답하세요.")
    assert snap_compare(PanelApp(snippet), terminal_size=size)
