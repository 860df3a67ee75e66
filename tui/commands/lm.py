"""`score` and `fill-mask`: the language-model lab on the command line.

Thin renderers over ``engine.lm``: options come from ``LmScoreConfig`` and
``LmFillMaskConfig``; ``--json`` prints the result's ``to_dict()``. The raw
next-token table is ``llm-dojo next-token`` (the generation lab's command), whose
``--json`` lists each token's raw probability and log-probability.
"""

from __future__ import annotations

import sys

import typer

from engine.lm.config import LmFillMaskConfig, LmScoreConfig

from .common import JsonOpt, ShowCodeOpt, print_code, print_json
from .options import config_options


def register(app: typer.Typer) -> None:
    app.command("score")(score)
    app.command("fill-mask")(fill_mask)


def _shown(text: str) -> str:
    return text.replace(" ", "␣").replace("\n", "↵") or "∅"


def _quiet_loading() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no tqdm bar per load on stderr


def _notes(notices) -> None:
    for n in notices:
        sys.stderr.write(f"note: {n}\n")


@config_options(LmScoreConfig)
def score(
    text: str = typer.Argument(..., help="The sentence to score, token by token."),
    json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None,
) -> None:
    """How surprised a causal model is by each token of a sentence, and the sentence's perplexity.

    Each token's probability is the model's, given only the tokens before it; its surprise is
    -log p (nats). Perplexity is exp(mean surprise)."""
    config = LmScoreConfig(text=text, **given)
    if show_code:
        from engine.codegen.language_model import score_snippet

        print_code(score_snippet(config))
        return
    from engine.lm.api import score as run

    _quiet_loading()
    result = run(config)
    if json_out:
        print_json(result.to_dict())
        return
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    peak = max(t.surprise for t in result.tokens) or 1.0
    table = Table(title=f"{escape(result.model)}: surprise per token (-log p, nats)", box=box.SIMPLE_HEAD,
                  padding=(0, 1), pad_edge=False)
    table.add_column("token", no_wrap=True, max_width=14, overflow="ellipsis")
    table.add_column("p", justify="right", no_wrap=True)
    table.add_column("surprise", no_wrap=True)
    table.add_column("rank", justify="right", no_wrap=True)
    table.add_column("model's pick", max_width=14, overflow="fold")
    for t in result.tokens:
        bar = "█" * max(1, round(t.surprise / peak * 12))
        table.add_row(Text(_shown(t.text)), f"{t.prob:.3f}", Text(f"{bar:<12} {t.surprise:5.2f}", style="yellow"),
                      str(t.rank), Text(_shown(t.top_text)))
    out = Console()
    out.print(table)
    worst = result.most_surprising()
    out.print(f"perplexity {result.perplexity:,.2f} = exp({result.mean_nll:.3f}), the mean of "
              f"{len(result.tokens)} surprises (total NLL {result.total_nll:.2f}); most surprising: "
              f"{escape(repr(worst.text))}", highlight=False)
    _notes(result.notices)


@config_options(LmFillMaskConfig)
def fill_mask(
    text: str = typer.Argument(..., help="A sentence with one or more [MASK] tokens."),
    json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None,
) -> None:
    """Fill each mask with a masked model (both sides), beside a causal model (left side only)."""
    config = LmFillMaskConfig(text=text, **given)
    if show_code:
        from engine.codegen.language_model import fill_mask_snippet

        print_code(fill_mask_snippet(config))
        return
    from engine.lm.api import fill

    _quiet_loading()
    result = fill(config)
    if json_out:
        print_json(result.to_dict())
        return
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    out = Console()
    for slot in result.masks:
        table = Table(title=f"mask {slot.number}: {escape(result.model)} (both sides)"
                            + (f" | {escape(result.causal_model)} (left only)" if result.causal_model else ""),
                      box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column(result.model, no_wrap=True, max_width=16, overflow="ellipsis")
        table.add_column("p", justify="right", no_wrap=True)
        if result.causal_model:
            table.add_column(result.causal_model, no_wrap=True, max_width=16, overflow="ellipsis")
            table.add_column("p", justify="right", no_wrap=True)
        for i, c in enumerate(slot.candidates):
            row = [str(i + 1), Text(_shown(c.text)), f"{c.prob:.3f}"]
            if result.causal_model:
                other = slot.causal[i] if i < len(slot.causal) else None
                row += [Text(_shown(other.text)) if other else "", f"{other.prob:.3f}" if other else ""]
            table.add_row(*row)
        out.print(table)
        if slot.causal_prompt is not None:
            out.print(Text(f"left context read by {result.causal_model}: {slot.causal_prompt!r}", style="dim"))
    _notes(result.notices)
