"""`chat`: talk to a model and its fine-tuned adapters (the app's chat screen, or `--plain` line mode).

`--plain` is a line-mode REPL for scripts and dumb terminals: each line of stdin is a
message, the reply streams to stdout, notes and timing go to stderr. A line ending in
a backslash continues on the next line. Lines starting with `/` are commands:
`/adapter NAME` (or `/adapter base`), `/side` (the last message answered by the base
and the adapter, same seed), `/new`, `/quit`. The conversation is saved when the input
ends (`--resume ID` continues a saved one). `--list`, `--export ID`, `--rename ID --title TEXT` and `--delete ID` manage saved
conversations.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from engine.chat.session import CHAT_DEFAULTS
from engine.generation.params import SamplingParams

from .common import JsonOpt, ShowCodeOpt, print_code, print_json
from .options import config_options

HELP_LINE = "commands: /adapter NAME|base, /side, /new, /quit; a line ending in \\ continues"


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)


def _note(text: object) -> None:
    sys.stderr.write(f"note: {text}\n")


@config_options(SamplingParams, exclude=("num_beams", "length_penalty"), param="sampling", defaults=CHAT_DEFAULTS)
def chat(
    ctx: typer.Context,
    model: Annotated[Optional[str], typer.Option("--model", "-m", metavar="NAME", help="Model to chat with (default: the best chat "
                                                 "model available locally, else dojo-tiny).")] = None,
    adapter: Annotated[Optional[list[str]], typer.Option("--adapter", metavar="PATH", help="A LoRA adapter folder for the model; "
                                                         "repeat to load several (the last is active).")] = None,
    system: Annotated[Optional[str], typer.Option("--system", metavar="TEXT", help="System prompt.")] = None,
    plain: Annotated[bool, typer.Option("--plain", help="Line-mode REPL on stdin/stdout instead of the app.")] = False,
    resume: Annotated[Optional[str], typer.Option("--resume", metavar="ID",
                                                  help="Continue a saved conversation (its adapters and settings).")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List saved conversations.")] = False,
    export: Annotated[Optional[str], typer.Option("--export", metavar="ID",
                                                  help="Print a saved conversation as Markdown (JSON with --json).")] = None,
    delete: Annotated[Optional[str], typer.Option("--delete", metavar="ID", help="Delete a saved conversation.")] = None,
    rename: Annotated[Optional[str], typer.Option("--rename", metavar="ID",
                                                  help="Rename a saved conversation (with --title).")] = None,
    title: Annotated[Optional[str], typer.Option("--title", metavar="TEXT", help="The new title, with --rename.")] = None,
    json_out: JsonOpt = False, show_code: ShowCodeOpt = False, sampling: dict = None,
) -> None:
    """Chat with a model and its adapters: streamed replies, adapters switched without reloading the base."""
    from engine.chat.store import ChatStore

    if rename:
        from engine.errors import DojoError

        if not title or not title.strip():
            raise DojoError("--rename needs the new title: --title TEXT")
        conv = ChatStore().rename(rename, title)
        if json_out:
            print_json({"id": conv.id, "title": conv.title})
        else:
            sys.stderr.write(f"renamed {conv.id}\n")
        return
    if list_ or export or delete:
        _saved(ChatStore(), list_, export, delete, json_out)
        return
    params = SamplingParams.from_options({**CHAT_DEFAULTS, **sampling})
    notices = []
    if model is None:
        from engine.chat.session import default_model

        model, notices = default_model()
    if show_code:
        print_code(_chat_snippet(model, list(adapter or []), system or "", params, resume))
        return
    if not plain:
        _open_app(ctx, model, list(adapter or []), system or "", sampling)
        return
    _repl(model, list(adapter or []), system or "", params, notices, json_out, resume)


def _chat_snippet(model: str, adapters: list[str], system: str, params: SamplingParams, resume: str | None):
    """The chat as plain transformers + peft: with --resume, the saved conversation's last reply;
    otherwise a read-reply loop on stdin. Only the tokenizer is read (is there a chat template?)."""
    import re
    from pathlib import Path

    from engine.codegen.chat import chat_snippet
    from engine.errors import DojoError
    from engine.generation.chat_formats import has_template, tokenizer_for

    named: dict[str, str] = {}
    for path in adapters:
        folder = Path(path).expanduser()
        if not (folder / "adapter_config.json").is_file():
            raise DojoError.keyed("convo.no_folder" if not folder.is_dir() else "convo.not_adapter", path=path)
        name = re.sub(r"[^\w-]+", "-", folder.name).strip("-") or "adapter"
        named[name if name not in named else f"{name}-{len(named) + 1}"] = str(folder.resolve())
    active = list(named)[-1] if named else None
    messages = None
    if resume:
        from engine.chat.store import ChatStore

        conv = ChatStore().load(resume)
        model, system = conv.model, conv.system
        if conv.settings:
            params = SamplingParams.from_options(conv.settings)
        users = [i for i, m in enumerate(conv.messages) if m.role == "user"]
        if users:
            last = users[-1]
            answered = conv.messages[last + 1] if last + 1 < len(conv.messages) else None
            for path in conv.adapters:
                name = re.sub(r"[^\w-]+", "-", Path(path).name).strip("-") or "adapter"
                named.setdefault(name, path)
            active = answered.adapter if answered is not None and answered.adapter in named else None
            conv.messages = conv.messages[: last + 1]
            messages = conv.model_messages()
    from engine.device import pick_device, pick_dtype

    builtin = not has_template(tokenizer_for(model))
    device = pick_device("auto")  # where the chat loads the model
    return chat_snippet(model, params, messages=messages, system=system, adapters=named, active=active,
                        builtin_format=builtin, device=device, dtype=pick_dtype(device, None))


def _saved(store, list_: bool, export: str | None, delete: str | None, json_out: bool) -> None:
    if delete:
        store.delete(delete)
        if json_out:
            print_json({"deleted": delete})
        else:
            sys.stderr.write(f"deleted {delete}\n")
        return
    if export:
        conv = store.load(export)
        if json_out:
            print_json(conv.to_dict())
        else:
            sys.stdout.write(conv.to_markdown() + "\n")
        return
    found, problems = store.list()
    if json_out:
        print_json({"conversations": [{"id": c.id, "title": c.title, "model": c.model, "adapters": c.adapters,
                                       "messages": len(c.messages), "updated": c.updated} for c in found],
                    "skipped": [str(p) for p in problems]})
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(found)} saved conversation(s)")
    table.add_column("id", no_wrap=True)
    table.add_column("title", overflow="fold")
    table.add_column("model", overflow="fold")
    table.add_column("msgs", justify="right", no_wrap=True)
    for c in found:
        table.add_row(c.id, escape(c.title), escape(c.model), str(len(c.messages)))
    Console().print(table)
    for p in problems:
        _note(p)


def _open_app(ctx: typer.Context, model: str, adapters: list[str], system: str, sampling: dict) -> None:
    from pathlib import Path

    from engine.errors import DojoError
    from engine.paths import ensure_home

    for path in adapters:
        if not (Path(path).expanduser() / "adapter_config.json").is_file():
            key = "convo.no_folder" if not Path(path).expanduser().is_dir() else "convo.not_adapter"
            raise DojoError.keyed(key, path=path)
    ensure_home()
    lang = (ctx.obj or {}).get("lang") if ctx.obj else None
    app = chat_first_app(lang, {"model": model, "adapters": adapters, "system": system, **sampling})
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)


def chat_first_app(lang: str | None, try_it: dict, services=None):
    """The app, opened on the chat screen (Esc there leads to the home map)."""
    from pathlib import Path

    from .. import app as app_module
    from ..app import DojoApp
    from ..services import real_services

    class ChatFirst(DojoApp):
        CSS_PATH = str(Path(app_module.__file__).parent / str(DojoApp.CSS_PATH))  # relative to tui/app.py

        def _start_course(self, store) -> None:  # type: ignore[override]
            super()._start_course(store)
            self.open_lab("chat", try_it)

    return ChatFirst(services or real_services(lang))


def _read_message(stream) -> str | None:
    """One message from ``stream`` (a trailing backslash joins the next line); None at the end."""
    parts: list[str] = []
    for line in stream:
        line = line.rstrip("\n")
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        return "\n".join(parts)
    return "\n".join(parts) if parts else None


def _repl(model: str, adapters: list[str], system: str, params: SamplingParams, notices: list,
          json_out: bool, resume: str | None = None) -> None:
    from engine.chat.session import ChatSession
    from engine.chat.store import ChatStore
    from engine.errors import DojoError

    saved_conv = ChatStore().load(resume) if resume else None  # a wrong id fails before the model loads
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    for n in notices:
        _note(n)
    session = ChatSession.open(model, adapters, params=params, system=system)
    if saved_conv is not None:
        for n in session.resume(saved_conv):
            _note(n)
    store = ChatStore()
    replies: list[dict] = []
    if not json_out:
        active = session.adapters.active or "base"
        sys.stderr.write(f"[{model}, adapter: {active}] {HELP_LINE}\n")
    last_user = None

    def show(event) -> None:
        if not json_out and event.text:
            sys.stdout.write(event.text)
            sys.stdout.flush()

    while True:
        text = _read_message(sys.stdin)
        if text is None:
            break
        command = text.strip()
        try:
            if command in ("/quit", "/exit"):
                break
            if command == "/new":
                _save(store, session)
                from engine.chat.conversation import Conversation

                session.conversation = Conversation(system=system, model=model, adapters=list(session.conversation.adapters))
                continue
            if command.startswith("/adapter"):
                name = command[len("/adapter"):].strip()
                session.adapters.use(None if name in ("", "base", "none") else name)
                if json_out:
                    replies.append({"adapter": session.adapters.active})
                else:
                    sys.stderr.write(f"[adapter: {session.adapters.active or 'base'}]\n")
                continue
            if command == "/side":
                if last_user is None:
                    raise DojoError("/side answers your last message again: send a message first")
                base, tuned = session.side_by_side(last_user)
                if json_out:
                    replies.append({"side_by_side": [base.to_dict(), tuned.to_dict()]})
                else:
                    sys.stdout.write(f"--- base:\n{base.text}\n--- {tuned.message.adapter}:\n{tuned.text}\n")
                continue
            if command.startswith("/"):
                raise DojoError(f"unknown command {command.split()[0]}; {HELP_LINE}")
            if not json_out:
                sys.stdout.write("> ")
            reply = session.reply(text, on_event=show)
            last_user = text
        except DojoError as exc:
            if json_out:
                replies.append({"error": str(exc), "key": exc.key})
            else:
                sys.stderr.write(f"error: {exc}\n")
            continue
        replies.append(reply.to_dict())
        if not json_out:
            sys.stdout.write("\n")
            for n in reply.notices:
                _note(n)
            m = reply.message
            tps = "-" if m.tokens_per_s is None else f"{m.tokens_per_s:.1f}"
            sys.stderr.write(f"[{m.adapter or 'base'}: {m.tokens} tokens, first token {m.first_token_ms or 0:.0f} ms, "
                             f"{tps} tokens/s]\n")
    saved = _save(store, session)
    if json_out:
        print_json({"model": model, "adapters": session.adapters.paths, "replies": replies, "saved": saved})
    elif saved:
        sys.stderr.write(f"saved as {saved} (llm-dojo chat --export {saved})\n")


def _save(store, session) -> str | None:
    if not session.conversation.messages:
        return None
    store.save(session.conversation)
    return session.conversation.id
