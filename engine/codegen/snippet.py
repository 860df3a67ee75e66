"""A snippet: code, what it shows, and how it is saved (``.py``, or ``.ipynb`` with nbformat)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import DojoError


@dataclass(frozen=True)
class Snippet:
    title: str
    """What the code does, in a few words (the first comment line)."""
    code: str
    """The whole runnable file, imports included."""
    libraries: tuple[str, ...] = ()
    """The packages it imports (for the header and the notebook's first cell)."""

    def text(self) -> str:
        head = f"# {self.title}\n# Exported by LLM Dojo on {time.strftime('%Y-%m-%d')}; uses {', '.join(self.libraries)}.\n"
        return head + "# Run it as is: python this_file.py\n\n" + self.code.strip() + "\n"


def save_snippet(snippet: Snippet, path: Path | str) -> Path:
    """Write ``snippet`` to ``path``: a notebook for ``.ipynb`` (needs nbformat), else Python."""
    path = Path(path).expanduser()
    if path.suffix == ".ipynb":
        try:
            import nbformat
        except ImportError:
            raise DojoError("saving a notebook needs the nbformat package (pip install nbformat); "
                            "save as .py instead") from None
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {snippet.title}")] + \
            [nbformat.v4.new_code_cell(block.strip()) for block in snippet.code.strip().split("\n\n\n") if block.strip()]
        text = nbformat.writes(nb)
    else:
        text = snippet.text()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DojoError(f"cannot write {path} ({exc.strerror}); choose another file") from None
    return path
