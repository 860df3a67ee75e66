"""Renderables for the generation lab's compare and chat-template tabs.

Pure functions from engine results to rich renderables, so the screen only decides
*when* to show something. The template view marks every newline with ``↵`` and
highlights special tokens, because the point of the tab is the exact string.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from .gen_strings import gt

SPECIAL = r"<\|?[a-z_]+\|?>|<(start|end)_of_turn>|<bos>|###[^\n↵]*"


def compare_table(comparison: Any) -> Table:
    """One row per run: label (beam score below a beam's label), log-probability, text."""
    table = Table(expand=True, show_lines=True, padding=(0, 1), caption=f"beam N ({gt('compare.score')})")
    table.add_column("", no_wrap=True)
    table.add_column(gt("compare.logprob"), justify="right", no_wrap=True)
    table.add_column("", ratio=1)
    for c in comparison.candidates:
        label = c.label if c.score is None else f"{c.label}\n({c.score:.2f})"
        table.add_row(label, f"{c.logprob:.1f}", Text(c.text))
    return table


def template_text(tokenizer: Any, messages: list[dict[str, str]], fmt: str, model_name: str) -> Text:
    """The rendered conversation with a title; a tokenizer without a template gets ChatML and a note."""
    from engine.generation import chat_formats as cf

    head = ""
    if fmt == "own" and not cf.has_template(tokenizer):
        fmt, head = "chatml", gt("template.none") + "\n"
    try:
        rendered = cf.render(tokenizer, messages, None if fmt == "own" else fmt, model_name=model_name)
    except Exception as exc:  # a DojoError (bad messages) or a template that raised
        return Text(str(exc), style="red")
    title = gt("template.own", model=model_name) if fmt == "own" else gt("template.builtin", fmt=fmt)
    body = Text(head, style="yellow")
    body.append(title + "\n", style="bold")
    body.append(gt("template.hint") + "\n", style="dim")
    for note in cf.format_notes(fmt, messages):
        body.append(note + "\n", style="yellow")
    body.append("\n")
    shown = Text(rendered.replace("\n", "↵\n"))
    shown.highlight_regex(SPECIAL, "bold magenta")
    body.append(shown)
    return body
