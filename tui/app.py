"""The Textual app: a thin shell that opens state, owns navigation and the language.

``create_app(services)`` builds the app around a :class:`~tui.services.Services`
object, so tests run it on a fixture course and a temporary progress database;
``run_app(lang)`` wires the real ones. The app itself holds no screen content: it
opens the progress store (handling a corrupt or locked database with a modal
first), loads the course, pushes the home map, and keeps three cross-cutting
concerns in one place: the live language (a reactive every screen watches), the
light/dark theme, and the "terminal too small" notice.

Start-up imports only textual and the lesson/progress modules (tomllib, sqlite3);
labs import torch and friends lazily when opened (a test proves it).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape
from textual.reactive import reactive

from . import i18n
from .i18n import locale_lang, other_lang, pick, t
from .screens.base import localize_bindings
from .screens.home import HomeScreen
from .screens.info import ComingSoonScreen, LabsScreen, TooSmallScreen
from .screens.lesson import LessonScreen
from .screens.modals import CorruptDatabaseModal, FatalModal
from .services import Services

MIN_WIDTH, MIN_HEIGHT = 80, 24
DARK, LIGHT = "textual-dark", "textual-light"


class DojoCommands(Provider):
    """Command palette entries, in the live language."""

    def _commands(self) -> Iterable[tuple[str, Any, str]]:
        """(name as plain text, callback, help as markup) for every command."""
        app = self.app
        assert isinstance(app, DojoApp)
        if app.course is not None:
            for lesson in app.course.lessons:
                name = t("cmd.open_lesson", title=pick(lesson.title))
                yield name, partial(app.open_lesson, lesson.id), escape(pick(lesson.summary))
        yield t("cmd.open_lab"), app.action_open_labs, t("cmd.open_lab.help")
        yield t("cmd.language"), app.action_toggle_language, t("cmd.language.help")
        yield t("cmd.theme"), app.action_toggle_theme, t("cmd.theme.help")
        yield t("cmd.runs"), app.action_open_runs, t("cmd.runs.help")
        yield t("cmd.chat"), app.action_open_chat, t("cmd.chat.help")
        yield t("cmd.quit"), app.action_quit, t("cmd.quit.help")

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                # highlight() parses markup: keep a title with brackets as plain text.
                shown = matcher.highlight(name) if "[" not in name else Content(name)
                yield Hit(score, shown, callback, text=name, help=help_text)


class DojoApp(App[None]):
    """LLM Dojo's terminal app. Build it with :func:`create_app`."""

    TITLE = "LLM Dojo"
    CSS_PATH = "styles/app.tcss"
    COMMANDS = {DojoCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("l", "toggle_language", "Language", id="app.language"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.theme", show=False),  # in the palette
        # show=False: the footer's own palette slot shows it, at the right edge.
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]

    lang: reactive[str] = reactive("en", init=False)
    """The live UI language; screens watch it and re-render."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        from .labs import register_strings

        register_strings()
        self.store: Any = None  # engine.course.progress.ProgressStore once open
        self.course: Any = None  # engine.course.lessons.Course once loaded
        self.home: HomeScreen | None = None
        self.session_state: dict[Any, Any] = {}
        """What labs keep between visits in this session (their settings and texts)."""
        self.set_reactive(DojoApp.lang, services.lang or locale_lang())
        i18n.set_lang(self.lang)

    # -- start-up ----------------------------------------------------------
    def on_mount(self) -> None:
        self.theme = DARK
        localize_bindings(self)
        self._open_store()
        self._check_size(self.size.width, self.size.height)

    def _open_store(self) -> None:
        from engine.course.progress import ProgressCorrupt, ProgressLocked
        from engine.errors import DojoError

        try:
            store = self.services.open_progress()
        except ProgressCorrupt as err:
            self.push_screen(
                CorruptDatabaseModal(err.path), partial(self._after_corrupt_choice, err.path)
            )
        except ProgressLocked as err:
            self._fatal(str(err), "db.locked")
        except DojoError as err:  # e.g. an unwritable data directory
            self._fatal(str(err))
        else:
            self._start_course(store)

    def _after_corrupt_choice(self, path: Any, fresh: bool | None) -> None:
        if not fresh:
            self.exit(return_code=1)
            return
        from engine.errors import DojoError

        try:
            store = self.services.recover_progress(path)
        except DojoError as err:
            self._fatal(str(err))
        else:
            if store.backup_path is not None:
                message = t("db.recovered", backup=store.backup_path)
                self.notify(message, timeout=10, markup=False)
            self._start_course(store)

    def _fatal(self, message: str, explanation_key: str | None = None) -> None:
        """Explain why LLM Dojo cannot start, then quit (the message is printed too)."""
        self.push_screen(
            FatalModal(message, explanation_key),
            lambda _: self.exit(return_code=1, message=message),
        )

    def _start_course(self, store: Any) -> None:
        self.store = store
        self.course = self.services.load_course()
        lang = self.services.lang or store.get_setting("lang") or self.lang
        if lang in i18n.LANGS:
            self.lang = lang
        theme = store.get_setting("theme")
        if theme in (DARK, LIGHT):
            self.theme = theme
        self.home = HomeScreen()
        self.push_screen(self.home)
        self._check_size(self.size.width, self.size.height)

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()

    def format_title(self, title: str, sub_title: str) -> Content:
        """"LLM Dojo | Course map": no em dash, which is two cells wide in many
        Korean-locale terminals (East Asian ambiguous width)."""
        if not sub_title:
            return Content(title)
        return Content.assemble(Content(title), (" | ", "dim"), Content(sub_title).stylize("dim"))

    # -- language and theme -----------------------------------------------
    def watch_lang(self, lang: str) -> None:
        i18n.set_lang(lang)
        localize_bindings(self)
        self.refresh_bindings()

    async def action_quit(self) -> None:
        """Quit, after asking when the screen on top holds work that would be lost
        (a generation running, a form edited but not started)."""
        screen = self.screen
        unsaved = getattr(screen, "has_unsaved", None)
        if callable(unsaved) and unsaved():
            from .screens.confirm import ConfirmModal

            def answered(yes: bool | None) -> None:
                if yes:
                    self.exit()

            self.push_screen(ConfirmModal(t("confirm.quit")), answered)
            return
        self.exit()

    def action_toggle_language(self) -> None:
        self.lang = other_lang(self.lang)
        if self.store is not None:
            self.store.set_setting("lang", self.lang)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK
        if self.store is not None:
            self.store.set_setting("theme", self.theme)

    # -- terminal size -----------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        top = self.screen_stack[-1] if self.screen_stack else None
        if small and not isinstance(top, TooSmallScreen):
            self.push_screen(TooSmallScreen(width, height))
        elif small and isinstance(top, TooSmallScreen):
            top.show_size(width, height)
        elif not small and isinstance(top, TooSmallScreen):
            self.pop_screen()

    # -- navigation ----------------------------------------------------------
    def go_home(self) -> None:
        """Close every screen above the course map, now.

        Not ``Screen.pop_until_active``: that pops later (``call_later``), so a screen
        pushed right after it (``open_lesson``) would be the one popped.
        """
        if self.home is None or self.home not in self.screen_stack:
            return
        while self.screen_stack[-1] is not self.home:
            self.pop_screen()

    def open_lesson(self, lesson_id: str, step: int | None = None) -> None:
        """Open a lesson from anywhere (home, the palette, "continue")."""
        if self.course is None or self.course.get(lesson_id) is None:
            message = t("home.no_such_lesson", lesson=lesson_id)
            self.notify(message, severity="warning", markup=False)
            return
        self.go_home()
        lesson = self.course.get(lesson_id)
        self.push_screen(LessonScreen(lesson, step))
        preload = self.services.preload
        if preload is not None and lesson.lab:
            self.run_worker(partial(preload, lesson.lab, dict(lesson.try_it or {})), thread=True,
                            group="preload", exit_on_error=False)

    def open_lab(self, lab: str, try_it: dict | None = None) -> bool:
        """Open a registered lab; False when that lab does not exist yet."""
        factory = self.services.labs.get(lab)
        if factory is None:
            return False
        self.push_screen(factory(dict(try_it or {})))
        return True

    def action_open_labs(self) -> None:
        self.push_screen(LabsScreen())

    def action_open_runs(self) -> None:
        if not self.open_lab("runs"):
            self.push_screen(ComingSoonScreen("runs"))

    def action_open_chat(self) -> None:
        if not self.open_lab("chat"):
            self.push_screen(ComingSoonScreen("chat"))


def create_app(services: Services) -> DojoApp:
    """Build the app around ``services`` (real ones: :func:`tui.services.real_services`)."""
    return DojoApp(services)


def run_app(lang: str | None = None) -> None:
    """Run LLM Dojo on the installed lessons and the user's progress database.

    ``lang`` forces "ko" or "en"; None uses the stored setting, else the locale.
    """
    from .services import real_services

    app = create_app(real_services(lang))
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
