"""Pure renderers for the tokenizer lab: engine results in, rich renderables out (no widgets).

Kept apart from the screen so Pilot tests and the screen share one drawing of a token
span, a merge step or a comparison row, and so the screen file stays about layout and
keys. Colours are fixed pairs readable on dark and light themes and in 256 colours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Span as RichSpan
from rich.text import Text

from engine.messages import Notice

from ...i18n import say, t

if TYPE_CHECKING:
    from engine.tokenize.compare import CompareResult
    from engine.tokenize.inspect import TokenizerFacts
    from engine.tokenize.playground import Encoded
    from engine.tokenize.steps import StepsResult

SPAN_STYLES = ("black on #8fbcbb", "black on #ebcb8b", "black on #a3be8c", "black on #d8a9cf", "black on #88c0d0")
_STYLES = tuple(Style.parse(s) for s in SPAN_STYLES)
_UNKNOWN = Style.parse("bold white on red")
_UNDERLINE = Style(underline=True)
PAIR_ROWS = 8
"""Candidate rows in the step table (fits 80x24 beside the words)."""


def shown_piece(piece: str) -> str:
    """Whitespace made visible: a space is '␣' in a piece that is only spaces, newlines '↵'."""
    piece = piece.replace("\n", "↵").replace("\t", "⇥")
    return piece if piece.strip() else piece.replace(" ", "␣")


def spans_text(enc: Encoded, text: str = "") -> Text:
    """The text as coloured tokens (partial-character tokens underlined, unknown ones red), then the ids.

    Tokenizers that drop spaces (WordPiece, BERT pre-tokenisation) get the text's own gaps between
    words back, uncoloured, so the words stay apart. Built as one string plus style spans (not
    one ``append`` per token): the playground redraws this on every keystroke."""
    parts: list[str] = []
    styles: list[RichSpan] = []
    gaps = not enc.kind.startswith("byte-level") and bool(text)
    end = pos = 0
    for i, span in enumerate(enc.spans):
        if gaps and span.start > end:
            gap = text[end:span.start].replace("\n", "↵\n")
            parts.append(gap)
            pos += len(gap)
        end = max(end, span.end)
        piece = shown_piece(span.piece)
        style = _UNKNOWN if span.unknown else _STYLES[i % len(_STYLES)]
        styles.append(RichSpan(pos, pos + len(piece), style + _UNDERLINE if span.partial else style))
        parts.append(piece)
        pos += len(piece)
    ids = " ".join(str(s.id) for s in enc.spans[:400])
    parts.append(f"\n\n{t('tok.ids')}: ")
    styles.append(RichSpan(pos + 2, pos + 2 + len(t("tok.ids")) + 1, "bold"))
    start_ids = pos + len(parts[-1])
    parts.append(ids)
    styles.append(RichSpan(start_ids, start_ids + len(ids), "dim"))
    return Text("".join(parts), spans=styles)


def stats_text(enc: Encoded) -> Text:
    out = Text(t("tok.stats", tokenizer=enc.tokenizer, kind=enc.kind, vocab=enc.vocab_size, tokens=enc.n_tokens,
                 chars=enc.text_chars, bytes=enc.text_bytes, cpt=enc.chars_per_token, bpt=enc.bytes_per_token))
    out.append(". ")
    out.append(t("tok.roundtrip.yes" if enc.roundtrip else "tok.roundtrip.no"),
               style="green" if enc.roundtrip else "yellow")
    if enc.n_unknown:
        out.append(". " + t("tok.unknown", n=enc.n_unknown), style="red")
    for notice in enc.notices:
        out.append("\n" + say(notice), style="yellow")
    return out


def _value(result: StepsResult, step) -> str:
    if result.config.algo == "bpe":
        return t("tok.steps.count", n=step.count)
    return t("tok.steps.score", v=f"{step.score.numerator}/{step.score.denominator}")


def step_header(result: StepsResult, at: int) -> Text:
    algo = {"bpe": "BPE", "wordpiece": "WordPiece", "unigram": "Unigram"}[result.config.algo]
    marker = t("tok.steps.marker_on" if result.config.end_of_word else "tok.steps.marker_off") \
        if result.config.algo == "bpe" else ""
    out = Text(t("tok.steps.header", algo=algo, example=result.example or "", marker=marker, at=at,
                 total=len(result.steps)), style="bold")
    out.append("\n")
    if at == 0:
        if result.start is not None:
            out.append(t("tok.steps.start_loss", loss=result.start.loss, n=len(result.start.vocab)))
        else:
            out.append(t("tok.steps.start"))
    else:
        step = result.steps[at - 1]
        if result.config.algo == "unigram":
            out.append(t("tok.steps.pruned", index=at, tokens=", ".join(step.removed), loss=step.state.loss),
                       style="cyan")
        else:
            tied = t("tok.steps.tied", n=step.tied) if step.tied > 1 else ""
            out.append(t("tok.steps.merge", index=at, left=step.left, right=step.right, merged=step.merged,
                         value=_value(result, step), tied=tied), style="cyan")
    return out


def candidates_table(result: StepsResult, at: int) -> Table:
    """The table that decides the next step: pair counts (BPE), scores (WordPiece), removal costs (Unigram)."""
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), title=t("tok.steps.next"), title_justify="left",
                  expand=False, pad_edge=False)
    if at >= len(result.steps):
        table.add_column(t("tok.steps.done"), overflow="fold")
        return table
    step = result.steps[at]
    if result.config.algo == "unigram":
        table.add_column(t("tok.steps.token"), no_wrap=True)
        table.add_column(t("tok.steps.loss_up"), justify="right", no_wrap=True)
        for cand in step.candidates[:PAIR_ROWS]:
            chosen = cand.token in step.removed
            table.add_row(Text(cand.token, style="bold green" if chosen else ""), f"{cand.loss_increase:.3f}")
        return table
    table.add_column(t("tok.steps.pair"), no_wrap=True, max_width=20, overflow="ellipsis")
    if result.config.algo == "bpe":
        table.add_column(t("tok.steps.freq"), justify="right", no_wrap=True)
        for i, c in enumerate(step.candidates[:PAIR_ROWS]):
            table.add_row(Text(f"{c.left} {c.right}", style="bold green" if i == 0 else ""), str(c.count))
    else:
        table.add_column(t("tok.steps.scorecol"), justify="right", no_wrap=True)
        for i, c in enumerate(step.candidates[:PAIR_ROWS]):
            table.add_row(Text(f"{c.left} {c.right}", style="bold green" if i == 0 else ""),
                          f"{c.pair_freq}/({c.left_freq}x{c.right_freq})={float(c.score):.4f}")
    return table


def state_text(result: StepsResult, at: int) -> Text:
    """The words as they are split now, the vocabulary (newest last, highlighted) and the deck's word."""
    out = Text()
    out.append(t("tok.steps.words") + "\n", style="bold")
    if result.config.algo == "unigram":
        state = result.start if at == 0 else result.steps[at - 1].state
        for w in state.words:
            out.append(f"{w.word} {w.count}: ", style="dim")
            out.append(" ".join(w.tokens), style="bold")
            out.append(f"  P={w.probability:.6f}\n")
    else:
        words = result.initial_words if at == 0 else result.steps[at - 1].words
        for symbols, count in words[:12]:
            out.append(" ".join(symbols), style="bold")
            out.append(f"  {count}\n", style="dim")
    vocab = result.vocab_at(at)
    newest = "" if at == 0 or result.config.algo == "unigram" else result.steps[at - 1].merged
    out.append("\n" + t("tok.steps.vocab", n=len(vocab)) + "\n", style="bold")
    for i, token in enumerate(vocab):
        out.append(token, style="bold green" if token == newest else "")
        out.append(" " if i < len(vocab) - 1 else "\n")
    for check in result.deck:
        if check["step"] == at or (result.config.algo == "unigram" and at == 0):
            if check["key"]:
                out.append("\n" + say(Notice(check["key"], check["args"])), style="yellow")
            elif check["agrees"]:
                out.append("\n" + t("tok.steps.deck_ok"), style="green")
    return out


