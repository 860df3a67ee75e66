"""The generation screen's compare and chat-template tabs, as a mixin.

Kept apart from :mod:`tui.screens.generation` so each file stays one idea: this one
runs greedy / beam / sampled side by side in its own worker and renders the exact
text a chat model reads, in the model's own template or a classic format.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.widgets import Static, TabbedContent, TextArea

from engine.generation.params import SamplingParams
from ..widgets.gen_strings import gt
from ..widgets.gen_views import compare_table, template_text

FORMATS = ("own", "chatml", "llama3", "gemma", "alpaca")


class CompareAndTemplate:
    """Mixed into ``GenerationScreen`` (which provides loaded, prompt_ids, params, ...)."""

    loaded: Any
    fmt: str

    @work(thread=True, exclusive=True, group="gen-compare", exit_on_error=False)
    def _compare_worker(self, ids: list[int], params: SamplingParams) -> None:
        from engine.generation.strategies import compare

        seed = params.seed or 1
        beams = max(3, params.num_beams)
        result = compare(self.loaded.model, self.loaded.tokenizer, ids, params, num_beams=beams,
                         seeds=(seed, seed + 1, seed + 2))
        self.post_message(self.Done("compared", result))

    def _compared(self, message: Any) -> None:
        self.comparison = message.value
        self.query_one("#gen-compare", Static).update(compare_table(self.comparison))
        self._status(f"{len(self.comparison.candidates)} runs, {self.comparison.seconds:.1f} s")

    def _render_template(self) -> None:
        if self.loaded is None:
            return
        from engine.generation.chat_formats import messages_from

        messages = self.messages() if self.chat else messages_from(
            self.query_one("#gen-prompt", TextArea).text, self.system_text or None)
        self.query_one("#gen-template", Static).update(
            template_text(self.loaded.tokenizer, messages, self.fmt, self.model_name))

    def action_compare(self) -> None:
        if self.loaded is None or self.generating:
            return  # one run at a time: sampling seeds the one global random generator
        from engine.errors import DojoError

        try:
            ids, params = self.prompt_ids(), self.params()
        except DojoError as exc:
            self.notify(str(exc), severity="error")
            return
        self.query_one("#gen-tabs", TabbedContent).active = "gen-tab-compare"
        self._status(gt("status.comparing"))
        self._compare_worker(ids, params)

    def action_cycle_format(self) -> None:
        self.fmt = FORMATS[(FORMATS.index(self.fmt) + 1) % len(FORMATS)]
        self.query_one("#gen-tabs", TabbedContent).active = "gen-tab-template"
        self._render_template()
        if self.chat:
            self._refresh_next()
