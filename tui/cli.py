"""The `llm-dojo` command line: a thin typer front over the engine.

With no command it opens the TUI. Each command lives in ``tui/commands/`` and is
registered here; command bodies import the engine lazily, so ``--help`` never
imports torch. A :class:`engine.errors.DojoError` anywhere becomes one line on
stderr and exit code 2 (130 for an interrupted recipe).
"""

from __future__ import annotations

import os
import sys
from typing import Optional

# Plain click help (not rich panels): it wraps option help under the option at 80 columns,
# where the panels squeeze it into a narrow column. Read by typer when it is imported.
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer  # noqa: E402
import typer.core  # noqa: E402

try:  # typer >= 0.20 vendors click; its exceptions are these
    from typer._click import exceptions as click
except ImportError:  # pragma: no cover - older typer on real click
    from click import exceptions as click  # type: ignore[no-redef]

from engine import __version__


class DojoGroup(typer.core.TyperGroup):
    """The root command group: a user error (``DojoError``) raised by any command becomes one
    ``error:`` line on stderr and exit code 2, however the CLI is invoked (``main``, or a
    test's ``CliRunner``)."""

    def invoke(self, ctx):  # type: ignore[override]
        from engine.errors import DojoError

        try:
            return super().invoke(ctx)
        except DojoError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    name="llm-dojo",
    cls=DojoGroup,
    help="LLM Dojo: learn how large language models work and how to fine-tune them, in your terminal.",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llm-dojo {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    lang: Optional[str] = typer.Option(None, "--lang", help="Interface language: ko or en (default: from the locale)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Open the app (no command), or run one of the commands below."""
    if lang is not None and lang not in ("ko", "en"):
        from .commands.common import fail

        fail(f"--lang {lang}: use ko or en")
    ctx.obj = {"lang": lang}
    from engine.paths import private_umask

    private_umask()  # runs, chats, models, progress: readable by their owner only
    if ctx.invoked_subcommand is None:
        from engine.paths import ensure_home

        ensure_home()
        from .app import run_app

        run_app(lang)


def _register() -> None:
    import importlib

    from .commands import MODULES

    for name in MODULES:
        importlib.import_module(f"{__package__}.commands.{name}").register(app)


_register()


def usage_error(exc: click.UsageError) -> str:
    """A click usage error as one line that says where the help is.

    >>> usage_error(click.UsageError("No such option: --tmp"))
    "No such option: --tmp; see 'llm-dojo --help'"
    """
    ctx = exc.ctx
    path = ctx.command_path.replace(ctx.find_root().info_name or "", "llm-dojo", 1) if ctx else "llm-dojo"
    message = " ".join(exc.format_message().split())
    return f"{message.rstrip('.')}; see '{path} --help'"


def main() -> None:
    """Run the CLI: every user error is one ``error:`` line on stderr and exit code 2."""
    from engine.errors import DojoError

    try:
        code = app(standalone_mode=False, prog_name="llm-dojo")
    except DojoError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
    except click.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(2)
    except click.UsageError as exc:
        sys.stderr.write(f"error: {usage_error(exc)}\n")
        sys.exit(2)
    except click.ClickException as exc:
        sys.stderr.write(f"error: {' '.join(exc.format_message().split())}\n")
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
