"""Preference tuning with DPO (trl's ``DPOTrainer``): a run kind of its own, ``dpo``.

Data are prompt / chosen / rejected triples. The built-in set, ``preferences``
(``engine/data/preferences.jsonl``), is the project's own Korean and English pairs in
which the chosen answer is correct and polite and the rejected one wrong or rude; any
local JSONL/JSON/CSV/Parquet file with those columns works too (``--column`` maps
other names). A malformed line, an empty field or a pair whose two answers are the same
is a one-line error naming ``file:line``.

The reference model is never a second copy in memory:

* a fresh LoRA adapter on the base (the default): trl computes the reference with the
  adapter disabled, i.e. the base model itself;
* continuing from an SFT adapter (``--adapter DIR``): the adapter is loaded trainable and
  trl adds a frozen copy of it as the "ref" adapter, so the reference is the SFT model,
  never the bare base;
* full fine-tuning (``--method full``): trl keeps a frozen copy (fine for tiny models).

trl logs ``rewards/chosen``, ``rewards/rejected``, ``rewards/margins``,
``rewards/accuracies`` and ``logps/*``; the run's callback writes them into the events
as they are, so the runs screen plots the reward margin beside the loss.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DojoError
from .datasets import SUFFIXES, TaskData, _data_file, _from_hub, _heldout, read_records
from .sft import Plan, check_context, ensure_pad_token, load_for_training, total_steps, training_kwargs

if TYPE_CHECKING:
    from ..runs.spec import RunSpec

BUILTIN = "preferences"
FIELDS = ("prompt", "chosen", "rejected")


def load_preferences(source: str = "", columns: Mapping[str, str] | None = None, heldout: float = 0.2,
                     online: bool = False) -> TaskData:
    """Prompt/chosen/rejected rows from the built-in set, a file, or (``online``) a hub dataset
    -> train and test splits."""
    columns = dict(columns or {})
    source = source or BUILTIN
    if source == BUILTIN:
        records, name = read_records(_data_file("preferences.jsonl")), f"built-in dataset {BUILTIN!r}"
    else:
        path = Path(source).expanduser()
        if path.is_file():
            records, name = read_records(path), str(path)
        elif path.suffix.lower() in SUFFIXES or path.is_absolute() or source.startswith("."):
            raise DojoError(f"no such file: {path}")
        elif online:
            records, name = _from_hub(source), source
        else:
            raise DojoError(f"{source!r} is neither a file nor the built-in dataset {BUILTIN!r}; give a JSONL file "
                            "with prompt, chosen and rejected fields (or a hub dataset name with --online)")
    train: list[dict[str, Any]] = []
    test: list[dict[str, Any]] = []
    for where, row in records:
        shaped = {}
        for ours in FIELDS:
            theirs = columns.get(ours, ours)
            if theirs not in row:
                have = ", ".join(k for k in row if k != "split") or "none"
                raise DojoError(f"{where}: no field {theirs!r} for {ours!r} (it has: {have}); a preference row needs "
                                f"prompt, chosen and rejected, or map one with --column {ours}=NAME")
            shaped[ours] = _field(where, ours, row[theirs])
        if shaped["chosen"] == shaped["rejected"]:
            raise DojoError(f"{where}: the chosen and rejected answers are the same, so there is no preference to "
                            "learn; fix or remove that line")
        split = str(row.get(columns.get("split", "split"), "")).strip().lower()
        if split not in ("", "train", "test", "validation", "valid", "dev"):
            raise DojoError(f"{where}: split {split!r} is not train or test")
        (test if (split and split != "train") or (not split and _heldout(row, heldout)) else train).append(shaped)
    if not train:
        raise DojoError(f"{name}: no training pairs ({len(test)} held out); add rows with split=train")
    if not test:
        raise DojoError(f"{name}: no held-out pairs; add rows with split=test, or drop the split field to hold "
                        "out 20% automatically")
    return TaskData(name, train, test)


def _field(where: str, name: str, value: Any) -> Any:
    """A field's text, or a chat-format field (a list of {role, content} messages) as it is."""
    if isinstance(value, list):
        ok = value and all(isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
                           and isinstance(m.get("content"), str) and m["content"].strip() for m in value)
        if not ok:
            raise DojoError(f"{where}: {name!r} must be text or a list of {{\"role\": system|user|assistant, "
                            "\"content\": text}} messages")
        return [{"role": m["role"], "content": m["content"]} for m in value]
    if not isinstance(value, str) or not value.strip():
        raise DojoError(f"{where}: {name!r} is empty or not text; every pair needs a prompt and two answers")
    return value.strip()


def is_chat(rows: list[dict[str, Any]]) -> bool:
    return any(isinstance(v, list) for r in rows for v in r.values())


