"""A live loss plot: train loss and eval loss on the left axis, learning rate on the right.

Text inside the plot stays ASCII: plotext counts every character as one cell, so
Hangul (two cells wide) would shift the frame. The translated explanation of the
axes is shown by the owner, outside the plot.

A thin ``PlotextPlot``: owners hand it whole series (``set_series``) and it redraws
once per call, never per point, so a burst of events costs one redraw. Plotext
builds the picture in ``render``, which Textual calls only when the widget is shown
and dirty.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot



class RunPlot(PlotextPlot):
    """Loss curves of one run. ``points`` counts what is drawn (tests and benches read it)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.train: list[tuple[int, float]] = []
        self.eval: list[tuple[int, float]] = []
        self.lr: list[tuple[int, float]] = []

    @property
    def points(self) -> int:
        return len(self.train) + len(self.eval)

    def set_series(self, train: list[tuple[int, float]], eval_: list[tuple[int, float]],
                   lr: list[tuple[int, float]]) -> None:
        self.train, self.eval, self.lr = list(train), list(eval_), list(lr)
        self._draw()

    def clear(self) -> None:
        self.set_series([], [], [])

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.xlabel("step")
        if self.train:
            x, y = zip(*self.train)
            plt.plot(list(x), list(y), label="train loss", marker="braille", color="cyan")
        if self.eval:
            x, y = zip(*self.eval)
            plt.plot(list(x), list(y), label="eval loss", marker="dot", color="orange")
        if self.lr:
            x, y = zip(*self.lr)
            plt.plot(list(x), list(y), label="lr (right)", marker="braille", color="gray", yside="right")
        self.refresh()
