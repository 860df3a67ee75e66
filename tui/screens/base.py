"""What every LLM Dojo screen shares: live language and translated key bindings.

Bindings are declared in English in ``BINDINGS`` (each with an ``id``); the footer
shows ``t("key.<id>")`` instead, rebuilt whenever the language changes. Screens
watch the app's ``lang`` reactive (attributes flow down) and re-render themselves in
``relabel``; the default recomposes, screens with state to keep (a scroll position,
a highlighted row) override it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from ..i18n import say, t

if TYPE_CHECKING:
    from ..app import DojoApp


def localize_bindings(node: DOMNode) -> None:
    """Rebuild ``node``'s bindings from its class, described in the live language.

    A binding with an id shows ``t("key.<id>")``; a binding group declared as
    ``Binding.Group("move")`` shows ``t("group.move")``. Rebuilding from the class
    (rather than rewriting in place) keeps those source keys for the next toggle.
    """
    bindings = type(node)._merge_bindings()
    for key, key_bindings in bindings.key_to_bindings.items():
        bindings.key_to_bindings[key] = [_localize(binding) for binding in key_bindings]
    node._bindings = bindings


def _localize(binding: Binding) -> Binding:
    if not binding.id:
        return binding
    group = binding.group
    if group is not None:
        group = replace(group, description=t(f"group.{group.description}"))
    return replace(binding, description=t(f"key.{binding.id}"), group=group)


class Localized:
    """Mixin for screens: translate bindings now and whenever the language changes."""

    @property
    def dojo(self) -> DojoApp:
        """The running app, typed (its course, store and navigation)."""
        assert isinstance(self, Screen)
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        assert isinstance(self, Screen)
        localize_bindings(self)
        self._apply_titles()
        if hasattr(self.app, "lang"):  # absent in a bare test app that hosts one lab screen
            self.watch(self.app, "lang", self._language_changed, init=False)

    def _language_changed(self) -> None:
        assert isinstance(self, Screen)
        localize_bindings(self)
        self.refresh_bindings()
        self._apply_titles()
        self.relabel()

    def titles(self) -> tuple[str, str]:
        """(title, sub-title) for the header, in the live language."""
        return t("app.title"), ""

    def _apply_titles(self) -> None:
        # Set here, not in compose(): the Header watches these and updates itself.
        assert isinstance(self, Screen)
        self.title, self.sub_title = self.titles()

    def relabel(self) -> None:
        """Re-render every visible string in the live language."""
        assert isinstance(self, Screen)
        self.refresh(recompose=True)

    def notify_error(self, error: BaseException | None, *, timeout: float = 10) -> str:
        """Show a worker's error as one translated line (a user error as the engine says it,
        a bug as its type and first line) -> the text shown."""
        assert isinstance(self, Screen)
        text = describe_error(error)
        self.notify(text, severity="error", timeout=timeout, markup=False)
        return text


def describe_error(error: BaseException | None) -> str:
    """One translated line for an exception: a ``DojoError`` through ``say``; anything else
    as "Unexpected error: Type: first line"."""
    from engine.errors import DojoError

    if isinstance(error, DojoError):
        return say(error)
    first = f"{type(error).__name__}: {error}".splitlines()[0]
    return t("error.unexpected", error=first)


ResultType = TypeVar("ResultType")


class DojoScreen(Localized, Screen[None]):
    """A full screen of the app."""


class DojoModal(Localized, ModalScreen[ResultType]):
    """A dialog on top of another screen."""
