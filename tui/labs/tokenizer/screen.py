"""The tokenizer lab: a playground that tokenizes as you type, a step-through of BPE, WordPiece
and Unigram training, a side-by-side comparison, and a training form.

Layout (fits 80x24): four tabs above the footer. The footer shows only the keys of the
tab in view (``check_action``), so it fits 80 columns in Korean.

* Playground: the text (a ``TextArea`` with focus), a stats line, the coloured tokens
  and their ids. Every change re-tokenizes in the ``tok-encode`` worker (exclusive: a
  newer text cancels the older one); encoding 2,000 characters takes about a
  millisecond, so there is no debounce. F2 cycles through the tokenizers available
  offline (embedded and trained here).
* Step through: the whole run is computed once per (algorithm, table, marker) in the
  ``tok-steps`` worker (milliseconds for the deck's tables); F5/F6 move through the
  stored steps and F7 plays them on a timer, so moving never recomputes anything.
* Compare: F8, every tokenizer side by side (``tok-compare``); F9: transformers' details.
* Train: a form from ``TokenizerTrainConfig`` (the CLI's options); Ctrl+R trains (``tok-train``),
  progress events come back as messages, and the new tokenizer joins the F2 cycle.

Lesson 1's ``try_it`` (text, algorithm, word table ``corpus``, ``merges``) opens the step-through
pre-filled. Heavy imports (tokenizers, transformers) happen inside the workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, ProgressBar, Static, TabbedContent, TabPane, TextArea
from textual.worker import Worker, WorkerState

from engine.tokenize.steps import ALGOS, StepConfig
from engine.tokenize.wordfreqs import DEFAULT_EXAMPLE, EXAMPLES

from ...i18n import say, t
from ...screens.base import DojoScreen, describe_error
from ...widgets.code_panel import CODE_BINDING, CodeExport
from . import views

if TYPE_CHECKING:
    from engine.tokenize.compare import CompareResult
    from engine.tokenize.inspect import TokenizerFacts
    from engine.tokenize.playground import Encoded
    from engine.tokenize.steps import StepsResult
    from engine.tokenize.train import TrainProgress, TrainResult

TAB_KEYS = {
    "tok-tab-play": {"cycle_tokenizer", "compare", "details"},
    "tok-tab-steps": {"cycle_algo", "toggle_marker", "prev_step", "next_step", "play"},
    "tok-tab-compare": {"cycle_tokenizer", "compare"},
    "tok-tab-train": {"train"},
}
CYCLE = (("bpe", "deck-bpe"), ("bpe", "kolaw-top20"), ("wordpiece", "deck-hug"), ("wordpiece", "kolaw-top20"),
         ("unigram", "deck-hug"), ("unigram", "kolaw-top20"))
"""What F3 steps through: each algorithm on the deck's example, then on Korean words."""
TRAIN_FIELDS = ("kind", "corpus", "vocab_size", "min_frequency", "normalizer", "hangul_alphabet", "base")
PLAY_SECONDS = 0.7
STEP = Binding.Group("tok.step", compact=True)


