"""Name -> model directory, in a fixed order, with the safety checks up front.

Safety is decided from the files before any weight is read: a model whose only
weights are pickles (``.bin``/``.pt``) runs arbitrary code when loaded, and a model
with ``auto_map`` in its config ships its own Python classes. Both need the user's
explicit flag.

>>> resolve_model("dojo-tiny").source        # doctest: +SKIP
'embedded'
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelNotFound, UnsafeModel

EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    path: Path
    source: str  # "embedded" | "imported" | "local" | "hf-cache" | "hub" | "run"

    @property
    def config(self) -> dict:
        return json.loads((self.path / "config.json").read_text(encoding="utf-8"))


def embedded_models() -> dict[str, Path]:
    """Embedded model name -> directory (only complete models are listed)."""
    if not EMBEDDED_DIR.is_dir():
        return {}
    return {
        p.name: p
        for p in sorted(EMBEDDED_DIR.iterdir())
        if p.is_dir() and (p / "config.json").exists() and any(p.glob("*.safetensors"))
    }


def imported_models() -> dict[str, Path]:
    """Name -> folder of every complete model in the user's models dir (``llm-dojo models add``)."""
    from ..paths import models_dir

    root = models_dir()
    if not root.is_dir():
        return {}
    return {
        p.name: p for p in sorted(root.iterdir())
        if p.is_dir() and not p.name.startswith(".") and (p / "config.json").exists() and any(p.glob("*.safetensors"))
    }


def hub_offline(allow_network: bool) -> bool:
    if not allow_network:
        return True
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}


def _looks_like_repo_id(name: str) -> bool:
    parts = name.split("/")
    return 1 <= len(parts) <= 2 and all(parts) and not name.startswith((".", "~")) and " " not in name


def _from_hf_cache(name: str) -> Path | None:
    if not _looks_like_repo_id(name):
        return None
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError
    except ImportError:  # pragma: no cover - transformers depends on it
        return None
    try:
        # Only config.json must be complete: a hub download keeps a subset of the repo's files
        # (engine.hub.download), and huggingface_hub refuses a partial snapshot otherwise.
        path = Path(snapshot_download(name, local_files_only=True, allow_patterns=["config.json"]))
    except (LocalEntryNotFoundError, OSError, ValueError):
        return None
    except Exception:  # a malformed cache entry is "not cached", never a crash
        return None
    return path if (path / "config.json").exists() else None


def _from_hub(name: str) -> Path:
    from huggingface_hub import snapshot_download

    try:
        return Path(
            snapshot_download(
                name,
                allow_patterns=["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja", "tokenizer*", "README.md"],
            )
        )
    except Exception as exc:  # network, auth, or a missing repository
        raise ModelNotFound(f"could not download {name!r} from the Hugging Face hub ({type(exc).__name__}); "
                            "check the name, your network and `huggingface-cli login`") from None


def cached_repo_ids() -> list[str]:
    """Model repositories with a complete snapshot in the local Hugging Face cache."""
    try:
        from huggingface_hub import constants, scan_cache_dir

        info = scan_cache_dir(constants.HF_HUB_CACHE)  # read now, not at import (HF_HUB_CACHE may change)
    except Exception:  # no cache dir yet, or unreadable: nothing cached
        return []
    return sorted(
        repo.repo_id for repo in info.repos
        if repo.repo_type == "model" and any((Path(r.snapshot_path) / "config.json").exists() for r in repo.revisions)
    )


RUN_PREFIX = "run:"
"""A finished run's model is named ``run:<short id>`` (``llm-dojo models`` lists them)."""


def run_model_dirs() -> dict[str, Path]:
    """``run:<short id>`` -> the model folder of every finished run that saved a full model."""
    from ..runs.store import list_runs, short_id

    return {RUN_PREFIX + short_id(run.id): Path(run.status["output"]) for run in list_runs() if run_has_model(run.status)}


def run_has_model(status: dict) -> bool:
    folder = status.get("output")
    return status.get("state") == "completed" and bool(folder) and (Path(folder) / "config.json").exists()


