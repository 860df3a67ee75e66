"""Models: resolve a name to files on disk, load it safely, list what is available.

Resolution order (first hit wins): the embedded models shipped inside the package -> the
models the user imported (``llm-dojo models add``, in ``<data dir>/models``) ->
a local directory -> the local Hugging Face cache -> the hub, only when the user
allows network. Loading is safe by default: safetensors only, no remote code.
"""

from .resolve import EMBEDDED_DIR, ResolvedModel, embedded_models, resolve_model

__all__ = ["EMBEDDED_DIR", "ResolvedModel", "embedded_models", "resolve_model"]
