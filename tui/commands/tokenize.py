"""`llm-dojo tokenizer ...`, `llm-dojo tokenize TEXT`, `llm-dojo morphs TEXT`: the tokenizer and
morphology labs on the command line.

Thin renderers over ``engine.tokenize``: settings come from the engine's config
dataclasses (``config_options``), ``--json`` prints the result's ``to_dict()``, and bad
input is a ``DojoError`` (one ``error:`` line, exit 2). Human output fits 80 columns and
escapes user text.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from engine.tokenize.steps import StepConfig

from .common import JsonOpt, print_json
from .options import config_options

tokenizer_app = typer.Typer(help="Tokenizers: step through BPE/WordPiece/Unigram, train, compare, word tokenizers.",
                            no_args_is_help=True)
Example = Annotated[Optional[str], typer.Option("--example", help="A built-in word table: deck-bpe (low, lower, "
                                                "newest, widest) or deck-hug (hug, pug, pun, bun, hugs).")]
WordFreqs = Annotated[Optional[str], typer.Option("--word-freqs", help="A file with one 'word<TAB>count' per line.",
                                                  metavar="FILE")]
TextFile = Annotated[Optional[str], typer.Option("--text", help="A UTF-8 text file; words are counted after "
                                                 "whitespace splitting.", metavar="FILE")]


def register(app: typer.Typer) -> None:
    app.add_typer(tokenizer_app, name="tokenizer")


def _console():
    from rich.console import Console

    return Console(width=None)


@tokenizer_app.command("steps")
@config_options(StepConfig)
def steps(example: Example = None, word_freqs: WordFreqs = None, text: TextFile = None,
          json_out: JsonOpt = False, given: dict = None) -> None:
    """Train BPE, WordPiece or Unigram on a word table one step at a time, showing every step.

    With the deck's examples, each step is checked against what the deck prints."""
    from engine.tokenize.steps import run_steps
    from engine.tokenize.wordfreqs import DEFAULT_EXAMPLE, read_table

    config = StepConfig(**given)
    if not (example or word_freqs or text):
        example = DEFAULT_EXAMPLE[config.algo]
    table = read_table(example=example, word_freqs=word_freqs, text=text)
    result = run_steps(config, table, example=example)
    if json_out:
        print_json(result.to_dict())
        return
    _show_steps(result)


def _show_steps(result) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    algo = result.config.algo
    words = ", ".join(f"{w} {c}" for w, c in result.table[:8]) + (" ..." if len(result.table) > 8 else "")
    console.print(f"[bold]{algo}[/] on {escape(words)}")
    console.print(f"start: {escape(' '.join(result.vocab_at(0)))}", overflow="fold")
    if algo == "unigram":
        table = Table(box=box.SIMPLE_HEAD, title="start: best split of each word")
        for col in ("word", "split", "P", "-log P"):
            table.add_column(col, overflow="fold")
        for w in result.start.words:
            table.add_row(escape(w.word), escape(" ".join(w.tokens)), f"{w.probability:.6f}", f"{w.neg_log:.3f}")
        console.print(table)
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("#", justify="right", no_wrap=True)
    if algo == "unigram":
        for col in ("removed", "loss after", "vocab size"):
            table.add_column(col, overflow="fold")
        for s in result.steps:
            table.add_row(str(s.index), escape(", ".join(s.removed)), f"{s.state.loss:.3f}", str(len(s.state.vocab)))
    else:
        for col in ("pair", "count" if algo == "bpe" else "score", "new symbol", "tied"):
            table.add_column(col, overflow="fold")
        for s in result.steps:
            value = str(s.count) if algo == "bpe" else f"{s.score.numerator}/{s.score.denominator}"
            table.add_row(str(s.index), escape(f"{s.left} + {s.right}"), value, escape(s.merged),
                          "" if s.tied == 1 else str(s.tied))
    console.print(table)
    console.print(f"vocabulary: {escape(' '.join(result.vocab_at(len(result.steps))))}", overflow="fold")
    console.print(f"[dim]ties: {escape(result.tie_rule)}[/]", overflow="fold")
    if result.deck and all(c["agrees"] for c in result.deck) and algo != "unigram":
        console.print(f"[green]deck:[/] all {len(result.deck)} steps the deck shows agree with this run")
    for check in result.deck:
        if algo == "unigram" and check["note"]:
            console.print(f"[yellow]deck:[/] {escape(check['note'])}", overflow="fold")
    for notice in result.notices:
        style = "yellow" if notice.key.startswith("tok.deck") else "dim"
        console.print(f"[{style}]note:[/] {escape(str(notice))}", overflow="fold")
