"""`hub search|card|download|cache|whoami|login|logout`: the Hugging Face Hub through huggingface_hub.

With ``HF_HUB_OFFLINE=1`` only ``hub cache`` (and ``whoami``, which then says offline
without asking) works; the others say so in one line and contact nothing.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from engine.hub.client import HubSearchConfig
from engine.hub.download import HubDownloadConfig

from .common import JsonOpt, print_json
from .options import config_options


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The Hugging Face Hub: search, model cards, downloads, the local cache, your token.")
    group.command("search")(search)
    group.command("card")(card)
    group.command("download")(download)
    group.command("cache")(cache)
    group.command("whoami")(whoami)
    group.command("login")(login)
    group.command("logout")(logout)
    app.add_typer(group, name="hub")


def _size(n: int | None) -> str:
    from engine.models.inspect import human_size

    return human_size(n) if n is not None else "?"


@config_options(HubSearchConfig)
def search(given: dict, query: Annotated[str, typer.Argument(help="Text to find in repository names.")] = "",
           json_out: JsonOpt = False) -> None:
    """Search models (or datasets with --kind dataset) by text, task, library and language (ko first)."""
    from engine.hub.client import search as run

    result = run(HubSearchConfig(query=query, **given))
    if json_out:
        print_json(result.to_dict())
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"hub search ({escape(result.endpoint)})")
    table.add_column("repository", overflow="fold")
    for col in ("downloads", "likes"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("task / library", overflow="fold")
    for h in result.hits:
        name = escape(h.repo) + (" [yellow](gated)[/]" if h.gated else "")
        table.add_row(name, f"{h.downloads or 0:,}", f"{h.likes or 0:,}",
                      escape(" / ".join(x for x in (h.task, h.library) if x)))
    Console().print(table)
    if not result.hits:
        typer.echo("nothing found; try fewer filters (--language '' searches every language)")


def card(repo: Annotated[str, typer.Argument(help="owner/name of a model repository.")],
         revision: Annotated[str, typer.Option("--revision", help="Branch, tag or commit.")] = "main",
         json_out: JsonOpt = False) -> None:
    """A model's card: licence, gated or not, files with sizes, and its README."""
    from engine.hub.client import card as run

    c = run(repo, revision)
    if json_out:
        print_json(c.to_dict())
        return
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    gated = f"gated ({c.gated_mode or 'yes'}): accept its conditions on the hub first" if c.gated else "open"
    console.print(f"[bold]{escape(c.repo)}[/]  licence {escape(c.licence or '?')}, {gated}, "
                  f"weights {c.weight_format}, {len(c.files)} files, {_size(c.total_bytes)}")
    table = Table(show_header=False, box=None)
    table.add_column(overflow="fold")
    table.add_column(justify="right", no_wrap=True)
    for f in c.files:
        table.add_row(escape(f.name), _size(f.size))
    console.print(table)
    if c.readme:
        console.print(Markdown(c.readme))


