"""Pure renderers for the attention lab: rich Text heatmaps with tokens on both axes.

Cells are coloured by value; a token label is cut or padded to an exact number of
terminal cells (``rich.cells.set_cell_size``), so a Hangul syllable (two cells wide)
never pushes a row out of line. Cells hidden by the causal mask show a dim '-'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

LABEL = 7
"""Cells for a row label."""


def fit(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` terminal cells (a wide character never half-shown)."""
    text = text.replace("\n", "\\n").replace("\t", " ").strip() or "_"
    return set_cell_size(text, width)


def _mix(value: float, lo: tuple[int, int, int], hi: tuple[int, int, int]) -> str:
    v = min(1.0, max(0.0, value))
    r, g, b = (int(a + (c - a) * v) for a, c in zip(lo, hi))
    return f"rgb({r},{g},{b})"


DARK = (20, 24, 40)
WARM = (255, 196, 60)
COOL = (70, 140, 255)


def cell_width(n: int, width: int) -> int:
    """Cells per heatmap column so ``n`` columns and a label fit ``width`` (1 to 4)."""
    return max(1, min(4, (width - LABEL - 1) // max(1, n)))


def heatmap(row_labels: Sequence[str], col_labels: Sequence[str], grid: Any, *, width: int,
            masked: Any = None, signed: bool = False, numbers: bool = True) -> Text:
    """Rows x columns of coloured cells; ``signed`` colours negatives cool and positives warm (scores),
    else 0..max is dark..warm (weights). Columns that do not fit ``width`` are left out."""
    import numpy as np

    grid = np.asarray(grid, dtype=float)
    n_rows, n_cols = grid.shape
    cw = cell_width(n_cols, width)
    shown = min(n_cols, max(1, (width - LABEL - 1) // cw))
    visible = grid if masked is None else np.where(masked, np.nan, grid)
    finite = visible[np.isfinite(visible)]
    top = float(np.abs(finite).max()) if finite.size else 1.0
    top = top or 1.0
    out = Text(no_wrap=True, overflow="crop")
    out.append(" " * (LABEL + 1))
    for j in range(shown):
        label = col_labels[j] if cw >= 2 else str(j % 10)
        out.append(fit(label, cw - 1 if cw >= 2 else 1) + (" " if cw >= 2 else ""), style="bold")
    out.append("\n")
    for i in range(n_rows):
        out.append(fit(row_labels[i], LABEL) + " ", style="bold")
        for j in range(shown):
            v = visible[i, j]
            if not np.isfinite(v):
                out.append(fit("-", cw), style="dim")
                continue
            if signed:
                colour = _mix(abs(v) / top, DARK, WARM if v >= 0 else COOL)
            else:
                colour = _mix(v / top, DARK, WARM)
            light = (abs(v) / top) > 0.55
            text = ""
            if numbers and cw >= 3:
                text = f"{v:.0%}"[:-1] if not signed else f"{v:+.0f}"
                text = text[-(cw - 1):]
            out.append(text.rjust(cw - 1).ljust(cw) if cw >= 2 else " ",
                       style=Style(bgcolor=colour, color="black" if light else "white"))
        if i < n_rows - 1:
            out.append("\n")
    return out


def attends_line(tokens: Sequence[str], targets: Sequence[int]) -> str:
    """"The->The  cat->The ..." (ASCII arrows)."""
    return "  ".join(f"{fit(tokens[i], cell_len(tokens[i].strip() or '_'))}->{tokens[j].strip() or '_'}"
                     for i, j in enumerate(targets))
