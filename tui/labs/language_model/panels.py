"""The three panels of the language-model lab, as rich renderables built from engine results.

Kept apart from the screen so each view is a plain function of a result (the bench and
the tests call them directly). Token cells keep Hangul aligned because rich measures
cells (two per syllable); spaces in tokens show as ␣, so ' the' and 'the' differ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ...i18n import say, t

if TYPE_CHECKING:
    from engine.lm.api import LmFillMaskResult, LmNextTokenResult, LmScoreResult

BAR = 20
EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(fraction: float, width: int = BAR) -> str:
    """A horizontal bar of ``fraction`` (0..1) of ``width`` cells, in eighths of a cell."""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    out = "█" * full + (EIGHTHS[part] if part else "")
    return (out or "▏").ljust(width)


def prob_text(p: float) -> str:
    """A probability in 7 cells: four decimals, or powers of ten below 0.001 (never a bare 0.0000)."""
    return f"{p:7.4f}" if p >= 1e-3 else f"{p:7.1e}"


def shown(text: str) -> str:
    """A token as a cell: spaces visible, nothing empty."""
    return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


def _table() -> Table:
    return Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, show_edge=False)


def next_view(result: LmNextTokenResult) -> Group:
    """The next-token table: rank, token, a probability bar (scaled to the top row), p, log p."""
    table = _table()
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(t("lm.col.token"), no_wrap=True, max_width=16, overflow="ellipsis")
    table.add_column("", no_wrap=True, width=BAR)
    table.add_column(t("lm.col.prob"), justify="right", no_wrap=True)
    table.add_column(t("lm.col.logprob"), justify="right", no_wrap=True)
    peak = result.rows[0].prob if result.rows else 1.0
    for row in result.rows:
        table.add_row(str(row.rank), Text(shown(row.text)), Text(bar(row.prob / peak), style="green"),
                      prob_text(row.prob), f"{row.logprob:.3f}")
    head = Text(t("lm.next.head", n=len(result.rows), vocab=result.vocab_size), style="dim")
    foot = Text(t("lm.next.foot", n=len(result.rows), shown=result.shown_prob, total=result.total_prob,
                  entropy=result.entropy))
    notes = [Text(say(n), style="yellow") for n in result.notices]
    return Group(foot, head, table, *notes)


def cell(text: str, width: int, right: bool = False) -> str:
    """``text`` cut or padded to exactly ``width`` terminal cells (a Hangul syllable is two)."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "~"
    pad = " " * (width - cell_len(text))
    return pad + text if right else text + pad


def surprise_view(result: LmScoreResult) -> Group:
    """A bar per token: how surprised the model was (-log p), scaled to the most surprising token.

    Rows are laid out by hand (cells measured with ``rich.cells``), not as a rich ``Table``:
    a 64-token sentence renders in a few milliseconds instead of a few hundred."""
    peak = max((tok.surprise for tok in result.tokens), default=1.0) or 1.0
    table = Text(no_wrap=True, overflow="ellipsis")
    table.append(f"{cell(t('lm.col.token'), 14)} {cell(t('lm.col.surprise'), BAR + 7)} "
                 f"{cell(t('lm.col.prob'), 7, True)} {cell(t('lm.col.rank'), 5, True)}  {t('lm.col.pick')}\n",
                 style="bold")
    for tok in result.tokens:
        style = "red" if tok.surprise >= 0.75 * peak else "yellow" if tok.surprise >= 0.4 * peak else "green"
        table.append(cell(shown(tok.text), 14) + " ")
        table.append(f"{bar(tok.surprise / peak, BAR)}{tok.surprise:6.2f} ", style=style)
        table.append(f"{prob_text(tok.prob)} {tok.rank:>5}  ")
        table.append(cell(shown(tok.top_text), 12) + "\n", style="dim")
    table.rstrip()
    worst = result.most_surprising()
    parts: list = [Text(t("lm.surprise.foot", ppl=result.perplexity, mean=result.mean_nll, n=len(result.tokens),
                          total=result.total_nll), style="bold"),
                   Text(t("lm.surprise.worst", token=shown(worst.text), prob=prob_text(worst.prob).strip(),
                          rank=worst.rank)),
                   Text(t("lm.surprise.head"), style="dim")]
    if result.bos:
        parts.append(Text(t("lm.surprise.bos", bos=result.bos), style="dim"))
    parts.append(table)
    parts.extend(Text(say(n), style="yellow") for n in result.notices)
    return Group(*parts)


def fill_view(result: LmFillMaskResult) -> Group:
    """Per mask: the masked model's candidates (both sides) beside the causal model's (left only)."""
    parts: list = [Text(t("lm.fill.tokens", mlm=result.model, tokens=" ".join(result.tokens)), style="dim")]
    for slot in result.masks:
        if result.causal_model:
            title = t("lm.fill.mask", n=slot.number, mlm=result.model, clm=result.causal_model)
        else:
            title = t("lm.fill.mask_only", n=slot.number, mlm=result.model)
        parts.append(Text(title, style="bold"))
        table = _table()
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column(result.model, no_wrap=True, max_width=14, overflow="ellipsis")
        table.add_column(t("lm.col.prob"), justify="right", no_wrap=True)
        table.add_column("", no_wrap=True, width=8)
        if result.causal_model:
            table.add_column(result.causal_model, no_wrap=True, max_width=14, overflow="ellipsis")
            table.add_column(t("lm.col.prob"), justify="right", no_wrap=True)
            table.add_column("", no_wrap=True, width=8)
        peak = max([c.prob for c in slot.candidates] + [c.prob for c in slot.causal] + [1e-9])
        for i, c in enumerate(slot.candidates):
            row = [str(i + 1), Text(shown(c.text)), prob_text(c.prob), Text(bar(c.prob / peak, 8), style="green")]
            if result.causal_model:
                other = slot.causal[i] if i < len(slot.causal) else None
                row += ([Text(shown(other.text)), prob_text(other.prob), Text(bar(other.prob / peak, 8), style="cyan")]
                        if other else ["", "", ""])
            table.add_row(*row)
        parts.append(table)
        if slot.causal_prompt is not None:
            parts.append(Text(t("lm.fill.left", clm=result.causal_model, prompt=repr(slot.causal_prompt)),
                              style="dim"))
    parts.extend(Text(say(n), style="yellow") for n in result.notices)
    return Group(*parts)
