"""Is a model causal (reads left to right) or masked (reads both sides of a mask)?

Decided from the checkpoint's ``config.json`` before any weight is read, so the wrong
command fails in a blink with the right one named: ``AutoModelForCausalLM`` would
happily load a BERT checkpoint as ``BertLMHeadModel`` (a decoder it never was) and
predict nonsense.

>>> kind_of_config({"architectures": ["LlamaForCausalLM"]})
'causal'
>>> kind_of_config({"architectures": ["BertForMaskedLM"], "model_type": "bert"})
'masked'
>>> kind_of_config({"model_type": "gpt2"})
'causal'
"""

from __future__ import annotations

from typing import Any

from ..errors import DojoError

ENCODER_TYPES = frozenset({"bert", "roberta", "xlm-roberta", "distilbert", "electra", "albert", "camembert",
                           "deberta", "deberta-v2", "mpnet", "modernbert", "eurobert"})
"""Model types that are encoders (masked language models) when a config names no head."""


def kind_of_config(config: dict[str, Any]) -> str:
    """'causal', 'masked' or 'other' for a ``config.json`` dict."""
    archs = [str(a) for a in config.get("architectures") or []]
    if any(a.endswith(("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")) for a in archs):
        return "causal"
    if any(a.endswith("ForMaskedLM") for a in archs):
        return "masked"
    if archs:
        return "other"
    if config.get("is_decoder") or config.get("model_type") not in ENCODER_TYPES:
        return "causal"
    return "masked"


def require(name: str, want: str, what: str, *, allow_network: bool = False) -> None:
    """Raise a teaching :class:`DojoError` when ``name`` is not a ``want`` ('causal'/'masked') model.

    ``what`` names the action for the message ("score", "next-token")."""
    from ..models.resolve import resolve_model

    try:
        config = resolve_model(name, allow_network=allow_network, trust_remote_code=True).config
    except (DojoError, OSError, ValueError):
        return  # the loader reports a missing or unsafe model in its own words
    kind = kind_of_config(config)
    if kind == want:
        return
    if kind == "masked":
        raise DojoError.keyed("lm.masked_model", model=name, mask="[MASK]", what=what)
    if kind == "causal":
        raise DojoError.keyed("lm.causal_model", model=name)
    arch = ", ".join(config.get("architectures") or ["?"])
    raise DojoError.keyed("lm.not_a_lm", model=name, arch=arch)
