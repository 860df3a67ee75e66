"""Pure renderers for the attention lab: rich Text heatmaps with tokens on both axes.

Cells are coloured by value; a token label is cut or padded to an exact number of
terminal cells (``rich.cells.set_cell_size``), so a Hangul syllable (two cells wide)
never pushes a row out of line. Cells hidden by the causal mask show a dim '-'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from rich.color import Color
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

LABEL = 7
"""Cells for a row label."""


def fit(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` terminal cells (a wide character never half-shown)."""
    text = text.replace("\n", "\\n").replace("\t", " ").strip() or "_"
    return set_cell_size(text, width)


DARK = (20, 24, 40)
WARM = (255, 196, 60)
COOL = (70, 140, 255)
LEVELS = 24
"""Colour steps: styles are built once per step, not once per cell (a 64x64 map has 4,096 cells)."""


@lru_cache(maxsize=None)
def _style(level: int, cool: bool) -> Style:
    v = level / LEVELS
    hi = COOL if cool else WARM
    r, g, b = (int(a + (c - a) * v) for a, c in zip(DARK, hi))
    return Style(bgcolor=Color.from_rgb(r, g, b), color=Color.from_rgb(0, 0, 0) if v > 0.55 else
                 Color.from_rgb(255, 255, 255))


BOLD = Style(bold=True)
DIM = Style(dim=True)


def _merged(line: list[tuple[str, Style | None]]) -> list[tuple[str, Style | None]]:
    """Neighbouring cells with one style become one segment (the masked triangle is one run per row)."""
    out: list[tuple[str, Style | None]] = []
    for text, style in line:
        if out and out[-1][1] is style:
            out[-1] = (out[-1][0] + text, style)
        else:
            out.append((text, style))
    return out


class Heatmap:
    """A rich renderable of pre-cut segments, one list per line: fast to draw (no span splitting)."""

    def __init__(self, lines: list[list[tuple[str, Style | None]]]) -> None:
        self.lines = [_merged(line) for line in lines]

    @property
    def plain(self) -> str:
        return "\n".join("".join(text for text, _ in line) for line in self.lines)

    def __str__(self) -> str:
        return self.plain

    def __rich_console__(self, console: Any, options: Any) -> Any:
        for line in self.lines:
            for text, style in line:
                yield Segment(text, style)
            yield Segment.line()

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        width = max((sum(cell_len(text) for text, _ in line) for line in self.lines), default=0)
        return Measurement(width, width)


def cell_width(n: int, width: int) -> int:
    """Cells per heatmap column so ``n`` columns and a label fit ``width`` (1 to 4)."""
    return max(1, min(4, (width - LABEL - 1) // max(1, n)))


def heatmap(row_labels: Sequence[str], col_labels: Sequence[str], grid: Any, *, width: int,
            masked: Any = None, signed: bool = False, numbers: bool = True) -> Heatmap:
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
    levels = np.nan_to_num(np.rint(np.abs(visible) / top * LEVELS), nan=-1).astype(int)
    header: list[tuple[str, Style | None]] = [(" " * (LABEL + 1), None)]
    for j in range(shown):
        label = fit(col_labels[j], cw - 1) + " " if cw >= 2 else str(j % 10)
        header.append((label, BOLD))
    lines = [header]
    blank = " " * cw
    masked_cell = fit("-", cw)
    for i in range(n_rows):
        line: list[tuple[str, Style | None]] = [(fit(row_labels[i], LABEL) + " ", BOLD)]
        for j in range(shown):
            level = int(levels[i, j])
            if level < 0:
                line.append((masked_cell, DIM))
                continue
            v = float(visible[i, j])
            text = blank
            if numbers and cw >= 3:
                shown_value = f"{v * 100:.0f}" if not signed else f"{v:+.0f}"
                text = shown_value[-(cw - 1):].rjust(cw - 1) + " "
            line.append((text, _style(level, signed and v < 0)))
        lines.append(line)
    return Heatmap(lines)


def attends_line(tokens: Sequence[str], targets: Sequence[int]) -> str:
    """"The->The  cat->The ..." (ASCII arrows)."""
    return "  ".join(f"{fit(tokens[i], cell_len(tokens[i].strip() or '_'))}->{tokens[j].strip() or '_'}"
                     for i, j in enumerate(targets))
