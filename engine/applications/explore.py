"""A dataset as the ``datasets`` library sees it: features, rows, balance, token lengths,
a ``map`` tokenization and a seeded split, with the cache files that make the second
look instant.

Everything is read through ``datasets.load_dataset`` into Arrow files under the
lab's own cache folder (``<data dir>/datasets-cache``), so ``map`` and
``train_test_split`` write fingerprinted cache files there and a second run with the
same data, tokenizer and seed reads them back (``cached: true`` in the result).
Built-in sets are files that ship with the project (the Pang & Lee sentences are
converted from the installed gensim once). A hub name is tried only when the config
says ``online`` and ``HF_HUB_OFFLINE`` is not set; otherwise it fails at once, with no
network attempt.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import DojoError
from .config import AppsDataConfig

BUILTIN = {
    "sentiment-ko": "Korean sentiment sentences written for LLM Dojo",
    "sentiment-en": "200 English movie-review sentences (Pang & Lee, shipped with gensim)",
    "instructions": "bilingual instruction/answer pairs about the course",
    "rag-questions": "questions about the lessons, each naming the lesson step that answers it",
}
BUILDERS = {".json": "json", ".jsonl": "json", ".csv": "csv", ".tsv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class DataReport:
    source: str
    builder: str
    rows: int
    features: dict[str, str]
    sample: list[dict[str, Any]]
    text_column: str
    label_column: str | None
    labels: dict[str, int]
    tokenizer: str
    lengths: dict[str, float]
    """min, mean, median, max and total token counts of the text column."""
    histogram: list[dict[str, float]]
    """``bins`` bars: ``{"low", "high", "count"}`` over the token lengths."""
    tokenized_columns: list[str]
    map_cache: str
    map_cached: bool
    """The tokenized rows were read from an earlier ``map``'s cache file, not computed."""
    split: dict[str, Any]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cache_dir() -> Path:
    from ..paths import home

    path = home() / "datasets-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def hub_allowed(online: bool) -> bool:
    return online and os.environ.get("HF_HUB_OFFLINE", "").lower() not in {"1", "true", "yes", "on"}


def _builtin_file(name: str) -> Path:
    from ..text.corpus import DATA_DIR

    if name == "sentiment-en":
        from ..training.datasets import _pang_lee

        out = cache_dir() / "sentiment_en.jsonl"
        if not out.exists():
            lines = [json.dumps({"text": row["text"], "label": row["label"], "split": row["split"]},
                                ensure_ascii=False) for _, row in _pang_lee()]
            tmp = out.with_suffix(".tmp")
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
            tmp.replace(out)
        return out
    file = {"sentiment-ko": "sentiment_ko.jsonl", "instructions": "instructions.jsonl",
            "rag-questions": "rag_questions.jsonl"}[name]
    return DATA_DIR / file


def load_rows(source: str, online: bool = False) -> tuple[Any, str, str]:
    """``(Dataset, builder, shown source)`` for a built-in name, a local file or (online) a hub name."""
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    path = Path(source).expanduser()
    if source in BUILTIN:
        path, shown = _builtin_file(source), f"built-in {source}"
    elif path.is_file():
        shown = str(path)
    elif path.suffix.lower() in BUILDERS or source.startswith((".", "/", "~")):
        raise DojoError(f"no such file: {path} (built-in sets: {', '.join(BUILTIN)})")
    else:
        shown = source
    if source not in BUILTIN and not path.is_file():
        if not hub_allowed(online):
            raise DojoError.keyed("apps.offline_hub", name=source, builtin=", ".join(BUILTIN))
        return _from_hub(source), "hub", source
    builder = BUILDERS.get(path.suffix.lower())
    if builder is None:
        raise DojoError(f"{path}: unknown file type {path.suffix or '(none)'}; use .json, .jsonl, .csv, .tsv or .parquet")
    if path.stat().st_size == 0:
        raise DojoError.keyed("apps.no_rows", source=shown)
    from datasets import load_dataset

    kwargs: dict[str, Any] = {"delimiter": "\t"} if path.suffix.lower() == ".tsv" else {}
    try:
        ds = load_dataset(builder, data_files=str(path), split="train", cache_dir=str(cache_dir()), **kwargs)
    except Exception as exc:  # the builders raise many unrelated types for a malformed file
        first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise DojoError(f"{path}: could not read it as {builder} ({first})") from None
    if len(ds) == 0:
        raise DojoError.keyed("apps.no_rows", source=shown)
    return ds, builder, shown


