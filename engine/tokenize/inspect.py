"""What ``transformers`` says about a tokenizer: the deck's pretrained-tokenizer checklist.

``convert_ids_to_tokens``, ``convert_tokens_to_string``, ``vocab_size``,
``model_max_length``, ``model_input_names``, the special tokens, and the backend's
normaliser and pre-tokeniser, for any tokenizer the playground can name. Importing
transformers takes seconds, so the playground itself never does; this runs on demand
(``llm-dojo tokenize TEXT --details``, the lab's details panel).
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class TokenizerFacts:
    name: str
    tokenizer_class: str
    vocab_size: int
    model_max_length: int | None
    model_input_names: tuple[str, ...]
    special_tokens: dict
    normalizer: str
    pre_tokenizer: str
    ids: tuple[int, ...]
    tokens: tuple[str, ...]
    """convert_ids_to_tokens(ids)."""
    as_string: str
    """convert_tokens_to_string(tokens)."""

    def to_dict(self) -> dict:
        return {"name": self.name, "tokenizer_class": self.tokenizer_class, "vocab_size": self.vocab_size,
                "model_max_length": self.model_max_length, "model_input_names": list(self.model_input_names),
                "special_tokens": self.special_tokens, "normalizer": self.normalizer,
                "pre_tokenizer": self.pre_tokenizer, "ids": list(self.ids), "tokens": list(self.tokens),
                "convert_tokens_to_string": self.as_string}


def _component(obj) -> str:
    if obj is None:
        return "none"
    try:
        return json.dumps(json.loads(obj.__getstate__() if hasattr(obj, "__getstate__") else "null"),
                          ensure_ascii=False)
    except Exception:
        return type(obj).__name__


def hf_tokenizer(name: str):
    """A transformers fast tokenizer for ``name`` (its folder's config when there is one)."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    from .playground import tokenizer_file

    path = tokenizer_file(name)
    if (path.parent / "tokenizer_config.json").exists():
        return AutoTokenizer.from_pretrained(str(path.parent))
    return PreTrainedTokenizerFast(tokenizer_file=str(path))


def inspect(name: str, text: str) -> TokenizerFacts:
    tok = hf_tokenizer(name)
    ids = tok(text, add_special_tokens=True)["input_ids"]
    tokens = tok.convert_ids_to_tokens(ids)
    backend = tok.backend_tokenizer
    max_len = tok.model_max_length if tok.model_max_length < 10**12 else None  # "no limit" is a huge int
    return TokenizerFacts(name, type(tok).__name__, len(tok), max_len, tuple(tok.model_input_names),
                          {k: str(v) for k, v in tok.special_tokens_map.items()}, _component(backend.normalizer),
                          _component(backend.pre_tokenizer), tuple(ids), tuple(tokens),
                          tok.convert_tokens_to_string(tokens))
