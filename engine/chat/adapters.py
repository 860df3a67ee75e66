"""Several LoRA adapters on one loaded base model, switched between turns without reloading.

PEFT injects each adapter's small matrices next to the base layers under a name
(``load_adapter(path, adapter_name)``); ``set_adapter(name)`` picks which one the
layers add, and disabling the adapter layers gives back the plain base. The base
weights are loaded once and never copied, so switching costs microseconds, where a
reload costs the whole load time.

The base usually comes from the app-wide model cache, shared with other labs, so the
adapter layers stay *disabled* except while a chat reply is generated
(:meth:`AdapterSet.active_model`): the generation lab on the same model still sees
the base.

Before any weight is touched an adapter folder is checked: it must hold
``adapter_config.json``, and the base it records (``base_model_name_or_path``) must be
this model.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import DojoError


def check_adapter(path: str | Path, model_name: str, model_path: Path, model: Any) -> Path:
    """The adapter folder, or a keyed ``DojoError`` saying why it cannot go on this base."""
    import json

    from ..generation.adapter import _same_model

    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise DojoError.keyed("convo.no_folder", path=str(folder))
    cfg = folder / "adapter_config.json"
    if not cfg.is_file():
        raise DojoError.keyed("convo.not_adapter", path=str(folder))
    try:
        recorded = json.loads(cfg.read_text(encoding="utf-8")).get("base_model_name_or_path")
    except (OSError, ValueError, AttributeError) as exc:
        raise DojoError(f"{cfg} cannot be read ({exc}); the adapter folder is damaged") from None
    config_name = getattr(getattr(model, "config", None), "_name_or_path", None)
    if recorded and not _same_model(recorded, model_name, Path(model_path), config_name):
        raise DojoError.keyed("convo.wrong_base", name=folder.name, recorded=recorded, model=model_name)
    return folder


class AdapterSet:
    """Named adapters on one base. ``model`` is the base object the caller generates with."""

    def __init__(self, model: Any, model_name: str, model_path: Path) -> None:
        self.model = model
        self.model_name = model_name
        self.model_path = Path(model_path)
        self.peft: Any = None
        self.paths: dict[str, str] = {}
        """Adapter name -> folder."""
        self.active: str | None = None
        """The adapter replies use; None: the base model."""
        self._lock = threading.Lock()

    @classmethod
    def on(cls, loaded: Any, model_name: str) -> AdapterSet:
        """The adapter set of a loaded model: one per base, kept on the ``Loaded`` object, so a chat
        opened again on the cached model finds its adapters instead of injecting them twice."""
        found = getattr(loaded, "_dojo_adapters", None)
        if found is None or found.model is not loaded.model:
            found = cls(loaded.model, model_name, loaded.resolved.path)
            loaded._dojo_adapters = found
        return found

    @property
    def names(self) -> list[str]:
        return list(self.paths)

    def add(self, path: str | Path, name: str | None = None) -> str:
        """Load the adapter at ``path`` under a name (its folder name by default) and make it active."""
        folder = check_adapter(path, self.model_name, self.model_path, self.model)
        for existing, where in self.paths.items():
            if Path(where).resolve() == folder.resolve():
                self.active = existing
                return existing
        name = _unique(name or re.sub(r"[^\w-]+", "-", folder.name).strip("-") or "adapter", self.paths)
        with self._lock:
            try:
                if self.peft is None:
                    from peft import PeftModel

                    self.peft = PeftModel.from_pretrained(self.model, str(folder), adapter_name=name)
                    self.peft.eval()
                else:
                    self.peft.load_adapter(str(folder), adapter_name=name)
            except RuntimeError as exc:
                if "size mismatch" in str(exc) or "shape" in str(exc):
                    raise DojoError(f"the adapter {folder.name} does not fit {self.model_name} (its layers have "
                                    "other shapes): it was trained on a different base model") from None
                raise
            self.peft.base_model.disable_adapter_layers()  # the shared base stays the base outside a reply
        self.model.eval()
        self.paths[name] = str(folder)
        self.active = name
        return name

    def use(self, name: str | None) -> None:
        """Make ``name`` the adapter of the next replies (None: the base). Nothing is reloaded."""
        if name is not None and name not in self.paths:
            raise DojoError.keyed("convo.unknown_adapter", name=name, names=", ".join(self.paths) or "none")
        self.active = name

    def cycle(self) -> str | None:
        """The next choice in base -> adapter 1 -> adapter 2 -> ... -> base."""
        order: list[str | None] = [None, *self.paths]
        self.use(order[(order.index(self.active) + 1) % len(order)])
        return self.active

    @contextmanager
    def active_model(self, name: str | None | type(...) = ...) -> Iterator[Any]:
        """The base model with ``name`` (default: the active adapter) switched on for the block."""
        name = self.active if name is ... else name
        if name is not None and name not in self.paths:
            raise DojoError.keyed("convo.unknown_adapter", name=name, names=", ".join(self.paths) or "none")
        with self._lock:
            if self.peft is None or name is None:
                yield self.model
                return
            self.peft.base_model.set_adapter(name)
            self.peft.base_model.enable_adapter_layers()
            try:
                yield self.model
            finally:
                self.peft.base_model.disable_adapter_layers()


def _unique(name: str, taken: dict[str, str]) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name}-{i}" in taken:
        i += 1
    return f"{name}-{i}"
