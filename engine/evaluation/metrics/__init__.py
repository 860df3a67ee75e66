"""Metric modules in the ``evaluate`` library's format, shipped here and loaded by path.

``evaluate.load("accuracy")`` fetches the metric's script from the Hugging Face hub,
which the course machines cannot reach. Each folder here is such a script
(``<name>/<name>.py``, an ``evaluate.Metric``) that wraps a maintained implementation:
scikit-learn (accuracy, F1, confusion matrix), sacrebleu (BLEU, chrF) and Google's
rouge_score (ROUGE-L). :func:`load` hands the folder's path to ``evaluate.load``,
which works offline; a module whose library is missing becomes one line naming the
package to install.

>>> load("accuracy").compute(predictions=["a", "b"], references=["a", "a"])["accuracy"]  # doctest: +SKIP
0.5
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from ...errors import DojoError

DIR = Path(__file__).resolve().parent
NAMES = ("accuracy", "f1", "exact_match", "bleu", "rouge", "chrf")
PACKAGES = {"sklearn": "scikit-learn", "rouge_score": "rouge-score", "sacrebleu": "sacrebleu", "nltk": "nltk"}
_cache: dict[str, Any] = {}
_lock = threading.Lock()


def path_of(name: str) -> Path:
    if name not in NAMES:
        raise DojoError(f"unknown metric {name!r}: the shipped ones are {', '.join(NAMES)}")
    return DIR / name


def load(name: str) -> Any:
    """The ``evaluate`` module ``name`` (one of :data:`NAMES`), loaded by path once per process."""
    with _lock:
        if name not in _cache:
            _cache[name] = load_path(path_of(name))
        return _cache[name]


def load_path(path: Path | str) -> Any:
    """``evaluate.load`` of a metric folder or script, with a missing package as a one-line error."""
    import evaluate
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    name = Path(path).stem
    try:
        return evaluate.load(str(path))
    except ImportError as exc:
        raise DojoError.keyed("eval.metric_missing_package", metric=name, package=missing_package(exc)) from None
    except FileNotFoundError as exc:
        raise DojoError(f"the metric module {name} cannot be loaded from {path} ({exc})") from None


def missing_package(exc: ImportError) -> str:
    """The package an ``ImportError`` from ``evaluate.load`` (or Python) asks for."""
    found = re.search(r"dependencies\s*\[([^\]]*)\]", str(exc))
    if found:
        names = [n.strip(" '\",") for n in found.group(1).split(",") if n.strip(" '\",")]
        return ", ".join(PACKAGES.get(n, n) for n in names)
    mod = getattr(exc, "name", None) or str(exc)
    return PACKAGES.get(mod.split(".")[0], mod.split(".")[0])
