"""Supervised fine-tuning of a causal LM: sentiment through a prompt, and chat instructions.

Two tasks, one path (``build``), which the worker calls and the LoRA issue extends:

* **sentiment**: every example becomes ``text: <sentence>\\nlabel: <word><eos>``.
  The loss covers only the label word and the end-of-sequence token; the prompt is
  context. Accuracy compares, for each held-out sentence, the log-likelihood the
  model gives each label word after the prompt (``label_scores``): the most likely
  word is the prediction. No classifier head; the language model itself answers.
* **instruction**: trl's ``SFTTrainer`` on chat messages with
  ``assistant_only_loss=True``: the conversation is laid out by the model's own chat
  template, and only the assistant's tokens (``{% generation %}`` spans, end-of-turn
  token included) are learned.

Padding never hides the end of a sequence: when a model has no pad token, the EOS
token is reused for padding, and labels are padded with -100 by *length*, never by
comparing ids with the pad id, so the real EOS stays a training target.

``preflight`` runs in the parent without torch: spec, model files, context length,
dataset. ``build`` runs in the worker and returns a :class:`Plan` with the trainer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from ..errors import DojoError
from ..models.context import context_length
from .datasets import TaskData, load_task_data

if TYPE_CHECKING:  # the spec lives with the run system; training only reads its fields
    from ..runs.spec import RunSpec

PROMPT_HEAD = "text: {text}"
PROMPT_TAIL = "\nlabel:"
"""The course's sentiment prompt, split so a long text is cut before ``label:``."""


def sentiment_prompt(text: str) -> str:
    """The course's prompt template.

    >>> sentiment_prompt("a fine film")
    'text: a fine film\\nlabel:'
    """
    return PROMPT_HEAD.format(text=text) + PROMPT_TAIL


def check_context(max_seq_length: int, config: dict[str, Any], model: str) -> None:
    ctx = context_length(config)
    if ctx is not None and max_seq_length > ctx:
        raise DojoError(f"--max-seq-length {max_seq_length} is above the context of {model} ({ctx} tokens); "
                        f"use --max-seq-length {ctx} or less")


def load_data(spec: RunSpec) -> TaskData:
    return load_task_data(spec.dataset, spec.task, columns=spec.columns, labels=spec.labels, online=spec.online)


def preflight(spec: RunSpec) -> dict[str, Any]:
    """Checks without torch: model files and context, dataset lines, columns, labels."""
    from ..models.resolve import resolve_model

    resolved = resolve_model(spec.model, allow_network=spec.online, allow_pickle=spec.allow_pickle,
                             trust_remote_code=spec.trust_remote_code)
    check_context(spec.max_seq_length, resolved.config, spec.model)
    if spec.task == "instruction" and not has_chat_template(Path(resolved.path)):
        raise DojoError(f"{spec.model} has no chat template, which instruction SFT needs to lay out the messages; "
                        "use a chat model (dojo-tiny has one) or the sentiment task")
    local = spec.dataset == "" or Path(spec.dataset).expanduser().exists() or not spec.online
    summary: dict[str, Any] = {"model": str(resolved.path)}
    if spec.method == "lora":
        from .lora import estimate

        summary["lora"] = estimate(resolved.path, spec)
    if local:  # a hub dataset is downloaded and checked by the worker, not here
        summary["data"] = load_data(spec).summary()
    return summary


def has_chat_template(folder: Path) -> bool:
    """Whether a model folder ships a chat template (``chat_template.jinja``/``.json``, or the
    key in ``tokenizer_config.json``), read from the files without loading the tokenizer.
    A folder that is not local (a GGUF import in progress, a hub id) counts as having one:
    the worker checks the loaded tokenizer again."""
    import json

    if not folder.is_dir():
        return True
    if (folder / "chat_template.jinja").exists() or (folder / "chat_template.json").exists():
        return True
    try:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True  # unreadable here: let the tokenizer's own loader decide
    return bool(isinstance(config, dict) and config.get("chat_template"))


def ensure_pad_token(tokenizer, model) -> str:
    """Give a tokenizer without a pad token one (its unk token, else EOS) -> what was done.

    Reusing EOS is safe here because every collator in this module pads labels by
    length with -100, so the real EOS at the end of an example is still learned."""
    note = f"pad token {tokenizer.pad_token!r}"
    if tokenizer.pad_token is None:
        candidate = tokenizer.unk_token if tokenizer.unk_token not in (None, tokenizer.eos_token) else None
        tokenizer.pad_token = candidate or tokenizer.eos_token
        if tokenizer.pad_token is None:
            raise DojoError("the tokenizer has neither a pad, an unk nor an EOS token; add one before fine-tuning")
        note = f"no pad token: using {tokenizer.pad_token!r} for padding (labels are padded by length, EOS is kept)"
    elif tokenizer.pad_token_id is not None and tokenizer.pad_token_id == tokenizer.eos_token_id:
        note = (f"pad token {tokenizer.pad_token!r} is also the EOS token: padding is masked by length, "
                "so EOS is still learned")
    model.config.pad_token_id = tokenizer.pad_token_id
    if getattr(model, "generation_config", None) is not None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    return note


