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

from engine.tokenize.morph import MorphConfig
from engine.tokenize.steps import StepConfig
from engine.tokenize.train import TokenizerTrainConfig

from .common import JsonOpt, ShowCodeOpt, print_code, print_json
from .options import config_options

tokenizer_app = typer.Typer(help="Tokenizers: step through BPE/WordPiece/Unigram, train, compare, word tokenizers.",
                            no_args_is_help=True)
Example = Annotated[Optional[str], typer.Option("--example", help="A built-in word table: deck-bpe (low, lower, "
                                                "newest, widest), deck-hug (hug, pug, pun, bun, hugs) or kolaw-top20 "
                                                "(the Korean constitution's 20 most frequent words).")]
WordFreqs = Annotated[Optional[str], typer.Option("--word-freqs", help="A file with one 'word<TAB>count' per line.",
                                                  metavar="FILE")]
TextFile = Annotated[Optional[str], typer.Option("--text", help="A UTF-8 text file; words are counted after "
                                                 "whitespace splitting.", metavar="FILE")]


TokenizerOpt = Annotated[str, typer.Option("--tokenizer", "-k", help="A tokenizer: embedded model name, one trained "
                                            "with 'tokenizer train', a folder or tokenizer.json, or an HF cache id.")]
SPAN_STYLES = ("black on #8fbcbb", "black on #ebcb8b", "black on #a3be8c", "black on #b48ead", "black on #88c0d0")
"""Alternating backgrounds for token spans (readable on dark and light terminals)."""


def register(app: typer.Typer) -> None:
    app.add_typer(tokenizer_app, name="tokenizer")
    app.command("tokenize")(tokenize)
    app.command("morphs")(morphs)


def _console():
    from rich.console import Console

    return Console(width=None)


@tokenizer_app.command("steps")
@config_options(StepConfig)
def steps(example: Example = None, word_freqs: WordFreqs = None, text: TextFile = None,
          json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """Train BPE, WordPiece or Unigram on a word table one step at a time, showing every step.

    With the deck's examples, each step is checked against what the deck prints."""
    from engine.tokenize.steps import run_steps
    from engine.tokenize.wordfreqs import DEFAULT_EXAMPLE, read_table

    config = StepConfig(**given)
    if not (example or word_freqs or text):
        example = DEFAULT_EXAMPLE[config.algo]
    table = read_table(example=example, word_freqs=word_freqs, text=text)
    if show_code:
        from engine.codegen.tokenizer import steps_snippet

        print_code(steps_snippet(config, table, example))
        return
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


def tokenize(text: str = typer.Argument(..., help="The text to tokenize."), tokenizer: TokenizerOpt = "dojo-tiny",
             details: Annotated[bool, typer.Option("--details", help="Also load it with transformers: ids to tokens, "
                                                   "special tokens, max length, normalizer, pre-tokenizer.")] = False,
             json_out: JsonOpt = False, show_code: ShowCodeOpt = False) -> None:
    """Split TEXT into tokens: ids, pieces, character and byte ranges (a byte-level token that splits
    a Hangul syllable or an emoji is marked)."""
    from engine.tokenize.playground import encode

    if show_code:
        from engine.codegen.tokenizer import inspect_snippet

        print_code(inspect_snippet(tokenizer, text, details=details))
        return

    enc = encode(text, tokenizer)
    facts = None
    if details:
        from engine.tokenize.inspect import inspect

        facts = inspect(tokenizer, text)
    if json_out:
        print_json({**enc.to_dict(), **({"details": facts.to_dict()} if facts else {})})
        return
    from rich import box
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    console = _console()
    line = Text()
    for i, span in enumerate(enc.spans):
        line.append(span.piece, style="reverse red" if span.unknown else SPAN_STYLES[i % len(SPAN_STYLES)])
    console.print(line, overflow="fold")
    console.print(f"{enc.n_tokens:,} tokens, {enc.text_chars:,} characters, {enc.text_bytes:,} bytes "
                  f"({enc.chars_per_token:.2f} characters and {enc.bytes_per_token:.2f} bytes per token); "
                  f"{escape(tokenizer)}: {enc.kind}, vocabulary {enc.vocab_size:,}; "
                  f"round trip {'exact' if enc.roundtrip else 'NOT exact'}", overflow="fold")
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1))
    for col, justify in (("#", "right"), ("id", "right"), ("piece", "left"), ("chars", "right"), ("bytes", "right"),
                         ("", "left")):
        table.add_column(col, justify=justify, overflow="fold")
    for span in enc.spans[:200]:
        flag = "part of a character" if span.partial else "unknown" if span.unknown else \
            "special" if span.special else ""
        table.add_row(str(span.index), str(span.id), escape(repr(span.piece)[1:-1]), f"{span.start}-{span.end}",
                      f"{span.byte_start}-{span.byte_end}", flag)
    console.print(table)
    if len(enc.spans) > 200:
        console.print(f"[dim]... {len(enc.spans) - 200:,} more tokens (--json lists them)[/]")
    if facts:
        console.print(f"transformers: {facts.tokenizer_class}, len {facts.vocab_size:,}, model_max_length "
                      f"{facts.model_max_length}, inputs {', '.join(facts.model_input_names)}", overflow="fold")
        console.print(f"special tokens: {escape(str(facts.special_tokens))}", overflow="fold")
        console.print(f"normalizer: {escape(facts.normalizer)}", overflow="fold")
        console.print(f"pre-tokenizer: {escape(facts.pre_tokenizer)}", overflow="fold")
        console.print(f"convert_ids_to_tokens: {escape(str(list(facts.tokens)))}", overflow="fold")
        console.print(f"convert_tokens_to_string: {escape(repr(facts.as_string))}", overflow="fold")
    _notes(enc.notices)