def _from_hub(name: str) -> Any:
    from datasets import load_dataset

    try:
        found = load_dataset(name, cache_dir=str(cache_dir()))
    except Exception as exc:
        raise DojoError(f"could not load {name!r} from the Hugging Face hub "
                        f"({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})") from None
    split = "train" if "train" in found else next(iter(found))
    if len(found[split]) == 0:
        raise DojoError.keyed("apps.no_rows", source=name)
    return found[split]


def _text_column(ds: Any, wanted: str) -> str:
    from datasets import Value

    names = list(ds.column_names)
    if wanted:
        if wanted not in names:
            raise DojoError(f"there is no column {wanted!r} for the text (the columns are: {', '.join(names)}); "
                            "pick one with --text-column")
        return wanted
    if "text" in names:
        return "text"
    for name in names:
        feature = ds.features[name]
        if isinstance(feature, Value) and feature.dtype in ("string", "large_string"):
            return name
    if "messages" in names:
        return "messages"
    raise DojoError(f"no text column among {', '.join(names)}: name one with --text-column")


def _as_text(value: Any) -> str:
    if isinstance(value, list):  # a conversation: its turns' contents, one per line
        return "\n".join(str(m.get("content", "")) if isinstance(m, dict) else str(m) for m in value)
    return "" if value is None else str(value)


def histogram(lengths: list[int], bins: int) -> list[dict[str, float]]:
    import numpy as np

    counts, edges = np.histogram(np.asarray(lengths), bins=bins)
    return [{"low": float(edges[i]), "high": float(edges[i + 1]), "count": int(counts[i])} for i in range(bins)]


def explore(config: AppsDataConfig, tokenizer: Any = None) -> DataReport:
    """Load ``config.source`` and describe it (``tokenizer`` given: use it instead of loading one)."""
    start = time.perf_counter()
    ds, builder, shown = load_rows(config.source, config.online)
    text_col = _text_column(ds, config.text_column)
    names = list(ds.column_names)
    if config.label_column and config.label_column not in names:
        raise DojoError(f"there is no column {config.label_column!r} for the labels (the columns are: "
                        f"{', '.join(names)}); pick one with --label-column")
    label_col = config.label_column or ("label" if "label" in names else None)
    if tokenizer is None:
        from ..generation.chat_formats import tokenizer_for

        tokenizer = tokenizer_for(config.tokenizer)

    def tokenize(batch: dict[str, list[Any]]) -> dict[str, Any]:
        texts = [_as_text(v) for v in batch[text_col]]
        out = tokenizer(texts, add_special_tokens=False)
        return {"input_ids": out["input_ids"], "n_tokens": [len(ids) for ids in out["input_ids"]]}

    before = {p.name for p in Path(ds.cache_files[0]["filename"]).parent.glob("cache-*.arrow")} if ds.cache_files else set()
    keep = [c for c in names if c not in ("input_ids", "n_tokens")]
    tokenized = ds.map(tokenize, batched=True, batch_size=256, remove_columns=[c for c in names if c in ("input_ids", "n_tokens")],
                       desc=None, new_fingerprint=None)
    map_file = tokenized.cache_files[0]["filename"] if tokenized.cache_files else ""
    cached = bool(map_file) and Path(map_file).name in before
    lengths = list(tokenized["n_tokens"])
    parts = tokenized.train_test_split(test_size=float(config.test_size), seed=config.seed)
    split = {"seed": config.seed, "test_size": float(config.test_size), "train": len(parts["train"]),
             "test": len(parts["test"]),
             "test_first": [_as_text(r)[:60] for r in parts["test"][text_col][:3]],
             "cache_files": sorted({Path(f["filename"]).name for part in ("train", "test")
                                    for f in parts[part].cache_files} - {Path(map_file).name})}
    labels: dict[str, int] = {}
    if label_col:
        labels = dict(sorted(Counter(str(v) for v in ds[label_col]).items()))
    sample = []
    for row in ds.select(range(min(config.rows, len(ds)))):
        sample.append({k: (_as_text(v) if k == text_col else v) for k, v in row.items() if k in keep})
    ordered = sorted(lengths)
    stats = {"min": float(ordered[0]), "mean": sum(ordered) / len(ordered), "median": float(ordered[len(ordered) // 2]),
             "max": float(ordered[-1]), "total": float(sum(ordered))}
    return DataReport(source=shown, builder=builder, rows=len(ds), features={k: str(v) for k, v in ds.features.items()},
                      sample=sample, text_column=text_col, label_column=label_col, labels=labels,
                      tokenizer=config.tokenizer, lengths=stats, histogram=histogram(lengths, config.bins),
                      tokenized_columns=list(tokenized.column_names), map_cache=Path(map_file).name if map_file else "",
                      map_cached=cached, split=split, seconds=time.perf_counter() - start)
