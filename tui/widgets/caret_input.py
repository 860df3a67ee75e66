"""An Input that puts the terminal cursor on its caret, so an IME composes there.

Terminal IMEs (Korean 2-beolsik in iTerm2, GNOME Terminal, Windows Terminal...)
draw the syllable being composed at the terminal's cursor, which Textual moves to
``App.cursor_position``. Textual 8.2's ``Input.cursor_screen_offset`` reports one
cell past the caret when the caret is at the end of the value (the common case while
typing), so the half-built syllable would float one cell to the right of the text.
This widget reports the caret cell itself (counted in terminal cells, so each
Hangul syllable moves it two cells) and re-reports it whenever the input moves or
resizes, because Textual only updates it on focus and on caret movement.

    >>> caret = CaretInput(value="한국")    # focused, caret at the end
    >>> caret.cursor_screen_offset.x - caret.content_region.x
    4
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.expand_tabs import expand_tabs_inline
from textual.geometry import Offset
from textual.widgets import Input


class CaretInput(Input):
    """``Input`` whose reported cursor position is the caret cell."""

    @property
    def cursor_screen_offset(self) -> Offset:
        x, y, _width, _height = self.content_region
        scroll_x, _ = self.scroll_offset
        before = expand_tabs_inline(self.value[: self.cursor_position], 4)
        return Offset(x + cell_len(before) - scroll_x, y)

    def _report_caret(self) -> None:
        if self.has_focus:
            self.app.cursor_position = self.cursor_screen_offset

    def on_focus(self) -> None:
        # Focus can land before the first layout; report again once placed.
        self.call_after_refresh(self._report_caret)

    def on_resize(self) -> None:
        self._report_caret()
