"""In-context learning measured: zero- vs k-shot accuracy beside fine-tuned runs.

Every number comes from the evaluation lab's classification task
(``engine.evaluation.tasks.run_task``: label words scored by log-likelihood with the
batched scorer in ``engine.evaluation.scoring``), on the same held-out sentiment
items the SFT and LoRA labs evaluate on. A k-shot row is that task with
``n_shot = k``: each item's shots are other held-out items drawn with the seed (the
evaluation lab's rule), so ``llm-dojo eval --task classification --n-shot k`` prints
the same accuracy. Finished SFT and LoRA runs of the same model on sentiment data
join the table zero-shot, through the evaluation lab's candidate loop.

Self-consistency samples N short answers per item after the largest-k prompt
(temperature 0.8), reads the first label word of each, and takes the majority vote.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DojoError
from ..messages import Notice
from .config import AppsIclConfig


@dataclass(frozen=True)
class IclRow:
    method: str
    """zero-shot, k-shot, sft, lora or self-consistency."""
    model: str
    shots: int
    accuracy: float
    f1_macro: float | None
    n: int
    run: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class IclResult:
    data: str
    model: str
    rows: tuple[IclRow, ...]
    chance: float
    self_consistency: dict[str, Any] | None
    seconds: float
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"data": self.data, "model": self.model, "rows": [r.to_dict() for r in self.rows],
                "chance": self.chance, "self_consistency": self.self_consistency, "seconds": self.seconds,
                "notices": [n.to_dict() for n in self.notices]}


def _eval_config(config: AppsIclConfig, k: int) -> Any:
    from ..evaluation.config import EvalConfig

    return EvalConfig(task="classification", data=config.data, limit=config.limit, n_shot=k, seed=config.seed,
                      batch_size=config.batch_size, chat_template=config.chat_template, bootstrap=0)


def _metric(result: Any, name: str) -> float | None:
    return next((m.value for m in result.metrics if m.name == name), None)


def finetuned_runs(model: str) -> list[Any]:
    """Completed SFT and LoRA runs of ``model`` on sentiment data, oldest first."""
    from ..runs import store

    out = []
    for run in store.list_runs():
        spec = run.spec
        if run.state == "completed" and spec.kind in ("sft", "lora") and spec.task == "sentiment" \
                and spec.model == model and run.status.get("output"):
            out.append(run)
    return out


def measure(config: AppsIclConfig, loaded: Any = None, *, load: Callable[[str], Any] | None = None,
            on_progress: Callable[[str, int, int], Any] | None = None,
            cancel: threading.Event | None = None) -> IclResult:
    """The "prompting vs fine-tuning" table for ``config`` (``loaded``: the model, already loaded)."""
    from ..evaluation.data import load_set
    from ..evaluation.tasks import run_task
    from ..training.task_card import read_card

    start = time.perf_counter()
    if load is None:
        from ..models.load import load_model

        load = load_model
    if loaded is None:
        loaded = load(config.model)
    es = load_set("classification", config.data, config.limit)
    counts = config.shot_counts
    if max(counts) >= len(es.items):
        raise DojoError(f"--shots {max(counts)} needs more held-out items than the {len(es.items)} scored "
                        f"(--limit {config.limit}); raise --limit or use fewer shots")
    emit = on_progress or (lambda stage, done, total: None)
    card = read_card(loaded.resolved.path)
    rows: list[IclRow] = []
    notices: list[Notice] = []
    for k in counts:
        cfg = _eval_config(config, k)
        result = run_task(loaded.model, loaded.tokenizer, es, cfg, card=card,
                          on_progress=lambda done, total, k=k: emit(f"{k}-shot", done, total), cancel=cancel)
        notices.extend(n for n in result.notices if n not in notices)
        rows.append(IclRow("zero-shot" if k == 0 else f"{k}-shot", config.model, k, _metric(result, "accuracy"),
                           _metric(result, "f1_macro"), len(es.items)))
    if config.finetuned:
        runs = finetuned_runs(config.model)
        if not runs:
            notices.append(Notice("apps.no_runs", {"model": config.model}))
        for run in runs:
            rows.append(_finetuned_row(run, config, es, load, emit, cancel))
    sc = None
    if config.samples:
        sc = self_consistency(loaded.model, loaded.tokenizer, es, config, max(counts), card, emit, cancel)
        rows.append(IclRow("self-consistency", config.model, max(counts), sc["accuracy"], None, len(es.items)))
    chance = max(Counter(it["label"] for it in es.items).values()) / len(es.items)
    return IclResult(data=es.source, model=config.model, rows=tuple(rows), chance=chance, self_consistency=sc,
                     seconds=time.perf_counter() - start, notices=tuple(notices))


def _finetuned_row(run: Any, config: AppsIclConfig, es: Any, load: Callable[[str], Any], emit: Any,
                   cancel: threading.Event | None) -> IclRow:
    from ..evaluation.tasks import run_task
    from ..training.task_card import read_card

    output = Path(run.status["output"])
    cfg = _eval_config(config, 0)
    if (output / "adapter_config.json").exists():
        from ..generation.adapter import apply_adapter

        base = load(config.model)
        model = apply_adapter(base.model, str(output), config.model, base.resolved.path)
        card = read_card(output) or read_card(base.resolved.path)
        try:
            result = run_task(model, base.tokenizer, es, cfg, card=card,
                              on_progress=lambda d, t: emit(run.id, d, t), cancel=cancel)
        finally:
            model.unload()
    else:
        tuned = load(str(output))
        result = run_task(tuned.model, tuned.tokenizer, es, cfg, card=read_card(tuned.resolved.path),
                          on_progress=lambda d, t: emit(run.id, d, t), cancel=cancel)
    method = "lora" if run.spec.kind == "lora" or run.spec.method == "lora" else "sft"
    return IclRow(method, config.model, 0, _metric(result, "accuracy"), _metric(result, "f1_macro"), len(es.items),
                  run=run.id)


def first_label(text: str, labels: tuple[str, ...]) -> str | None:
    """The label word that comes first in ``text`` (case-insensitive), or None.

    >>> first_label(" Positive, I think", ("negative", "positive"))
    'positive'
    """
    low = text.lower()
    found = [(low.find(label.lower()), label) for label in labels if label.lower() in low]
    return min(found)[1] if found else None


def self_consistency(model: Any, tokenizer: Any, es: Any, config: AppsIclConfig, k: int, card: Any,
                     emit: Callable[[str, int, int], Any], cancel: threading.Event | None) -> dict[str, Any]:
    """Majority vote over ``config.samples`` sampled answers per item after the k-shot prompt."""
    import torch

    from ..evaluation.tasks import _shots, _with_shots
    from ..training.sft import sentiment_prompt

    cfg = _eval_config(config, k)
    labels = tuple(card.labels) if card is not None and getattr(card, "labels", ()) else es.labels
    template = card.prompt_for if card is not None and getattr(card, "labels", ()) else sentiment_prompt
    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    torch.manual_seed(config.seed)
    correct, agreement, unparsed, items = 0, 0.0, 0, []
    for i, item in enumerate(es.items):
        if cancel is not None and cancel.is_set():
            raise DojoError.keyed("eval.cancelled", done=i, total=len(es.items))
        shots = [template(es.items[j]["text"]) + " " + es.items[j]["label"] for j in _shots(es, i, cfg)]
        context = _with_shots(template(item["text"]), shots, tokenizer, cfg)
        ids = tokenizer(context, add_special_tokens=not config.chat_template, return_tensors="pt")["input_ids"].to(device)
        with torch.inference_mode():
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=True, temperature=0.8,
                                 top_k=0, max_new_tokens=4, num_return_sequences=config.samples, pad_token_id=pad)
        answers = [first_label(tokenizer.decode(row[ids.shape[1]:], skip_special_tokens=True), labels) for row in out]
        votes = Counter(a for a in answers if a is not None)
        unparsed += sum(a is None for a in answers)
        if votes:
            top = max(votes.values())
            pred = random.Random(f"{config.seed}:{i}").choice([l for l, n in votes.items() if n == top])
            agreement += top / config.samples
        else:
            pred = None
        correct += pred == item["label"]
        items.append({"id": item["id"], "gold": item["label"], "votes": dict(votes), "pred": pred})
        emit("self-consistency", i + 1, len(es.items))
    n = len(es.items)
    return {"samples": config.samples, "shots": k, "accuracy": correct / n, "agreement": agreement / n,
            "unparsed": unparsed, "items": items}