# -- sentiment ----------------------------------------------------------------------
def _label_ids(tokenizer, word: str) -> list[int]:
    ids = tokenizer(" " + word, add_special_tokens=False)["input_ids"]
    if not ids:
        raise DojoError(f"the label {word!r} encodes to no tokens")
    return list(ids)


def _prompt_ids(tokenizer, text: str, room: int) -> list[int]:
    head = list(tokenizer(PROMPT_HEAD.format(text=text))["input_ids"])
    tail = list(tokenizer(PROMPT_TAIL, add_special_tokens=False)["input_ids"])
    return head[: max(1, room - len(tail))] + tail


def encode_sentiment(tokenizer, text: str, label: str, max_len: int) -> dict[str, list[int]]:
    """-> {"input_ids", "labels"}: labels are -100 on the prompt, the label word and EOS after it."""
    target = _label_ids(tokenizer, label) + ([tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else [])
    prompt = _prompt_ids(tokenizer, text, max_len - len(target))
    return {"input_ids": prompt + target, "labels": [-100] * len(prompt) + target}


class PadCollator:
    """Right-pads ``input_ids`` with the pad id and ``labels`` with -100 (by length), and
    counts the real tokens for tokens/s."""

    def __init__(self, pad_id: int, count: Callable[[int], None] | None = None) -> None:
        self.pad_id, self.count = pad_id, count

    def __call__(self, examples: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        width = max(len(e["input_ids"]) for e in examples)
        ids = torch.full((len(examples), width), self.pad_id, dtype=torch.long)
        labels = torch.full((len(examples), width), -100, dtype=torch.long)
        attn = torch.zeros((len(examples), width), dtype=torch.long)
        for i, e in enumerate(examples):
            n = len(e["input_ids"])
            ids[i, :n] = torch.tensor(e["input_ids"])
            labels[i, :n] = torch.tensor(e["labels"])
            attn[i, :n] = 1
        if self.count is not None:
            self.count(int(attn.sum()))
        return {"input_ids": ids, "labels": labels, "attention_mask": attn}


class CountingCollator:
    """Wraps another collator and counts the tokens it lets through."""

    def __init__(self, inner: Callable, count: Callable[[int], None]) -> None:
        self.inner, self.count = inner, count

    def __call__(self, examples):
        batch = self.inner(examples)
        mask = batch.get("attention_mask")
        self.count(int(mask.sum()) if mask is not None else int(batch["input_ids"].numel()))
        return batch


def label_scores(model, tokenizer, texts: list[str], words: tuple[str, ...], max_len: int,
                 batch_size: int = 32) -> list[list[float]]:
    """log P(word | prompt) for every text and every label word -> [len(texts)][len(words)]."""
    import torch

    targets = [_label_ids(tokenizer, w) for w in words]
    room = max_len - max(len(t) for t in targets)
    seqs = []
    for text in texts:
        prompt = _prompt_ids(tokenizer, text, room)
        seqs += [(prompt + t, len(prompt), t) for t in targets]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    scores: list[float] = []
    try:
        with torch.no_grad():
            for i in range(0, len(seqs), batch_size):
                chunk = seqs[i : i + batch_size]
                width = max(len(s) for s, _, _ in chunk)
                ids = torch.full((len(chunk), width), pad, dtype=torch.long)
                attn = torch.zeros_like(ids)
                for j, (s, _, _) in enumerate(chunk):
                    ids[j, : len(s)] = torch.tensor(s)
                    attn[j, : len(s)] = 1
                logits = model(input_ids=ids.to(device), attention_mask=attn.to(device)).logits
                for j, (_, start, target) in enumerate(chunk):
                    # only the label positions leave the device: never the batch x length x vocab tensor
                    pos = torch.arange(start - 1, start - 1 + len(target), device=logits.device)
                    logp = torch.log_softmax(logits[j, pos].float(), dim=-1)
                    picked = logp.gather(1, torch.tensor(target, device=logits.device)[:, None])
                    scores.append(float(picked.sum()))
    finally:
        model.train(was_training)
    n = len(words)
    return [scores[k : k + n] for k in range(0, len(scores), n)]


def sentiment_accuracy(model, tokenizer, rows: list[dict[str, Any]], words: tuple[str, ...], max_len: int) -> float:
    scores = label_scores(model, tokenizer, [r["text"] for r in rows], words, max_len)
    hits = sum(words[max(range(len(words)), key=s.__getitem__)] == r["label"] for s, r in zip(scores, rows))
    return hits / len(rows)


# -- building the trainer -------------------------------------------------------------
@dataclass
class Plan:
    """What the worker needs: the trainer, the held-out metric, and how to save."""

    trainer: Any
    total_steps: int
    data: TaskData
    extra_eval: Callable[[Any], dict] | None
    notes: list[str]

    card: Any = None
    """A ``task_card.TaskCard`` saved beside the weights, so later labs know the task."""
    info: dict[str, Any] = field(default_factory=dict)
    """Facts for the start event: the trainable-parameter count of a LoRA run."""

    def save(self, out: Path) -> None:
        self.trainer.save_model(str(out))
        self.trainer.processing_class.save_pretrained(str(out))
        if self.card is not None:
            from .task_card import write_card

            write_card(out, self.card)


def auto_intervals(spec: RunSpec, total_steps: int) -> tuple[int, int, int]:
    """(logging, eval, save) step intervals: explicit values win; otherwise about 200
    log lines (a smooth curve, a small file), 10 evaluations and 5 checkpoints, but
    never an evaluation more often than every 5 steps or a checkpoint every 10.

    >>> from engine.runs.spec import RunSpec
    >>> auto_intervals(RunSpec(), 87), auto_intervals(RunSpec(), 8), auto_intervals(RunSpec(), 4000)
    ((1, 8, 17), (1, 5, 8), (20, 400, 800))
    """
    logging = spec.logging_steps or max(1, total_steps // 200)
    evals = spec.eval_steps or max(min(5, total_steps), total_steps // 10, 1)
    save = spec.save_steps or max(min(10, total_steps), total_steps // 5, 1)
    return logging, evals, save


def total_steps(spec: RunSpec, n_train: int) -> int:
    """The optimizer steps transformers' Trainer will run (same rounding as its own)."""
    if spec.max_steps > 0:
        return spec.max_steps
    import os

    world = int(os.environ.get("WORLD_SIZE", "1") or 1)  # several processes share the batches (DDP)
    per_epoch = max(math.ceil(math.ceil(n_train / spec.batch_size) / world) // spec.grad_accum, 1)
    return math.ceil(spec.epochs * per_epoch)


def _mixed_precision(spec: RunSpec, device: str) -> dict[str, bool]:
    if not device.startswith("cuda"):
        return {"bf16": False, "fp16": False}
    if spec.dtype in ("float32", "fp32"):
        return {"bf16": False, "fp16": False}
    from ..device import bf16_native

    if spec.dtype in ("float16", "fp16") or not bf16_native(0):  # the run sees exactly one GPU
        return {"bf16": False, "fp16": True}
    return {"bf16": True, "fp16": False}


def training_kwargs(spec: RunSpec, run_dir: Path, steps: int, device: str, resume: bool) -> dict[str, Any]:
    """TrainingArguments shared by every task (and by the overhead benchmark's baseline)."""
    logging, evals, save = auto_intervals(spec, steps)
    return dict(
        output_dir=str(run_dir / "checkpoints"), num_train_epochs=spec.epochs, max_steps=spec.max_steps,
        per_device_train_batch_size=spec.batch_size, per_device_eval_batch_size=spec.batch_size,
        gradient_accumulation_steps=spec.grad_accum, learning_rate=spec.lr, warmup_steps=spec.warmup,
        weight_decay=spec.weight_decay, max_grad_norm=1.0, logging_strategy="steps", logging_steps=logging,
        logging_nan_inf_filter=False, eval_strategy="steps", eval_steps=evals,
        eval_on_start=spec.eval_on_start and not resume,
        save_strategy="steps", save_steps=save, save_total_limit=2, seed=spec.seed, data_seed=spec.seed,
        report_to="none", disable_tqdm=True, use_cpu=device == "cpu", dataloader_num_workers=0,
        activation_checkpointing=spec.gradient_checkpointing, **_mixed_precision(spec, device),
        **_distributed(spec, device),
    )


def _distributed(spec: RunSpec, device: str) -> dict[str, Any]:
    """Several processes (``engine.runs.distributed``): gloo on a CPU, FSDP when asked."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1") or 1) <= 1:
        return {}
    out: dict[str, Any] = {"ddp_backend": "gloo" if device == "cpu" else None, "ddp_find_unused_parameters": False}
    if spec.fsdp:
        out.update(fsdp=True, fsdp_config={"version": 2, "reshard_after_forward": True})  # FSDP2, full shard
    return out


def load_for_training(spec: RunSpec, device: str) -> tuple[Any, Any]:
    """(model, tokenizer) as a run trains them: fp32 on the CPU (the Trainer moves it), or for
    QLoRA 4-bit NF4 on the GPU, prepared for k-bit training (``qlora_available`` says why not)."""
    from ..models.load import load_model

    if spec.qlora:
        from peft import prepare_model_for_kbit_training

        from .lora import qlora_available

        qlora_available(device)
        loaded = load_model(spec.model, device=device, dtype="bfloat16", load_in_4bit=True,
                            allow_pickle=spec.allow_pickle, trust_remote_code=spec.trust_remote_code,
                            allow_network=spec.online)
        model = prepare_model_for_kbit_training(loaded.model, use_gradient_checkpointing=True)
        return model, loaded.tokenizer
    loaded = load_model(spec.model, device="cpu", dtype="float32", allow_pickle=spec.allow_pickle,
                        trust_remote_code=spec.trust_remote_code, allow_network=spec.online)
    return loaded.model, loaded.tokenizer


def build(spec: RunSpec, run_dir: Path, device: str, *, callbacks: list, count: Callable[[int], None],
          resume: bool = False) -> Plan:
    """Load the model and data for ``spec`` and build its trainer (full fine-tuning or LoRA)."""
    model, tokenizer = load_for_training(spec, device)
    check_context(spec.max_seq_length, model.config.to_dict(), spec.model)
    notes = [ensure_pad_token(tokenizer, model)]
    info: dict[str, Any] = {}
    if spec.method == "lora":
        from .lora import apply_lora

        model, lora = apply_lora(model, spec, spec.model)
        notes.append(lora.summary())
        info = lora.to_event()
    data = load_data(spec)
    steps = total_steps(spec, len(data.train))
    kwargs = training_kwargs(spec, run_dir, steps, device, resume)
    if spec.task == "sentiment":
        plan = _build_sentiment(spec, model, tokenizer, data, kwargs, callbacks, count, steps, notes)
    else:
        plan = _build_instruction(spec, model, tokenizer, data, kwargs, callbacks, count, steps, notes)
    plan.info = info
    return plan


def _build_sentiment(spec, model, tokenizer, data, kwargs, callbacks, count, steps, notes) -> Plan:
    from transformers import Trainer, TrainingArguments

    def enc(rows):
        return [encode_sentiment(tokenizer, r["text"], r["label"], spec.max_seq_length) for r in rows]

    trainer = Trainer(model=model, args=TrainingArguments(**kwargs), train_dataset=enc(data.train),
                      eval_dataset=enc(data.test), data_collator=PadCollator(tokenizer.pad_token_id, count),
                      processing_class=tokenizer, callbacks=callbacks)

    def accuracy(m) -> dict:
        return {"eval/accuracy": sentiment_accuracy(m, tokenizer, data.test, data.labels, spec.max_seq_length),
                "eval/n": len(data.test)}

    from .task_card import TaskCard

    card = TaskCard(task="sentiment", labels=tuple(data.labels), template=PROMPT_HEAD + PROMPT_TAIL,
                    base_model=spec.model, run_id=Path(kwargs["output_dir"]).parent.name)
    return Plan(trainer, steps, data, accuracy, notes, card)


def _build_instruction(spec, model, tokenizer, data, kwargs, callbacks, count, steps, notes) -> Plan:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    if not getattr(tokenizer, "chat_template", None):
        raise DojoError(f"{spec.model} has no chat template, which instruction SFT needs to lay out the messages; "
                        "use a chat model (dojo-tiny has one) or the sentiment task")
    config = SFTConfig(**kwargs, max_length=spec.max_seq_length, assistant_only_loss=True, packing=False)
    collator = CountingCollator(DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id), count)
    try:
        trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(data.train),
                             eval_dataset=Dataset.from_list(data.test), processing_class=tokenizer,
                             data_collator=collator, callbacks=callbacks)
    except (ValueError, RuntimeError) as exc:
        if "assistant" in str(exc) or "chat template" in str(exc):
            raise DojoError(f"{spec.model}'s chat template cannot mark the assistant's tokens "
                            f"({str(exc).splitlines()[0][:160]})") from None
        raise
    from .task_card import TaskCard

    card = TaskCard(task="instruction", template="{text}", base_model=spec.model,
                    run_id=Path(kwargs["output_dir"]).parent.name)
    return Plan(trainer, steps, data, None, notes, card)
