"""How many tokens a model reads at most: one answer for a config dict, a config object or a model.

Configs name their context differently (``max_position_embeddings`` for Llama and BERT,
``n_positions`` for GPT-2, ``max_sequence_length``/``seq_length``/``n_ctx`` elsewhere, a
``text_config`` inside multimodal configs); a tokenizer's ``model_max_length`` is the
fallback when the config says nothing (and is ignored when it is the "no limit"
sentinel, about 1e30).

>>> context_length({"max_position_embeddings": 512})
512
>>> context_length({"text_config": {"n_positions": 1024}})
1024
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx")


def _from_config(config: Any) -> int | None:
    get = config.get if isinstance(config, Mapping) else lambda key: getattr(config, key, None)
    for key in KEYS:
        value = get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    text = get("text_config")
    return _from_config(text) if text is not None else None


def context_length(source: Any, tokenizer: Any = None) -> int | None:
    """The longest sequence ``source`` (a config dict/object, or a model) was built for, if it says."""
    config = getattr(source, "config", source)
    found = _from_config(config) if config is not None else None
    if found is not None:
        return found
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < 10**8:
        return limit
    return None