def compare_view(result: CompareResult) -> Group:
    """The numbers in a table, then each split's pieces on their own lines (they need the width)."""
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    table.add_column(t("tok.compare.split"), no_wrap=True, max_width=24, overflow="ellipsis")
    for key in ("tokens", "cpt", "bpt", "unk", "exact"):
        table.add_column(t(f"tok.compare.{key}"), justify="right", no_wrap=True)
    pieces = Text()
    for row in result.rows:
        name = t(f"tok.compare.{row.name}") if row.name in ("words", "characters") else row.name
        table.add_row(name, str(row.tokens), f"{row.chars_per_token:.2f}", f"{row.bytes_per_token:.2f}",
                      f"{row.unknown_rate:.0%}", t("tok.yes" if row.roundtrip else "tok.no"))
        pieces.append(f"{name}: ", style="bold")
        for i, piece in enumerate(row.pieces):
            if i:
                pieces.append("|", style="dim")
            pieces.append(shown_piece(piece), style=SPAN_STYLES[i % len(SPAN_STYLES)])
        pieces.append("\n")
    return Group(table, pieces)


def details_text(facts: TokenizerFacts) -> Text:
    """The deck's pretrained-tokenizer checklist, as transformers answers it."""
    out = Text("\n")
    out.append(t("tok.details.head", name=facts.name, cls=facts.tokenizer_class) + "\n", style="bold")
    rows = (("vocab_size", f"{facts.vocab_size:,}"), ("model_max_length", str(facts.model_max_length)),
            ("model_input_names", ", ".join(facts.model_input_names)),
            ("special tokens", ", ".join(f"{k}={v}" for k, v in facts.special_tokens.items()) or "-"),
            ("normalizer", facts.normalizer), ("pre_tokenizer", facts.pre_tokenizer),
            ("convert_ids_to_tokens", " ".join(facts.tokens[:40])),
            ("convert_tokens_to_string", facts.as_string[:200]))
    for key, value in rows:
        out.append(f"{key}: ", style="cyan")
        out.append(value + "\n")
    return out
