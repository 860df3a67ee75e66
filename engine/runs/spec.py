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

KINDS = ("sft", "pretrain", "dpo", "eval")
"""Run kinds: LoRA is a method of sft and dpo runs; "eval" is a long evaluation in the background
(``llm-dojo eval --detach``), resumable item by item."""
TASKS = ("sentiment", "instruction")
METHODS = ("full", "lora")
"""How weights are trained. 'full' updates every weight; 'lora' trains small low-rank adapters beside frozen weights."""
PREFERENCE = "preference"
"""The task of a dpo run (prompt, chosen and rejected answers); not an SFT task."""
LORA_BIAS = ("none", "all", "lora_only")
DPO_LOSSES = ("sigmoid", "ipo", "hinge", "robust")
"""trl's DPO loss types offered: sigmoid is the DPO paper's loss; ipo, hinge and robust are its variants."""
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
    """Built-in name (sentiment-ko, sentiment-en, sentiment, instructions; preferences for dpo), a local
    JSONL/CSV/Parquet file, or a hub dataset name with --online. Empty: the task's built-in data."""
    columns: dict[str, str] = setting(default_factory=dict, flag="--column", group="train", form=False,
                                     metavar="OURS=THEIRS")
    """Map a column of your file to ours: OURS=THEIRS, e.g. text=review (repeatable)."""
    labels: tuple[str, ...] = setting(default_factory=tuple, group="train", form=False)
    """Sentiment label words, comma-separated. Empty: the labels found in the training split."""
    method: str = setting("full", choices=METHODS, group="train")
    """full: update every weight; lora: freeze the model and train low-rank adapters (saved alone, a few MB)."""
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
    lora_r: int = setting(8, flag="--r", group="lora", minimum=1)
    """LoRA rank: each adapted weight W (out x in) gets B (out x r) @ A (r x in), r x (in + out) new weights.
    8 is the common start; larger r learns more and costs more."""
    lora_alpha: int = setting(16, flag="--alpha", group="lora", minimum=1)
    """LoRA scale: the update is (alpha / r) x B @ A. Twice r is the usual choice."""
    lora_dropout: float = setting(0.05, flag="--lora-dropout", group="lora", minimum=0.0, maximum=0.9)
    """Dropout on the adapter's input during training; a little regularises small datasets."""
    target_modules: tuple[str, ...] = setting(default_factory=tuple, flag="--target", group="lora",
                                              metavar="NAME[,NAME]")
    """Linear modules that get adapters, by name (q_proj,v_proj...). Empty: every linear module of the attention and
    MLP blocks (peft's all-linear), detected from the model; the output layer never."""
    lora_bias: str = setting("none", choices=LORA_BIAS, flag="--lora-bias", group="lora", form=False)
    """Which biases train with the adapters: none (usual), all, or lora_only."""
    use_rslora: bool = setting(False, flag="--rslora", group="lora", form=False)
    """Rank-stabilised LoRA: scale by alpha / sqrt(r) instead of alpha / r, so a large r keeps learning."""
    use_dora: bool = setting(False, flag="--dora", group="lora", form=False)
    """DoRA: split each weight into a magnitude and a direction and adapt the direction; slower, sometimes better."""
    qlora: bool = setting(False, group="lora")
    """QLoRA: load the frozen model in 4-bit NF4 (bitsandbytes, CUDA only) and train LoRA adapters in bf16 on top;
    a 7B model then fits in about 6 GB."""
    beta: float = setting(0.1, group="dpo", minimum=0.0)
    """DPO beta: how far the model may move from the reference; small (0.1) lets preferences pull harder."""
    loss_type: str = setting("sigmoid", choices=DPO_LOSSES, group="dpo", form=False)
    """DPO loss: sigmoid (the DPO paper), ipo, hinge or robust (for noisy labels)."""
    adapter: str = setting("", group="dpo", metavar="DIR")
    """A LoRA adapter (an SFT run's model folder) to continue from; the reference is then that SFT model,
    not the bare base. Empty: a fresh adapter on the base model."""
    allow_pickle: bool = setting(False, group="train")
    """Allow .bin/.pt pickle weights, which can run code when loaded."""
    trust_remote_code: bool = setting(False, group="train")
    """Run the model's own Python code (read it first)."""
    online: bool = setting(False, group="train")
    """Allow the Hugging Face hub for the model and the dataset; off because GPU boxes are often offline."""
    processes: int = setting(0, group="train", minimum=0, form=False)
    """Training processes, one per GPU (DDP through torchrun): 0 uses every visible GPU, or one process on a
    CPU. 2 or more on a CPU trains with the gloo backend (to try data parallelism without a GPU)."""
    fsdp: bool = setting(False, group="train", form=False)
    """With several processes, shard the weights, gradients and optimizer state across them (FSDP) instead of
    keeping a full copy per GPU (DDP): for a model that does not fit one GPU's memory."""
    parallel: bool = setting(False, form=False)
    """Start at once, next to the runs already on this device. Off: the run waits its turn (queued), since two
    runs on one GPU usually both run out of memory."""
    eval_config: dict[str, Any] = setting(default_factory=dict, cli=False, form=False, group="eval")
    """An evaluation run's settings: ``engine.evaluation.config.EvalConfig`` as a dict."""
    compare: tuple[str, ...] = setting(default_factory=tuple, cli=False, form=False, group="eval")
    """An evaluation run: more models scored after ``model`` (the base the table compares with)."""
    adapters: tuple[str, ...] = setting(default_factory=tuple, cli=False, form=False, group="eval")
    """An evaluation run: PEFT adapters scored on ``model``, each put on and taken off the one loaded base."""

    # -- (de)serialisation ------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("labels", "compare", "adapters"):
            data[name] = list(getattr(self, name))
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
        for name in ("labels", "compare", "adapters"):
            if name in data:
                data[name] = tuple(data[name])
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
        kind = given.get("kind", "sft")
        lora = given.get("method") == "lora" or given.get("qlora") is True
        if kind == "dpo":
            task, lora = PREFERENCE, given.get("method", "lora") == "lora"
        if tiny:
            epochs, lr = (10.0, 1e-3) if task == "sentiment" else (3.0, 5e-4)
        else:
            epochs, lr = 1.0, 2e-5
        if lora:  # adapters start from zero and have few weights: they want about 5-10x the rate
            lr = {1e-3: 5e-3, 5e-4: 3e-3}.get(lr, 2e-4)
        base = {
            "task": task, "epochs": epochs, "lr": lr, "batch_size": 16 if (tiny or gpu) else 4,
            "max_seq_length": 128 if task == "sentiment" else (256 if tiny or not gpu else 1024),
            "gradient_checkpointing": gpu and not tiny,
        }
        if kind == "dpo":  # two answers per example through the model (and the reference)
            base.update(method="lora" if lora else "full", epochs=3.0 if tiny else 1.0,
                        lr=(2e-3 if lora else 5e-4) if tiny else (5e-5 if lora else 5e-7),
                        batch_size=8 if (tiny or gpu) else 2, max_seq_length=128 if tiny else 512)
        return cls(**{**base, **given})

    # -- checks -----------------------------------------------------------------
    def validate(self) -> RunSpec:
        """Raise a keyed :class:`DojoError` for a value that cannot work; return self."""
        def need(ok: bool, key: str, **args: Any) -> None:
            if not ok:
                raise DojoError.keyed(key, **args)

        need(self.kind in KINDS, "spec.kind", value=self.kind, choices=", ".join(KINDS))
        need(self.device.split(":")[0] in DEVICES, "spec.device", value=self.device)
        need(self.method in METHODS, "spec.method", value=self.method, choices=", ".join(METHODS))
        if self.method == "lora" or self.qlora:
            need(self.lora_r >= 1, "spec.lora_r", value=self.lora_r)
            need(self.lora_alpha >= 1, "spec.lora_alpha", value=self.lora_alpha)
            need(0 <= self.lora_dropout < 1, "spec.lora_dropout", value=f"{self.lora_dropout:g}")
            need(self.lora_bias in LORA_BIAS, "spec.lora_bias", value=self.lora_bias, choices=", ".join(LORA_BIAS))
        need(not self.qlora or self.method == "lora", "spec.qlora_method")
        if self.kind == "dpo":
            need(self.beta > 0, "spec.beta", value=f"{self.beta:g}")
            need(self.loss_type in DPO_LOSSES, "spec.loss_type", value=self.loss_type, choices=", ".join(DPO_LOSSES))
            need(not self.adapter or self.method == "lora", "spec.adapter_method")
        need(self.dtype in DTYPES + ("fp32", "fp16", "bf16"), "spec.dtype", value=self.dtype,
             choices=", ".join(DTYPES))
        if self.kind == "eval":
            from ..evaluation.config import EvalConfig

            self.evaluation()  # a bad setting fails here with its own line
            return self
        if self.kind == "pretrain":
            need(self.preset in PRESETS, "spec.preset", value=self.preset, choices=", ".join(PRESETS))
            return self
        need(self.task in TASKS or (self.kind == "dpo" and self.task == PREFERENCE), "spec.task", value=self.task,
             choices=", ".join(TASKS))
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

    def evaluation(self):
        """An evaluation run's :class:`~engine.evaluation.config.EvalConfig` (a bad key or value: one line)."""
        from dataclasses import fields as dc_fields

        from ..evaluation.config import EvalConfig

        known = {f.name for f in dc_fields(EvalConfig)}
        unknown = sorted(set(self.eval_config) - known)
        if unknown:
            raise DojoError(f"evaluation setting(s) {', '.join(unknown)} are not known; known: {', '.join(sorted(known))}")
        return EvalConfig(**self.eval_config)

    @property
    def title(self) -> str:
        """What the run is, in a few words: ``sft/sentiment`` or ``pretrain/dojo-tiny``."""
        if self.kind == "pretrain":
            return f"pretrain/{self.preset}"
        if self.kind == "eval":
            return "eval/" + str(self.eval_config.get("task", "multiple_choice"))
        if self.kind == "dpo":
            return "dpo/" + ("qlora" if self.qlora else self.method)
        return f"{self.kind}/{self.task}" + ("+qlora" if self.qlora else "+lora" if self.method == "lora" else "")

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
