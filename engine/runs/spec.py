"""The frozen description of one training run, exactly as written to ``spec.json``.

A run is reproducible from its spec alone: the worker process reads nothing else, so
a run started from the TUI, from the CLI or from a test behaves the same, and a
resumed run trains with the very values it started with. Fields hold plain JSON
types; ``from_json`` refuses unknown fields rather than guessing.

The dataclass is the one place where a setting's default, its help and its allowed
values live: ``llm-dojo train sft`` derives its options from it and the training form
its rows (``engine.config.describe``). New runs start from :meth:`RunSpec.suggested`,
which knows what a tiny model on a laptop and a real model on a GPU box each need, and
applies what the person gave on top.

Zero in ``logging_steps``/``eval_steps``/``save_steps`` means "choose from the run's
length" (``engine.training.sft.auto_intervals``), because a good interval depends on
the number of steps, which is known only once the dataset is loaded.

>>> spec = RunSpec(task="sentiment", model="dojo-tiny")
>>> RunSpec.from_json(spec.to_json()) == spec
True
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..config import setting
from ..errors import DojoError

KINDS = ("sft", "pretrain")
"""Run kinds built so far; the LoRA, DPO and evaluation kinds add theirs."""
TASKS = ("sentiment", "instruction")
METHODS = ("full",)
"""How weights are trained. 'full' updates every weight; adapters (LoRA) come through the same path."""
DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "float16", "bfloat16")
PRESETS = ("dojo-tiny", "dojo-tiny-mlm", "dojo-micro", "dojo-micro-mlm")
"""``engine.training.presets.PRESETS`` (kept here as names so the spec imports no torch)."""


@dataclass(frozen=True)
class RunSpec:
    kind: str = setting("sft", choices=KINDS, cli=False, form=False)
    """What the worker runs: 'sft' (supervised fine-tuning) or 'pretrain' (the embedded models' recipe)."""
    task: str = setting("sentiment", choices=TASKS, group="train")
    """sentiment: a causal LM labels text through the prompt 'text: ... label:'; instruction: chat messages,
    loss on the assistant's tokens."""
    model: str = setting("dojo-tiny", short="-m", group="train")
    """Model to fine-tune: an embedded name, a local directory or a cached hub id. The embedded model is the
    default so the run works offline on any laptop."""
    dataset: str = setting("", flag="--data", group="train", metavar="NAME|FILE")
    """Built-in name (sentiment-ko, sentiment-en, sentiment, instructions), a local JSONL/CSV/Parquet file, or a
    hub dataset name with --online. Empty: the task's built-in data."""
    columns: dict[str, str] = setting(default_factory=dict, flag="--column", group="train", form=False,
                                     metavar="OURS=THEIRS")
    """Map a column of your file to ours: OURS=THEIRS, e.g. text=review (repeatable)."""
    labels: tuple[str, ...] = setting(default_factory=tuple, group="train", form=False)
    """Sentiment label words, comma-separated. Empty: the labels found in the training split."""
    method: str = setting("full", choices=METHODS, group="train")
    """full: update every weight."""
    epochs: float = setting(3.0, group="train", minimum=0.0)
    """Passes over the training data. New runs start from the suggestion: about 10 for a tiny model on the
    sentiment sentences, 1-2 for a real model."""
    max_steps: int = setting(-1, group="train", form=False)
    """Positive: stop after this many optimizer steps (overrides epochs)."""
    batch_size: int = setting(16, group="train", minimum=1)
    """Examples per step per device."""
    grad_accum: int = setting(1, group="train", minimum=1, form=False)
    """Gradient accumulation: the effective batch is batch_size x grad_accum, the usual fix when a batch does
    not fit in memory."""
    lr: float = setting(5e-4, group="train")
    """Peak learning rate. Tiny models fine-tune at 5e-4..1e-3; models with 100M+ parameters want 1e-5..5e-5."""
    warmup: float = setting(0.1, group="train", form=False)
    """Learning-rate warm-up: a fraction of the steps (below 1) or a step count (1 or more)."""
    weight_decay: float = setting(0.0, group="train", form=False)
    """AdamW weight decay; 0 is usual for short fine-tuning runs."""
    max_seq_length: int = setting(128, group="train", minimum=8)
    """Tokens per example; longer examples are cut. Must fit the model's context."""
    seed: int = setting(42, form=False)
    """Seeds data order and initialisation, so a run can be repeated."""
    device: str = setting("auto", metavar="auto|cpu|cuda|cuda:N|mps")
    """Where to train: auto picks CUDA, then Apple MPS, then the CPU. Decided in the worker, never in the parent."""
    dtype: str = setting("auto", choices=DTYPES, form=False)
    """auto: fp32 weights, with bf16 (or fp16) mixed precision on a GPU."""
    gradient_checkpointing: bool = setting(False, group="train", form=False)
    """Recompute activations in the backward pass: less memory, about 20% slower."""
    logging_steps: int = setting(0, group="train", form=False)
    """Steps between log lines; 0 chooses about 200 points over the run."""
    eval_steps: int = setting(0, group="train", form=False)
    """Steps between held-out evaluations; 0 chooses about 10 over the run."""
    save_steps: int = setting(0, group="train", form=False)
    """Steps between checkpoints; 0 chooses about 5 over the run, at most one per 30 s of training and at least
    one per 10 minutes (a stop always checkpoints)."""
    keep_best: bool = setting(True, group="train", form=False)
    """Save the weights of the best held-out evaluation (accuracy for sentiment, loss otherwise), not the last
    step's: a small model often peaks before the end and then overfits."""
    eval_on_start: bool = setting(True, group="train", form=False)
    """Evaluate the untrained model first, so the curves (and the sentiment accuracy) start from the baseline
    the training has to beat; costs one evaluation."""
    preset: str = setting("dojo-tiny", choices=PRESETS, group="pretrain")
    """The recipe to run: dojo-tiny (causal LM), dojo-tiny-mlm (masked LM), or a dojo-micro* preset that runs in
    seconds."""
    out: str = setting("", group="pretrain", metavar="DIR")
    """Where the pretrained model goes. Empty: <data dir>/models/<preset>."""
    overwrite: bool = setting(False, group="pretrain")
    """Replace a non-empty output directory."""
    resume: bool = setting(False, group="pretrain")
    """Continue from the recipe's checkpoint in the output directory."""
    evaluate: bool = setting(True, group="pretrain")
    """Measure held-out perplexity and baselines after training, for the model card."""
    allow_pickle: bool = setting(False, group="train")
    """Allow .bin/.pt pickle weights, which can run code when loaded."""
    trust_remote_code: bool = setting(False, group="train")
    """Run the model's own Python code (read it first)."""
    online: bool = setting(False, group="train")
    """Allow the Hugging Face hub for the model and the dataset; off because GPU boxes are often offline."""

    # -- (de)serialisation ------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["labels"] = list(self.labels)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSpec:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise DojoError(f"spec has unknown field(s) {', '.join(unknown)}; was it written by a newer llm-dojo?")
        data = dict(data)
        if "labels" in data:
            data["labels"] = tuple(data["labels"])
        if "columns" in data:
            data["columns"] = dict(data["columns"])
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        return cls.from_dict(json.loads(text))

    @classmethod
    def load(cls, path: Path) -> RunSpec:
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DojoError(f"cannot read {path} ({exc}); the run directory is damaged") from None

    def replace(self, **changes: Any) -> RunSpec:
        return replace(self, **changes)

    # -- defaults for a new run ---------------------------------------------------
    @classmethod
    def suggested(cls, task: str | None = None, *, gpu: bool | None = None, **given: Any) -> RunSpec:
        """The spec a new run should start from on this machine, with ``given`` applied on top.

        The embedded tiny models need many passes at a high learning rate: on dojo-tiny
        the Korean sentiment sentences reach about 0.67-0.72 held-out accuracy after 10
        epochs at 1e-3 (chance after 1). A real model wants one or two epochs at a small
        rate, and on a GPU gradient checkpointing to fit longer sequences. ``gpu=None``
        asks the machine (without importing torch).

        >>> RunSpec.suggested("sentiment", gpu=False).epochs
        10.0
        >>> RunSpec.suggested("instruction", gpu=True, model="Qwen/Qwen2.5-0.5B", lr=1e-5).lr
        1e-05
        """
        task = task or given.pop("task", None) or "sentiment"
        given.pop("task", None)
        gpu = gpu_present() if gpu is None else gpu
        model = str(given.get("model") or cls.model)
        tiny = Path(model.rstrip("/")).name.startswith("dojo-")  # the embedded models, or a local copy
        if tiny:
            epochs, lr = (10.0, 1e-3) if task == "sentiment" else (3.0, 5e-4)
        else:
            epochs, lr = 1.0, 2e-5
        base = {
            "task": task, "epochs": epochs, "lr": lr, "batch_size": 16 if (tiny or gpu) else 4,
            "max_seq_length": 128 if task == "sentiment" else (256 if tiny or not gpu else 1024),
            "gradient_checkpointing": gpu and not tiny,
        }
        return cls(**{**base, **given})

    # -- checks -----------------------------------------------------------------
    def validate(self) -> RunSpec:
        """Raise a keyed :class:`DojoError` for a value that cannot work; return self."""
        def need(ok: bool, key: str, **args: Any) -> None:
            if not ok:
                raise DojoError.keyed(key, **args)

        need(self.kind in KINDS, "spec.kind", value=self.kind, choices=", ".join(KINDS))
        need(self.device.split(":")[0] in DEVICES, "spec.device", value=self.device)
        need(self.dtype in DTYPES + ("fp32", "fp16", "bf16"), "spec.dtype", value=self.dtype,
             choices=", ".join(DTYPES))
        if self.kind == "pretrain":
            need(self.preset in PRESETS, "spec.preset", value=self.preset, choices=", ".join(PRESETS))
            return self
        need(self.task in TASKS, "spec.task", value=self.task, choices=", ".join(TASKS))
        need(self.method in METHODS, "spec.method", value=self.method, choices=", ".join(METHODS))
        need(self.epochs > 0 or self.max_steps > 0, "spec.length")
        need(self.batch_size >= 1, "spec.batch_size", value=self.batch_size)
        need(self.grad_accum >= 1, "spec.grad_accum", value=self.grad_accum)
        need(0 < self.lr < 1, "spec.lr", value=f"{self.lr:g}")
        need(self.warmup >= 0, "spec.warmup", value=f"{self.warmup:g}")
        need(self.max_seq_length >= 8, "spec.max_seq_length", value=self.max_seq_length)
        for name in ("logging_steps", "eval_steps", "save_steps"):
            need(getattr(self, name) >= 0, "spec.interval", name=name)
        need(len(set(self.labels)) == len(self.labels), "spec.labels_twice", value=",".join(self.labels))
        need(self.task == "sentiment" or not self.labels, "spec.labels_task")
        return self

    @property
    def title(self) -> str:
        """What the run is, in a few words: ``sft/sentiment`` or ``pretrain/dojo-tiny``."""
        return f"pretrain/{self.preset}" if self.kind == "pretrain" else f"{self.kind}/{self.task}"

    def pretrain_output(self) -> Path:
        """Where a pretraining run writes its model: ``out``, else ``<data dir>/models/<preset>``."""
        from .. import paths

        return Path(self.out).expanduser() if self.out else paths.home() / "models" / self.preset

    @property
    def subject(self) -> str:
        """The model being trained (a path shortened to its folder name)."""
        name = self.preset if self.kind == "pretrain" else self.model
        return name.rstrip("/").rsplit("/", 1)[-1] if name.startswith(("/", ".", "~")) else name


def gpu_present() -> bool:
    """A cheap guess without importing torch (which would slow the UI and could touch
    CUDA in the parent): an NVIDIA driver that lists at least one GPU."""
    gpus = Path("/proc/driver/nvidia/gpus")
    try:
        return gpus.is_dir() and any(gpus.iterdir())
    except OSError:
        return False
