"""The Hub screen of the models lab: token status, search, a model card, download, the local cache.

Everything that talks to the hub runs in a named thread worker over ``engine.hub``; the
download yields progress events that the worker keeps as the latest value, drawn by a
timer (10 per second), and F6 sets the cancel event the engine hands to
``snapshot_download``. With ``HF_HUB_OFFLINE`` set (or the hub unreachable) the screen
says so, opens the cache tab and contacts nothing more.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Markdown, ProgressBar, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from engine.hub.client import HubSearchConfig

from ...i18n import say, t
from ...screens.base import DojoModal, DojoScreen
from ...widgets.config_form import ConfigForm, FormError

if TYPE_CHECKING:
    from engine.hub.cache import HubCacheDeletion, HubCacheListing
    from engine.hub.client import HubCard, HubSearchResult, HubTokenStatus
    from engine.hub.download import HubDownloaded, HubPlan, HubProgress

SEARCH_FIELDS = ("kind", "task", "library", "language", "sort")


def _size(n: int | None) -> str:
    from engine.models.inspect import human_size

    return human_size(n) if n is not None else "?"


class HubLoginModal(DojoModal[str]):
    """A masked input for the access token; Enter gives it back, Esc gives nothing."""

    BINDINGS = [Binding("escape", "close", "Cancel", id="models.hub_login_cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(t("models.hub.login.ask"), classes="dialog-text", markup=False)
            yield Input(password=True, placeholder="hf_...", id="hub-token")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        box = self.query_one("#hub-token", Input)
        box.cursor_blink = False
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_close(self) -> None:
        self.dismiss(None)


class HubScreen(DojoScreen):
    """Search the hub, read a card, download into the HF cache, tidy the cache."""

    CSS_PATH = "models.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="models.hub_back"),
        Binding("f2", "focus_search", "Search", id="models.hub_search", show=False),
        Binding("f3", "login", "Log in", id="models.hub_login"),
        Binding("f4", "logout", "Log out", id="models.hub_logout", show=False),
        Binding("f5", "download", "Download", id="models.hub_download"),
        Binding("f6", "cancel", "Cancel", id="models.hub_cancel"),
        Binding("f8", "delete", "Delete", id="models.hub_delete"),
    ]

    class Status(Message):
        def __init__(self, status: HubTokenStatus | None, problem: str | None = None, cut_off: bool = False) -> None:
            super().__init__()
            self.status = status
            self.problem = problem
            self.cut_off = cut_off  # the hub cannot be reached: behave as offline

    class Searched(Message):
        def __init__(self, result: HubSearchResult) -> None:
            super().__init__()
            self.result = result

    class Carded(Message):
        def __init__(self, card: HubCard) -> None:
            super().__init__()
            self.card = card

    class Planned(Message):
        def __init__(self, plan: HubPlan) -> None:
            super().__init__()
            self.plan = plan

    class Downloaded(Message):
        def __init__(self, done: HubDownloaded | None, stopped: str | None = None) -> None:
            super().__init__()
            self.done = done
            self.stopped = stopped

    class Cached(Message):
        def __init__(self, listing: HubCacheListing) -> None:
            super().__init__()
            self.listing = listing

    class Deleted(Message):
        def __init__(self, deletion: HubCacheDeletion) -> None:
            super().__init__()
            self.deletion = deletion

    def __init__(self) -> None:
        super().__init__()
        self.status: HubTokenStatus | None = None
        self.problem: str | None = None
        self.result: HubSearchResult | None = None
        self.card: HubCard | None = None
        self.listing: HubCacheListing | None = None
        self.plan: HubPlan | None = None
        self.progress: HubProgress | None = None
        self.finished: str | None = None
        self.cancel_event: threading.Event | None = None

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("models.hub.title")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="hub-status")
        with TabbedContent(id="hub-tabs", initial="hub-tab-search"):
            with TabPane(t("models.hub.tab.search"), id="hub-tab-search"):
                yield Input(placeholder=t("models.hub.query"), id="hub-query")
                yield ConfigForm(HubSearchConfig, SEARCH_FIELDS, id="hub-form")
                yield DataTable(id="hub-results", cursor_type="row", zebra_stripes=True)
            with TabPane(t("models.hub.tab.card"), id="hub-tab-card"):
                with VerticalScroll(id="hub-card-scroll"):
                    yield Static(t("models.hub.card.none"), id="hub-card-head")
                    yield Markdown("", id="hub-readme")
            with TabPane(t("models.hub.tab.cache"), id="hub-tab-cache"):
                yield Static(id="hub-cache-head")
                yield DataTable(id="hub-cache", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="hub-bottom"):
            yield ProgressBar(total=1.0, show_eta=False, id="hub-bar")
            yield Static(id="hub-progress")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#hub-query", Input).cursor_blink = False
        for box in self.query("#hub-form Input"):
            box.cursor_blink = False  # type: ignore[attr-defined]
        self._columns()
        self._draw_status()
        self._draw_progress()
        self.set_interval(0.1, self._draw_progress)
        self.check_status()
        self.load_cache()
        self.query_one("#hub-query", Input).focus()

    def relabel(self) -> None:
        self.query_one("#hub-form", ConfigForm).relabel()
        self.query_one("#hub-query", Input).placeholder = t("models.hub.query")
        tabs = self.query_one("#hub-tabs", TabbedContent)
        for pane, key in (("hub-tab-search", "search"), ("hub-tab-card", "card"), ("hub-tab-cache", "cache")):
            tabs.get_tab(pane).label = t(f"models.hub.tab.{key}")
        self._columns()
        self._draw_status()
        self._draw_results()
        self._draw_card()
        self._draw_cache()
        self._draw_progress()

    # --- workers -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="hub-status", exit_on_error=False)
    def check_status(self) -> None:
        from engine.errors import DojoError
        from engine.hub.client import token_status, unreachable

        local = token_status(check=False)
        problem = None if local.offline else unreachable()
        if problem is not None:  # no network: say so and show the cache, like offline
            self.post_message(self.Status(local, say(problem), cut_off=True))
            return
        try:
            self.post_message(self.Status(token_status(check=True)))
        except DojoError as exc:  # the hub is unreachable or refused the token: say it in the status line
            self.post_message(self.Status(token_status(check=False), say(exc)))

    @work(thread=True, exclusive=True, group="hub-search", exit_on_error=False)
    def run_search(self, config) -> None:
        from engine.hub.client import search

        self.post_message(self.Searched(search(config)))

    @work(thread=True, exclusive=True, group="hub-card", exit_on_error=False)
    def load_card(self, repo: str) -> None:
        from engine.hub.client import card

        self.post_message(self.Carded(card(repo)))

    @work(thread=True, exclusive=True, group="hub-cache", exit_on_error=False)
    def load_cache(self) -> None:
        from engine.hub.cache import listing

        self.post_message(self.Cached(listing()))

    @work(thread=True, exclusive=True, group="hub-cache-delete", exit_on_error=False)
    def delete_repo(self, repo: str) -> None:
        from engine.hub.cache import delete

        self.post_message(self.Deleted(delete([repo], execute=True)))

    @work(thread=True, exclusive=True, group="hub-download", exit_on_error=False)
    def run_download(self, repo: str, cancel: threading.Event) -> None:
        from engine.errors import DojoError
        from engine.hub.download import HubDownloadConfig, HubDownloaded, HubPlan, HubProgress, download_events

        try:
            for ev in download_events(HubDownloadConfig(repo=repo), cancel):
                if isinstance(ev, HubPlan):
                    self.post_message(self.Planned(ev))
                elif isinstance(ev, HubProgress):
                    self.progress = ev  # drawn by the timer
                elif isinstance(ev, HubDownloaded):
                    self.post_message(self.Downloaded(ev))
        except DojoError as exc:
            if exc.key == "hub.cancelled":
                self.post_message(self.Downloaded(None, say(exc)))
                return
            raise

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            if event.worker.group == "hub-download":
                self.cancel_event = None
                self.finished = None
            self.notify_error(event.worker.error)

    # --- results -------------------------------------------------------------------------

    def on_hub_screen_status(self, message: Status) -> None:
        self.status, self.problem = message.status, message.problem
        self._draw_status()
        if message.status is not None and (message.status.offline or message.cut_off):
            self._show("hub-tab-cache")

    def on_hub_screen_searched(self, message: Searched) -> None:
        self.result = message.result
        self._draw_results()
        table = self.query_one("#hub-results", DataTable)
        if self.result.hits:
            table.focus()
        else:
            self.notify(t("models.hub.nothing"), markup=False)

    def on_hub_screen_carded(self, message: Carded) -> None:
        self.card = message.card
        self._draw_card()

    def on_hub_screen_planned(self, message: Planned) -> None:
        self.plan = message.plan
        self.notify(t("models.hub.plan", repo=self.plan.repo, files=len(self.plan.files),
                      total=_size(self.plan.total_bytes), need=_size(self.plan.needed_bytes),
                      free=_size(self.plan.free_bytes)), markup=False)

    def on_hub_screen_downloaded(self, message: Downloaded) -> None:
        self.cancel_event = None
        if message.done is not None:
            self.query_one("#hub-bar", ProgressBar).update(total=1.0, progress=1.0)
            self.finished = t("models.hub.done", repo=message.done.repo)
            self.notify(self.finished, markup=False)
        else:
            self.finished = message.stopped
            self.notify(message.stopped or "", severity="warning", markup=False)
        self._draw_progress()
        self.load_cache()

    def on_hub_screen_cached(self, message: Cached) -> None:
        self.listing = message.listing
        self._draw_cache()

    def on_hub_screen_deleted(self, message: Deleted) -> None:
        self.notify(t("models.hub.deleted", repo=", ".join(message.deletion.repos),
                      size=_size(message.deletion.freed_bytes)), markup=False)
        self.load_cache()

    # --- input ---------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run_search()

    def action_run_search(self) -> None:
        try:
            values = self.query_one("#hub-form", ConfigForm).values()
            config = HubSearchConfig(query=self.query_one("#hub-query", Input).value.strip(), **values)
        except (FormError, Exception) as exc:  # noqa: BLE001 - a form or config error is one notice
            self.notify_error(exc)
            return
        self.run_search(config)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "hub-results" and event.row_key.value:
            repo = str(event.row_key.value)
            if self.result is not None and self.result.config.get("kind") == "dataset":
                self.notify(t("models.hub.dataset_card", repo=repo), markup=False)
                return
            self.card = None
            self.query_one("#hub-card-head", Static).update(t("models.hub.card.loading", repo=repo))
            self._show("hub-tab-card")
            self.load_card(repo)

    def _selected_repo(self) -> str | None:
        tabs = self.query_one("#hub-tabs", TabbedContent)
        if tabs.active == "hub-tab-card" and self.card is not None:
            return self.card.repo
        if tabs.active == "hub-tab-search" and self.result is not None and self.result.config.get("kind") == "model":
            return _row_key(self.query_one("#hub-results", DataTable))
        if tabs.active == "hub-tab-cache":
            return _row_key(self.query_one("#hub-cache", DataTable))
        return self.card.repo if self.card is not None else None

    # --- actions -------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()
        self.dismiss()  # (not pop_screen: the models tour refreshes its list in the dismiss callback)

    def action_focus_search(self) -> None:
        self._show("hub-tab-search")

    def _show(self, pane: str) -> None:
        """Switch tabs and move the focus into the new tab (a focus left in a hidden tab pulls it back)."""
        self.query_one("#hub-tabs", TabbedContent).active = pane
        target = {"hub-tab-search": "#hub-query", "hub-tab-card": "#hub-card-scroll", "hub-tab-cache": "#hub-cache"}
        self.query_one(target[pane]).focus()

    def action_login(self) -> None:
        def done(token: str | None) -> None:
            if token:
                self.do_login(token)

        self.app.push_screen(HubLoginModal(), done)

    @work(thread=True, exclusive=True, group="hub-status", exit_on_error=False)
    def do_login(self, token: str) -> None:
        from engine.hub.client import login

        self.post_message(self.Status(login(token)))

    def action_logout(self) -> None:
        self.do_logout()

    @work(thread=True, exclusive=True, group="hub-status", exit_on_error=False)
    def do_logout(self) -> None:
        from engine.hub.client import logout

        self.post_message(self.Status(logout()))

    def action_download(self) -> None:
        if self.cancel_event is not None:
            self.notify(t("models.hub.busy"), severity="warning", markup=False)
            return
        repo = self._selected_repo()
        if not repo:
            self.notify(t("models.hub.pick"), severity="warning", markup=False)
            return
        self.progress, self.plan, self.finished = None, None, None
        self.cancel_event = threading.Event()
        self.run_download(repo, self.cancel_event)

    def action_cancel(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()

    def action_delete(self) -> None:
        from ...screens.confirm import ConfirmModal

        self._show("hub-tab-cache")
        repo = _row_key(self.query_one("#hub-cache", DataTable))
        if repo is None:
            self.notify(t("models.hub.cache.pick"), severity="warning", markup=False)
            return
        entry = next((r for r in self.listing.repos if r.repo == repo), None) if self.listing else None
        question = t("models.hub.cache.confirm", repo=repo, size=_size(entry.size if entry else None))

        def answer(yes: bool | None) -> None:
            if yes:
                self.delete_repo(repo)

        self.app.push_screen(ConfirmModal(question), answer)

    # --- drawing -------------------------------------------------------------------------

    def _columns(self) -> None:
        results = self.query_one("#hub-results", DataTable)
        results.clear(columns=True)
        results.add_columns(t("models.hub.col.repo"), t("models.hub.col.downloads"), t("models.hub.col.likes"),
                            t("models.hub.col.task"))
        cache = self.query_one("#hub-cache", DataTable)
        cache.clear(columns=True)
        cache.add_columns(t("models.hub.col.repo"), t("models.hub.col.size"), t("models.hub.col.files"),
                          t("models.hub.col.used"))

    def _draw_status(self) -> None:
        s = self.status
        line = Text()
        if s is None:
            line.append(t("models.hub.status.checking"), style="dim")
        elif s.offline:
            line.append(t("models.hub.offline"), style="bold yellow")
        else:
            if not s.configured:
                line.append(t("models.hub.token.none"))
            elif s.user:
                line.append(t("models.hub.token.user", user=s.user, source=t(f"models.hub.source.{s.source}")))
            else:
                line.append(t("models.hub.token.unchecked", source=t(f"models.hub.source.{s.source}")))
            line.append(f"  ({s.endpoint})", style="dim")
        if self.problem:
            line.append("\n" + self.problem, style="yellow")
        self.query_one("#hub-status", Static).update(line)

    def _draw_results(self) -> None:
        table = self.query_one("#hub-results", DataTable)
        table.clear()
        if self.result is None:
            return
        for h in self.result.hits:
            name = Text(h.repo)
            if h.gated:
                name.append(" " + t("models.hub.gated"), style="yellow")
            table.add_row(name, f"{h.downloads or 0:,}", f"{h.likes or 0:,}",
                          h.task or "", key=h.repo)

    def _draw_card(self) -> None:
        c = self.card
        head = self.query_one("#hub-card-head", Static)
        readme = self.query_one("#hub-readme", Markdown)
        if c is None:
            head.update(t("models.hub.card.none"))
            readme.update("")
            return
        parts = Text(c.repo, style="bold")
        parts.append("\n" + t("models.hub.card.facts", licence=c.licence or "?", weights=c.weight_format,
                              files=len(c.files), size=_size(c.total_bytes)))
        if c.gated:
            parts.append("\n" + t("models.hub.card.gated", repo=c.repo), style="yellow")
        files = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        files.add_column(overflow="fold")
        files.add_column(justify="right", no_wrap=True)
        for f in c.files[:12]:
            files.add_row(f.name, _size(f.size))
        if len(c.files) > 12:
            files.add_row(t("models.hub.card.more", n=len(c.files) - 12), "")
        from rich.console import Group

        head.update(Group(parts, files))
        readme.update(c.readme or t("models.hub.card.noreadme"))

    def _draw_cache(self) -> None:
        head = self.query_one("#hub-cache-head", Static)
        table = self.query_one("#hub-cache", DataTable)
        table.clear()
        lst = self.listing
        if lst is None:
            head.update("")
            return
        head.update(Text(t("models.hub.cache.head", n=len(lst.repos), size=_size(lst.size), path=lst.cache_dir)
                         if lst.repos else t("models.hub.cache.empty", path=lst.cache_dir)))
        for r in lst.repos:
            table.add_row(r.repo + ("" if r.kind == "model" else f" ({r.kind})"), _size(r.size), str(r.files),
                          (r.last_used or "?")[:16].replace("T", " "), key=r.repo)

    def _draw_progress(self) -> None:
        bar = self.query_one("#hub-bar", ProgressBar)
        label = self.query_one("#hub-progress", Static)
        p = self.progress
        if self.cancel_event is not None and p is not None:
            bar.update(total=max(p.total, 1), progress=p.done)
            label.update(t("models.hub.progress", done=_size(p.done), total=_size(p.total), files=p.files_done,
                           count=p.files_total))
        elif self.cancel_event is not None:
            label.update(t("models.hub.planning"))
        elif self.finished:
            label.update(self.finished)
        else:
            label.update(t("models.hub.idle"))


def _row_key(table: DataTable) -> str | None:
    if table.row_count == 0:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except Exception:  # noqa: BLE001 - no row under the cursor
        return None
    return str(key.value) if key.value is not None else None

