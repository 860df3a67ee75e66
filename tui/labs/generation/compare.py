"""The generation lab's compare and chat-template tabs, as a mixin of ``GenerationScreen``.

Kept apart so each file stays one idea: this one runs greedy / every beam / seeded
samples side by side in its own worker (each strategy is posted as it finishes, so
the tab fills row by row with its progress in the status line), with the compare's
own short length (``COMPARE_DEFAULTS``) whatever the length slider says, and renders
the exact text a chat model reads, in the model's own template or a classic format.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.widgets import Static, TabbedContent, TextArea

from engine.generation.params import COMPARE_DEFAULTS, SamplingParams

from ...i18n import say, t
from .views import compare_table, template_text

if TYPE_CHECKING:
    from engine.generation.strategies import Candidate

FORMATS = ("own", "chatml", "llama3", "gemma", "alpaca")
SEEDS = 3


class CompareAndTemplate:
    """Mixed into ``GenerationScreen`` (which provides loaded, prompt_ids, params, _status...)."""

    loaded: Any
    fmt: str

    class CompareStep(Message):
        """One strategy finished: ``done`` of ``total``."""

        def __init__(self, candidate: Candidate, done: int, total: int, seconds: float) -> None:
            super().__init__()
            self.candidate, self.done, self.total, self.seconds = candidate, done, total, seconds

    def compare_hint(self) -> str:
        return t("gen.compare.waiting", n=COMPARE_DEFAULTS["max_new_tokens"])

    def compare_params(self) -> SamplingParams:
        """The lab's sampling settings, with the compare's own length and sampling on."""
        params = self.params()  # type: ignore[attr-defined]
        return replace(params, do_sample=True, max_new_tokens=min(params.max_new_tokens,
                                                                 COMPARE_DEFAULTS["max_new_tokens"]))

    @work(thread=True, exclusive=True, group="gen-compare", exit_on_error=False)
    def _compare_worker(self, ids: list[int], params: SamplingParams, beams: int) -> None:
        from engine.generation.strategies import compare_iter

        seed = params.seed or 1
        total = 1 + beams + SEEDS
        start = time.perf_counter()
        for done, candidate in enumerate(compare_iter(self.loaded.model, self.loaded.tokenizer, ids, params,
                                                      num_beams=beams, seeds=tuple(range(seed, seed + SEEDS))), 1):
            self.post_message(self.CompareStep(candidate, done, total, time.perf_counter() - start))

    def on_compare_and_template_compare_step(self, message: CompareStep) -> None:
        self.candidates = [*getattr(self, "candidates", [])[: message.done - 1], message.candidate]
        self._render_compare()
        if message.done < message.total:
            self._status("gen.status.comparing", done=message.done, total=message.total,  # type: ignore[attr-defined]
                         label=_label(message.candidate))
        else:
            self._status("gen.status.compared", n=message.total,  # type: ignore[attr-defined]
                         seconds=f"{message.seconds:.1f}")

    def _render_compare(self) -> None:
        candidates = getattr(self, "candidates", [])
        shown = compare_table(candidates, _label) if candidates else self.compare_hint()
        self.query_one("#gen-compare", Static).update(shown)  # type: ignore[attr-defined]

    def _render_template(self) -> None:
        if self.loaded is None:
            return
        from engine.generation.chat_formats import messages_from

        messages = self.messages() if self.chat else messages_from(  # type: ignore[attr-defined]
            self.query_one("#gen-prompt", TextArea).text, self.system_text or None)  # type: ignore[attr-defined]
        self.query_one("#gen-template", Static).update(  # type: ignore[attr-defined]
            template_text(self.loaded.tokenizer, messages, self.fmt, self.model_name))  # type: ignore[attr-defined]

    def action_compare(self) -> None:
        if self.loaded is None or self.generating:  # type: ignore[attr-defined]
            return  # one run at a time: sampling seeds the one global random generator
        from engine.errors import DojoError

        try:
            ids, params = self.prompt_ids(), self.compare_params()  # type: ignore[attr-defined]
        except DojoError as exc:
            self.notify(say(exc), severity="error", markup=False)  # type: ignore[attr-defined]
            return
        self.candidates = []
        self._render_compare()
        self.query_one("#gen-tabs", TabbedContent).active = "gen-tab-compare"  # type: ignore[attr-defined]
        beams = max(3, params.num_beams)
        self._status("gen.status.comparing", done=0, total=1 + beams + SEEDS,  # type: ignore[attr-defined]
                     label=t("gen.cand.greedy"))
        self._compare_worker(ids, params, beams)

    def action_cycle_format(self) -> None:
        self.fmt = FORMATS[(FORMATS.index(self.fmt) + 1) % len(FORMATS)]
        self.query_one("#gen-tabs", TabbedContent).active = "gen-tab-template"  # type: ignore[attr-defined]
        self._render_template()
        if self.chat:  # type: ignore[attr-defined]
            self._refresh_next()  # type: ignore[attr-defined]


def _label(candidate: Candidate) -> str:
    """A candidate's name in the live language: greedy, beam N, seed N."""
    if candidate.kind == "greedy":
        return t("gen.cand.greedy")
    if candidate.kind == "beam":
        return t("gen.cand.beam", n=candidate.label.split()[-1])
    return t("gen.cand.seed", n=candidate.seed)
