"""Evaluate a base model and what was trained from it on one task -> a :class:`Comparison`.

Candidates are evaluated in order on the same items; the first is the base the table
compares with. A candidate is a model (an embedded name, a local folder, a finished
fine-tuning run's output folder) with an optional PEFT adapter. Adapters of the same
base share one loaded model: each is put on, evaluated and taken off again
(``PeftModel.unload``), so an 8B base is loaded once for any number of adapters.

>>> comparison = evaluate_candidates([Candidate("dojo-tiny")], EvalConfig(limit=4))   # doctest: +SKIP
>>> comparison.rows()[0].metric
'acc'
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import DojoError
from .config import EvalConfig
from .data import load_set
from .results import Comparison, EvalResult


@dataclass(frozen=True)
class Candidate:
    model: str
    adapter: str | None = None

    @property
    def label(self) -> str:
        return f"{self.model} + {Path(self.adapter).name}" if self.adapter else self.model


@dataclass(frozen=True)
class EvalProgress:
    """``index``-th candidate of ``count`` (``label``) is at ``done`` of ``total`` in ``stage``."""

    stage: str  # load | score
    index: int
    count: int
    label: str
    done: int = 0
    total: int = 0

    @property
    def fraction(self) -> float:
        inside = self.done / self.total if self.total else 0.0
        return (self.index + (0.1 if self.stage == "load" else 0.1 + 0.9 * inside)) / self.count


def _default_load(name: str) -> Any:
    from ..models.load import load_model

    return load_model(name)


def evaluate_candidates(candidates: list[Candidate], config: EvalConfig, *,
                        load: Callable[[str], Any] = _default_load,
                        on_progress: Callable[[EvalProgress], Any] | None = None,
                        cancel: threading.Event | None = None, cache_dir: Path | None = None) -> Comparison:
    """Each candidate on ``config``'s task and data -> the comparison (base first).

    ``cache_dir`` (an evaluation run's ``scores`` folder): every score is kept there as it
    is computed, and scores already there are read back instead of computed again, so a
    stopped run resumes (``engine.evaluation.cache``)."""
    if not candidates:
        raise DojoError("no model to evaluate: give at least one --model")
    candidates = [Candidate(c.model, c.adapter) for c in candidates]
    for c in candidates:
        if c.adapter is not None and not Path(run_output(c.adapter)).expanduser().is_dir():
            raise DojoError(f"no adapter folder at {c.adapter}")
    es = load_set(config.task, config.data_name, config.limit)
    emit = on_progress or (lambda event: None)
    results: list[EvalResult] = []
    seen: dict[str, Any] = {}
    for k, cand in enumerate(candidates):
        emit(EvalProgress("load", k, len(candidates), cand.label))
        loaded = load(run_output(cand.model))
        model = loaded.model
        from ..training.task_card import read_card

        card = read_card(loaded.resolved.path)
        if cand.adapter:
            from ..generation.adapter import apply_adapter

            adapter = run_output(cand.adapter)
            model = apply_adapter(model, adapter, cand.model, loaded.resolved.path)
            card = read_card(Path(adapter).expanduser()) or card
        from .cache import ItemCache, using

        cache = ItemCache(cache_dir / f"{k}.jsonl", label=cand.label) if cache_dir is not None else None
        try:
            with using(cache):
                result = _run(model, loaded.tokenizer, es, config, card, k, len(candidates), cand, emit, cancel)
            if cache is not None and cache.reused:
                result = replace(result, extra={**result.extra, "scores_reused": cache.reused})
        finally:
            if cand.adapter:
                model.unload()  # the base model's layers as they were, for the next candidate
        result = replace(result, model=cand.model, adapter=cand.adapter)
        if config.contamination:
            result = _with_contamination(result, cand.model, es, seen)
        results.append(result)
    return Comparison(tuple(results))


def _with_contamination(result: EvalResult, model: str, es: Any, seen: dict[str, Any]) -> EvalResult:
    """``result`` with the 'contaminated' metric when the model's training text is known."""
    from .contamination import check
    from .results import MetricValue

    if model not in seen:
        seen[model] = check(model, es.task, es.items)
    found = seen[model]
    if found is None:
        return result
    metric = MetricValue("contaminated", found.fraction, None, found.total)
    return replace(result, metrics=result.metrics + (metric,), extra={**result.extra, "contamination": found.to_dict()})


def _run(model, tokenizer, es, config, card, k, count, cand, emit, cancel) -> EvalResult:
    from .tasks import run_task

    def progress(done: int, total: int) -> None:
        emit(EvalProgress("score", k, count, cand.label, done, total))

    return run_task(model, tokenizer, es, config, card=card, on_progress=progress, cancel=cancel)


def run_output(name: str) -> str:
    """The output folder of a finished run when ``name`` is a run id (or a unique prefix of one);
    any other name (an embedded model, a folder, a hub id) unchanged."""
    from ..models.resolve import embedded_models

    if name in embedded_models() or Path(name).expanduser().exists() or "/" in name:
        return name
    from ..runs import store

    try:
        run_dir = store.find_run(name)
    except DojoError:
        return name
    state = store.status(run_dir)
    if state.get("state") != "completed" or not state.get("output"):
        raise DojoError(f"run {name} is {state.get('state', 'not finished')}: evaluate it once it has completed "
                        f"(watch it with: llm-dojo runs attach {name})")
    return str(state["output"])


def results_dir() -> Path:
    from ..paths import home

    return home() / "evaluations"
