"""The models lab: pick a model on the left, read its tour on the right.

The list holds every model this machine has (built-in, imported with
``llm-dojo models add``, the Hugging Face cache, finished runs); choosing one runs
``engine.models.inspect.inspect_model`` in a thread worker (the model is built on the
meta device, so even an 8B model answers in about a second and no weight is read) and
shows the summary, weight memory at fp32/bf16/int8/nf4 with the KV cache per 1k tokens,
the module tree with parameter counts, the tokenizer facts and the config fields, each
explained in the live language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from ...i18n import t
from ...screens.base import DojoScreen
from .hub import HubScreen

if TYPE_CHECKING:
    from engine.models.catalog import ModelEntry
    from engine.models.inspect import Inspection

SOURCES = ("embedded", "imported", "hf-cache", "run")


class ModelsScreen(DojoScreen):
    """The tour of one model at a time; ``model_name`` is shown first."""

    CSS_PATH = "models.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="models.back"),
        Binding("f2", "focus_list", "List", id="models.focus"),
        Binding("f3", "hub", "Hub", id="models.hub"),
    ]

    class Listed(Message):
        def __init__(self, entries: list[ModelEntry]) -> None:
            super().__init__()
            self.entries = entries

    class Inspected(Message):
        def __init__(self, report: Inspection) -> None:
            super().__init__()
            self.report = report

    def __init__(self, model_name: str = "dojo-tiny") -> None:
        super().__init__()
        self.model_name = model_name
        self.entries: list[ModelEntry] = []
        self.report: Inspection | None = None

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("models.title")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="models-list")
            with VerticalScroll(id="models-body"):
                yield Static(id="models-view")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self._show_loading()
        self.list_models()
        self.inspect(self.model_name)

    def relabel(self) -> None:
        self._fill_list()
        self._render_report()

    # --- workers -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="models-list", exit_on_error=False)
    def list_models(self) -> None:
        from engine.models.catalog import list_models

        self.post_message(self.Listed([e for e in list_models() if e.source in SOURCES]))

    @work(thread=True, exclusive=True, group="models-inspect", exit_on_error=False)
    def inspect(self, name: str) -> None:
        from engine.models.inspect import inspect_model

        self.post_message(self.Inspected(inspect_model(name)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.notify_error(event.worker.error)

    def on_models_screen_listed(self, message: Listed) -> None:
        self.entries = message.entries
        self._fill_list()

    def on_models_screen_inspected(self, message: Inspected) -> None:
        self.report = message.report
        self._render_report()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.model_name:
            self.model_name = event.option.id
            self.report = None
            self._show_loading()
            self.inspect(self.model_name)

    # --- actions -------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_hub(self) -> None:
        """The Hub screen: search, cards, downloads into the HF cache, the cache itself."""
        self.app.push_screen(HubScreen(), lambda _=None: self.list_models())

    def action_focus_list(self) -> None:
        self.query_one("#models-list", OptionList).focus()

    # --- drawing -------------------------------------------------------------------------

    def _fill_list(self) -> None:
        box = self.query_one("#models-list", OptionList)
        box.border_title = t("models.list")
        highlighted = box.highlighted
        box.clear_options()
        for e in self.entries:
            label = Text(e.name, style="bold" if e.name == self.model_name else "")
            label.append(f"\n  {t('models.source.' + e.source)}, {_count(e.parameters)}", style="dim")
            box.add_option(Option(label, id=e.name))
        if self.entries:
            names = [e.name for e in self.entries]
            box.highlighted = highlighted if highlighted is not None else (
                names.index(self.model_name) if self.model_name in names else 0)

    def _show_loading(self) -> None:
        self.query_one("#models-view", Static).update(t("models.loading", model=self.model_name))

    def _render_report(self) -> None:
        r = self.report
        view = self.query_one("#models-view", Static)
        if r is None:
            self._show_loading()
            return
        from engine.models.inspect import human_size

        parts: list = [Text(t("models.summary", model=r.name, cls=r.model_class, params=f"{r.parameters:,}",
                                dtype=r.dtype, source=t("models.source." + r.source)
                                if r.source in SOURCES else r.source), style="bold")]
        mem = Table(title=t("models.memory"), title_justify="left", show_header=False, box=None, padding=(0, 2, 0, 0))
        mem.add_row(*(Text(k, style="bold") for k in ("fp32", "bf16", "int8", "nf4")))
        mem.add_row(*(human_size(r.memory[k]) for k in ("fp32", "bf16", "int8", "nf4")))
        parts.append(mem)
        kv = r.kv_cache_per_1k
        parts.append(Text(t("models.kv", bf16=human_size(kv["bf16"]), fp32=human_size(kv["fp32"]))
                          if kv else t("models.kv.none")))
        tok = r.tokenizer
        if "error" not in tok:
            parts.append(Text(t("models.tokenizer", cls=tok["class"], vocab=f"{tok['vocab_size']:,}",
                                side=tok["padding_side"], chat=t("models.yes" if tok["chat_template"] else "models.no"))))
        tree = Table(title=t("models.tree"), title_justify="left", show_header=False, box=None, padding=(0, 1, 0, 0))
        tree.add_column(overflow="fold")
        tree.add_column(justify="right", no_wrap=True)
        for b in r.tree:
            if b.depth > 2 or b.parameters == 0:
                continue
            name = "  " * b.depth + b.short + (f" x{b.repeat}" if b.repeat > 1 else "") + f" ({b.kind})"
            if b.note:
                name += ", " + t("models.tied")
            tree.add_row(Text(name, style="dim" if b.note else ""), f"{b.parameters:,}")
        parts.append(tree)
        parts.append(Text(t("models.heads"), style="italic"))
        for h in r.heads:
            if h["class"]:
                parts.append(Text(f"  {h['task']}: {h['class']} (+{h['head_parameters']:,})"))
        parts.append(Text(t("models.config"), style="italic"))
        for row in r.config:
            line = Text(f"{row['field']} = {row['value']}", style="bold")
            line.append("\n  " + t(f"models.field.{row['field']}"), style="dim")
            parts.append(line)
        from rich.console import Group

        view.update(Group(*parts))


def _count(n: int | None) -> str:
    if not n:
        return "?"
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return str(n)
