"""`data`, `prompt`, `rag`: the LLM applications lab on the command line.

* ``llm-dojo data show NAME_OR_PATH``: features, rows, label balance, token lengths,
  the ``map`` cache and a seeded split (``engine.applications.explore``)
* ``llm-dojo prompt build``: the exact zero-/one-/few-shot prompt and its token count
* ``llm-dojo prompt icl``: zero- vs k-shot accuracy beside fine-tuned runs, one table
* ``llm-dojo rag ask QUESTION`` / ``llm-dojo rag eval``: retrieve lesson passages,
  answer from them, and measure hit-rate@k

Every command takes ``--show-code``: it prints the plain datasets / transformers / gensim
code of what it would do (``engine.codegen.applications``) instead of doing it.

Settings come from the config dataclasses in ``engine.applications.config``; bad
values fail there as one ``error:`` line.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from engine.applications.config import (AppsDataConfig, AppsIclConfig, AppsPromptConfig, AppsRagConfig,
                                        AppsRagEvalConfig)

from .common import JsonOpt, ShowCodeOpt, print_code, print_json
from .options import config_options

data_app = typer.Typer(help="Datasets: features, rows, label balance, token lengths, map and split.",
                       no_args_is_help=True)
prompt_app = typer.Typer(help="Prompts: build zero-/few-shot prompts, measure in-context learning.",
                         no_args_is_help=True)
rag_app = typer.Typer(help="Retrieval-augmented generation over the course's own lessons.", no_args_is_help=True)
Source = Annotated[str, typer.Argument(help="A built-in set (sentiment-ko, sentiment-en, instructions, rag-questions), "
                                            "a .json/.jsonl/.csv/.parquet file, or a hub name with --online.",
                                       show_default=False)]
Question = Annotated[str, typer.Argument(help="The question to answer from the lessons.", show_default=False)]


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
    app.add_typer(prompt_app, name="prompt")
    app.add_typer(rag_app, name="rag")


def _quiet() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _notes(notices) -> None:
    for notice in notices:
        sys.stderr.write(f"note: {notice}\n")


def _console():
    from rich.console import Console

    return Console()


@data_app.command("show")
@config_options(AppsDataConfig, exclude=("source",))
def data_show(source: Source, json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """Show a dataset: features, row count, sample rows, label balance, token-length histogram, map cache, split."""
    config = AppsDataConfig(source=source, **given)
    if show_code:
        from engine.codegen.applications import data_snippet

        print_code(data_snippet(config))
        return
    _quiet()
    from engine.applications.explore import explore

    report = explore(config)
    if json_out:
        print_json(report.to_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    console.print(f"[bold]{escape(report.source)}[/]  {report.rows} rows  ({report.builder})")
    features = Table(title="features", show_header=True)
    features.add_column("column", no_wrap=True)
    features.add_column("type", overflow="fold")
    for name, kind in report.features.items():
        features.add_row(escape(name), escape(kind))
    console.print(features)
    rows = Table(title=f"first {len(report.sample)} rows")
    for name in report.sample[0] if report.sample else []:
        rows.add_column(escape(name), overflow="fold", max_width=48 if name == report.text_column else 14)
    for row in report.sample:
        rows.add_row(*[escape(str(v))[:200] for v in row.values()])
    console.print(rows)
    if report.labels:
        total = sum(report.labels.values())
        console.print("label balance: " + ", ".join(f"{escape(k)} {v} ({v / total:.0%})" for k, v in report.labels.items()))
    s = report.lengths
    console.print(f"tokens ({escape(report.tokenizer)}): min {s['min']:.0f}, mean {s['mean']:.1f}, median "
                  f"{s['median']:.0f}, max {s['max']:.0f}")
    top = max(b["count"] for b in report.histogram) or 1
    for b in report.histogram:
        console.print(f"  {b['low']:7.1f}-{b['high']:7.1f} {'#' * round(40 * b['count'] / top):<40} {b['count']}",
                      highlight=False)
    state = "read from the cache" if report.map_cached else "computed and cached"
    console.print(f"map: {state} ({escape(report.map_cache or 'in memory')})")
    sp = report.split
    console.print(f"split (seed {sp['seed']}, test {sp['test_size']:g}): train {sp['train']}, test {sp['test']}")


@prompt_app.command("build")
@config_options(AppsPromptConfig)
def prompt_build(json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """Build a zero-, one- or few-shot prompt from its four elements; print the exact text and its token count."""
    config = AppsPromptConfig(**given)
    if show_code:
        from engine.codegen.applications import prompt_snippet

        print_code(prompt_snippet(config))
        return
    _quiet()
    from engine.applications.prompts import build_prompt

    result = build_prompt(config)
    if json_out:
        print_json(result.to_dict())
        return
    sys.stdout.write(result.text + "\n")
    sys.stderr.write(f"{result.tokens} tokens of {result.context} ({len(result.shots)} shots"
                     f"{', chat template' if result.chat_template else ''}{', chain of thought' if result.cot else ''})\n")
    _notes(result.notices)


@prompt_app.command("icl")
@config_options(AppsIclConfig)
def prompt_icl(json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """Zero- vs k-shot accuracy on a held-out sentiment set, beside finished SFT and LoRA runs: prompting vs
    fine-tuning in one table (the evaluation lab's label-word scorer)."""
    config = AppsIclConfig(**given)
    if show_code:
        from engine.codegen.applications import icl_snippet

        print_code(icl_snippet(config))
        return
    _quiet()
    from engine.applications.icl import measure

    result = measure(config)
    if json_out:
        print_json(result.to_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(f"prompting vs fine-tuning: {result.model} on {result.data}"))
    table.add_column("method", no_wrap=True)
    table.add_column("shots", justify="right", no_wrap=True)
    table.add_column("accuracy", justify="right", no_wrap=True)
    table.add_column("F1", justify="right", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("run", overflow="fold")
    for row in result.rows:
        table.add_row(row.method, str(row.shots), f"{row.accuracy:.3f}",
                      "" if row.f1_macro is None else f"{row.f1_macro:.3f}", str(row.n), escape(row.run or ""))
    _console().print(table)
    sys.stderr.write(f"majority-label baseline: {result.chance:.3f}\n")
    _notes(result.notices)


@rag_app.command("ask")
@config_options(AppsRagConfig, exclude=("question",))
def rag_ask(question: Question, json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """Retrieve lesson passages for QUESTION, build the augmented prompt and answer (streamed)."""
    config = AppsRagConfig(question=question, **given)
    if show_code:
        from engine.codegen.rag import rag_snippet

        print_code(rag_snippet(config))
        return
    _quiet()
    from engine.applications.rag import ask

    if json_out:
        print_json(ask(config).to_dict())
        return
    from rich.markup import escape

    console = _console()

    def show_hits(hits, prompt) -> None:
        for n, hit in enumerate(hits, 1):
            console.print(f"[bold][{n}] {hit.score:.3f}[/] {escape(hit.passage.title)} ({escape(hit.passage.id)})")
            console.print(escape(hit.passage.text[:300]), overflow="fold")
        if config.generate:
            console.print("[bold]answer:[/] ", end="")

    def stream(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    result = ask(config, on_hits=show_hits, on_text=stream)
    if result.answer is not None:
        sys.stdout.write("\n")
    sys.stderr.write(f"prompt: {result.prompt_tokens} tokens; retriever: {result.retriever}\n")
    _notes(result.notices)


@rag_app.command("eval")
@config_options(AppsRagEvalConfig)
def rag_eval(json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """hit-rate@k of each retriever on the shipped question set about the lessons."""
    config = AppsRagEvalConfig(**given)
    if show_code:
        from engine.codegen.rag import hit_rate_snippet

        print_code(hit_rate_snippet(config.retriever, config.ks, config.model))
        return
    _quiet()
    from engine.applications.rag import Retrievers, evaluate

    shared = Retrievers()
    results = [evaluate(kind, shared, ks=config.ks, model=config.model) for kind in dict.fromkeys(config.retriever)]
    if json_out:
        print_json({"retrievers": [r.to_dict() for r in results]})
        return
    from rich.table import Table

    table = Table(title=f"retrieval on {results[0].n} questions about the lessons")
    table.add_column("retriever", no_wrap=True)
    for k in config.ks:
        table.add_column(f"hit@{k}", justify="right", no_wrap=True)
    table.add_column("index s", justify="right", no_wrap=True)
    table.add_column("ms/question", justify="right", no_wrap=True)
    for r in results:
        table.add_row(r.retriever, *(f"{r.hit_rate[str(k)]:.3f}" for k in config.ks), f"{r.index_seconds:.2f}",
                      f"{r.ms_per_question:.1f}")
    _console().print(table)
