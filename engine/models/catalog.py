"""What models and adapters this machine has, without loading any of them.

Parameter counts come from the safetensors headers (a few KB read per file), so
listing a cache full of 8B models takes milliseconds, not minutes.
"""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass
from pathlib import Path

from ..paths import adapters_dir, runs_dir
from .resolve import RUN_PREFIX, embedded_models, imported_models, run_has_model


@dataclass(frozen=True)
class ModelEntry:
    name: str
    source: str  # embedded | imported | hf-cache | run | adapter
    kind: str  # model type from config.json, or "adapter"
    parameters: int | None
    path: str
    base_model: str | None = None  # adapters: the model they were trained on

    def to_dict(self) -> dict:
        return asdict(self)


def safetensors_parameters(folder: Path) -> int | None:
    """Total element count over the folder's *.safetensors files (headers only)."""
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    total = 0
    for f in files:
        try:
            with f.open("rb") as fh:
                (size,) = struct.unpack("<Q", fh.read(8))
                header = json.loads(fh.read(size))
        except (OSError, ValueError, struct.error):
            return None
        for key, meta in header.items():
            if key == "__metadata__":
                continue
            n = 1
            for d in meta["shape"]:
                n *= d
            total += n
    return total


def _model_type(folder: Path) -> str:
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        return cfg.get("model_type") or (cfg.get("architectures") or ["?"])[0]
    except (OSError, ValueError):
        return "?"


def embedded_entries() -> list[ModelEntry]:
    return [
        ModelEntry(name, "embedded", _model_type(p), safetensors_parameters(p), str(p))
        for name, p in embedded_models().items()
    ]


def imported_entries() -> list[ModelEntry]:
    """Models the user added with ``llm-dojo models add`` (GGUF conversions)."""
    return [
        ModelEntry(name, "imported", _model_type(p), safetensors_parameters(p), str(p))
        for name, p in imported_models().items()
    ]


def cached_hub_models() -> list[ModelEntry]:
    """Complete model snapshots in the local Hugging Face cache."""
    try:
        from huggingface_hub import constants, scan_cache_dir
    except ImportError:  # pragma: no cover
        return []
    try:
        info = scan_cache_dir(constants.HF_HUB_CACHE)  # read now, not at import (HF_HUB_CACHE may change)
    except Exception:  # no cache dir yet, or unreadable: nothing cached
        return []
    out = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model":
            continue
        snaps = sorted(repo.revisions, key=lambda r: r.last_modified, reverse=True)
        for rev in snaps:
            path = Path(rev.snapshot_path)
            if (path / "config.json").exists():
                out.append(ModelEntry(repo.repo_id, "hf-cache", _model_type(path), safetensors_parameters(path), str(path)))
                break
    return out


def adapter_entries() -> list[ModelEntry]:
    """PEFT adapters saved under the user's adapters/ dir or inside runs/*/adapter."""
    found: list[Path] = []
    for root in (adapters_dir(), runs_dir()):
        if root.is_dir():
            found += [p.parent for p in root.glob("**/adapter_config.json") if "checkpoint" not in str(p.parent.name)]
    out = []
    for p in sorted(set(found)):
        try:
            cfg = json.loads((p / "adapter_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        name = p.name if p.parent == adapters_dir() else f"{p.parent.name}/{p.name}"
        out.append(ModelEntry(name, "adapter", cfg.get("peft_type", "adapter").lower(),
                              safetensors_parameters(p), str(p), cfg.get("base_model_name_or_path")))
    return out


def run_entries() -> list[ModelEntry]:
    """Models saved by finished runs, named ``run:<short id>`` (usable as ``--model``)."""
    from ..runs.store import list_runs, short_id

    out = []
    for run in list_runs():
        if not run_has_model(run.status):
            continue
        folder = Path(run.status["output"])
        kind = _model_type(folder) + (f" ({run.spec.task})" if run.spec.kind == "sft" else " (pretrained)")
        out.append(ModelEntry(RUN_PREFIX + short_id(run.id), "run", kind, safetensors_parameters(folder), str(folder),
                              run.spec.model if run.spec.kind == "sft" else None))
    return out


def list_models() -> list[ModelEntry]:
    return embedded_entries() + imported_entries() + cached_hub_models() + run_entries() + adapter_entries()
