"""Put a trained LoRA adapter on a loaded base model, for generation.

An adapter only means something on the base model it was trained on: its matrices
are deltas for that model's layers. ``adapter_config.json`` records the base
(``base_model_name_or_path``); when it names a different model we stop with a
one-line message before touching any weight, and a shape mismatch that slips
through (a renamed base) becomes the same message instead of a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import DojoError


def adapter_base(path: Path) -> str | None:
    """The base model an adapter was trained on, as recorded in its config."""
    cfg_file = path / "adapter_config.json"
    if not cfg_file.exists():
        hint = " (it is a full model: pass it with --model)" if (path / "config.json").exists() else ""
        raise DojoError(f"{path} is not a PEFT adapter: no adapter_config.json{hint}")
    try:
        return json.loads(cfg_file.read_text(encoding="utf-8")).get("base_model_name_or_path")
    except (OSError, ValueError) as exc:
        raise DojoError(f"{cfg_file} cannot be read ({exc}); the adapter folder is damaged") from None


def _same_model(recorded: str, model_name: str, model_path: Path, config_name: str | None) -> bool:
    names = {model_name, str(model_path), model_path.name, Path(model_name).name}
    if config_name:
        names |= {config_name, Path(config_name).name}
    return recorded in names or Path(recorded).name in names


def apply_adapter(model: Any, adapter_path: str | Path, model_name: str, model_path: Path) -> Any:
    """``model`` wrapped as a ``PeftModel`` with the adapter at ``adapter_path``, in eval mode."""
    path = Path(adapter_path).expanduser()
    if not path.is_dir():
        raise DojoError(f"no adapter folder at {path}")
    recorded = adapter_base(path)
    config_name = getattr(getattr(model, "config", None), "_name_or_path", None)
    if recorded and not _same_model(recorded, model_name, Path(model_path), config_name):
        raise DojoError(f"the adapter {path.name} was trained on {recorded}, not on {model_name}; "
                        f"load it with --model {recorded}")
    from peft import PeftModel

    try:
        wrapped = PeftModel.from_pretrained(model, str(path))
    except RuntimeError as exc:
        if "size mismatch" in str(exc) or "shape" in str(exc):
            raise DojoError(f"the adapter {path.name} does not fit {model_name} (its layers have other shapes): "
                            f"it was trained on a different base model ({recorded or 'not recorded'})") from None
        raise
    wrapped.eval()
    return wrapped