class TokenizerScreen(CodeExport, DojoScreen):
    CSS_PATH = "tokenizer.tcss"
    CODE_NAME = "tokenizer"
    BINDINGS = [
        Binding("f2", "cycle_tokenizer", "Tokenizer", id="tok.tokenizer"),
        Binding("f3", "cycle_algo", "Algorithm", id="tok.algo"),
        Binding("f4", "toggle_marker", "</w>", id="tok.marker"),
        Binding("f5", "prev_step", "Prev", id="tok.prev", group=STEP),
        Binding("f6", "next_step", "Next", id="tok.next", group=STEP),
        Binding("f7", "play", "Play", id="tok.play"),
        Binding("f8", "compare", "Compare", id="tok.compare"),
        Binding("f9", "details", "Details", id="tok.details"),
        Binding("ctrl+r", "train", "Train", id="tok.train"),
        Binding("escape", "back", "Back", id="tok.back", show=False),  # the palette lists it; F12 needs the room
        CODE_BINDING,
    ]

    class Encoded(Message):
        def __init__(self, encoded: Encoded, text: str) -> None:
            super().__init__()
            self.encoded, self.text = encoded, text

    class StepsReady(Message):
        def __init__(self, result: StepsResult) -> None:
            super().__init__()
            self.result = result

    class Compared(Message):
        def __init__(self, result: CompareResult) -> None:
            super().__init__()
            self.result = result

    class Details(Message):
        def __init__(self, facts: TokenizerFacts) -> None:
            super().__init__()
            self.facts = facts

    class TrainEvent(Message):
        def __init__(self, event: TrainProgress | TrainResult) -> None:
            super().__init__()
            self.event = event

    def __init__(self, example: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        ex = dict(example or {})
        self.text = str(ex.get("text") or "시간이 화살처럼 지나간다")
        self.algo = str(ex.get("algorithm", "bpe"))
        if self.algo not in ALGOS:
            self.algo = "bpe"
        corpus = ex.get("corpus")
        self.table: tuple[tuple[str, int], ...] | None = (
            tuple((str(w), int(c)) for w, c in corpus) if corpus else None)
        named = next((n for n, v in EXAMPLES.items() if v == self.table), None)
        self.example_name: str | None = named or (None if self.table else DEFAULT_EXAMPLE[self.algo])
        if named:
            self.table = None  # a deck example by its name: F3 can move on to the other examples
        self.steps_wanted = int(ex.get("merges", ex.get("steps", 10)))
        self.end_of_word = bool(ex.get("end_of_word", True))
        self.start_tab = "tok-tab-steps" if ("algorithm" in ex or corpus) else "tok-tab-play"
        self.tokenizer = str(ex.get("tokenizer", "dojo-tiny"))
        self.names: list[str] = [self.tokenizer]
        self.encoded: Encoded | None = None
        self.steps: StepsResult | None = None
        self.at = 0
        self.player: Any = None
        self.training = False
        self.trained: Any = None
        """The TokenizerTrainConfig of the last training started (what F12 shows on the train tab)."""

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        from ...widgets.config_form import ConfigForm
        from engine.tokenize.train import TokenizerTrainConfig

        with TabbedContent(id="tok-tabs", initial=self.start_tab):
            with TabPane(t("tok.tab.play"), id="tok-tab-play"):
                yield TextArea(self.text, id="tok-text", soft_wrap=True)
                yield Static(t("tok.waiting"), id="tok-stats")
                with VerticalScroll(id="tok-spans-box"):
                    yield Static(id="tok-spans")
                    yield Static(id="tok-details")
            with TabPane(t("tok.tab.steps"), id="tok-tab-steps"):
                yield Static(id="tok-step-head")
                with Horizontal(id="tok-step-body"):
                    yield Static(id="tok-pairs")
                    with VerticalScroll(id="tok-state-box"):
                        yield Static(id="tok-state")
            with TabPane(t("tok.tab.compare"), id="tok-tab-compare"):
                with VerticalScroll(id="tok-compare-box"):
                    yield Static(t("tok.compare.waiting"), id="tok-compare")
            with TabPane(t("tok.tab.train"), id="tok-tab-train"):
                with Vertical(id="tok-train"):
                    yield ConfigForm(TokenizerTrainConfig, TRAIN_FIELDS, id="tok-train-form")
                    yield ProgressBar(total=1.0, show_eta=False, id="tok-train-bar")
                    yield Static(t("tok.train.hint"), id="tok-train-status")
        yield Footer()

    def on_mount(self) -> None:
        self._names_worker()
        self._encode_worker(self.text, self.tokenizer)
        self._compute_steps()
        if self.start_tab == "tok-tab-play":
            self.query_one("#tok-text", TextArea).focus()
        else:
            self.set_focus(None)

    def titles(self) -> tuple[str, str]:
        return t("app.title"), t("tok.title")

    def relabel(self) -> None:
        tabs = self.query_one("#tok-tabs", TabbedContent)
        for pane in ("play", "steps", "compare", "train"):
            tabs.get_tab(f"tok-tab-{pane}").label = t(f"tok.tab.{pane}")
        from ...widgets.config_form import ConfigForm

        self.query_one("#tok-train-form", ConfigForm).relabel()
        self._show_encoded()
        self._show_step()
        if self._facts is not None:
            self.query_one("#tok-details", Static).update(views.details_text(self._facts))
        if self._compared is not None:
            self.query_one("#tok-compare", Static).update(views.compare_view(self._compared))

    _compared: CompareResult | None = None

    # ----- which keys show ----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab_specific = {a for keys in TAB_KEYS.values() for a in keys}
        if action not in tab_specific or not self.is_mounted:
            return True
        try:
            active = self.query_one("#tok-tabs", TabbedContent).active
        except Exception:
            return True
        return action in TAB_KEYS.get(active, set())

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        if event.pane.id == "tok-tab-play":
            self.query_one("#tok-text", TextArea).focus()

    # ----- workers ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="tok-names", exit_on_error=False)
    def _names_worker(self) -> None:
        from engine.tokenize.playground import available

        names = available()
        self.app.call_from_thread(self._set_names, names)

    def _set_names(self, names: list[str]) -> None:
        self.names = list(dict.fromkeys([*names, self.tokenizer])) if self.tokenizer not in names else names

    @work(thread=True, exclusive=True, group="tok-encode", exit_on_error=False)
    def _encode_worker(self, text: str, name: str) -> None:
        from engine.tokenize.playground import encode

        self.post_message(self.Encoded(encode(text, name), text))

    @work(thread=True, exclusive=True, group="tok-steps", exit_on_error=False)
    def _steps_worker(self, config: StepConfig, table: tuple | None, example: str | None) -> None:
        from engine.tokenize.steps import run_steps
        from engine.tokenize.wordfreqs import read_table

        words = table if table is not None else read_table(example=example)  # Korean ones read KoNLPy's text
        self.post_message(self.StepsReady(run_steps(config, words, example=example)))

    @work(thread=True, exclusive=True, group="tok-compare", exit_on_error=False)
    def _compare_worker(self, text: str) -> None:
        from engine.tokenize.compare import compare

        self.post_message(self.Compared(compare(text)))

    @work(thread=True, exclusive=True, group="tok-details", exit_on_error=False)
    def _details_worker(self, name: str, text: str) -> None:
        from engine.tokenize.inspect import inspect

        self.post_message(self.Details(inspect(name, text)))

    @work(thread=True, exclusive=True, group="tok-train", exit_on_error=False)
    def _train_worker(self, config: Any) -> None:
        from engine.tokenize.train import train

        for event in train(config):
            self.post_message(self.TrainEvent(event))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors become a notice (and, for typing, the stats line)."""
        if event.state != WorkerState.ERROR or not event.worker.group.startswith("tok-"):
            return
        text = self.notify_error(event.worker.error, timeout=6)
        if event.worker.group == "tok-encode":
            self.encoded, self._encode_error = None, event.worker.error
            self._show_encoded()
        if event.worker.group == "tok-train":
            self.training = False
            self.query_one("#tok-train-status", Static).update(Text(text, style="red"))

    # ----- results ------------------------------------------------------------------------------
    def on_tokenizer_screen_encoded(self, message: Encoded) -> None:
        if message.text != self.text:
            return  # the person typed on; a newer encoding is on its way
        self.encoded, self._encode_error = message.encoded, None
        self._show_encoded()

    _encode_error: BaseException | None = None

    def _show_encoded(self) -> None:
        if self.encoded is None:
            if self._encode_error is not None:  # said again in the live language after a toggle
                self.query_one("#tok-stats", Static).update(Text(describe_error(self._encode_error), style="yellow"))
                self.query_one("#tok-spans", Static).update("")
            return
        self.query_one("#tok-stats", Static).update(views.stats_text(self.encoded))
        self.query_one("#tok-spans", Static).update(views.spans_text(self.encoded, self.text))

    def on_tokenizer_screen_steps_ready(self, message: StepsReady) -> None:
        self.steps = message.result
        self.at = min(self.at, len(self.steps.steps))
        self._show_step()

    def _show_step(self) -> None:
        if self.steps is None:
            return
        self.query_one("#tok-step-head", Static).update(views.step_header(self.steps, self.at))
        self.query_one("#tok-pairs", Static).update(views.candidates_table(self.steps, self.at))
        self.query_one("#tok-state", Static).update(views.state_text(self.steps, self.at))

    def on_tokenizer_screen_compared(self, message: Compared) -> None:
        self._compared = message.result
        self.query_one("#tok-compare", Static).update(views.compare_view(message.result))

    def on_tokenizer_screen_details(self, message: Details) -> None:
        self._facts = message.facts
        self.query_one("#tok-details", Static).update(views.details_text(message.facts))

    _facts: TokenizerFacts | None = None

    def on_tokenizer_screen_train_event(self, message: TrainEvent) -> None:
        from engine.tokenize.train import TrainResult

        event = message.event
        status = self.query_one("#tok-train-status", Static)
        if isinstance(event, TrainResult):
            self.training = False
            self.query_one("#tok-train-bar", ProgressBar).update(progress=1.0)
            status.update(t("tok.train.done", name=event.name, vocab=event.vocab_size, chars=event.corpus_chars,
                            seconds=event.seconds, sample="|".join(event.sample[:14])))
            for notice in event.notices:
                self.notify(say(notice), timeout=6)
            self.names = list(dict.fromkeys([*self.names, event.name]))
            return
        self.query_one("#tok-train-bar", ProgressBar).update(progress=event.fraction)
        status.update(t("tok.train.running", stage=event.stage, detail=event.detail))

    # ----- reacting to the user -----------------------------------------------------------------
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.text = event.text_area.text
        self._encode_worker(self.text, self.tokenizer)

    def _compute_steps(self) -> None:
        config = StepConfig(algo=self.algo, steps=max(1, min(self.steps_wanted, 500)), end_of_word=self.end_of_word)
        self._steps_worker(config, self.table, None if self.table is not None else self.example_name)

    # ----- actions ------------------------------------------------------------------------------
    def action_cycle_tokenizer(self) -> None:
        names = self.names or [self.tokenizer]
        i = names.index(self.tokenizer) if self.tokenizer in names else -1
        self.tokenizer = names[(i + 1) % len(names)]
        self._encode_worker(self.text, self.tokenizer)

    def action_cycle_algo(self) -> None:
        """F3: the next algorithm and example (a lesson's own word table keeps its words)."""
        if self.table is not None:
            self.algo = ALGOS[(ALGOS.index(self.algo) + 1) % len(ALGOS)]
        else:
            at = CYCLE.index((self.algo, self.example_name)) if (self.algo, self.example_name) in CYCLE else -1
            self.algo, self.example_name = CYCLE[(at + 1) % len(CYCLE)]
        self.at = 0
        self._compute_steps()

    def action_toggle_marker(self) -> None:
        self.end_of_word = not self.end_of_word
        self._compute_steps()

    def action_prev_step(self) -> None:
        if self.steps is not None and self.at > 0:
            self.at -= 1
            self._show_step()

    def action_next_step(self) -> bool:
        if self.steps is not None and self.at < len(self.steps.steps):
            self.at += 1
            self._show_step()
            return True
        return False

    def action_play(self) -> None:
        if self.player is not None:
            self.player.stop()
            self.player = None
            return
        if self.steps is not None and self.at >= len(self.steps.steps):
            self.at = 0
            self._show_step()
        self.player = self.set_interval(PLAY_SECONDS, self._tick)

    def _tick(self) -> None:
        if not self.action_next_step() and self.player is not None:
            self.player.stop()
            self.player = None

    def action_details(self) -> None:
        """transformers' view of the tokenizer (importing transformers takes seconds, so on demand)."""
        self.query_one("#tok-details", Static).update(Text(t("tok.details.loading"), style="dim"))
        self._details_worker(self.tokenizer, self.text)

    def action_compare(self) -> None:
        self.set_focus(None)  # a focused widget in the playground would pull its tab back into view
        self.query_one("#tok-tabs", TabbedContent).active = "tok-tab-compare"
        self._compare_worker(self.text)

    def action_train(self) -> None:
        if self.training:
            return
        from engine.errors import DojoError
        from engine.tokenize.train import TokenizerTrainConfig

        from ...widgets.config_form import ConfigForm, FormError

        try:
            config = TokenizerTrainConfig(**self.query_one("#tok-train-form", ConfigForm).values())
        except (DojoError, FormError) as exc:
            self.notify(say(exc) if isinstance(exc, DojoError) else str(exc), severity="error", markup=False)
            return
        self.training = True
        self.trained = config
        self._train_worker(config)

    def code_snippet(self):
        """F12: the code of the tab in view: the playground's split (with transformers' details when
        shown), the step-through as plain Python, the comparison, or the last training."""
        tab = self.query_one("#tok-tabs", TabbedContent).active
        if tab == "tok-tab-steps":
            if self.steps is None:
                return None
            from engine.codegen.tokenizer import steps_snippet

            return steps_snippet(self.steps.config, self.steps.table, self.steps.example)
        if tab == "tok-tab-train":
            if self.trained is None:
                return None
            from engine.codegen.tokenizer import train_snippet

            return train_snippet(self.trained)
        if tab == "tok-tab-compare":
            if self._compared is None:
                return None
            from engine.codegen.tokenizer import compare_snippet

            names = [r.name for r in self._compared.rows[2:]]  # after the words and characters rows
            return compare_snippet(self._compared.text, names)
        if self.encoded is None:
            return None
        from engine.codegen.tokenizer import inspect_snippet

        return inspect_snippet(self.encoded.tokenizer, self.text, details=self._facts is not None)

    def action_back(self) -> None:
        if self.player is not None:
            self.player.stop()
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
