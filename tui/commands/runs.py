"""`llm-dojo runs`: list, attach to, stop, resume and remove background training runs.

Everything here reads or signals a run directory through ``engine.runs``; nothing
trains in this process, so Ctrl-C while attached only detaches the view. ``attach``
draws a rich progress bar with the ETA and a sparkline of the training loss,
rebuilt from the whole ``events.jsonl`` first, then updated as lines arrive.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from engine.errors import DojoError

from .common import JsonOpt, fail, print_json

runs_app = typer.Typer(help="Background training runs: list, attach, stop, resume, remove.",
                       invoke_without_command=True)
IdArg = Annotated[str, typer.Argument(help="Run id (a unique prefix is enough).", show_default=False)]
BLOCKS = "▁▂▃▄▅▆▇█"
STATE_STYLE = {"queued": "yellow", "running": "cyan", "stopping": "yellow", "completed": "green",
               "failed": "red", "cancelled": "magenta"}


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")


def sparkline(values: list[float], width: int = 40) -> str:
    """The last ``width`` values as block characters, scaled between their min and max.

    >>> sparkline([3.0, 2.0, 1.0, 1.0])
    '█▅▁▁'
    """
    values = [v for v in values if v == v][-width:]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    return "".join(BLOCKS[min(7, int((v - lo) / span * 7 + 0.5))] for v in values)


def fmt_eta(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)) or seconds != seconds:
        return "-"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


@runs_app.callback()
def runs_list(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """List runs with their state, step/total, last loss and ETA."""
    if ctx.invoked_subcommand is not None:
        return
    from engine.runs import store

    rows = [r.to_dict() for r in store.list_runs()]
    if json_out:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not rows:
        console.print("No runs yet. Start one with: [bold]llm-dojo train sft[/]")
        return
    table = Table(box=None, header_style="bold")
    for col in ("id", "task", "model", "state", "step", "loss", "eta"):
        table.add_column(col, justify="right" if col in ("step", "loss", "eta") else "left",
                         no_wrap=col in ("id", "state", "step"), min_width=len(rows[0]["id"]) if col == "id" else None,
                         max_width=18 if col == "model" else None, overflow="ellipsis")
    for r in rows:
        step = f"{r['step'] or 0}/{r['total']}" if r["total"] else "-"
        loss = f"{r['loss']:.4f}" if isinstance(r["loss"], float) else "-"
        style = STATE_STYLE.get(r["state"], "")
        model = r["model"].rstrip("/").rsplit("/", 1)[-1] if r["model"].startswith(("/", ".")) else r["model"]
        table.add_row(r["id"], f"{r['kind']}/{r['task']}", model, f"[{style}]{r['state']}[/]", step, loss,
                      fmt_eta(r["eta_s"]))
    console.print(table)
    for r in rows:
        if r["state"] == "failed" and r["error"]:
            console.print(f"[red]{r['id']}[/]: {r['error']}")


@runs_app.command("attach")
def attach_cmd(run_id: IdArg) -> None:
    """Watch a run live (progress, ETA, loss sparkline). Ctrl-C detaches; the run goes on."""
    try:
        code = attach(run_id)
    except DojoError as exc:
        fail(str(exc))
        return
    raise typer.Exit(code)


def attach(run_id: str) -> int:
    """Draw the run until it ends -> 0 when it completed, 1 otherwise (130: detached)."""
    from rich.console import Console, Group
    from rich.live import Live
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
    from rich.text import Text

    from engine.runs import control, store

    run_dir = store.find_run(run_id)
    spec = store.load_spec(run_dir)
    console = Console(stderr=True)
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                   TextColumn("{task.completed}/{task.total} steps  ETA {task.fields[eta]}"), console=console)
    task = bar.add_task(run_dir.name, total=None, eta="-")
    points: list[tuple[int, float]] = []
    info: dict[str, Any] = {}

    def line() -> Text:
        losses = [v for _, v in points]
        parts = [f"loss {losses[-1]:.4f}" if losses else "loss -", sparkline(losses)]
        for key, label in (("eval/loss", "eval"), ("eval/accuracy", "acc"), ("lr", "lr"), ("tokens/s", "tok/s")):
            if key in info:
                value = info[key]
                parts.append(f"{label} {value:.3g}" if key != "tokens/s" else f"{label} {value:,.0f}")
        return Text("  ".join(p for p in parts if p))

    console.print(f"[bold]{run_dir.name}[/]  {spec.kind}/{spec.task}  {spec.model}  (Ctrl-C detaches; the run goes on)")
    try:
        with Live(Group(bar, line()), console=console, refresh_per_second=4, transient=False) as live:
            for ev in control.follow(run_dir.name):
                if ev.get("event") == "resume":  # steps after the checkpoint are trained again
                    points[:] = [p for p in points if p[0] <= ev.get("step", 0)]
                if ev.get("event") == "log" and "train/loss" in ev:
                    points.append((ev.get("step", 0), float(ev["train/loss"])))
                for key in ("eval/loss", "eval/accuracy", "lr", "tokens/s"):
                    if key in ev:
                        info[key] = ev[key]
                if "total" in ev:
                    bar.update(task, total=ev["total"], completed=ev.get("step", 0))
                if "eta" in ev:
                    bar.update(task, eta=fmt_eta(ev["eta"]))
                live.update(Group(bar, line()))
    except KeyboardInterrupt:
        console.print(f"detached; the run goes on. Reattach with: llm-dojo runs attach {run_dir.name}")
        return 130
    console.line()
    st = store.status(run_dir)
    style = STATE_STYLE.get(st.get("state"), "")
    message = f": {st['error']}" if st.get("error") else ""
    console.print(f"[{style}]{st.get('state')}[/]{message}")
    if st.get("state") == "completed" and st.get("output"):
        console.print(f"model saved in {st['output']}")
    return 0 if st.get("state") == "completed" else 1


@runs_app.command("stop")
def stop_cmd(
    run_id: IdArg,
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait for the checkpoint before killing."),
    now: bool = typer.Option(False, "--now", help="Kill at once (no checkpoint)."),
    json_out: JsonOpt = False,
) -> None:
    """Stop a run: checkpoint at the end of the current step; a second stop (or --now) kills it."""
    from engine.runs import control, store

    try:
        if now:
            run_dir = store.find_run(run_id)
            if store.status(run_dir).get("state") not in store.ACTIVE:
                raise DojoError(f"run {run_dir.name} is not running; nothing to stop")
            control.kill(run_dir, reason="killed with --now")
            st = store.status(run_dir)
        else:
            st = control.stop(run_id, timeout=timeout)
    except DojoError as exc:
        fail(str(exc))
        return
    if json_out:
        print_json(st)
    else:
        typer.echo(f"{st.get('state')}: {st.get('error') or ''}".rstrip(": "))


@runs_app.command("resume")
def resume_cmd(run_id: IdArg, follow: bool = typer.Option(False, "--follow", help="Watch it after resuming.")) -> None:
    """Continue a cancelled or failed run from its last checkpoint (same step numbers)."""
    from engine.runs import control

    try:
        rid = control.resume(run_id)
    except DojoError as exc:
        fail(str(exc))
        return
    typer.echo(rid)
    if follow:
        time.sleep(0.2)
        raise typer.Exit(attach(rid))


@runs_app.command("rm")
def rm_cmd(run_id: IdArg) -> None:
    """Delete a finished run's directory (checkpoints, model, events)."""
    from engine.runs import store

    try:
        path = store.remove_run(run_id)
    except DojoError as exc:
        fail(str(exc))
        return
    typer.echo(f"removed {path}")
