"""A one-line numeric slider: label, track, value. Seven of them fit an 80x24 sidebar.

textual-slider's ``Slider`` is three rows high with a border and holds integers
only; the generation lab needs seven float and integer knobs stacked in a 30-column
sidebar, so this one draws on a single row. Keys: left/right one step, shift (or
pgup/pgdn) ten steps, home/end the ends; a mouse click jumps to the spot.
A value equal to ``off_value`` is shown as ``off_label`` (top-k 0 = "off").

    >>> s = ValueSlider("temperature", "temp", 0.0, 2.0, 0.05, 0.8)
    >>> s.value
    0.8
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class ValueSlider(Widget, can_focus=True):
    """One knob. Posts :class:`ValueSlider.Changed` whenever the value changes."""

    DEFAULT_CSS = """
    ValueSlider { height: 1; width: 1fr; }
    ValueSlider:focus { background: $boost; text-style: bold; }
    """
    BINDINGS = [
        Binding("left", "nudge(-1)", "Less", show=False, id="slider.less"),
        Binding("right", "nudge(1)", "More", show=False, id="slider.more"),
        Binding("shift+left,pagedown", "nudge(-10)", "Much less", show=False, id="slider.much_less"),
        Binding("shift+right,pageup", "nudge(10)", "Much more", show=False, id="slider.much_more"),
        Binding("home", "to_end(0)", "Minimum", show=False, id="slider.min"),
        Binding("end", "to_end(1)", "Maximum", show=False, id="slider.max"),
    ]
    LABEL_CELLS = 12
    VALUE_CELLS = 5

    value: reactive[float] = reactive(0.0, init=False)

    class Changed(Message):
        def __init__(self, slider: ValueSlider, value: float) -> None:
            super().__init__()
            self.slider = slider
            self.value = value

        @property
        def control(self) -> ValueSlider:
            return self.slider

    def __init__(self, key: str, label: str, minimum: float, maximum: float, step: float, value: float, *,
                 off_value: float | None = None, off_label: str = "off", id: str | None = None) -> None:
        super().__init__(id=id)
        self.key = key
        self.label = label
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        self.off_value = off_value
        self.off_label = off_label
        self.integer = float(step).is_integer() and float(minimum).is_integer()
        self.set_reactive(ValueSlider.value, self._snap(value))

    def _snap(self, value: float) -> float:
        value = min(max(value, self.minimum), self.maximum)
        steps = round((value - self.minimum) / self.step)
        snapped = self.minimum + steps * self.step
        snapped = min(max(snapped, self.minimum), self.maximum)
        return float(int(round(snapped))) if self.integer else round(snapped, 6)

    def validate_value(self, value: float) -> float:
        return self._snap(value)

    def watch_value(self, value: float) -> None:
        self.post_message(self.Changed(self, value))

    @property
    def number(self) -> float | int:
        """The value as the engine wants it: int for integer knobs."""
        return int(self.value) if self.integer else self.value

    def set_range(self, maximum: float) -> None:
        """Change the maximum (max new tokens follows the model's context)."""
        self.maximum = maximum
        self.value = self._snap(self.value)
        self.refresh()

    def action_nudge(self, steps: int) -> None:
        self.value = self._snap(self.value + steps * self.step)

    def action_to_end(self, end: int) -> None:
        self.value = self.maximum if end else self.minimum

    def _shown(self) -> str:
        if self.off_value is not None and self.value == self.off_value:
            return self.off_label
        if self.integer:
            return str(int(self.value))
        return f"{self.value:.2f}"

    def _track_cells(self) -> int:
        return max(4, self.size.width - self.LABEL_CELLS - self.VALUE_CELLS - 2)

    def render(self) -> Text:
        label = self.label
        while cell_len(label) > self.LABEL_CELLS - 1:
            label = label[:-1]
        cells = self._track_cells()
        span = self.maximum - self.minimum
        pos = 0 if span <= 0 else round((self.value - self.minimum) / span * (cells - 1))
        text = Text(label + " " * (self.LABEL_CELLS - cell_len(label)), style="bold" if self.has_focus else "")
        text.append("━" * pos, style="cyan")
        text.append("●", style="bold cyan")
        text.append("─" * (cells - 1 - pos), style="grey50")
        shown = self._shown()
        text.append(" " * (1 + max(0, self.VALUE_CELLS - cell_len(shown))) + shown)
        return text

    def on_click(self, event: events.Click) -> None:
        cells = self._track_cells()
        x = event.x - self.LABEL_CELLS
        if 0 <= x < cells:
            fraction = x / max(1, cells - 1)
            self.value = self._snap(self.minimum + fraction * (self.maximum - self.minimum))
        self.focus()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
