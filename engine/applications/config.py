"""What each action of the LLM applications lab can be told (torch-free).

One frozen dataclass per action; the CLI builds its options from them and the lab
its forms. A bad value fails at construction with one line that says what the
setting means and which values work.

>>> AppsPromptConfig(shots=2).shots
2
>>> AppsRagConfig(question="x", k=0)
Traceback (most recent call last):
engine.errors.DojoError: --k 0 must be 1 or more: how many passages to retrieve
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..config import setting
from ..errors import DojoError

RETRIEVERS = ("bm25", "tfidf", "dense")
ICL_DATA = ("sentiment-ko", "sentiment-en")


def _whole(name: str, value: Any, low: int, what: str, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"{low} to {high}" if high is not None else f"{low} or more"
        raise DojoError(f"--{name.replace('_', '-')} {value} must be {bound}: {what}")


@dataclass(frozen=True)
class AppsDataConfig:
    source: str = setting("sentiment-ko", cli=False, metavar="NAME|FILE")
    """A built-in set (sentiment-ko, sentiment-en, instructions, rag-questions), a local .json, .jsonl, .csv or
    .parquet file, or a Hugging Face dataset name (only with --online)."""
    tokenizer: str = setting("dojo-tiny", metavar="NAME")
    """The tokenizer whose token lengths the histogram shows and whose `map` tokenizes the rows (a model name)."""
    text_column: str = setting("", metavar="COLUMN")
    """The column holding the text to tokenize. Empty: 'text' if there is one, else the first text column."""
    label_column: str = setting("", metavar="COLUMN")
    """The column whose values the label balance counts. Empty: 'label' if there is one (else no balance)."""
    rows: int = setting(5, minimum=1, maximum=50)
    """How many sample rows to show (the first ones)."""
    bins: int = setting(10, minimum=2, maximum=40)
    """Bars in the token-length histogram."""
    test_size: float = setting(0.2, minimum=0.05, maximum=0.5)
    """Share of rows the seeded train/test split holds out. 0.2 keeps one row in five for evaluation."""
    seed: int = setting(42, minimum=0)
    """Seed of the train/test split: the same seed gives the same split (and reads the cached one)."""
    online: bool = setting(False, flag="--online/--offline")
    """Allow loading a dataset from the Hugging Face hub by name. Off (and always with HF_HUB_OFFLINE=1) no
    network is tried."""

    def __post_init__(self) -> None:
        if not str(self.source).strip():
            raise DojoError("no dataset given: name a built-in set (sentiment-ko, sentiment-en, instructions, "
                            "rag-questions) or a file")
        _whole("rows", self.rows, 1, "sample rows to show", 50)
        _whole("bins", self.bins, 2, "bars in the token-length histogram", 40)
        _whole("seed", self.seed, 0, "the split's seed")
        if isinstance(self.test_size, bool) or not isinstance(self.test_size, (int, float)) \
                or not 0.05 <= float(self.test_size) <= 0.5:
            raise DojoError(f"--test-size {self.test_size} must be between 0.05 and 0.5: the share of rows held out")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AppsPromptConfig:
    instruction: str = setting("Classify the sentiment of the text as positive or negative.", metavar="TEXT")
    """What the model should do, in words (the first element of a prompt)."""
    context: str = setting("", metavar="TEXT")
    """Background the model may rely on (facts, a passage). Empty: no context element."""
    input: str = setting("The battery lasts two full days.", metavar="TEXT")
    """The case to handle now (the input data element)."""
    indicator: str = setting("label:", metavar="TEXT")
    """Where the answer starts (the output indicator); the prompt ends with it."""
    data: str = setting("sentiment-en", choices=ICL_DATA)
    """The labelled set the shots come from (its training split, so a shot is never the question itself)."""
    shots: int = setting(0, minimum=0, maximum=16)
    """Solved examples before the input: 0 is zero-shot, 1 one-shot, more few-shot."""
    seed: int = setting(1234, minimum=0)
    """Seed for choosing the shots, so the same prompt can be built again."""
    chat_template: bool = setting(False, flag="--chat-template/--no-chat-template")
    """Wrap the prompt as a user turn in the model's chat template (instruct models). Off: the plain text a base
    model reads."""
    cot: bool = setting(False, flag="--cot/--no-cot")
    """Chain of thought: ask for the reasoning before the answer (zero-shot CoT adds a 'think step by step' line)."""
    model: str = setting("dojo-tiny", metavar="NAME")
    """The model whose tokenizer counts the tokens and whose context the prompt must fit."""
    max_length: int = setting(0, minimum=0)
    """The context to fit, in tokens (0: the model's own). Over it, shots are dropped first."""

    def __post_init__(self) -> None:
        _whole("shots", self.shots, 0, "solved examples before the input (0 is zero-shot)", 16)
        _whole("seed", self.seed, 0, "the seed that picks the shots")
        _whole("max_length", self.max_length, 0, "the context in tokens (0: the model's own)")
        if self.data not in ICL_DATA:
            raise DojoError(f"--data {self.data!r}: the shots come from a labelled set, one of {', '.join(ICL_DATA)}")
        if not self.input.strip():
            raise DojoError("--input is empty: a prompt needs the case the model should handle")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AppsIclConfig:
    model: str = setting("dojo-tiny", metavar="NAME")
    """The model prompted zero- and few-shot (and whose SFT and LoRA runs join the table). SmolLM2-135M-Instruct,
    once added, shows in-context learning far better than the 5M dojo-tiny."""
    data: str = setting("sentiment-ko", choices=ICL_DATA)
    """The held-out sentiment set: the one the SFT and LoRA labs evaluate on, so the rows compare."""
    shots: tuple[str, ...] = setting(("0", "1", "4"), metavar="K")
    """Shot counts to compare, e.g. 0,1,4 (each 0 to 8)."""
    limit: int = setting(0, minimum=0)
    """Score only the first N held-out items (0: all). A small limit is a quick look on a CPU."""
    seed: int = setting(1234, minimum=0)
    """Seed that picks each item's shots (the evaluation lab's rule), so the table can be repeated."""
    chat_template: bool = setting(False, flag="--chat-template/--no-chat-template")
    """Wrap each prompt in the model's chat template (for instruct models)."""
    batch_size: int = setting(32, minimum=1, maximum=256)
    """Sequences per forward pass of the evaluation lab's batched scorer; speed only, never the scores."""
    finetuned: bool = setting(True, flag="--finetuned/--no-finetuned")
    """Add rows for finished SFT and LoRA runs of the same model on sentiment data."""
    samples: int = setting(0, minimum=0, maximum=32)
    """Self-consistency: sample N answers per item (temperature 0.8) and take the majority; 0 skips it."""

    def __post_init__(self) -> None:
        if self.data not in ICL_DATA:
            raise DojoError(f"--data {self.data!r}: use a held-out sentiment set, one of {', '.join(ICL_DATA)}")
        if not self.shots:
            raise DojoError("--shots is empty: give the shot counts to compare, e.g. 0,1,4")
        for k in self.shots:
            if not str(k).strip().isdigit() or int(k) > 8:
                raise DojoError(f"--shots {k!r}: each shot count must be a whole number from 0 to 8")
        _whole("limit", self.limit, 0, "held-out items to score (0: all)")
        _whole("seed", self.seed, 0, "the seed that picks the shots")
        _whole("batch_size", self.batch_size, 1, "sequences per forward pass", 256)
        _whole("samples", self.samples, 0, "sampled answers per item for the majority vote (0: none)", 32)

    @property
    def shot_counts(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(int(k) for k in self.shots))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AppsRagConfig:
    question: str = setting("", cli=False, metavar="TEXT")
    """The question to answer from the course's lessons."""
    retriever: str = setting("bm25", choices=RETRIEVERS)
    """bm25 (word overlap weighted by rarity, saturating and length-normalised), tfidf (cosine of TF-IDF vectors),
    or dense (cosine of mean-pooled hidden states of the model)."""
    k: int = setting(3, minimum=1, maximum=20)
    """How many passages to retrieve and put in the prompt."""
    lang: str = setting("", choices=("", "ko", "en"), metavar="ko|en")
    """Search only the Korean or the English lessons. Empty: the question's own language (Hangul means Korean)."""
    model: str = setting("dojo-tiny", metavar="NAME")
    """The model that embeds passages (dense) and writes the answer."""
    generate: bool = setting(True, flag="--generate/--no-generate")
    """Write an answer from the augmented prompt (greedy). Off: retrieval and the prompt only."""
    max_new_tokens: int = setting(48, minimum=1, maximum=512)
    """The most tokens the answer may have."""

    def __post_init__(self) -> None:
        if self.retriever not in RETRIEVERS:
            raise DojoError(f"--retriever {self.retriever!r}: use one of {', '.join(RETRIEVERS)}")
        _whole("k", self.k, 1, "how many passages to retrieve", 20)
        _whole("max_new_tokens", self.max_new_tokens, 1, "the most tokens in the answer", 512)
        if self.lang not in ("", "ko", "en"):
            raise DojoError(f"--lang {self.lang!r}: use ko, en, or nothing for the question's language")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AppsRagEvalConfig:
    retriever: tuple[str, ...] = setting(("bm25", "dense"), metavar="NAME")
    """Retrievers to measure on the question set: bm25, tfidf, dense (repeat, or separate with commas)."""
    k: tuple[str, ...] = setting(("1", "3", "5"), metavar="K")
    """The k of each hit-rate@k: a question counts as a hit when its own lesson step is in the top k."""
    model: str = setting("dojo-tiny", metavar="NAME")
    """The model whose hidden states embed passages for dense retrieval."""

    def __post_init__(self) -> None:
        if not self.retriever:
            raise DojoError("--retriever is empty: name at least one of " + ", ".join(RETRIEVERS))
        for name in self.retriever:
            if name not in RETRIEVERS:
                raise DojoError(f"--retriever {name!r}: use one of {', '.join(RETRIEVERS)}")
        for k in self.k:
            if not str(k).strip().isdigit() or not 1 <= int(k) <= 20:
                raise DojoError(f"--k {k!r}: each k must be a whole number from 1 to 20")
        if not self.k:
            raise DojoError("--k is empty: give the k of each hit-rate@k, e.g. 1,3,5")

    @property
    def ks(self) -> tuple[int, ...]:
        return tuple(sorted({int(k) for k in self.k}))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