def _notes(notices) -> None:
    import sys

    for notice in notices:
        sys.stderr.write(f"note: {notice}\n")


@tokenizer_app.command("compare")
def compare(text: str = typer.Argument(None, help="The text (default: the deck's 시간이 화살처럼 지나간다)."),
            tokenizers: Annotated[Optional[list[str]], typer.Option("--tokenizer", "-k", help="A tokenizer to compare "
                                                                    "(repeat; default: every one available).")] = None,
            json_out: JsonOpt = False, show_code: ShowCodeOpt = False) -> None:
    """The same text split by words, characters and each tokenizer: token counts, characters and bytes
    per token, unknown-token rate, exact round trip."""
    from engine.tokenize.compare import DECK_SENTENCE
    from engine.tokenize.compare import compare as run_compare

    if show_code:
        from engine.codegen.tokenizer import compare_snippet
        from engine.tokenize.playground import available

        print_code(compare_snippet(DECK_SENTENCE if text is None else text, tokenizers or available()))
        return

    result = run_compare(DECK_SENTENCE if text is None else text, tokenizers)
    if json_out:
        print_json(result.to_dict())
        return
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, title=escape(result.text[:60]), padding=(0, 1))
    table.add_column("split", no_wrap=True, max_width=22, overflow="ellipsis")
    for col in ("tok", "chr/t", "byte/t", "unk", "exact"):
        table.add_column(col, no_wrap=True, justify="right")
    table.add_column("pieces", overflow="fold", ratio=1)
    for r in result.rows:
        table.add_row(escape(r.name), str(r.tokens), f"{r.chars_per_token:.2f}", f"{r.bytes_per_token:.2f}",
                      f"{r.unknown_rate:.0%}", "yes" if r.roundtrip else "no", escape("|".join(r.pieces[:10])))
    _console().print(table)
    _notes(result.notices)


@tokenizer_app.command("list")
def list_tokenizers(json_out: JsonOpt = False) -> None:
    """Tokenizers the playground can load without a network (embedded, then trained here)."""
    from engine.tokenize.playground import available, load

    rows = [{"name": n, "kind": load(n).kind, "vocab_size": load(n).tokenizer.get_vocab_size(),
             "path": str(load(n).path)} for n in available()]
    if json_out:
        print_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['name']:<36} {r['kind']:<16} {r['vocab_size']:>7,}")


@tokenizer_app.command("train")
@config_options(TokenizerTrainConfig)
def train(json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """Train a tokenizer with the tokenizers library (BPE, WordPiece, Unigram, byte-level BPE) on a
    built-in corpus or a file, and save it for the playground."""

    from engine.tokenize.train import TrainResult
    from engine.tokenize.train import train as run_train

    config = TokenizerTrainConfig(**given)
    if show_code:
        from engine.codegen.tokenizer import train_snippet

        print_code(train_snippet(config))
        return
    result = None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True, disable=json_out) as bar:
        task = bar.add_task("training", total=1.0, detail="")
        for event in run_train(config):
            if isinstance(event, TrainResult):
                result = event
            else:
                bar.update(task, completed=event.fraction, detail=f"{event.stage}: {event.detail}"[:50])
    assert result is not None
    if json_out:
        print_json(result.to_dict())
        return
    typer.echo(f"{result.name}: {result.kind}, vocabulary {result.vocab_size:,} from {result.corpus_chars:,} "
               f"characters in {result.seconds:.1f} s")
    typer.echo(f"saved: {result.path}")
    typer.echo("sample: " + " | ".join(result.sample))
    typer.echo(f"try it: llm-dojo tokenize '시간이 화살처럼 지나간다' --tokenizer {result.name}")
    _notes(result.notices)


