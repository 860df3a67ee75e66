"""Training data for fine-tuning: built-in sets, local files, hub datasets; one shape out.

Every source becomes :class:`TaskData`, two lists of plain dict rows (train and
held-out test) in the task's columns:

* sentiment: ``{"text": str, "label": str}``
* instruction: ``{"messages": [{"role": ..., "content": ...}, ...]}`` (a
  ``prompt``/``completion`` pair is turned into a user and an assistant message)

Sources: ``sentiment-en`` (Pang & Lee's 200 polarity sentences, read from the
installed gensim, never copied; every fifth sentence held out: 40, 20 per label),
``sentiment-ko`` (the project's own Korean sentences with their split),
``sentiment`` (both; the default is ``sentiment-ko``), ``instructions`` (the project's bilingual pairs); any
``.jsonl``/``.json``/``.csv``/``.tsv``/``.parquet`` file; a hub dataset name when
online. A file's ``split`` column ("train"/"test") is honoured; without one, a fixed
20% is held out by a hash of each row's content (stable under reordering).

Everything a user can get wrong is a one-line :class:`DojoError` that says where and
how to fix it: ``file:line`` for a malformed line or a label outside the label set,
the existing columns and the ``--column`` flag for a missing one, the split name for
an empty split. No torch here: the launcher runs these checks before spawning.
"""

from __future__ import annotations

import csv
import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DojoError
from ..text.corpus import DATA_DIR

BUILTIN = {
    "sentiment": "English (Pang & Lee, via gensim) and Korean sentiment sentences",
    "sentiment-en": "200 English movie-review sentences (Pang & Lee polarity, shipped with gensim)",
    "sentiment-ko": "Korean sentiment sentences written for LLM Dojo",
    "instructions": "bilingual instruction/answer pairs about the course",
}
DEFAULT_DATASET = {"sentiment": "sentiment-ko", "instruction": "instructions"}
"""The Korean sentences are the sentiment default: a tiny model learns them in a
couple of minutes, while the English movie-review sentences are too subtle for it
(held-out accuracy stayed near chance on dojo-tiny); ``sentiment`` trains on both."""
REQUIRED = {"sentiment": ("text", "label"), "instruction": ("messages",)}
SUFFIXES = (".jsonl", ".json", ".csv", ".tsv", ".parquet")
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class TaskData:
    source: str
    train: list[dict[str, Any]]
    test: list[dict[str, Any]]
    labels: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        return {"source": self.source, "train": len(self.train), "test": len(self.test), "labels": list(self.labels)}


def parse_columns(pairs: Sequence[str]) -> dict[str, str]:
    """``["text=review", "label=stars"]`` -> ``{"text": "review", "label": "stars"}``."""
    out = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise DojoError(f"--column {pair!r}: write OURS=THEIRS, e.g. --column text=review")
        out[ours.strip()] = theirs.strip()
    return out


# -- reading files ----------------------------------------------------------------
Located = tuple[str, dict[str, Any]]
"""(where, row): where is "file:line" (or "file: row N"), for error messages."""


