"""`eval`: the evaluation lab on the command line.

``llm-dojo eval --model NAME [--model OTHER ...] [--adapter PATH ...] --task TASK`` scores
every model (and the first model with each adapter) on the same items and prints one
table with the difference to the first model, the base. The settings come from
``engine.evaluation.config.EvalConfig``; the result is saved (JSON, CSV, Markdown)
under the data directory unless ``--no-save``.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from engine.errors import DojoError
from engine.evaluation.config import EvalConfig
from engine.models.load import LoadOptions

from .common import JsonOpt, ShowCodeOpt, load_with_progress, print_code, print_json
from .options import config_options

Models = Annotated[Optional[list[str]], typer.Option(
    "--model", "-m", metavar="NAME", help="Model to evaluate (embedded name, local folder, or a finished run's id); repeat "
    "to compare several. The first is the base the table compares with. (default: dojo-tiny)")]
Adapters = Annotated[Optional[list[str]], typer.Option(
    "--adapter", metavar="PATH", help="A PEFT (LoRA) adapter folder (or a finished LoRA run's id) to evaluate on the first "
    "model; repeatable.")]
Markdown = Annotated[bool, typer.Option("--markdown", help="Print the table as Markdown.")]
Csv = Annotated[bool, typer.Option("--csv", help="Print the table as CSV.")]
Save = Annotated[bool, typer.Option("--save/--no-save", help="Save JSON, CSV and Markdown under the data directory.")]
Items = Annotated[bool, typer.Option("--items/--no-items", help="With --json: include every item's scores.")]
Detach = Annotated[bool, typer.Option("--detach", help="Run in the background as an evaluation run: prints its id and "
                                      "returns; it survives the terminal, and `llm-dojo runs resume ID` continues a "
                                      "stopped one from the last scored item. Results land in the run's folder.")]
Follow = Annotated[bool, typer.Option("--follow", help="With --detach: watch the run after starting it (Ctrl-C "
                                      "leaves it running).")]
load_opts = config_options(LoadOptions, exclude=("task",), param="load")


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)


@load_opts
@config_options(EvalConfig, param="given")
def evaluate(model: Models = None, adapter: Adapters = None, json_out: JsonOpt = False, markdown: Markdown = False,
             csv_out: Csv = False, save: Save = True, items: Items = True, detach: Detach = False,
             follow: Follow = False, show_code: ShowCodeOpt = False, given: dict = None, load: dict = None) -> None:
    """Evaluate models and adapters on one task: perplexity, multiple choice, classification or generation.

    Built-in sets: heldout, heldout-ko, heldout-en (perplexity), course-mc (multiple choice), sentiment-ko,
    sentiment-en (classification), course-qa (generation); or --data FILE.jsonl in the task's format."""
    config = EvalConfig(**given)
    models = list(model or ["dojo-tiny"])
    if show_code:
        from engine.codegen.evaluation import eval_snippet
        from engine.evaluation.api import Candidate

        candidates = [Candidate(m) for m in models] + [Candidate(models[0], a) for a in adapter or []]
        print_code(eval_snippet(candidates, [config]))
        return
    if follow and not detach:
        raise DojoError("--follow watches a background evaluation: add --detach")
    if detach:
        _detach(models, list(adapter or []), config, load, json_out, follow)
        return
    from engine.evaluation.api import Candidate, evaluate_candidates, results_dir

    candidates = [Candidate(m) for m in models] + [Candidate(models[0], a) for a in adapter or []]
    quiet = json_out or markdown or csv_out
    options = LoadOptions(task="causal-lm", **load)
    loaded: dict[str, object] = {}

    def load_once(name: str):
        if name not in loaded:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            loaded[name] = load_with_progress(name, options, quiet=True)
        return loaded[name]

    comparison = _with_progress(candidates, config, load_once, quiet, evaluate_candidates)
    if save:
        folder = comparison.save(results_dir())
        sys.stderr.write(f"saved: {folder}\n")
    if json_out:
        print_json(comparison.to_dict(items=items))
        return
    if markdown:
        sys.stdout.write(comparison.to_markdown())
        return
    if csv_out:
        sys.stdout.write(comparison.to_csv())
        return
    _table(comparison)


def _detach(models: list[str], adapters: list[str], config: EvalConfig, load: dict, json_out: bool,
            follow: bool) -> None:
    """Start the evaluation as a run (kind ``eval``) and return its id."""
    from engine.runs import launcher
    from engine.runs.spec import RunSpec

    if load.get("load_in_4bit") or load.get("load_in_8bit") or load.get("spread_gpus"):
        raise DojoError("--detach runs load the model on one device in full precision or --dtype; drop "
                        "--load-in-4bit/--load-in-8bit/--spread-gpus, or evaluate in the foreground")
    spec = RunSpec(kind="eval", task=config.task, dataset=config.data, model=models[0], compare=tuple(models[1:]), adapters=tuple(adapters),
                   eval_config=config.to_dict(), device=load.get("device") or "auto",
                   dtype=load.get("dtype") or "auto", allow_pickle=bool(load.get("allow_pickle")),
                   trust_remote_code=bool(load.get("trust_remote_code")), online=bool(load.get("allow_network")))
    spec, summary = launcher.prepare(spec)
    run_id = launcher.start(spec, check=False)
    if json_out:
        print_json({"id": run_id, **summary})
    else:
        typer.echo(run_id)
        typer.echo(f"started; watch it with: llm-dojo runs attach {run_id}", err=True)
    if follow:
        from .runs import attach

        raise typer.Exit(attach(run_id))


def _with_progress(candidates, config, load, quiet, run):
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                  TimeElapsedColumn(), console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task(f"eval {config.task}", total=1.0, detail="")

        def show(event) -> None:
            what = "loading" if event.stage == "load" else f"{event.done}/{event.total}"
            bar.update(task, completed=event.fraction, detail=f"{event.label[:30]} {what}")

        return run(candidates, config, load=load, on_progress=show)


def _table(comparison) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    base = comparison.results[0]
    table = Table(title=escape(f"{base.task} on {base.data} (n-shot {base.n_shot}, "
                               f"{'chat template' if base.chat_template else 'plain prompt'})"))
    table.add_column("model", overflow="fold", max_width=28)
    table.add_column("metric", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("± stderr", justify="right", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("Δ base", justify="right", no_wrap=True)
    last = None
    for row in comparison.rows():
        name = row.adapter and f"{row.model} + {row.adapter.rstrip('/').split('/')[-1]}" or row.model
        shown = escape(name) if name != last else ""
        last = name
        delta = "" if row.delta is None else f"[{'green' if row.better else 'red' if row.better is False else ''}]" \
            f"{row.delta:+.4f}[/]"
        table.add_row(shown, row.metric, f"{row.value:.4f}", "" if row.stderr is None else f"{row.stderr:.4f}",
                      str(row.n), delta)
    console.print(table)
    for result in comparison.results:
        for notice in result.notices:
            sys.stderr.write(f"note ({result.label}): {notice}\n")
        if result.task == "classification":
            labels = result.extra["labels"]
            sys.stderr.write(f"confusion ({result.label}), rows = true {labels}: {result.extra['confusion_matrix']}\n")
