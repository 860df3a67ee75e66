"""Options and helpers shared by CLI commands: model flags, JSON output, errors.

Every command that loads a model takes the same flags, declared once here, and
every user error is printed as one line on stderr with exit code 2.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Model name (embedded, local dir, or HF cache id).")]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto, cpu, cuda, cuda:N or mps.")]
DtypeOpt = Annotated[str, typer.Option("--dtype", help="auto, float32, float16 or bfloat16.")]
FourBitOpt = Annotated[bool, typer.Option("--load-in-4bit", help="Quantise to 4-bit NF4 with bitsandbytes (CUDA only).")]
EightBitOpt = Annotated[bool, typer.Option("--load-in-8bit", help="Quantise to 8-bit with bitsandbytes (CUDA only).")]
PickleOpt = Annotated[bool, typer.Option("--allow-pickle", help="Allow .bin/.pt pickle weights (they can run code).")]
RemoteOpt = Annotated[bool, typer.Option("--trust-remote-code", help="Run the model's own Python code (read it first).")]
OnlineOpt = Annotated[bool, typer.Option("--online", help="Allow downloading from the Hugging Face hub.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ShowCodeOpt = Annotated[bool, typer.Option("--show-code", help="Print the plain Python (transformers, peft, trl, "
                                           "evaluate...) that does what this command does, with these settings, "
                                           "instead of running it.")]


def print_code(snippet) -> None:
    """A snippet on stdout, as a file would hold it (pipe it: ``... --show-code > lab.py``)."""
    import sys

    sys.stdout.write(snippet.text())


def load_options(task: str, device: str, dtype: str, load_in_4bit: bool, load_in_8bit: bool,
                 allow_pickle: bool, trust_remote_code: bool, online: bool):
    from engine.models.load import LoadOptions

    return LoadOptions(task=task, device=device, dtype=dtype, load_in_4bit=load_in_4bit, load_in_8bit=load_in_8bit,
                       allow_pickle=allow_pickle, trust_remote_code=trust_remote_code, allow_network=online)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 2) -> None:
    """One line on stderr, then exit."""
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


def load_with_progress(name: str, options, quiet: bool = False):
    """Load a model, drawing a rich progress bar on stderr (silent when quiet)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from engine.models.load import Loaded, load_events

    console = Console(stderr=True)
    result = None
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                  TimeElapsedColumn(), console=console, transient=True, disable=quiet or not console.is_terminal) as bar:
        task = bar.add_task(f"loading {name}", total=1.0, detail="")
        for event in load_events(name, options):
            if isinstance(event, Loaded):
                result = event
            else:
                bar.update(task, completed=event.fraction, detail=f"{event.stage}: {event.detail}"[:60])
    return result
