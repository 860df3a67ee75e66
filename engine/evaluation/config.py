"""What an evaluation can be told: one frozen, validated value (torch-free).

The CLI (``llm-dojo eval``) builds its options from this dataclass and the evaluation
lab its form; a bad value fails at construction with one line that says what the
setting means and which values work.

>>> EvalConfig(task="multiple_choice").data_name
'course-mc'
>>> EvalConfig(task="perplexity", limit=-1)
Traceback (most recent call last):
engine.errors.DojoError: --limit -1 must be 0 (every item) or more
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..config import setting
from ..errors import DojoError

TASKS = ("perplexity", "multiple_choice", "classification", "generation")
DEFAULT_DATA = {"perplexity": "heldout", "multiple_choice": "course-mc", "classification": "sentiment-ko",
                "generation": "course-qa"}
"""The built-in set each task reads when ``--data`` is not given (``engine.evaluation.data.BUILTIN``)."""


@dataclass(frozen=True)
class EvalConfig:
    task: str = setting("multiple_choice", choices=TASKS, short="-t")
    """perplexity (how surprised the model is by a text), multiple_choice (the most likely of several
    answers), classification (label words scored after a prompt) or generation (write an answer, compare it
    with the reference)."""
    data: str = setting("", metavar="NAME|FILE")
    """A built-in set (heldout, heldout-ko, heldout-en, train-lessons, course-mc, sentiment-ko, sentiment-en,
    course-qa) or a local JSONL file in the task's format. Empty: the task's built-in set."""
    limit: int = setting(0, minimum=0)
    """Score only the first N items (0: all). A small limit makes a quick check on a CPU."""
    n_shot: int = setting(0, minimum=0, maximum=8)
    """Solved examples put before each question (few-shot), drawn from the other items with a fixed seed;
    0 is zero-shot."""
    seed: int = setting(1234, minimum=0)
    """Seed for drawing few-shot examples and for the bootstrap, so a run can be repeated exactly."""
    batch_size: int = setting(32, minimum=1, maximum=256)
    """Sequences per forward pass. It changes the speed, never the scores (a test checks 1 vs 8 vs 32); 32 scored
    multiple choice 5x faster than one pass per choice on a CPU (bench/eval_scoring.py). Lower it if a large
    model runs out of memory."""
    max_length: int = setting(0, minimum=0)
    """Tokens the model reads at once (0: the model's context). Longer prompts are cut from the left and
    counted in the result."""
    chat_template: bool = setting(False, flag="--chat-template/--no-chat-template")
    """Wrap each prompt in the model's chat template (as a user turn); recorded in the result. Off: the plain
    prompt, as harnesses do for base models."""
    max_new_tokens: int = setting(16, minimum=1, maximum=256)
    """generation: the most tokens an answer may have (greedy decoding, stops at a new line). 16 fits the
    short answers of the built-in set; raise it for longer references."""
    bootstrap: int = setting(200, minimum=0, maximum=5000)
    """Bootstrap resamples for each metric's standard error (0: no stderr). 200 is enough for two digits."""
    contamination: bool = setting(False, flag="--contamination/--no-contamination")
    """Also report the share of items that share an 8-word sequence with the model's training text (known for
    the embedded models), as the 'contaminated' metric."""

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise DojoError(f"unknown task {self.task!r}: use one of {', '.join(TASKS)}")
        for name, low in (("limit", 0), ("n_shot", 0), ("seed", 0), ("batch_size", 1), ("max_length", 0),
                          ("max_new_tokens", 1), ("bootstrap", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                flag = "--" + name.replace("_", "-")
                what = {"limit": "0 (every item) or more", "n_shot": "0 (zero-shot) or more",
                        "max_length": "0 (the model's context) or more"}.get(name, f"a whole number >= {low}")
                raise DojoError(f"{flag} {value} must be {what}")
        if self.n_shot > 8:
            raise DojoError(f"--n-shot {self.n_shot} is too many: at most 8 examples fit a small model's context")
        if 0 < self.max_length < 8:
            raise DojoError(f"--max-length {self.max_length} is too short to read a question: use 0 (the model's "
                            "context) or at least 8")

    @property
    def data_name(self) -> str:
        return self.data or DEFAULT_DATA[self.task]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
