"""`attention`, `posenc`, `rope`, `encoder`: the attention lab on the command line.

Thin renderers over ``engine.attention``: options come from its config dataclasses
(bad values fail there as one ``error:`` line, exit 2); ``--json`` prints the result's
``to_dict()``. Human output fits 80 columns: maps are printed as small numeric tables
of at most 16 tokens (``--json`` has everything).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from engine.attention.config import (AttentionConfig, AttentionEncoderConfig, AttentionPosEncConfig,
                                     AttentionRopeConfig)

from .common import JsonOpt, ShowCodeOpt, print_code, print_json
from .options import config_options

SHOWN = 12
"""Tokens a printed map shows at most (80 columns)."""
Full = Annotated[bool, typer.Option("--all", help="With --json: every layer's and head's full maps too.")]


def register(app: typer.Typer) -> None:
    app.command("attention")(attention)
    app.command("posenc")(posenc)
    app.command("rope")(rope)
    app.command("encoder")(encoder)


def _console():
    from rich.console import Console

    return Console(highlight=False)


def _notes(notices) -> None:
    for n in notices:
        sys.stderr.write(f"note: {n}\n")


def _quiet() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def _label(text: str, width: int = 6) -> str:
    text = text.replace("\n", "\\n").strip() or "_"
    return text[:width]


def _matrix_table(tokens, grid, masked=None):
    from rich.markup import escape
    from rich.table import Table

    n = min(len(tokens), SHOWN)
    table = Table(box=None, pad_edge=False, padding=(0, 1))
    table.add_column("", no_wrap=True)
    for j in range(n):
        table.add_column(escape(_label(tokens[j], 5)), justify="right", no_wrap=True)
    for i in range(n):
        cells = []
        for j in range(n):
            if masked is not None and masked[i][j]:
                cells.append("[dim]-[/]")
            else:
                value = grid[i][j]
                cells.append(f"{value:.2f}" if 0 <= value < 9.995 else f"{value:+.1f}" if abs(value) < 99.5
                             else f"{value:+.0e}")
        table.add_row(escape(_label(tokens[i])), *cells)
    return table


@config_options(AttentionConfig)
def attention(text: str = typer.Argument(..., help="The text whose attention to show."),
              full: Full = False, json_out: JsonOpt = False, show_code: ShowCodeOpt = False,
              given: dict = None) -> None:
    """Every layer's and head's attention for TEXT: softmax weights (rows sum to 1) or raw scores."""
    config = AttentionConfig(**given)
    if show_code:
        from engine.codegen.attention import capture_snippet

        print_code(capture_snippet(config, text))
        return
    _quiet()
    from engine.attention.capture import capture_config

    result = capture_config(config, text)
    view = "scores" if config.scores else "weights"
    if view == "scores" and result.scores is None:
        view = "weights"
    if json_out:
        print_json(result.to_dict(config.layer, config.head, view, full=full))
        return
    from rich.markup import escape

    _notes(result.notices)
    out = _console()
    head = "average of heads" if config.head is None else f"head {config.head}"
    name = "raw scores QK^T/sqrt(d)" if view == "scores" else "softmax weights"
    mask = "causal mask: '-' = hidden (M = -inf)" if result.causal else "bidirectional: no mask"
    out.print(f"[bold]{escape(result.model)}[/] {result.size} tokens, {result.n_layers} layers x "
              f"{result.n_heads} heads; layer {config.layer}, {head}: {name}; {mask}", overflow="fold")
    masked = result.masked()
    out.print(_matrix_table(result.tokens, result.map(config.layer, config.head, view),
                            masked if result.causal else None))
    if result.size > SHOWN:
        out.print(f"[dim]first {SHOWN} of {result.size} tokens shown; --json has all[/]")
    pairs = ", ".join(f"{_label(result.tokens[i])}->{_label(result.tokens[j])}"
                      for i, j in enumerate(result.attends_to(config.layer, config.head)))
    out.print(f"attends most to: {escape(pairs)}", overflow="fold")
    if result.scores_check is not None:
        out.print(f"rows sum to 1 (max error {result.row_sum_error():.1e}); softmax(scores + M) = weights "
                  f"(max error {result.scores_check:.1e})")


@config_options(AttentionPosEncConfig)
def posenc(json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """The sinusoidal positional-encoding matrix and the dot product of two positions against distance."""
    config = AttentionPosEncConfig(**given)
    if show_code:
        from engine.codegen.attention import posenc_snippet

        print_code(posenc_snippet(config))
        return
    from engine.attention.posenc import positional_encoding

    result = positional_encoding(config)
    if json_out:
        print_json(result.to_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    out = _console()
    out.print(escape(f"PE[pos, 2i] = sin(pos / {config.base:g}^(2i/{config.dim})), PE[pos, 2i+1] = cos(...), "
                     f"i < {config.dim // 2}; {config.length} positions"), overflow="fold")
    cols = min(config.dim, 8)
    table = Table(box=None, padding=(0, 1))
    table.add_column("pos", justify="right")
    for c in range(cols):
        table.add_column(f"{'sin' if c % 2 == 0 else 'cos'} d{c}", justify="right")
    for p in range(min(config.length, 8)):
        table.add_row(str(p), *(f"{result.matrix[p, c]:+.3f}" for c in range(cols)))
    out.print(table)
    dots = ", ".join(f"{k}: {v:.2f}" for k, v in enumerate(result.distance_dot[:10]))
    out.print(f"PE(p).PE(p+k) by distance k: {dots}", overflow="fold")
    out.print(f"the same for every start p (largest spread {result.dot_spread:.1e}): it depends on the "
              "distance only", overflow="fold")
    for note in result.deck_notes:
        out.print(f"[dim]deck: {note}[/]", overflow="fold")


@config_options(AttentionRopeConfig)
def rope(json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """RoPE on a repeated word: q.k depends on the relative position only, and still on the content."""
    config = AttentionRopeConfig(**given)
    if show_code:
        from engine.codegen.attention import rope_snippet

        print_code(rope_snippet(config))
        return
    _quiet()
    from engine.attention.capture import load_for_attention
    from engine.attention.posenc import rope_demo

    result = rope_demo(load_for_attention(config.model), config, name=config.model)
    if json_out:
        print_json(result.to_dict())
        return
    from rich.markup import escape

    out = _console()
    words = " ".join([config.word] * config.repeats)
    out.print(f"[bold]{escape(words)}[/] on {escape(result.model)}, layer {result.layer} head {result.head}: "
              "rotated q_i.k_j/sqrt(d) for the word's last token (@ its position)", overflow="fold")
    labels = [f"@{p}" for p in result.positions]
    n = len(labels)
    out.print(_matrix_table(labels, result.same, [[j > i for j in range(n)] for i in range(n)]))
    for off, vals in result.by_offset.items():
        out.print(f"offset {off}: " + ", ".join(f"{v:.4f}" for v in vals))
    out.print(f"same offset, same score (largest spread {result.offset_spread:.1e}); without the rotation "
              f"every score is the same (spread {result.unrotated_spread:.1e})", overflow="fold")
    out.print(f"with {escape(result.other_word)} in place of word {result.changed_at + 1}: scores change by up to "
              f"{result.content_change:.3f}, so content still counts", overflow="fold")


@config_options(AttentionEncoderConfig)
def encoder(json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """An encoder from scratch: checked against torch, shapes per sub-layer, trained as a classifier."""
    config = AttentionEncoderConfig(**given)
    if show_code:
        from engine.codegen.encoder import encoder_snippet

        print_code(encoder_snippet(config))
        return
    _quiet()
    from engine.attention.encoder import train_classifiers

    live = sys.stderr.isatty()

    def show(event) -> None:
        if not json_out and live:
            sys.stderr.write(f"\r{event.model}: step {event.step}/{event.total} loss {event.loss:.4f}   ")
            sys.stderr.flush()

    result = train_classifiers(config, on_event=show)
    if not json_out and live:
        sys.stderr.write("\n")
    if json_out:
        print_json(result.to_dict())
        return
    from rich.table import Table

    out = _console()
    out.print(f"ours vs torch: scaled_dot_product_attention max error {result.sdpa_error:.1e}, "
              f"MultiheadAttention {result.mha_error:.1e}", overflow="fold")
    table = Table(box=None, padding=(0, 1), title="shapes (batch 2, 12 tokens)")
    table.add_column("sub-layer", overflow="fold")
    table.add_column("shape", no_wrap=True)
    for row in result.shapes:
        table.add_row(row.step, " x ".join(str(d) for d in row.shape))
    out.print(table)
    runs = [r for r in (result.scratch, result.pretrained) if r is not None]
    scores = Table(box=None, padding=(0, 1), title=f"{config.data}: {result.train_size} train, "
                                                   f"{result.test_size} held out")
    for col in ("model", "params", "first loss", "last loss", "held-out loss", "accuracy", "F1", "s"):
        scores.add_column(col, justify="left" if col == "model" else "right", no_wrap=True)
    for r in runs:
        first = f"{r.losses[0][1]:.3f}" if r.losses else "-"
        last = f"{r.losses[-1][1]:.3f}" if r.losses else "-"
        scores.add_row(r.name, f"{r.parameters:,}", first, last, f"{r.eval_loss:.3f}", f"{r.accuracy:.3f}",
                       f"{r.f1:.3f}", f"{r.seconds:.1f}")
    out.print(scores)
    out.print(f"always guessing the most common label: accuracy {result.majority:.3f}")
