"""The morphology lab: a Korean sentence through KoNLPy's analysers, NLTK's word tokenizers and a
subword tokenizer, and the vocabulary/OOV table that shows why it matters.

Layout (fits 80x24): the sentence (an IME-friendly ``CaretInput`` with focus), a status
line, then one scroll: the chosen analyser's morphemes with their tags and nouns, the
other analysers one line each (F5), the word/subword splits, and the OOV table (F6).
Keys are function keys because the sentence input has focus.

Work: each analysis runs in a named thread worker (``morph-analyze``, ``morph-all``,
``morph-splits``, ``morph-vocab``) answering with one message class each. The splits
worker needs no Java, so when Java is missing the analyser panels show the one-line
fix and the word tokenizers, subwords and OOV table still work. Typing re-analyses
after a short pause (Okt answers in milliseconds once warm); the first call starts the
JVM, which takes seconds, and the status line says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich import box
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from engine.tokenize.morph import ANALYZERS, JAVA_ANALYZERS, MorphConfig

from ...i18n import say, t
from ...screens.base import DojoScreen, describe_error
from ...widgets.caret_input import CaretInput
from ...widgets.code_panel import CODE_BINDING, CodeExport

if TYPE_CHECKING:
    from engine.tokenize.morph import MorphResult
    from engine.tokenize.words import SplitsResult, VocabTable

CHIP_STYLES = ("black on #8fbcbb", "black on #ebcb8b", "black on #a3be8c", "black on #d8a9cf", "black on #88c0d0")
DEBOUNCE = 0.4
OKT_OPTIONS = Binding.Group("morph.options", compact=True)


def pos_text(result: MorphResult) -> Text:
    """Morphemes as coloured chips with their tags, then the nouns."""
    out = Text()
    for i, (morph, tag) in enumerate(result.pos):
        if i:
            out.append(" ")
        out.append(morph, style=CHIP_STYLES[i % len(CHIP_STYLES)])
        out.append(f"/{tag}", style="cyan")
    out.append(f"\n{t('morph.nouns')}: ", style="bold")
    out.append(", ".join(result.nouns) or "-")
    return out


class MorphologyScreen(CodeExport, DojoScreen):
    CSS_PATH = "morphology.tcss"
    CODE_NAME = "morphology"
    BINDINGS = [
        Binding("f2", "cycle_analyzer", "Analyser", id="morph.analyzer"),
        Binding("f3", "toggle_norm", "Norm", id="morph.norm", group=OKT_OPTIONS),
        Binding("f4", "toggle_stem", "Stem", id="morph.stem", group=OKT_OPTIONS),
        Binding("f5", "all", "All", id="morph.all"),
        Binding("f6", "vocab", "OOV", id="morph.vocab"),
        Binding("escape", "back", "Back", id="morph.back", show=False),  # the palette lists it; F12 needs the room
        CODE_BINDING,
    ]

    class Analyzed(Message):
        def __init__(self, result: MorphResult, text: str) -> None:
            super().__init__()
            self.result, self.text = result, text

    class OtherAnalyzed(Message):
        def __init__(self, result: MorphResult) -> None:
            super().__init__()
            self.result = result

    class Splits(Message):
        def __init__(self, result: SplitsResult) -> None:
            super().__init__()
            self.result = result

    class VocabReady(Message):
        def __init__(self, table: VocabTable) -> None:
            super().__init__()
            self.table = table

    def __init__(self, example: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        ex = dict(example or {})
        self.text = str(ex.get("text") or "아버지가 방에 들어가신다")
        name = str(ex.get("analyzer", "okt"))
        self.analyzer = name if name in ANALYZERS else "okt"
        self.norm = bool(ex.get("norm", False))
        self.stem = bool(ex.get("stem", False))
        self.result: MorphResult | None = None
        self.others: dict[str, MorphResult] = {}
        self.splits: SplitsResult | None = None
        self.vocab: VocabTable | None = None
        self._status_key: tuple[str, dict, str] = ("morph.loading", {"analyzer": self.analyzer}, "")
        self._errors: dict[str, BaseException] = {}
        """Panel id -> the error it shows, kept as the exception so a language change re-says it."""
        self._debounce: Any = None

    def compose(self) -> ComposeResult:
        yield CaretInput(self.text, placeholder=t("morph.placeholder"), id="morph-text")
        yield Static(id="morph-status")
        with VerticalScroll(id="morph-body"):
            yield Static(id="morph-main")
            yield Static(t("morph.others"), classes="morph-head", id="morph-others-head")
            yield Static(t("morph.others.waiting"), id="morph-others")
            yield Static(t("morph.splits"), classes="morph-head", id="morph-splits-head")
            yield Static(id="morph-splits")
            yield Static(t("morph.vocab"), classes="morph-head", id="morph-vocab-head")
            yield Static(t("morph.vocab.waiting"), id="morph-vocab")
        yield Footer()

    def on_mount(self) -> None:
        self._show_status()
        self.query_one("#morph-text", CaretInput).focus()
        self._analyze()
        self._splits_worker(self.text)

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("morph.title")

    def relabel(self) -> None:
        self.query_one("#morph-text", CaretInput).placeholder = t("morph.placeholder")
        for part in ("others", "splits", "vocab"):
            self.query_one(f"#morph-{part}-head", Static).update(t(f"morph.{part}"))
        self._show_status()
        self._show_main()
        self._show_others()
        self._show_splits()
        self._show_vocab()

    # ----- status -------------------------------------------------------------------------------
    def _status(self, key: str, style: str = "", **args: Any) -> None:
        self._status_key = (key, args, style)
        self._show_status()

    def _show_status(self) -> None:
        key, args, style = self._status_key
        head = t("morph.status", analyzer=self.analyzer, norm=t("morph.on" if self.norm else "morph.off"),
                 stem=t("morph.on" if self.stem else "morph.off"))
        shown = describe_error(args.get("error")) if key == "error" else t(key, **args)
        self.query_one("#morph-status", Static).update(Text.assemble((head, "bold"), "  ", (shown, style)))

    # ----- workers ------------------------------------------------------------------------------
    def config(self, analyzer: str | None = None) -> MorphConfig:
        return MorphConfig(analyzer=analyzer or self.analyzer, norm=self.norm, stem=self.stem)

    def _analyze(self) -> None:
        self._status("morph.loading", analyzer=self.analyzer)
        self._analyze_worker(self.text, self.config())

    @work(thread=True, exclusive=True, group="morph-analyze", exit_on_error=False)
    def _analyze_worker(self, text: str, config: MorphConfig) -> None:
        from engine.tokenize.morph import analyze

        self.post_message(self.Analyzed(analyze(text, config), text))

    @work(thread=True, exclusive=True, group="morph-all", exit_on_error=False)
    def _all_worker(self, text: str, names: list[str], norm: bool, stem: bool) -> None:
        from engine.tokenize.morph import analyze

        for name in names:
            self.post_message(self.OtherAnalyzed(analyze(text, MorphConfig(analyzer=name, norm=norm, stem=stem))))

    @work(thread=True, exclusive=True, group="morph-splits", exit_on_error=False)
    def _splits_worker(self, text: str) -> None:
        from engine.tokenize.words import split_text

        self.post_message(self.Splits(split_text(text, morphs=None, subwords=("dojo-tiny", "dojo-tiny-mlm"))))

    @work(thread=True, exclusive=True, group="morph-vocab", exit_on_error=False)
    def _vocab_worker(self) -> None:
        from engine.tokenize.words import vocab_table

        self.post_message(self.VocabReady(vocab_table("ko")))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors become a notice; an analyser error also fills its panel."""
        if event.state != WorkerState.ERROR or not event.worker.group.startswith("morph-"):
            return
        error = event.worker.error
        self.notify_error(error, timeout=10)
        panel = {"morph-analyze": "morph-main", "morph-all": "morph-others", "morph-splits": "morph-splits",
                 "morph-vocab": "morph-vocab"}.get(event.worker.group)
        if event.worker.group in ("morph-analyze", "morph-all"):
            self._status("error", "red", error=error)
        if panel is not None and error is not None:
            self._errors[panel] = error
            self._show_error(panel)

    def _show_error(self, panel: str) -> bool:
        """Show the panel's error (in the live language); False when it has none."""
        error = self._errors.get(panel)
        if error is None:
            return False
        self.query_one(f"#{panel}", Static).update(Text(describe_error(error), style="yellow"))
        return True

    # ----- results ------------------------------------------------------------------------------
    def on_morphology_screen_analyzed(self, message: Analyzed) -> None:
        if message.text != self.text:
            return
        self.result = message.result
        self._errors.pop("morph-main", None)
        self._status("morph.done", analyzer=self.result.analyzer, n=len(self.result.pos))
        for notice in self.result.notices:
            self.notify(say(notice), timeout=5)
        self._show_main()

    def _show_main(self) -> None:
        if self._show_error("morph-main"):
            return
        if self.result is not None:
            self.query_one("#morph-main", Static).update(pos_text(self.result))

    def on_morphology_screen_other_analyzed(self, message: OtherAnalyzed) -> None:
        self.others[message.result.analyzer] = message.result
        self._errors.pop("morph-others", None)
        self._show_others()

    def _show_others(self) -> None:
        if self._show_error("morph-others") or not self.others:
            return
        out = Text()
        for name in JAVA_ANALYZERS:
            r = self.others.get(name)
            out.append(f"{name:<9}", style="bold")
            if r is None:
                out.append(t("morph.others.running", analyzer=name) + "\n", style="dim")
                continue
            out.append(" ".join(f"{m}/{tag}" for m, tag in r.pos) + "\n")
        self.query_one("#morph-others", Static).update(out)

    def on_morphology_screen_splits(self, message: Splits) -> None:
        self.splits = message.result
        self._errors.pop("morph-splits", None)
        self._show_splits()

    def _show_splits(self) -> None:
        if self._show_error("morph-splits") or self.splits is None:
            return
        out = Text()
        for row in self.splits.rows:
            out.append(f"{row.name}", style="bold")
            if row.tokens is None:
                out.append(f": {say(row.notice)}\n" if row.notice else "\n", style="yellow")
                continue
            out.append(f" ({len(row.tokens)}): ")
            for i, tok in enumerate(row.tokens):
                if i:
                    out.append("|", style="dim")
                out.append(tok.replace(" ", "␣") if not tok.strip() else tok,
                           style=CHIP_STYLES[i % len(CHIP_STYLES)])
            out.append("\n")
        self.query_one("#morph-splits", Static).update(out)

    def on_morphology_screen_vocab_ready(self, message: VocabReady) -> None:
        self.vocab = message.table
        self._errors.pop("morph-vocab", None)
        self._show_vocab()

    def _show_vocab(self) -> None:
        if self._show_error("morph-vocab") or self.vocab is None:
            return
        v = self.vocab
        table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False,
                      title=t("morph.vocab.head", corpora=", ".join(v.corpora), train=v.train_chars,
                              held=v.heldout_chars), title_justify="left")
        table.add_column(t("morph.vocab.split"), no_wrap=True)
        table.add_column(t("morph.vocab.size"), justify="right", no_wrap=True)
        table.add_column(t("morph.vocab.oov"), justify="right", no_wrap=True)
        for row in v.rows:
            table.add_row(row.name, f"{row.vocab:,}", f"{row.oov_rate:.1%}")
        self.query_one("#morph-vocab", Static).update(table)

    # ----- reacting to the user -----------------------------------------------------------------
    def on_input_changed(self, event: CaretInput.Changed) -> None:
        if event.value == self.text:
            return  # the initial value, or no real change
        self.text = event.value
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self._refresh_all)

    def on_input_submitted(self, event: CaretInput.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._refresh_all()

    def _refresh_all(self) -> None:
        self._analyze()
        self._splits_worker(self.text)
        if self.others:
            self.action_all()

    def action_cycle_analyzer(self) -> None:
        self.analyzer = JAVA_ANALYZERS[(JAVA_ANALYZERS.index(self.analyzer) + 1) % len(JAVA_ANALYZERS)] \
            if self.analyzer in JAVA_ANALYZERS else "okt"
        self._analyze()

    def action_toggle_norm(self) -> None:
        self.norm = not self.norm
        self._analyze()

    def action_toggle_stem(self) -> None:
        self.stem = not self.stem
        self._analyze()

    def action_all(self) -> None:
        self.others = {}
        self.query_one("#morph-others", Static).update(t("morph.others.running", analyzer="okt"))
        self._all_worker(self.text, list(JAVA_ANALYZERS), self.norm, self.stem)

    def action_vocab(self) -> None:
        self.query_one("#morph-vocab", Static).update(t("morph.others.running", analyzer="OOV"))
        self._vocab_worker()

    def code_snippet(self):
        """F12: KoNLPy's calls for the analysis on screen (every analyser after F5), then the word
        splitters and subwords of the splits panel."""
        from engine.codegen.morphology import morphs_snippet, words_snippet
        from engine.codegen.snippet import Snippet

        from engine.tokenize.words import WORD_SPLITTERS

        words = None
        if self.splits is not None:
            subwords = [r.name for r in self.splits.rows if r.name not in WORD_SPLITTERS and ":" not in r.name]
            words = words_snippet(self.splits.text, subwords)
        if self.result is None:
            return words  # Java missing: the word splitters still ran
        config = MorphConfig(analyzer=self.result.analyzer, norm=self.norm, stem=self.stem)
        names = [self.result.analyzer, *[n for n in JAVA_ANALYZERS if n in self.others]]
        morphs = morphs_snippet(self.result.text, config, analyzers=names)
        if words is None or self.splits.text != self.result.text:
            return morphs
        return Snippet(morphs.title + ", beside words and subwords", morphs.code + "\n\n\n" + words.code,
                       morphs.libraries + words.libraries)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
