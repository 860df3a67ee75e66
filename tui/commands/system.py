"""`doctor`, `models` and `load`: what this machine has and can do."""

from __future__ import annotations

import time

import typer

from .common import (DeviceOpt, DtypeOpt, EightBitOpt, FourBitOpt, JsonOpt, OnlineOpt, PickleOpt, RemoteOpt,
                     load_options, load_with_progress, print_json)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
    app.command("models")(models)
    app.command("load")(load)


def doctor(
    json_out: JsonOpt = False,
    no_network: bool = typer.Option(False, "--no-network", help="Skip the hub reachability probe."),
) -> None:
    """Check this machine: GPU, bf16, bitsandbytes, Java for KoNLPy, disk, HF cache, network."""
    from engine.doctor import run_checks

    checks = run_checks(probe_network=not no_network)
    if json_out:
        print_json([c.to_dict() for c in checks])
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    marks = {"ok": "[green]ok[/]", "degraded": "[yellow]degraded[/]", "missing": "[red]missing[/]"}
    table = Table(title="llm-dojo doctor", show_lines=False)
    for col in ("check", "status", "value", "fix"):
        table.add_column(col, overflow="fold")
    for c in checks:
        table.add_row(escape(c.name), marks.get(c.status, escape(c.status)), escape(c.value), escape(c.fix))
    Console().print(table)


def models(json_out: JsonOpt = False) -> None:
    """List embedded models, models in the local HF cache, and adapters you trained."""
    from engine.models.catalog import list_models

    entries = list_models()
    if json_out:
        print_json([e.to_dict() for e in entries])
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="models on this machine")
    for col in ("name", "source", "type", "parameters", "path"):
        table.add_column(col, overflow="fold")
    for e in entries:
        params = f"{e.parameters:,}" if e.parameters else "?"
        kind = e.kind + (f" (base: {e.base_model})" if e.base_model else "")
        table.add_row(escape(e.name), escape(e.source), escape(kind), params, escape(e.path))
    Console().print(table)


def load(
    name: str = typer.Argument(..., help="Model name: dojo-tiny, a local dir, or a cached hub id."),
    task: str = typer.Option("causal-lm", "--task", help="causal-lm or masked-lm."),
    device: DeviceOpt = "auto",
    dtype: DtypeOpt = "auto",
    load_in_4bit: FourBitOpt = False,
    load_in_8bit: EightBitOpt = False,
    allow_pickle: PickleOpt = False,
    trust_remote_code: RemoteOpt = False,
    online: OnlineOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Load a model (as a lab would) and report device, dtype, size and load time."""
    opts = load_options(task, device, dtype, load_in_4bit, load_in_8bit, allow_pickle, trust_remote_code, online)
    start = time.perf_counter()
    loaded = load_with_progress(name, opts, quiet=json_out)
    info = {
        "name": name, "source": loaded.resolved.source, "path": str(loaded.resolved.path),
        "class": type(loaded.model).__name__, "device": loaded.device, "dtype": loaded.dtype,
        "parameters": loaded.parameters, "seconds": round(time.perf_counter() - start, 3),
        "chat_template": bool(getattr(loaded.tokenizer, "chat_template", None)),
    }
    if json_out:
        print_json(info)
    else:
        for k, v in info.items():
            typer.echo(f"{k:>14}: {v}")
