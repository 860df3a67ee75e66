"""Markdown for lesson text, with raw HTML turned off.

Lessons talk about tokens such as ``</w>`` and ``<|im_end|>``. With markdown-it's
default "gfm-like" preset those read as HTML tags and silently vanish; here they are
plain text, as a student should see them.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from textual.widgets import Markdown


def _parser() -> MarkdownIt:
    return MarkdownIt("gfm-like", {"html": False})


class Reading(Markdown):
    """A Markdown widget that shows ``<tags>`` literally."""

    def __init__(self, markdown: str | None = None, **kwargs) -> None:
        kwargs.setdefault("parser_factory", _parser)
        super().__init__(markdown, **kwargs)
