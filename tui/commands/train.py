"""`llm-dojo train ...`: training recipes. `pretrain` builds the embedded models."""

from __future__ import annotations

from pathlib import Path

import typer

train_app = typer.Typer(help="Train models: pretrain (the embedded models), sft (background fine-tuning runs).",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")


@train_app.command("pretrain")
def pretrain_cmd(
    preset: str = typer.Option("dojo-tiny", "--preset", help="dojo-tiny, dojo-tiny-mlm (or dojo-micro* for a quick try)."),
    out: Path = typer.Option(None, "--out", help="Output directory (default: <data dir>/models/<preset>)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a non-empty output directory."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the checkpoint in --out."),
    no_eval: bool = typer.Option(False, "--no-eval", help="Skip the held-out evaluation and model card figures."),
) -> None:
    """Pretrain a tiny model from scratch on text shipped with gensim and KoNLPy."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from engine import paths
    from engine.training.presets import get_preset
    from engine.training.pretrain import DoneEvent, StageEvent, StepEvent, pretrain

    spec = get_preset(preset)
    if out is None:
        out = paths.ensure_home() / "models" / spec.name
    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("{task.fields[info]}"), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task(spec.name, total=None, info="")
        for ev in pretrain(spec, out, overwrite=overwrite, resume=resume, evaluate=not no_eval):
            if isinstance(ev, StageEvent):
                bar.console.print(f"[cyan]{ev.stage}[/] {ev.detail}")
            elif isinstance(ev, StepEvent):
                bar.update(task, total=ev.total, completed=ev.step,
                           info=f"{ev.stage} loss {ev.loss:.3f}  {ev.tokens_per_s:,.0f} tok/s  lr {ev.lr:.2e}")
                if ev.step % 50 == 0:
                    bar.console.print(f"step {ev.step}/{ev.total} {ev.stage} loss {ev.loss:.4f} "
                                      f"{ev.tokens_per_s:,.0f} tok/s eta {ev.eta_s / 60:.1f} min")
            elif isinstance(ev, DoneEvent):
                bar.console.print(f"[green]done[/] in {ev.seconds / 60:.1f} min -> {ev.out_dir}")


@train_app.command("sft")
def sft_cmd(
    task: str = typer.Option("sentiment", "--task", help="sentiment (prompt 'text: ... label:') or instruction (chat)."),
    model: str = typer.Option("dojo-tiny", "--model", "-m", help="Model name (embedded, local dir, or HF cache id)."),
    data: str = typer.Option("", "--data", help="sentiment-ko (default for sentiment), sentiment-en, sentiment "
                             "(both), instructions (default for instruction), a JSONL/CSV/Parquet file, or a hub "
                             "dataset name with --online."),
    column: list[str] = typer.Option([], "--column", help="Map a column: OURS=THEIRS, e.g. text=review (repeatable)."),
    labels: str = typer.Option("", "--labels", help="Sentiment label words, comma-separated (default: from the data)."),
    epochs: float = typer.Option(None, "--epochs", help="Passes over the data (default: 10 for sentiment on dojo models, 3 for instruction, else 1)."),
    max_steps: int = typer.Option(-1, "--max-steps", help="Stop after this many steps (overrides --epochs)."),
    batch_size: int = typer.Option(None, "--batch-size", help="Examples per step per device."),
    grad_accum: int = typer.Option(1, "--grad-accum", help="Gradient accumulation steps."),
    lr: float = typer.Option(None, "--lr", help="Peak learning rate (default: 1e-3/5e-4 for dojo models, else 2e-5)."),
    warmup: float = typer.Option(0.1, "--warmup", help="Warm-up: a fraction of the steps (<1) or a step count."),
    max_seq_length: int = typer.Option(None, "--max-seq-length", help="Tokens per example (must fit the model)."),
    seed: int = typer.Option(42, "--seed"),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:N or mps."),
    dtype: str = typer.Option("auto", "--dtype", help="auto (fp32 weights, mixed precision on GPU), float32, ..."),
    gradient_checkpointing: bool = typer.Option(None, "--gradient-checkpointing/--no-gradient-checkpointing",
                                                help="Trade compute for memory."),
    logging_steps: int = typer.Option(0, "--logging-steps", help="0: automatic (about 200 points)."),
    eval_steps: int = typer.Option(0, "--eval-steps", help="0: automatic (about 10 evaluations)."),
    save_steps: int = typer.Option(0, "--save-steps", help="0: automatic (about 5 checkpoints)."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Allow .bin/.pt pickle weights (they can run code)."),
    trust_remote_code: bool = typer.Option(False, "--trust-remote-code", help="Run the model's own Python code."),
    online: bool = typer.Option(False, "--online", help="Allow the Hugging Face hub for the model and dataset."),
    follow: bool = typer.Option(False, "--follow", help="Watch the run after starting it (Ctrl-C detaches)."),
    json_out: bool = typer.Option(False, "--json", help="Print the run id and data summary as JSON."),
) -> None:
    """Fine-tune a model in a background run; prints the run id and returns at once."""
    from engine.errors import DojoError
    from engine.runs import launcher
    from engine.runs.spec import RunSpec, gpu_present, suggested
    from engine.training.datasets import parse_columns

    from .common import fail, print_json

    hint = suggested(task, gpu_present(), model)
    try:
        spec = RunSpec(
            kind="sft", task=task, model=model, dataset=data, columns=parse_columns(column),
            labels=tuple(x.strip() for x in labels.split(",") if x.strip()),
            epochs=hint["epochs"] if epochs is None else epochs, max_steps=max_steps,
            batch_size=hint["batch_size"] if batch_size is None else batch_size, grad_accum=grad_accum,
            lr=hint["lr"] if lr is None else lr, warmup=warmup,
            max_seq_length=hint["max_seq_length"] if max_seq_length is None else max_seq_length, seed=seed,
            device=device, dtype=dtype,
            gradient_checkpointing=hint["gradient_checkpointing"] if gradient_checkpointing is None
            else gradient_checkpointing,
            logging_steps=logging_steps, eval_steps=eval_steps, save_steps=save_steps, allow_pickle=allow_pickle,
            trust_remote_code=trust_remote_code, online=online,
        )
        spec, summary = launcher.prepare(spec)
        run_id = launcher.start(spec, check=False)
    except DojoError as exc:
        fail(str(exc))
        return
    if json_out:
        print_json({"id": run_id, **summary})
    else:
        typer.echo(run_id)
        typer.echo(f"started; watch it with: llm-dojo runs attach {run_id}", err=True)
    if follow:
        from .runs import attach

        raise typer.Exit(attach(run_id))

