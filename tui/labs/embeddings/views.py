"""What the embeddings lab draws: query results, the benchmark table, the ratio table, the map.

Plain functions from engine results to rich renderables (the screen owns the widgets), plus
the query line's small syntax (:func:`parse_query`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ...i18n import say, t

if TYPE_CHECKING:
    from engine.embeddings.cooc import RatioTable
    from engine.embeddings.evaluate import EvalResult
    from engine.embeddings.onehot import OneHotResult
    from engine.embeddings.query import QueryResult


def parse_query(text: str) -> tuple[str, list[str]]:
    """The query line -> (op, words): one word: similar; two: similarity; ``a - b + c``: analogy;
    three or more plain words: doesnt_match.

    >>> parse_query("arafat - palestinian + israeli")
    ('analogy', ['arafat', 'palestinian', 'israeli'])
    >>> parse_query("fire"), parse_query("a b c")[0]
    (('similar', ['fire']), 'doesnt_match')
    """
    tokens = [tok for tok in re.split(r"\s+|(?<=\S)(?=[+])|(?<=[+])(?=\S)", text.strip()) if tok]
    if "-" in tokens or "+" in tokens:
        words = [tok for tok in tokens if tok not in ("-", "+")]
        return "analogy", words
    if len(tokens) == 1:
        return "similar", tokens
    if len(tokens) == 2:
        return "similarity", tokens
    return "doesnt_match", tokens


def query_view(result: QueryResult, model: str) -> Group:
    parts: list = []
    for notice in result.notices:
        parts.append(Text(say(notice), style="yellow"))
    head = t("embed.query.model", name=model)
    if result.op == "similarity":
        a, b = result.words
        parts.append(Text(t("embed.query.similarity", a=a, b=b, value=f"{result.similarity:.4f}"), style="bold"))
    elif result.op == "doesnt_match":
        parts.append(Text(t("embed.query.odd", word=result.odd_one or ""), style="bold"))
        parts.append(Text(" ".join(result.words), style="dim"))
    else:
        title = (t("embed.query.analogy", a=result.words[0], b=result.words[1], c=result.words[2])
                 if result.op == "analogy" else t("embed.query.near", word=result.words[0]))
        parts.append(Text(title, style="bold"))
        table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        table.add_column(t("embed.col.word"), overflow="fold")
        table.add_column(t("embed.col.cos"), justify="right", no_wrap=True)
        table.add_column("", no_wrap=True)
        for word, score in result.neighbours:
            table.add_row(escape(word), f"{score:.3f}", "█" * max(0, round(score * 10)))
        parts.append(table)
    return Group(Text(head, style="dim"), *parts)


def bench_view(results: list[EvalResult]) -> Table:
    """One row per model: Spearman on wordsim353 and simlex999, their OOV shares, analogy accuracy."""
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True)
    table.add_column(t("embed.col.model"), overflow="fold", min_width=8)
    for col in ("ws353", "simlex", "OOV%"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column(t("embed.col.analogy"), justify="right", no_wrap=True)
    for r in results:
        ws, sl = r.pairs
        a = r.analogies

        def rho(p) -> str:
            return "-" if p.spearman is None else f"{p.spearman:.3f}"

        acc = "-" if a.accuracy is None else f"{a.accuracy:.1%}"
        table.add_row(escape(r.name), rho(ws), rho(sl), f"{ws.oov_ratio:.0f}/{sl.oov_ratio:.0f}",
                      f"{acc}/{a.answerable:,}")
    return table


def cooc_view(table: RatioTable) -> Group:
    out = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    out.add_column("k", overflow="fold", min_width=6)
    for col in ("X_ik", "X_jk", "P(k|i)", "P(k|j)", t("embed.col.ratio")):
        out.add_column(col, justify="right", no_wrap=True)
    for r in table.rows:
        out.add_row(escape(r.word), str(r.count_i), str(r.count_j), f"{r.p_i:.4f}", f"{r.p_j:.4f}",
                    "-" if r.ratio is None else f"{r.ratio:.2f}")
    head = Text(f"i = {table.i}, j = {table.j}. " + t("embed.cooc.totals", xi=f"{table.total_i:,}",
                                                         xj=f"{table.total_j:,}", window=table.window), style="bold")
    return Group(head, out)


def onehot_view(r: OneHotResult) -> Group:
    """Each word's one-hot row, the same row of one-hot x W, and the check that it is W's row."""
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True)
    table.add_column(t("embed.col.word"), overflow="fold", min_width=5)
    table.add_column(t("embed.onehot.col"), no_wrap=True)
    table.add_column("x W", no_wrap=True)
    for token, row, prod in zip(r.tokens, r.onehot, r.product):
        table.add_row(escape(token), "".join(str(v) for v in row), " ".join(f"{v:+.2f}" for v in prod))
    dots = {r.onehot_dots[i][j] for i in range(len(r.vocab)) for j in range(len(r.vocab)) if i != j}
    cosines = [r.dense_cosines[i][j] for i in range(len(r.tokens)) for j in range(len(r.tokens)) if i < j]
    notes = Text(t("embed.onehot.equal" if r.equal else "embed.onehot.differ", n=len(r.vocab), d=len(r.weights[0]))
                 + "\n" + t("embed.onehot.dots", dots=", ".join(str(d) for d in sorted(dots)) or "-",
                            low=f"{min(cosines):+.2f}" if cosines else "-",
                            high=f"{max(cosines):+.2f}" if cosines else "-"), style="dim")
    return Group(table, notes)
