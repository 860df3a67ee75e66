"""Screens that explain rather than do: labs list, coming-soon pages, too-small notice.

The labs list shows every lab the course knows; a lab is selectable once a screen
factory is registered for it in ``Services.labs``, otherwise it is listed as coming.
Runs and chat have a page that says what they do, shown only when their lab is not registered.
The too-small notice speaks both languages at once, because a student who cannot
read the screen cannot be expected to find the language toggle either.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import in_every_lang, t
from ..labs import LAB_ORDER
from .base import DojoScreen


class LabsScreen(DojoScreen):
    """Every lab; the registered ones open, the rest say they are coming."""

    BINDINGS = [Binding("escape", "back", "Back", id="info.back")]

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("labs.title")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("labs.intro"), id="labs-intro", classes="info-text")
        yield OptionList(*self._options(), id="labs-list")
        yield Footer()

    def _options(self) -> list[Option]:
        registered = self.dojo.services.labs
        options = []
        for lab in LAB_ORDER:
            ready = lab in registered
            label = t(f"lab.{lab}") if ready else t("labs.coming", lab=t(f"lab.{lab}"))
            options.append(Option(label, id=lab, disabled=not ready))
        return options

    def relabel(self) -> None:
        self.query_one("#labs-intro", Static).update(t("labs.intro"))
        labs = self.query_one("#labs-list", OptionList)
        highlighted = labs.highlighted
        labs.clear_options()
        labs.add_options(self._options())
        labs.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dojo.open_lab(event.option.id)

    def action_back(self) -> None:
        self.dismiss()


class ComingSoonScreen(DojoScreen):
    """What "runs" or "chat" does, when its lab is not registered (tests, a trimmed install)."""

    BINDINGS = [Binding("escape", "back", "Back", id="info.back")]

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t(f"soon.{self.kind}.title")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t(f"soon.{self.kind}.title"), id="soon-title", classes="info-title")
        yield Static(t(f"soon.{self.kind}.body"), id="soon-body", classes="info-text")
        yield Static(t("soon.back"), id="soon-back", classes="info-hint")
        yield Footer()

    def relabel(self) -> None:
        for widget_id, key in (("soon-title", "title"), ("soon-body", "body")):
            self.query_one(f"#{widget_id}", Static).update(t(f"soon.{self.kind}.{key}"))
        self.query_one("#soon-back", Static).update(t("soon.back"))

    def action_back(self) -> None:
        self.dismiss()


class TooSmallScreen(DojoScreen):
    """Covers everything while the terminal is under 80x24; the app pops it when fixed.
    It already speaks every language, so a language change has nothing to redraw."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self._terminal = (width, height)

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(self._notice(), id="too-small")

    def _notice(self) -> str:
        width, height = self._terminal
        return "\n\n".join(in_every_lang("small.notice", width=width, height=height))

    def relabel(self) -> None:
        pass

    def show_size(self, width: int, height: int) -> None:
        self._terminal = (width, height)
        for notice in self.query("#too-small").results(Static):
            notice.update(self._notice())