def _from_run(name: str) -> Path:
    from ..runs.store import find_run, status

    run_dir = find_run(name[len(RUN_PREFIX):])
    st = status(run_dir)
    folder = st.get("output")
    if not run_has_model(st):
        raise ModelNotFound(f"run {run_dir.name} has no finished model yet (state: {st.get('state')}); "
                            "wait for it to finish, or pick one from: llm-dojo models")
    return Path(folder)


def available_names() -> list[str]:
    """Names that resolve without network: embedded models, cached hub models and finished runs."""
    names = list(embedded_models()) + list(imported_models()) + cached_repo_ids()
    try:
        names += list(run_model_dirs())
    except Exception:  # a damaged runs folder never hides the other models
        pass
    return names


def check_safety(path: Path, *, allow_pickle: bool, trust_remote_code: bool, name: str) -> None:
    """Raise :class:`UnsafeModel` when loading would need pickle or remote code."""
    files = [p.name for p in path.iterdir()] if path.is_dir() else []
    has_safetensors = any(f.endswith(".safetensors") for f in files)
    pickles = [f for f in files if f.endswith(PICKLE_SUFFIXES)]
    if not has_safetensors and pickles and not allow_pickle:
        raise UnsafeModel(
            f"{name} has only pickle weights ({', '.join(sorted(pickles)[:3])}), which can run code when loaded; "
            "convert them to safetensors, or pass --allow-pickle if you trust the source"
        )
    if not has_safetensors and not pickles:
        raise ModelNotFound(f"{path} has a config.json but no weight files (*.safetensors); is the download complete?")
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelNotFound(f"{path / 'config.json'} cannot be read ({exc}); the model directory is damaged") from None
    if config.get("auto_map") and not trust_remote_code:
        raise UnsafeModel(
            f"{name} needs its own Python code (auto_map in config.json) to load; "
            "read that code first, then pass --trust-remote-code if you trust it"
        )


def resolve_model(
    name: str,
    *,
    allow_network: bool = False,
    allow_pickle: bool = False,
    trust_remote_code: bool = False,
) -> ResolvedModel:
    """Find ``name``: embedded -> imported -> local directory -> HF cache -> hub (if allowed)."""
    name = name.strip()
    if not name:
        raise ModelNotFound("no model name given; try --model dojo-tiny")
    resolved: ResolvedModel | None = None
    embedded = embedded_models()
    if name in embedded:
        resolved = ResolvedModel(name, embedded[name], "embedded")
    elif name in (imported := imported_models()):
        resolved = ResolvedModel(name, imported[name], "imported")
    elif name.startswith(RUN_PREFIX):
        resolved = ResolvedModel(name, _from_run(name), "run")
    else:
        local = Path(name).expanduser()
        if local.exists():
            if not local.is_dir() or not (local / "config.json").exists():
                hint = ""
                if (local / "adapter_config.json").exists():
                    hint = " (it is a PEFT adapter: pass it with --adapter and give its base model with --model)"
                raise ModelNotFound(f"{local} is not a model directory: no config.json{hint}")
            resolved = ResolvedModel(name, local.resolve(), "local")
        else:
            cached = _from_hf_cache(name)
            if cached is not None:
                resolved = ResolvedModel(name, cached, "hf-cache")
            elif not hub_offline(allow_network) and _looks_like_repo_id(name):
                resolved = ResolvedModel(name, _from_hub(name), "hub")
    if resolved is None:
        known = ", ".join(available_names()) or "none"
        if not hub_offline(allow_network):
            how = ""
        elif allow_network:
            how = "; HF_HUB_OFFLINE is set, which forbids downloads even with --online: unset it to download"
        else:
            how = "; to download from the hub, pass --online (needs network)"
        raise ModelNotFound(f"no model named {name!r} here (available offline: {known}){how}")
    check_safety(resolved.path, allow_pickle=allow_pickle, trust_remote_code=trust_remote_code, name=name)
    return resolved
