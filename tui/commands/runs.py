"""`llm-dojo runs`: list, attach to, stop, resume and remove background training runs.

Everything here reads or signals a run directory through ``engine.runs``; nothing
trains in this process, so Ctrl-C while attached only detaches the view. The list
rows come from ``tui.runs_format.run_row`` (the same rows the app's runs screen
shows), and ``attach`` draws from ``engine.runs.control.follow``: a progress bar
with the ETA and a sparkline of the training loss, rebuilt from the whole
``events.jsonl`` first, then updated as lines arrive.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .common import JsonOpt, print_json

runs_app = typer.Typer(help="Background training runs: list, attach, stop, resume, remove.",
                       invoke_without_command=True)
IdArg = Annotated[str, typer.Argument(help="Run id (the short id shown by `llm-dojo runs`, or any unique prefix).",
                                      show_default=False)]
BLOCKS = "▁▂▃▄▅▆▇█"


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


@runs_app.callback()
def runs_list(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """List runs with their state, step/total, last loss and ETA (newest last)."""
    if ctx.invoked_subcommand is not None:
        return
    from engine.runs import store

    from ..runs_format import COLUMNS, STATE_STYLE, run_row

    infos = store.list_runs()
    if json_out:
        print_json([r.to_dict() for r in infos])
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    if not infos:
        console.print("No runs yet. Start one with: [bold]llm-dojo train sft[/]")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in COLUMNS:
        table.add_column(col, justify="right" if col in ("step", "loss", "eta") else "left",
                         no_wrap=col != "model", overflow="fold")
    for info in infos:
        row = run_row(info)
        style = STATE_STYLE.get(row["state"], "")
        state = f"{row['state']} {row['position']}".strip()
        table.add_row(*[f"[{style}]{state}[/]" if c == "state" else escape(row[c]) for c in COLUMNS])
    console.print(table)
    for info in infos:
        if info.queue:
            console.print(f"[yellow]{run_row(info)['id']}[/]: {escape(queue_line(info.queue))}")
    for info in infos:
        if info.state == "failed" and info.status.get("error"):
            console.print(f"[red]{run_row(info)['id']}[/]: {escape(str(info.status['error']))}")
    console.print("[dim]Full ids and paths: llm-dojo runs --json[/]")


def queue_line(queue: dict) -> str:
    """What a waiting run waits for, in one line.

    >>> queue_line({"position": 1, "devices": ["cpu"], "behind": "20250301-142233-sft-sentiment-3fa2"})
    'queued #1 for cpu, after run 0301-1422-3fa2; it starts by itself when the device is free'
    """
    from engine.runs.store import short_id

    after = f", after run {short_id(queue['behind'])}" if queue.get("behind") else ""
    return (f"queued #{queue['position']} for {', '.join(queue.get('devices') or [])}{after}; "
            "it starts by itself when the device is free")


@runs_app.command("attach")
def attach_cmd(run_id: IdArg) -> None:
    """Watch a run live (progress, ETA, loss sparkline). Ctrl-C detaches; the run goes on."""
    raise typer.Exit(attach(run_id))


def attach(run_id: str, *, stop_on_interrupt: bool = False) -> int:
    """Draw the run until it ends -> 0 when it completed, 1 otherwise, 130 after Ctrl-C.

    Ctrl-C detaches (the run goes on), or with ``stop_on_interrupt`` stops the run at the
    next step boundary, waits for its checkpoint and says how to resume it."""
    from rich.console import Console, Group
    from rich.live import Live
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
    from rich.text import Text

    from engine.runs import control, store

    from ..runs_format import STATE_STYLE, fmt_eta

    run_dir = store.find_run(run_id)
    spec = store.load_spec(run_dir)
    console = Console(stderr=True)
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                   TextColumn("{task.completed}/{task.total} " + ("items" if spec.kind == "eval" else "steps")
                              + "  ETA {task.fields[eta]}"), console=console)
    task = bar.add_task(spec.title, total=None, eta="-")

    def line(snap) -> Text:
        h = snap.history
        if snap.state == "queued" and snap.status.get("waiting"):
            queue = store.queue_info(run_dir, snap.status)
            if queue:
                return Text(queue_line(queue), style="yellow")
        if spec.kind == "eval":  # no loss: the candidate being scored
            return Text(str(h.latest.get("candidate") or ""))
        losses = [v for _, v in h.series.get("train/loss", [])]
        parts = [f"loss {losses[-1]:.4f}" if losses else "loss -", sparkline(losses, 30)]
        for key, label in (("eval/loss", "eval"), ("eval/accuracy", "acc"), ("rewards/margins", "margin")):
            if h.last(key) is not None:
                parts.append(f"{label} {h.last(key):.3g}")
        if isinstance(h.latest.get("tokens/s"), (int, float)):
            parts.append(f"tok/s {h.latest['tokens/s']:,.0f}")
        if h.latest.get("stage") and not losses:
            parts.append(str(h.latest.get("detail") or h.latest["stage"]))
        return Text("  ".join(p for p in parts if p))

    hint = "Ctrl-C stops it (checkpoint kept)" if stop_on_interrupt else "Ctrl-C detaches; the run goes on"
    console.print(f"[bold]{run_dir.name}[/]  {spec.title}  {escape(spec.subject)}  ({hint})")
    snap = None
    try:
        with Live(console=console, refresh_per_second=4, transient=False) as live:
            for snap in control.follow(run_dir.name):
                h = snap.history
                if h.total:
                    bar.update(task, total=h.total, completed=h.step, eta=fmt_eta(h.eta))
                live.update(Group(bar, line(snap)))
    except KeyboardInterrupt:
        console.line()
        if not stop_on_interrupt:
            console.print(f"detached; the run goes on. Reattach with: llm-dojo runs attach {run_dir.name}")
            return 130
        console.print("stopping at the end of this step...")
        st = control.stop(run_dir.name)
        console.print(f"{st.get('state')}: {escape(str(st.get('error') or ''))}")
        return 130
    console.line()
    st = store.status(run_dir)
    style = STATE_STYLE.get(st.get("state"), "")
    message = f": {escape(str(st['error']))}" if st.get("error") else ""
    console.print(f"[{style}]{st.get('state')}[/]{message}")
    ending = snap.history.ending if snap is not None else None
    if ending is not None and ending.get("best_step") is not None and ending.get("metric"):
        console.print(f"kept the weights of step {ending.get('best_step')} "
                      f"(best {ending.get('metric')} {ending.get('best_metric'):.4g})")
    if st.get("state") == "completed" and st.get("output") and spec.kind == "eval":
        from ..labs import register_strings
        from ..widgets.runs.view import result_rows, results_table

        register_strings()
        Console().print(results_table(result_rows(st["output"])))  # the result: on stdout, like `llm-dojo eval`
        console.print(f"results saved in {escape(str(st['output']))}")
    elif st.get("state") == "completed" and st.get("output"):
        console.print(f"model saved in {escape(str(st['output']))}")
    return 0 if st.get("state") == "completed" else 1


@runs_app.command("stop")
def stop_cmd(
    run_id: IdArg,
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait for the checkpoint before killing."),
    now: bool = typer.Option(False, "--now", help="Kill at once (no checkpoint)."),
    json_out: JsonOpt = False,
) -> None:
    """Stop a run: checkpoint at the end of the current step; a second stop (or --now) kills it."""
    from engine.runs import control

    st = control.stop(run_id, timeout=timeout, now=now)
    if json_out:
        print_json(st)
    else:
        typer.echo(f"{st.get('state')}: {st.get('error') or ''}".rstrip(": "))


@runs_app.command("resume")
def resume_cmd(run_id: IdArg, follow: bool = typer.Option(False, "--follow", help="Watch it after resuming.")) -> None:
    """Continue a cancelled or failed run from its last checkpoint (same step numbers)."""
    from engine.runs import control

    rid = control.resume(run_id)
    typer.echo(rid)
    if follow:
        raise typer.Exit(attach(rid))


@runs_app.command("rm")
def rm_cmd(run_id: IdArg) -> None:
    """Delete a finished run's directory (checkpoints, model, events)."""
    from engine.runs import store

    typer.echo(f"removed {store.remove_run(run_id)}")