def read_records(path: Path) -> Iterator[Located]:
    """Rows of a JSONL/JSON/CSV/TSV/Parquet file, each with its location."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DojoError(f"{path}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}")
    if suffix == ".parquet":
        yield from _read_parquet(path)
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DojoError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8") from None
    if suffix in (".csv", ".tsv"):
        yield from _read_csv(path, text, "\t" if suffix == ".tsv" else ",")
    elif suffix == ".json" and text.lstrip().startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DojoError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); fix that line") from None
        for i, row in enumerate(rows, 1):
            yield _as_row(f"{path}: item {i}", row)
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DojoError(f"{path}:{n}: not valid JSON ({exc.msg} at column {exc.colno}); "
                                "fix or remove that line") from None
            yield _as_row(f"{path}:{n}", row)


def _as_row(where: str, row: Any) -> Located:
    if not isinstance(row, dict):
        raise DojoError(f"{where}: expected a JSON object with named fields, found {type(row).__name__}")
    return where, row


def _read_csv(path: Path, text: str, delimiter: str) -> Iterator[Located]:
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    for values in reader:
        where = f"{path}:{reader.line_num}"
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise DojoError(f"{where}: {len(values)} fields where the header has {len(header)} "
                            f"({', '.join(header)}); quote fields that contain '{delimiter}'")
        yield where, dict(zip(header, values))


def _read_parquet(path: Path) -> Iterator[Located]:
    try:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    except ImportError:
        raise DojoError("reading Parquet needs pyarrow: pip install pyarrow") from None
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise DojoError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0][:120]})") from None
    for i, row in enumerate(table.to_pylist(), 1):
        yield f"{path}: row {i}", row


# -- built-in data -------------------------------------------------------------------
def pang_lee_path() -> Path:
    """The polarity file inside the installed gensim, found without importing gensim
    (which would pull numpy and scipy into the app for a file path)."""
    import importlib.util

    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise DojoError("gensim is not installed; run: pip install gensim")
    path = Path(list(spec.submodule_search_locations)[0]) / "test" / "test_data" / "pang_lee_polarity.cor"
    if not path.exists():
        raise DojoError(f"{path} is missing; reinstall gensim (pip install --force-reinstall gensim)")
    return path


def _pang_lee() -> Iterator[Located]:
    """``__label__pos text`` lines (Windows-1252 text); every fifth line held out."""
    path = pang_lee_path()
    for n, line in enumerate(path.read_bytes().decode("cp1252").splitlines(), 1):
        tag, _, text = line.strip().partition(" ")
        label = {"__label__pos": "positive", "__label__neg": "negative"}.get(tag)
        if label is None or not text.strip():
            raise DojoError(f"{path}:{n}: expected '__label__pos TEXT' or '__label__neg TEXT'")
        yield f"{path}:{n}", {"text": text.strip(), "label": label, "split": "test" if n % 5 == 0 else "train"}


def _builtin(name: str) -> Iterator[Located]:
    if name in ("sentiment", "sentiment-en"):
        yield from _pang_lee()
    if name in ("sentiment", "sentiment-ko"):
        yield from read_records(_data_file("sentiment_ko.jsonl"))
    if name == "instructions":
        yield from read_records(_data_file("instructions.jsonl"))


def _data_file(name: str) -> Path:
    path = DATA_DIR / name
    if not path.exists():
        raise DojoError(f"the built-in data file {path} is missing; reinstall llm-dojo")
    return path


def _from_hub(name: str) -> Iterator[Located]:
    try:
        from datasets import load_dataset

        ds = load_dataset(name)
    except Exception as exc:
        raise DojoError(f"could not load the dataset {name!r} from the Hugging Face hub "
                        f"({type(exc).__name__}: {str(exc).splitlines()[0][:120]})") from None
    test_name = next((s for s in ("test", "validation") if s in ds), None)
    for split in ds:
        if split not in ("train", test_name):
            continue
        for i, row in enumerate(ds[split], 1):
            yield f"{name}[{split}] row {i}", {**row, "split": "train" if split == "train" else "test"}


# -- shaping rows ----------------------------------------------------------------------
def _heldout(row: dict[str, Any], fraction: float) -> bool:
    key = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode()
    return zlib.crc32(key) % 1000 < fraction * 1000


def _messages(where: str, value: Any) -> list[dict[str, str]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise DojoError(f"{where}: 'messages' is text, not a JSON list of {{role, content}} objects") from None
    ok = isinstance(value, list) and value and all(
        isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str) for m in value)
    if not ok:
        raise DojoError(f"{where}: 'messages' must be a list of {{\"role\": system|user|assistant, \"content\": text}}")
    if not any(m["role"] == "assistant" for m in value):
        raise DojoError(f"{where}: the conversation has no assistant message to learn from")
    return [{"role": m["role"], "content": m["content"]} for m in value]


def _shape(task: str, where: str, row: dict[str, Any], columns: Mapping[str, str], source: str) -> dict[str, Any]:
    def col(ours: str) -> Any:
        theirs = columns.get(ours, ours)
        if theirs not in row:
            if task == "instruction" and ours == "messages" and "messages" not in columns:
                prompt, completion = columns.get("prompt", "prompt"), columns.get("completion", "completion")
                if prompt in row and completion in row:
                    return [{"role": "user", "content": str(row[prompt])},
                            {"role": "assistant", "content": str(row[completion])}]
            have = ", ".join(k for k in row if k != "split") or "none"
            alt = " (or prompt and completion)" if task == "instruction" else ""
            raise DojoError(f"{source} has no column {theirs!r} for {ours!r}{alt} (it has: {have}); "
                            f"map one with --column {ours}=NAME")
        return row[theirs]

    if task == "sentiment":
        text, label = col("text"), col("label")
        if not isinstance(text, str) or not text.strip():
            raise DojoError(f"{where}: empty or non-text 'text' field")
        if label is None or str(label).strip() == "":
            raise DojoError(f"{where}: empty 'label' field")
        return {"text": text.strip(), "label": str(label).strip()}
    return {"messages": _messages(where, col("messages"))}


def load_task_data(source: str, task: str, *, columns: Mapping[str, str] | None = None,
                   labels: Sequence[str] = (), online: bool = False, heldout: float = 0.2) -> TaskData:
    """Load ``source`` for ``task`` (see the module docstring) -> :class:`TaskData`."""
    if task not in REQUIRED:
        raise DojoError(f"unknown task {task!r}; use one of {', '.join(REQUIRED)}")
    columns = dict(columns or {})
    source = source or DEFAULT_DATASET[task]
    path = Path(source).expanduser()
    if source in BUILTIN:
        records, name = _builtin(source), f"built-in dataset {source!r}"
    elif path.is_file():
        records, name = read_records(path), str(path)
    elif path.suffix.lower() in SUFFIXES or path.is_absolute() or source.startswith("."):
        raise DojoError(f"no such file: {path}")
    elif online:
        records, name = _from_hub(source), source
    else:
        raise DojoError(f"{source!r} is neither a file nor a built-in dataset ({', '.join(BUILTIN)}); "
                        "to load a Hugging Face dataset by name, pass --online")
    train: list[dict[str, Any]] = []
    test: list[dict[str, Any]] = []
    located: list[tuple[str, dict[str, Any]]] = []
    for where, row in records:
        shaped = _shape(task, where, row, columns, name)
        split = str(row.get(columns.get("split", "split"), "")).strip().lower()
        if split not in ("", "train", "test", "validation", "valid", "dev"):
            raise DojoError(f"{where}: split {split!r} is not train or test")
        is_test = split in ("test", "validation", "valid", "dev") if split else _heldout(row, heldout)
        (test if is_test else train).append(shaped)
        located.append((where, shaped))
    if not train:
        raise DojoError(f"{name}: the training split is empty ({len(test)} held-out rows); "
                        "add rows with split=train, or drop the split column to hold out 20% automatically")
    if not test:
        raise DojoError(f"{name}: the held-out split 'test' is empty; add rows with split=test, "
                        "or drop the split column to hold out 20% automatically")
    label_set: tuple[str, ...] = ()
    if task == "sentiment":
        label_set = tuple(labels) or tuple(sorted({r["label"] for r in train}))
        if len(label_set) < 2:
            raise DojoError(f"{name}: only one label ({', '.join(label_set)}) in the training split; "
                            "classification needs at least two")
        for where, row in located:
            if row["label"] not in label_set:
                given = "the label set" if labels else "the labels of the training split"
                raise DojoError(f"{where}: label {row['label']!r} is not in {given} ({', '.join(label_set)}); "
                                "fix that row or pass --labels with every label")
    return TaskData(name, train, test, label_set)
