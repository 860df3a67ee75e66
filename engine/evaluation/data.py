"""Evaluation items: built-in sets and local JSONL files, checked line by line.

A local file is JSON Lines, one item per line (blank lines are skipped), with the
fields of its task; any other field (``id``, ``lang``) is kept:

* ``perplexity``      ``{"text": "..."}`` (a ``.txt`` file works too: paragraphs split by blank lines)
* ``multiple_choice`` ``{"question": "...", "choices": ["...", ...], "answer": 0}``: ``answer`` is
  the index of the right choice (0-based, as in MMLU) or its letter (``"B"``); ``"prompt"`` replaces
  the built question if given. KMMLU-style rows (columns ``A``, ``B``, ``C``, ``D`` and a 1-based
  ``answer``) are read too.
* ``classification``  ``{"text": "...", "label": "positive"}``
* ``generation``      ``{"prompt": "...", "answer": "..."}``: ``answer`` may be a list of accepted answers

A malformed item stops the load with the file and line and what is wrong with it.
Built-in sets are the held-out parts of what ships with the project, never text a
model was trained on (the corpus keeps every tenth document out; the sentiment and
course sets mark their held-out rows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import DojoError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUILTIN: dict[str, tuple[str, str]] = {
    "heldout": ("perplexity", "held-out documents of the pretraining corpus (Korean and English)"),
    "heldout-ko": ("perplexity", "held-out Korean documents of the pretraining corpus"),
    "heldout-en": ("perplexity", "held-out English documents of the pretraining corpus"),
    "train-lessons": ("perplexity", "lesson paragraphs the embedded models were trained on (seen text)"),
    "course-mc": ("multiple_choice", "original bilingual four-choice questions about the course"),
    "sentiment-ko": ("classification", "held-out Korean sentiment sentences (LLM Dojo's own)"),
    "sentiment-en": ("classification", "held-out English movie-review sentences (Pang & Lee, via gensim)"),
    "course-qa": ("generation", "original bilingual short-answer questions about the course"),
}


@dataclass(frozen=True)
class EvalSet:
    """Items of one task, read from ``source``."""

    task: str
    source: str
    items: list[dict[str, Any]]
    labels: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.items)


def load_set(task: str, data: str, limit: int = 0) -> EvalSet:
    """The items of ``data`` (a built-in name or a file) for ``task``, the first ``limit`` if > 0."""
    if data in BUILTIN:
        kind, _ = BUILTIN[data]
        if kind != task:
            fits = ", ".join(n for n, (k, _) in BUILTIN.items() if k == task)
            raise DojoError(f"the built-in set {data!r} is for the {kind} task, not {task}; for {task} use {fits}")
        es = _builtin(task, data)
    else:
        path = Path(data).expanduser()
        if not path.is_file():
            names = ", ".join(BUILTIN)
            raise DojoError(f"no such file: {path} (built-in sets: {names})")
        es = _from_file(task, path)
    items = es.items[:limit] if limit > 0 else es.items
    if not items:
        raise DojoError.keyed("eval.empty_set", source=es.source)
    return EvalSet(task, es.source, items, es.labels, es.notes)


# -- built-in sets -----------------------------------------------------------------------
@lru_cache(maxsize=2)
def corpus(spec: Any = None) -> Any:
    """The pretraining corpus (``engine.text.corpus``), built once per process and spec (a few seconds)."""
    from ..text.corpus import CorpusSpec, build_corpus

    return build_corpus(spec or CorpusSpec())


def _builtin(task: str, name: str) -> EvalSet:
    if task == "perplexity":
        corpus_ = corpus()
        if name == "train-lessons":
            texts = list(dict.fromkeys(d.text for d in corpus_.train if d.source == "lessons"))
        else:
            texts = corpus_.texts("heldout", {"heldout-ko": "ko", "heldout-en": "en"}.get(name))
        return EvalSet(task, f"built-in {name}", [{"id": f"{name}-{i}", "text": t} for i, t in enumerate(texts, 1)])
    if task == "classification":
        from ..training.datasets import load_task_data

        td = load_task_data(name, "sentiment")
        items = [{"id": f"{name}-{i}", **row} for i, row in enumerate(td.test, 1)]
        return EvalSet(task, f"built-in {name} (held-out split)", items, td.labels)
    file = DATA_DIR / {"course-mc": "eval_course_mc.jsonl", "course-qa": "eval_course_qa.jsonl"}[name]
    es = _from_file(task, file)
    return EvalSet(task, f"built-in {name}", es.items, es.labels)


# -- files -------------------------------------------------------------------------------
def _rows(path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DojoError(f"{path} is not UTF-8 text; save it as UTF-8 JSON Lines") from None
    except OSError as exc:
        raise DojoError(f"cannot read {path} ({exc.strerror or exc})") from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DojoError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}); each line must be "
                            "one JSON object") from None
        if not isinstance(row, dict):
            raise DojoError(f"{where}: a JSON {type(row).__name__}, not an object with named fields")
        out.append((where, row))
    return out


def _text(where: str, row: dict[str, Any], key: str, task: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        have = ", ".join(row) or "none"
        raise DojoError(f"{where}: a {task} item needs a non-empty text field {key!r} (it has: {have})")
    return value


def _from_file(task: str, path: Path) -> EvalSet:
    if task == "perplexity" and path.suffix.lower() == ".txt":
        paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        return EvalSet(task, str(path), [{"id": f"{path.stem}-{i}", "text": p} for i, p in enumerate(paras, 1)])
    items: list[dict[str, Any]] = []
    for i, (where, row) in enumerate(_rows(path), 1):
        item: dict[str, Any] = {**row, "id": str(row.get("id", f"{path.stem}-{i}")), "where": where}
        if task == "perplexity":
            item["text"] = _text(where, row, "text", task)
        elif task == "multiple_choice":
            if "prompt" in row:
                _text(where, row, "prompt", task)
            else:
                _text(where, row, "question", task)
            if "choices" not in row and all(k in row for k in "AB"):  # KMMLU: A..D columns, answer 1-based
                letters = [k for k in "ABCDEFGHIJ" if k in row]
                item["choices"] = [str(row[k]) for k in letters]
                if isinstance(row.get("answer"), int) and not isinstance(row.get("answer"), bool):
                    item["answer"] = row["answer"] - 1
                row = item
            if isinstance(row.get("answer"), str) and len(row["answer"].strip()) == 1 \
                    and row["answer"].strip().upper() in "ABCDEFGHIJ":
                item["answer"] = "ABCDEFGHIJ".index(row["answer"].strip().upper())
                row = item
            choices = row.get("choices")
            if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) for c in choices):
                raise DojoError(f"{where}: 'choices' must be a list of at least two texts")
            if any(not c.strip() for c in choices):
                raise DojoError(f"{where}: choice {next(k for k, c in enumerate(choices) if not c.strip())} is "
                                "empty; every choice needs text to score")
            answer = row.get("answer")
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise DojoError(f"{where}: 'answer' must be the index (0-based) of the right choice, not {answer!r}")
            if not 0 <= answer < len(choices):
                raise DojoError(f"{where}: answer index {answer} is out of range: there are {len(choices)} "
                                f"choices, so it must be 0 to {len(choices) - 1}")
        elif task == "classification":
            item["text"] = _text(where, row, "text", task)
            label = row.get("label")
            if label is None or str(label).strip() == "":
                raise DojoError(f"{where}: empty 'label' field")
            item["label"] = str(label).strip()
        elif task == "generation":
            _text(where, row, "prompt", task)
            answer = row.get("answer")
            answers = answer if isinstance(answer, list) else [answer]
            if not answers or not all(isinstance(a, str) and a.strip() for a in answers):
                raise DojoError(f"{where}: 'answer' must be a non-empty text or a list of texts")
            item["answers"] = [a.strip() for a in answers]
        items.append(item)
    labels: tuple[str, ...] = ()
    if task == "classification":
        labels = tuple(sorted({it["label"] for it in items}))
        if len(labels) < 2:
            raise DojoError(f"{path}: only one label ({', '.join(labels)}) in the file; classification needs two")
    return EvalSet(task, str(path), items, labels)