def preflight(spec: RunSpec) -> dict[str, Any]:
    """Checks without torch: model files and context, the adapter against the base, the data."""
    from ..models.resolve import resolve_model

    resolved = resolve_model(spec.model, allow_network=spec.online, allow_pickle=spec.allow_pickle,
                             trust_remote_code=spec.trust_remote_code)
    check_context(spec.max_seq_length, resolved.config, spec.model)
    summary: dict[str, Any] = {"model": str(resolved.path)}
    if spec.adapter:
        from .lora import check_adapter

        summary.update(check_adapter(spec.adapter, resolved.path, spec.model))
    elif spec.method == "lora":
        from .lora import estimate

        summary["lora"] = estimate(resolved.path, spec)
    hub = spec.online and spec.dataset not in ("", BUILTIN) and not Path(spec.dataset).expanduser().exists()
    if not hub:  # a hub dataset is downloaded and checked by the worker, not here
        summary["data"] = load_preferences(spec.dataset, spec.columns).summary()
    return summary


def as_conversation(rows: list[dict[str, str]], chat: bool) -> list[dict[str, Any]]:
    """trl's conversational preference format when the model has a chat template (the
    answers are then learned as the assistant's turn), else the plain-text format."""
    if not chat:
        return [dict(r) for r in rows]
    roles = {"prompt": "user", "chosen": "assistant", "rejected": "assistant"}
    return [{k: v if isinstance(v, list) else [{"role": roles[k], "content": v}] for k, v in r.items()}
            for r in rows]


class CountingPreferenceCollator:
    """trl's preference collator, counting the real tokens it lets through (tokens/s)."""

    def __init__(self, inner: Callable, count: Callable[[int], None]) -> None:
        self.inner, self.count = inner, count

    def __call__(self, examples):
        batch = self.inner(examples)
        mask = batch.get("attention_mask")
        if mask is not None:
            self.count(int(mask.sum()))
        return batch


class DpoPlan(Plan):
    """Saves the trained adapter alone: trl's frozen "ref" copy of a continued adapter stays behind."""

    def save(self, out: Path) -> None:
        model = self.trainer.model
        if "ref" in getattr(model, "peft_config", {}):
            model.delete_adapter("ref")
        super().save(out)


def build(spec: RunSpec, run_dir: Path, device: str, *, callbacks: list, count: Callable[[int], None],
          resume: bool = False) -> Plan:
    """Load the model (with a fresh or continued adapter) and the pairs; build the DPOTrainer."""
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer
    from trl.trainer.dpo_trainer import DataCollatorForPreference

    from .lora import check_adapter, load_adapter, lora_config, peft_info, resolve_targets

    model, tokenizer = load_for_training(spec, device)
    check_context(spec.max_seq_length, model.config.to_dict(), spec.model)
    notes = [ensure_pad_token(tokenizer, model)]
    peft_config = None
    if spec.adapter:
        from ..models.resolve import resolve_model

        base_dir = resolve_model(spec.model, allow_network=spec.online, allow_pickle=spec.allow_pickle,
                                 trust_remote_code=spec.trust_remote_code).path
        check_adapter(spec.adapter, base_dir, spec.model)
        model = load_adapter(model, spec.adapter, trainable=True)
        notes.append(f"continuing the adapter {spec.adapter}; the reference is that SFT model (a frozen copy of "
                     "the adapter), not the bare base")
    elif spec.method == "lora":
        peft_config = lora_config(spec, resolve_targets(model, spec.target_modules, spec.model))
        notes.append("fresh LoRA adapter: the reference is the base model (the adapter switched off)")
    else:
        notes.append("full fine-tuning: the reference is a frozen copy of the model")
    data = load_preferences(spec.dataset, spec.columns, online=spec.online)
    chat = bool(getattr(tokenizer, "chat_template", None))
    if not chat and is_chat(data.train + data.test):
        raise DojoError(f"the pairs are chat messages but {spec.model} has no chat template to lay them out; use a "
                        "chat model, or write prompt, chosen and rejected as plain text")
    notes.append("pairs laid out with the model's chat template" if chat else
                 "the model has no chat template: prompt and answers are plain text")
    steps = total_steps(spec, len(data.train))
    kwargs = training_kwargs(spec, run_dir, steps, device, resume)
    config = DPOConfig(**kwargs, beta=spec.beta, loss_type=[spec.loss_type], max_length=spec.max_seq_length,
                       precompute_ref_log_probs=False)
    collator = CountingPreferenceCollator(
        DataCollatorForPreference(pad_token_id=tokenizer.pad_token_id, max_length=spec.max_seq_length,
                                  truncation_mode=config.truncation_mode), count)
    from transformers import set_seed

    set_seed(spec.seed)  # a fresh adapter's random start (trl wraps the model before the Trainer seeds)
    trainer = DPOTrainer(model=model, args=config, train_dataset=Dataset.from_list(as_conversation(data.train, chat)),
                         eval_dataset=Dataset.from_list(as_conversation(data.test, chat)), processing_class=tokenizer,
                         data_collator=collator, callbacks=callbacks, peft_config=peft_config)
    info: dict[str, Any] = {}
    if spec.method == "lora":
        lora = peft_info(trainer.model)
        notes.append(lora.summary())
        info = lora.to_event()
    from .task_card import TaskCard

    card = TaskCard(task="instruction", template="{text}", base_model=spec.model,
                    run_id=Path(kwargs["output_dir"]).parent.name)
    plan = DpoPlan(trainer, steps, data, None, notes, card)
    plan.info = info
    return plan
