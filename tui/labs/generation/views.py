"""Renderables for the generation lab's compare and chat-template tabs.

Pure functions from engine results to rich renderables, so the screen only decides
*when* to show something. The template view marks every newline with ``↵`` and
highlights special tokens, because the point of the tab is the exact string.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.table import Table
from rich.text import Text

from ...i18n import say, t

SPECIAL = r"<\|?[a-z_]+\|?>|<(start|end)_of_turn>|<bos>|###[^\n↵]*"


def compare_table(candidates: list[Any], label: Callable[[Any], str]) -> Table:
    """One compact row per run: its name, log-probability, beam score, and the text on one
    line (cut with an ellipsis), so every strategy fits on screen at once."""
    table = Table(expand=True, box=None, padding=(0, 1), header_style="bold")
    table.add_column(t("gen.compare.run"), no_wrap=True)
    table.add_column(t("gen.compare.logprob"), justify="right", no_wrap=True)
    table.add_column(t("gen.compare.score"), justify="right", no_wrap=True)
    table.add_column(t("gen.compare.text"), ratio=1, no_wrap=True, overflow="ellipsis")
    for c in candidates:
        text = Text(" ".join(c.text.split()))
        table.add_row(label(c), f"{c.logprob:.1f}", "" if c.score is None else f"{c.score:.2f}", text)
    return table


def template_text(tokenizer: Any, messages: list[dict[str, str]], fmt: str, model_name: str) -> Text:
    """The rendered conversation with a title; a tokenizer without a template gets ChatML and a note."""
    from engine.generation import chat_formats as cf

    head = ""
    if fmt == "own" and not cf.has_template(tokenizer):
        fmt, head = "chatml", t("gen.template.none") + "\n"
    try:
        rendered = cf.render(tokenizer, messages, None if fmt == "own" else fmt, model_name=model_name)
    except Exception as exc:  # a DojoError (bad messages) or a template that raised
        return Text(say(exc), style="red")
    title = t("gen.template.own", model=model_name) if fmt == "own" else t("gen.template.builtin", fmt=fmt)
    body = Text(head, style="yellow")
    body.append(title + "\n", style="bold")
    body.append(t("gen.template.hint") + "\n", style="dim")
    for note in cf.format_notes(fmt, messages):
        body.append(say(note) + "\n", style="yellow")
    body.append("\n")
    shown = Text(rendered.replace("\n", "↵\n"))
    shown.highlight_regex(SPECIAL, "bold magenta")
    body.append(shown)
    return body
