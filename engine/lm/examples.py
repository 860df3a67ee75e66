"""Built-in sentences for the language-model lab, in the spirit of the course's
"yesterday the weather was nice, so with a friend I rode a ___" example: an everyday
sentence whose blank a person fills without thinking, and whose left half alone
leaves the blank open. Written for this project; ``[MASK]`` is replaced by the
model's own mask token when it spells it differently (``<mask>`` for RoBERTa)."""

from __future__ import annotations

EXAMPLES: dict[str, dict[str, str]] = {
    "ko": {
        "prompt": "주말에 날씨가 맑아서 동생과 함께 공원에서",
        "sentence": "주말에 날씨가 맑아서 동생과 함께 공원에서 산책을 했다.",
        "masked": "주말에 날씨가 맑아서 동생과 함께 공원에서 [MASK]을 했다.",
    },
    "en": {
        "prompt": "The rain stopped, so after lunch my sister and I went for a",
        "sentence": "The rain stopped, so after lunch my sister and I went for a walk in the park.",
        "masked": "The rain stopped, so after lunch my sister and I went for a [MASK] in the park.",
    },
}
"""lang -> prompt (next token), sentence (scoring), masked (fill-mask)."""

GENERIC_MASK = "[MASK]"


def example(lang: str, what: str) -> str:
    """The built-in ``what`` ('prompt', 'sentence' or 'masked') in ``lang`` ('ko' or 'en')."""
    return EXAMPLES.get(lang, EXAMPLES["en"])[what]
