"""The next-token panel: each sampling stage as a column of bars, one row per token.

It draws a ``PipelineView`` (from ``engine.generation.pipeline``) and nothing else:
the screen hands it a new view whenever a slider moves, so the panel never touches
the model. Each stage's bars are scaled to that stage's largest probability, so moving
top-k never changes the raw column; the numbers beside them carry the absolute values.
In greedy mode (sampling off, or temperature 0) only ``raw`` and ``final`` are shown,
with a line saying why.
Token pieces are shown with visible whitespace (``␣`` space, ``↵`` newline) and cut to
fit in terminal cells, Hangul counted as two.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from ...i18n import t

EIGHTHS = " ▏▎▍▌▋▊▉█"
TOKEN_CELLS = 9


def visible(piece: str) -> str:
    return piece.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


def fit(text: str, cells: int) -> str:
    """``text`` cut (with …) or padded to exactly ``cells`` terminal cells."""
    if cell_len(text) > cells:
        while cell_len(text) > cells - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (cells - cell_len(text))


def bar(fraction: float, cells: int) -> str:
    """A left-aligned bar of ``cells`` cells, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * cells * 8)
    full, part = divmod(eighths, 8)
    out = "█" * full + (EIGHTHS[part] if part and full < cells else "")
    return out + " " * (cells - len(out))


class NextTokenPanel(Widget):
    """Shows the stages of one ``PipelineView``; ``show(view, passes)`` replaces it."""

    DEFAULT_CSS = "NextTokenPanel { height: auto; min-height: 3; }"

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: Any = None
        self.forward_passes = 0
        self.message = ""

    def show(self, view: Any, forward_passes: int) -> None:
        self.view = view
        self.forward_passes = forward_passes
        self.message = ""
        self.refresh(layout=True)

    def show_message(self, text: str) -> None:
        self.view = None
        self.message = text
        self.refresh(layout=True)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return 3 + len(self.view.rows) + int(self.view.greedy) if self.view is not None else 2

    def render(self) -> Text:
        if self.view is None:
            return Text(self.message or t("gen.next.waiting"), style="dim")
        view = self.view
        width = max(40, self.size.width)
        stages = view.stages
        col = max(5, (width - TOKEN_CELLS - 6) // len(stages))
        out = Text(t("gen.next.header", n=self.forward_passes, vocab=view.vocab_size) + "\n", style="dim")
        if view.greedy:
            out.append(t("gen.next.greedy") + "\n", style="yellow")
        out.append(" " * TOKEN_CELLS)
        for s in stages:
            out.append(fit(t(f"gen.stage.{s.name}"), col), style="bold")
        out.append("\n" + fit(t("gen.next.kept"), TOKEN_CELLS - 1) + " ", style="dim")
        for s in stages:
            out.append(fit(f"{s.kept:,}", col), style="dim")
        for i, row in enumerate(view.rows):
            out.append("\n" + fit(visible(row.text), TOKEN_CELLS))
            for j, s in enumerate(stages):
                p = s.probs[i]
                last = j == len(stages) - 1
                cells = col - 6 if last else col - 1
                if p <= 0:
                    out.append(fit("·", col), style="grey35")
                    continue
                style = "green" if last else "cyan" if s.name in ("raw", "penalty", "temperature") else "yellow"
                out.append(bar(p / (max(s.probs) or 1.0), cells), style=style)
                out.append(f"{p:5.1%}"[:6].rjust(6) if last else " ")
        return out