@config_options(HubDownloadConfig, exclude={"repo"})
def download(given: dict, repo: Annotated[str, typer.Argument(help="owner/name of a model repository.")],
             json_out: JsonOpt = False) -> None:
    """Download safetensors weights, config and tokenizer files into the HF cache (size said first, resumable)."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from engine.hub.download import HubDownloaded, HubPlan, HubProgress, download_events

    config = HubDownloadConfig(repo=repo, **given)
    console = Console(stderr=True)
    result = None
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=console, transient=True, disable=json_out or not console.is_terminal) as bar:
        task = None
        for ev in download_events(config):
            if isinstance(ev, HubPlan):
                if not json_out:
                    console.print(f"{ev.repo}: {len(ev.files)} files, {_size(ev.total_bytes)} "
                                  f"({_size(ev.cached_bytes)} already cached, {_size(ev.needed_bytes)} to fetch, "
                                  f"{_size(ev.free_bytes)} free)", markup=False, highlight=False)
                task = bar.add_task(f"downloading {ev.repo}", total=ev.total_bytes or 1)
            elif isinstance(ev, HubProgress) and task is not None:
                bar.update(task, completed=ev.done)
            elif isinstance(ev, HubDownloaded):
                result = ev
    if json_out:
        print_json(result.to_dict())
    else:
        typer.echo(f"downloaded {result.repo} to {result.path}")
        typer.echo(f"try it: llm-dojo inspect {result.repo}")


def cache(delete: Annotated[Optional[list[str]], typer.Option("--delete", help="Delete this repository from the cache (repeat for more).")] = None,
          yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
          json_out: JsonOpt = False) -> None:
    """The local Hugging Face cache: repositories, sizes, last use; --delete frees space (asks first)."""
    from engine.errors import DojoError
    from engine.hub.cache import delete as run_delete, listing

    if delete:
        preview = run_delete(list(delete), execute=False)
        if not yes:
            if json_out or not sys.stdin.isatty():
                raise DojoError(f"deleting {', '.join(delete)} frees {_size(preview.freed_bytes)}; "
                                "add --yes to confirm (no question can be asked here)")
            if not typer.confirm(f"delete {', '.join(delete)} ({_size(preview.freed_bytes)})?", default=False):
                typer.echo("nothing deleted")
                raise typer.Exit(1)
        done = run_delete(list(delete), execute=True)
        if json_out:
            print_json(done.to_dict())
        else:
            typer.echo(f"deleted {', '.join(done.repos)}: {_size(done.freed_bytes)} freed")
        return
    lst = listing()
    if json_out:
        print_json(lst.to_dict())
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"hub cache: {escape(lst.cache_dir)} ({_size(lst.size)})")
    table.add_column("repository", overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("files", justify="right", no_wrap=True)
    table.add_column("last used", no_wrap=True)
    for r in lst.repos:
        table.add_row(escape(r.repo), r.kind, _size(r.size), str(r.files), (r.last_used or "?")[:16].replace("T", " "))
    Console().print(table)
    if not lst.repos:
        typer.echo("the cache is empty; download with: llm-dojo hub download OWNER/NAME")


def whoami(json_out: JsonOpt = False) -> None:
    """Is a token configured, and whose is it (asks the hub; the token itself is never shown)."""
    from engine.hub.client import token_status

    status = token_status(check=True)
    if json_out:
        print_json(status.to_dict())
        return
    if not status.configured:
        typer.echo(f"no token configured ({status.token_path} is absent, HF_TOKEN unset); log in: llm-dojo hub login")
    elif status.offline:
        typer.echo(f"a token is configured ({status.source}); HF_HUB_OFFLINE is set, so the hub was not asked whose")
    else:
        orgs = f" (orgs: {', '.join(status.orgs)})" if status.orgs else ""
        typer.echo(f"logged in to {status.endpoint} as {status.user}{orgs}; token from {status.source}")


def login(json_out: JsonOpt = False) -> None:
    """Log in with an access token (typed hidden, or piped on stdin); saved where huggingface_hub keeps it."""
    from engine.hub.client import login as run

    if sys.stdin.isatty():
        token = typer.prompt("hub token (https://huggingface.co/settings/tokens)", hide_input=True)
    else:
        token = sys.stdin.readline()
    status = run(token)
    if json_out:
        print_json(status.to_dict())
    else:
        typer.echo(f"logged in as {status.user}; token saved to {status.token_path}")


def logout(json_out: JsonOpt = False) -> None:
    """Forget the saved token (an HF_TOKEN environment variable stays in force)."""
    from engine.hub.client import logout as run

    status = run()
    if json_out:
        print_json(status.to_dict())
    elif status.configured:
        typer.echo("the saved token is removed, but HF_TOKEN is still set in the environment")
    else:
        typer.echo("logged out: no token is saved")
