"""The frozen description of one training run, exactly as written to ``spec.json``.

A run is reproducible from its spec alone: the worker process reads nothing else, so
a run started from the TUI, from the CLI or from a test behaves the same, and a
resumed run trains with the very values it started with. Fields hold plain JSON
types; ``from_json`` refuses unknown fields rather than guessing.

Zero in ``logging_steps``/``eval_steps``/``save_steps`` means "choose from the run's
length" (``engine.training.sft.auto_intervals``), because a good interval depends on the number of
steps, which is known only once the dataset is loaded.

>>> spec = RunSpec(task="sentiment", model="dojo-tiny")
>>> RunSpec.from_json(spec.to_json()) == spec
True
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..errors import DojoError

KINDS = ("sft",)
"""Run kinds built so far; the LoRA and DPO issues add theirs."""
TASKS = ("sentiment", "instruction")
METHODS = ("full",)
"""How weights are trained. 'full' updates every weight; adapters (LoRA) come later
through the same path."""
DEVICES = ("auto", "cpu", "cuda", "mps")


@dataclass(frozen=True)
class RunSpec:
    kind: str = "sft"
    """What the worker runs: 'sft' (supervised fine-tuning)."""
    task: str = "sentiment"
    """'sentiment' (a causal LM labels text through a prompt template) or
    'instruction' (chat messages, loss on the assistant's tokens)."""
    model: str = "dojo-tiny"
    """Embedded name, local directory or cached hub id; the embedded model is the
    default so the run works offline on any laptop."""
    dataset: str = ""
    """Built-in name (sentiment, sentiment-en, sentiment-ko, instructions), a local
    JSONL/CSV/Parquet file, or a hub dataset name (with ``online``). Empty: the
    task's built-in data."""
    columns: dict[str, str] = field(default_factory=dict)
    """Our column -> the file's column, e.g. {"text": "review"}."""
    labels: tuple[str, ...] = ()
    """Sentiment label words. Empty: the labels found in the training split."""
    method: str = "full"
    epochs: float = 3.0
    """Fallback only: front ends start from ``suggested()``, which knows that a tiny
    model needs ~10 passes over the sentiment sentences and a real model one or two."""
    max_steps: int = -1
    """Positive: stop after this many optimizer steps (overrides epochs)."""
    batch_size: int = 16
    grad_accum: int = 1
    """Gradient accumulation: the effective batch is batch_size x grad_accum, the
    usual fix when a batch does not fit in memory."""
    lr: float = 5e-4
    """Tiny models fine-tune at 5e-4..1e-3; models with 100M+ parameters want 1e-5..5e-5."""
    warmup: float = 0.1
    """Fraction of the steps spent warming the learning rate up (a float < 1) or a
    step count (>= 1)."""
    weight_decay: float = 0.0
    max_seq_length: int = 128
    """Tokens per example; longer examples are cut. Must fit the model's context."""
    seed: int = 42
    device: str = "auto"
    """auto, cpu, cuda, cuda:N or mps. Decided in the worker, never in the parent."""
    dtype: str = "auto"
    """auto: fp32 weights, with bf16/fp16 mixed precision on a GPU."""
    gradient_checkpointing: bool = False
    """Recompute activations in the backward pass: less memory, about 20% slower."""
    logging_steps: int = 0
    eval_steps: int = 0
    save_steps: int = 0
    eval_on_start: bool = True
    """Evaluate the untrained model first, so the curves (and the sentiment accuracy)
    start from the baseline the training has to beat; costs one evaluation."""
    allow_pickle: bool = False
    trust_remote_code: bool = False
    online: bool = False
    """Allow the hub for the model and the dataset; off because GPU boxes are often offline."""

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

    # -- checks -----------------------------------------------------------------
    def validate(self) -> RunSpec:
        """Raise :class:`DojoError` for a value that cannot work; return self."""
        def need(ok: bool, message: str) -> None:
            if not ok:
                raise DojoError(message)

        need(self.kind in KINDS, f"unknown run kind {self.kind!r}; use one of {', '.join(KINDS)}")
        need(self.task in TASKS, f"unknown task {self.task!r}; use one of {', '.join(TASKS)}")
        need(self.method in METHODS, f"method {self.method!r} is not available yet; use one of {', '.join(METHODS)}")
        need(self.device.split(":")[0] in DEVICES, f"--device {self.device}: use auto, cpu, cuda, cuda:N or mps")
        need(self.epochs > 0 or self.max_steps > 0, "give --epochs above 0 or --max-steps above 0")
        need(self.batch_size >= 1, f"--batch-size {self.batch_size}: must be at least 1")
        need(self.grad_accum >= 1, f"--grad-accum {self.grad_accum}: must be at least 1")
        need(0 < self.lr < 1, f"--lr {self.lr:g}: must be between 0 and 1 (tiny models: 5e-4, large: 2e-5)")
        need(self.warmup >= 0, f"--warmup {self.warmup:g}: must be 0 or more")
        need(self.max_seq_length >= 8, f"--max-seq-length {self.max_seq_length}: must be at least 8")
        for name in ("logging_steps", "eval_steps", "save_steps"):
            need(getattr(self, name) >= 0, f"{name} must be 0 (automatic) or more")
        need(len(set(self.labels)) == len(self.labels), f"--labels {','.join(self.labels)}: each label once")
        need(self.task == "sentiment" or not self.labels, "--labels is only for the sentiment task")
        return self


def suggested(task: str, gpu: bool, model: str = "dojo-tiny") -> dict[str, Any]:
    """Defaults for a new run of ``task`` on this kind of machine (the CLI and the form
    start from these; the dataclass defaults above are only the fallback).

    The embedded tiny models need many passes at a high learning rate: on dojo-tiny
    the Korean sentiment sentences reached about 0.7-0.77 held-out accuracy after 10
    epochs at 1e-3 (0.68 after 5, chance after 1; measured on 2 CPU cores, 76 s of
    training). A real model wants one or two epochs at a small rate, and on a GPU
    gradient checkpointing to fit longer sequences.

    >>> suggested("sentiment", gpu=False)["epochs"], suggested("instruction", gpu=True, model="Qwen/Qwen2.5-0.5B")["lr"]
    (10.0, 2e-05)
    """
    tiny = Path(model.rstrip("/")).name.startswith("dojo-")  # the embedded models, or a local copy
    if tiny:
        epochs, lr = (10.0, 1e-3) if task == "sentiment" else (3.0, 5e-4)
    else:
        epochs, lr = 1.0, 2e-5
    return {
        "task": task, "model": model, "epochs": epochs, "lr": lr, "batch_size": 16 if (tiny or gpu) else 4,
        "max_seq_length": 128 if task == "sentiment" else (256 if tiny or not gpu else 1024),
        "device": "auto", "gradient_checkpointing": gpu and not tiny,
    }


def gpu_present() -> bool:
    """A cheap guess without importing torch (which would slow the UI and could touch
    CUDA in the parent): an NVIDIA driver that lists at least one GPU."""
    gpus = Path("/proc/driver/nvidia/gpus")
    try:
        return gpus.is_dir() and any(gpus.iterdir())
    except OSError:
        return False
