"""A live plot of a run: losses on the left axis, one secondary measure on the right.

It draws a ``RunHistory``'s series (``engine.runs.history``), whatever the run kind:
train and eval loss on the left; on the right the reward margin of a DPO run, else
the held-out accuracy, else the learning rate. Choices that keep a curve readable:

* the y range follows the data as it comes, ignoring the first few percent of the
  steps (the untrained model's first loss would otherwise flatten the whole curve
  against the bottom row); ``toggle_log`` switches to a log scale;
* step ticks are whole numbers;
* no legend inside the frame (it covered the curve): the owner shows the colours in
  a caption (:meth:`legend`), translated. Text inside the plot stays ASCII: plotext
  counts every character as one cell, so Hangul would shift the frame.

Owners hand it a whole history (``show``) and it redraws once per call, never per
point, so a burst of events costs one redraw.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    from engine.runs.history import RunHistory

LEFT = ("train/loss", "eval/loss")
RIGHT = ("rewards/margins", "eval/accuracy", "lr")
COLORS = {"train/loss": "cyan", "eval/loss": "orange", "lr": "gray", "eval/accuracy": "green",
          "rewards/margins": "magenta"}
RICH = {"orange": "dark_orange", "gray": "grey50"}
"""plotext colour names rich does not know, for the caption that explains the lines."""


def y_range(series: list[list[tuple[int, float]]], last_step: int) -> tuple[float, float] | None:
    """Limits that show the curves' shape: min..max of the points after the first 5% of the
    steps (and after step 0, the untrained model), padded a little.

    >>> y_range([[(0, 10.8), (10, 2.0), (20, 1.0)], [(0, 10.5), (20, 0.9)]], 20)
    (0.845, 2.055)
    """
    cutoff = max(0.0, last_step * 0.05)
    shown = [v for points in series for step, v in points if step > cutoff and math.isfinite(v)]
    if len(shown) < 2:
        shown = [v for points in series for _, v in points if math.isfinite(v)]
    if not shown:
        return None
    lo, hi = min(shown), max(shown)
    pad = (hi - lo) * 0.05 or abs(hi) * 0.05 or 0.05
    return round(lo - pad, 6), round(hi + pad, 6)


def int_ticks(last: int, count: int = 5) -> list[int]:
    """Whole-number step ticks from 0 to ``last``.

    >>> int_ticks(87), int_ticks(3)
    ([0, 20, 40, 60, 80], [0, 1, 2, 3])
    """
    if last <= count:
        return list(range(0, max(last, 1) + 1))
    raw = last / count
    magnitude = 10 ** int(math.floor(math.log10(raw)))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, last + 1, int(step)))


class RunPlot(PlotextPlot):
    """Curves of one run. ``points`` counts what is drawn (tests and benches read it)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.series: dict[str, list[tuple[int, float]]] = {}
        self.log_scale = False
        self.right: str | None = None

    @property
    def points(self) -> int:
        return sum(len(self.series.get(k, [])) for k in LEFT)

    def show(self, history: RunHistory | None) -> None:
        self.series = {k: list(v) for k, v in history.series.items()} if history is not None else {}
        self.right = next((k for k in RIGHT if self.series.get(k)), None)
        self._draw()

    def clear(self) -> None:
        self.show(None)

    def toggle_log(self) -> bool:
        self.log_scale = not self.log_scale
        self._draw()
        return self.log_scale

    def legend(self) -> list[tuple[str, str]]:
        """(series key, rich colour of its line) of what is drawn, left axis first."""
        keys = [k for k in LEFT if self.series.get(k)] + ([self.right] if self.right else [])
        return [(k, RICH.get(COLORS[k], COLORS[k])) for k in keys]

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()  # limits and scale too; the theme is applied at render
        left = [k for k in LEFT if self.series.get(k)]
        last = max((p[0] for points in self.series.values() for p in points), default=0)
        log = self.log_scale and all(v > 0 for k in left for _, v in self.series[k])
        plt.yscale("log" if log else "linear")
        for key in left:
            x, y = zip(*self.series[key])
            plt.plot(list(x), list(y), marker="braille" if key == "train/loss" else "dot", color=COLORS[key])
        if self.right:
            x, y = zip(*self.series[self.right])
            plt.plot(list(x), list(y), marker="braille", color=COLORS[self.right], yside="right")
        limits = y_range([self.series[k] for k in left], last) if left and not log else None
        if limits:
            plt.ylim(*limits)
        if last:
            ticks = int_ticks(last)
            plt.xticks(ticks, [str(t) for t in ticks])
        plt.xlabel("step")
        self.refresh()
