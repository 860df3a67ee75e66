"""`llm-dojo train ...`: training recipes. `pretrain` builds the embedded models."""

from __future__ import annotations

from pathlib import Path

import typer

train_app = typer.Typer(help="Train models: pretrain (and, later, sft / lora / dpo runs).", no_args_is_help=True)


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