@config_options(MorphConfig)
def morphs(text: str = typer.Argument(..., help="Korean text to analyse."),
           all_: Annotated[bool, typer.Option("--all", help="Every analyser that runs here, side by side.")] = False,
           json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """Korean morphemes, POS tags and nouns with KoNLPy (Okt, Komoran, Hannanum, Kkma; Mecab when
    installed), beside the subword split of the embedded tokenizer."""
    from engine.tokenize.morph import JAVA_ANALYZERS, analyze, check_text
    from engine.tokenize.playground import encode

    config = MorphConfig(**given)
    text = check_text(text)
    names = list(JAVA_ANALYZERS) if all_ else [config.analyzer]
    if show_code:
        from engine.codegen.morphology import morphs_snippet

        print_code(morphs_snippet(text, config, analyzers=names))
        return
    results = [analyze(text, MorphConfig(analyzer=n, norm=config.norm, stem=config.stem)) for n in names]
    subwords = [s.piece for s in encode(text, "dojo-tiny").spans]
    if json_out:
        print_json({"text": text, "results": [r.to_dict() for r in results], "subwords": subwords})
        return
    from rich.markup import escape

    console = _console()
    for r in results:
        options = ", ".join(o for o, on in (("norm", r.norm), ("stem", r.stem)) if on)
        console.print(f"[bold]{r.analyzer}[/]{f' ({options})' if options else ''}: "
                      + " + ".join(f"{escape(m)}/[cyan]{escape(t)}[/]" for m, t in r.pos), overflow="fold")
        console.print(f"  nouns: {escape(', '.join(r.nouns)) or '-'}   ({r.seconds * 1000:.0f} ms)", overflow="fold")
        _notes(r.notices)
    console.print("[bold]subwords[/] (dojo-tiny): " + escape(" | ".join(subwords)), overflow="fold")


@tokenizer_app.command("words")
def words(text: str = typer.Argument(..., help="Text to split (English, Korean or both)."),
          analyzer: Annotated[str, typer.Option("--analyzer", help="KoNLPy analyser for the morpheme row "
                                                "(okt, komoran, hannanum, kkma; 'none' to skip).")] = "okt",
          json_out: JsonOpt = False, show_code: ShowCodeOpt = False) -> None:
    """NLTK's word tokenizers (Treebank, WordPunct, Regexp, Tweet; word_tokenize when its data is
    installed) beside whitespace, morphemes and subwords."""
    from engine.tokenize.words import split_text

    if show_code:
        from engine.codegen.morphology import morphs_snippet, words_snippet
        from engine.codegen.snippet import Snippet
        from engine.tokenize.morph import check_text

        text = check_text(text)
        words_code = words_snippet(text, ("dojo-tiny",))
        if analyzer == "none":
            print_code(words_code)
            return
        morphs_code = morphs_snippet(text, MorphConfig(analyzer=analyzer))
        print_code(Snippet(words_code.title + " and morphemes", words_code.code + "\n\n\n" + morphs_code.code,
                           words_code.libraries + morphs_code.libraries))
        return

    result = split_text(text, morphs=None if analyzer == "none" else MorphConfig(analyzer=analyzer).analyzer)
    if json_out:
        print_json(result.to_dict())
        return
    from rich.markup import escape

    console = _console()
    for row in result.rows:
        shown = " | ".join(row.tokens) if row.tokens is not None else f"[yellow]{escape(str(row.notice))}[/]"
        count = "" if row.tokens is None else f" ({len(row.tokens)})"
        console.print(f"[bold]{escape(row.name)}[/]{count}: {shown if row.tokens is None else escape(shown)}",
                      overflow="fold")


@tokenizer_app.command("vocab")
def vocab(lang: Annotated[str, typer.Option("--lang", help="ko (KoNLPy's constitution and bills) or en "
                                            "(gensim's Lee news corpus).")] = "ko",
          max_chars: Annotated[int, typer.Option("--max-chars", help="Characters of training text to use.")] = 60_000,
          analyzer: Annotated[str, typer.Option("--analyzer", help="Add a KoNLPy morpheme row (okt, komoran, ...; "
                                                "'none' to skip).")] = "none",
          json_out: JsonOpt = False) -> None:
    """Why word-level vocabularies explode: vocabulary size and held-out OOV rate of each word
    tokenizer, characters, morphemes and the embedded subword tokenizers, on built-in corpora."""
    from engine.tokenize.words import vocab_table

    if max_chars < 1000:
        from engine.errors import DojoError

        raise DojoError(f"--max-chars {max_chars}: use at least 1000 characters")
    table = vocab_table(lang, max_chars=max_chars,
                        morphs=None if analyzer == "none" else MorphConfig(analyzer=analyzer).analyzer)
    if json_out:
        print_json(table.to_dict())
        return
    from rich import box
    from rich.table import Table

    out = Table(box=box.SIMPLE_HEAD, title=f"{lang}: {', '.join(table.corpora)} ({table.train_chars:,} characters "
                f"train, {table.heldout_chars:,} held out)")
    for col in ("split", "train tokens", "vocab", "held-out tokens", "OOV", "OOV rate"):
        out.add_column(col, justify="left" if col == "split" else "right", no_wrap=True)
    for r in table.rows:
        out.add_row(r.name, f"{r.train_tokens:,}", f"{r.vocab:,}", f"{r.heldout_tokens:,}", f"{r.oov:,}",
                    f"{r.oov_rate:.1%}")
    _console().print(out)
    _console().print("[dim]subword rows: the embedded tokenizers' own vocabularies; OOV = unknown tokens[/]")
    _notes(table.notices)
