"""`llm-dojo train ...`: start training runs. `pretrain` builds the embedded models; `sft` fine-tunes.

Both start a background run (a worker process of its own, see ``engine.runs``) and
return at once with its id; ``--follow`` watches it. Every option comes from
``engine.runs.spec.RunSpec`` (``config_options``): its defaults, help and choices are
the dataclass's, and new runs start from ``RunSpec.suggested`` with what was typed on
top, exactly as the app's training form does.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from engine.runs.spec import RunSpec
from engine.training.lora import DeltaConfig, MergeConfig

from .common import JsonOpt, ShowCodeOpt, print_code, print_json
from .options import config_options

train_app = typer.Typer(help="Train models in background runs: pretrain (the embedded models), sft (fine-tuning), "
                             "lora (adapters), dpo (preference tuning).",
                         no_args_is_help=True)
FollowOpt = Annotated[bool, typer.Option("--follow", help="Watch the run after starting it.")]


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")


def _show_code(spec: RunSpec) -> None:
    """The run as a plain transformers / trl / peft script, printed instead of starting it."""
    from engine.codegen.training import training_snippet

    print_code(training_snippet(spec))


def _start(spec: Any, json_out: bool) -> str:
    from engine.runs import launcher

    spec, summary = launcher.prepare(spec)
    ahead = launcher.busy(spec)  # runs on the same device: this one waits for them (unless --parallel)
    run_id = launcher.start(spec, check=False)
    if json_out:
        print_json({"id": run_id, **summary, "queued_behind": ahead})
    else:
        typer.echo(run_id)
        if ahead:
            from engine.runs.store import short_id

            typer.echo(f"queued behind {', '.join(short_id(r) for r in ahead)} on the same device; it starts by "
                       "itself when the device is free (--parallel starts it now, sharing the device)", err=True)
        typer.echo(f"started; watch it with: llm-dojo runs attach {run_id}", err=True)
    return run_id


@train_app.command("pretrain")
@config_options(RunSpec, groups=("pretrain",), exclude=("seed", "dtype"))
def pretrain_cmd(given: dict, follow: FollowOpt = False, json_out: JsonOpt = False) -> None:
    """Pretrain a tiny model from scratch on text shipped with gensim and KoNLPy (a background run).

    With --follow, Ctrl-C stops the run after saving the recipe's checkpoint (resume it with
    `llm-dojo runs resume ID`), as the foreground recipe always did."""
    spec = RunSpec(kind="pretrain", **given)
    run_id = _start(spec, json_out)
    if follow:
        from .runs import attach

        raise typer.Exit(attach(run_id, stop_on_interrupt=True))


@train_app.command("sft")
@config_options(RunSpec, groups=("train",))
def sft_cmd(given: dict, follow: FollowOpt = False, json_out: JsonOpt = False,
            show_code: ShowCodeOpt = False) -> None:
    """Fine-tune a model in a background run; prints the run id and returns at once.

    Unset options take the values suggested for the model and this machine (a tiny model on a
    CPU trains for 10 epochs at 1e-3; a real model for 1-2 epochs at 2e-5)."""
    spec = RunSpec.suggested(kind="sft", **given)
    if show_code:
        return _show_code(spec)
    run_id = _start(spec, json_out)
    if follow:
        from .runs import attach

        raise typer.Exit(attach(run_id))


@train_app.command("lora")
@config_options(RunSpec, groups=("train", "lora"), exclude=("method",))
def lora_cmd(given: dict, follow: FollowOpt = False, json_out: JsonOpt = False,
             show_code: ShowCodeOpt = False) -> None:
    """Fine-tune LoRA adapters on a frozen model in a background run (SFT with --method lora).

    Only the adapters are saved (adapter_config.json + adapter_model.safetensors, a few MB), naming their
    base model. --qlora loads the frozen model in 4-bit (CUDA and bitsandbytes only)."""
    spec = RunSpec.suggested(kind="sft", method="lora", **given)
    if show_code:
        return _show_code(spec)
    run_id = _start(spec, json_out)
    if follow:
        from .runs import attach

        raise typer.Exit(attach(run_id))


@train_app.command("dpo")
@config_options(RunSpec, groups=("train", "lora", "dpo"), exclude=("task", "labels"))
def dpo_cmd(given: dict, follow: FollowOpt = False, json_out: JsonOpt = False,
            show_code: ShowCodeOpt = False) -> None:
    """Preference-tune a model with DPO in a background run (prompt / chosen / rejected pairs).

    --data: a JSONL/CSV file with prompt, chosen and rejected fields; empty: the built-in bilingual
    'preferences' pairs. LoRA by default (the reference is the base with the adapter off); --adapter DIR
    continues an SFT adapter, whose SFT model is then the reference."""
    spec = RunSpec.suggested(kind="dpo", **given)
    if show_code:
        return _show_code(spec)
    run_id = _start(spec, json_out)
    if follow:
        from .runs import attach

        raise typer.Exit(attach(run_id))


@train_app.command("merge")
@config_options(MergeConfig)
def merge_cmd(given: dict, json_out: JsonOpt = False) -> None:
    """Merge a LoRA adapter into its base model and save a standalone model (loadable without peft)."""
    from engine.training.lora import merge_adapter

    result = merge_adapter(MergeConfig(**given))
    if json_out:
        print_json(result)
    else:
        typer.echo(f"merged {result['adapter']} into {result['base']}: {result['parameters']:,} parameters, "
                   f"{result['bytes'] / 2**20:,.1f} MB in {result['output']}")


@train_app.command("delta")
@config_options(DeltaConfig)
def delta_cmd(given: dict, json_out: JsonOpt = False) -> None:
    """What a LoRA adapter changes: per layer, the norm of scale x B @ A against the frozen weight's."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from engine.training.lora import adapter_deltas

    config = DeltaConfig(**given)
    if not config.adapter:
        from .common import fail

        fail("give the adapter folder to inspect: --adapter DIR")
    rows = adapter_deltas(config.adapter, config.model)
    if json_out:
        print_json({"adapter": config.adapter, "layers": rows})
        return
    table = Table(box=None, pad_edge=False)
    for name, justify in (("layer", "left"), ("shape", "right"), ("|BA|", "right"), ("|W|", "right"),
                          ("ratio", "right"), ("adapter/W", "right")):
        table.add_column(name, justify=justify, overflow="fold" if name == "layer" else None,
                         no_wrap=name != "layer")
    for r in rows:
        table.add_row(escape(r["module"]), "x".join(map(str, r["shape"])), f"{r['delta_norm']:.4f}",
                      f"{r['weight_norm']:.2f}", f"{r['relative']:.2%}",
                      f"{r['adapter_params'] / r['weight_params']:.1%}")
    Console(width=min(Console().width, 80)).print(table)
