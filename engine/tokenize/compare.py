"""The same text under several tokenizers, side by side, beside word- and character-level splits.

Each row says how many tokens the text became, characters and UTF-8 bytes per token
(a compression rate: more is better), the share of unknown tokens, and whether the
text decodes back exactly. Word level (whitespace) and character level are rows too,
so the student sees the two extremes subwords sit between: few, long tokens from an
open-ended vocabulary, or many tiny ones from a closed one.

>>> rows = compare("시간이 화살처럼 지나간다", ("dojo-tiny",)).rows     # doctest: +SKIP
>>> [r.name for r in rows]                                              # doctest: +SKIP
['words', 'characters', 'dojo-tiny']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DojoError
from ..messages import Notice

DECK_SENTENCE = "시간이 화살처럼 지나간다"
"""The deck's word/character/subword example sentence."""
SHOWN_PIECES = 60


@dataclass(frozen=True)
class CompareRow:
    name: str
    kind: str
    tokens: int
    chars_per_token: float
    bytes_per_token: float
    unknown_rate: float
    roundtrip: bool
    pieces: tuple[str, ...]
    """The first SHOWN_PIECES pieces."""

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "tokens": self.tokens,
                "chars_per_token": round(self.chars_per_token, 4), "bytes_per_token": round(self.bytes_per_token, 4),
                "unknown_rate": round(self.unknown_rate, 4), "roundtrip": self.roundtrip, "pieces": list(self.pieces)}


@dataclass(frozen=True)
class CompareResult:
    text: str
    rows: tuple[CompareRow, ...]
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"text": self.text, "chars": len(self.text), "bytes": len(self.text.encode("utf-8")),
                "rows": [r.to_dict() for r in self.rows], "notices": [n.to_dict() for n in self.notices]}


def _plain_row(name: str, kind: str, pieces: list[str], text: str) -> CompareRow:
    n = len(pieces) or 1
    return CompareRow(name, kind, len(pieces), len(text) / n, len(text.encode("utf-8")) / n, 0.0,
                      True, tuple(pieces[:SHOWN_PIECES]))


def compare(text: str, names: tuple[str, ...] | list[str] | None = None) -> CompareResult:
    """Word and character rows, then one row per tokenizer in ``names`` (default: every available one)."""
    from .playground import available, clean_text, encode

    if not text or not text.strip():
        raise DojoError.keyed("tok.empty_text")
    text, notices = clean_text(text)
    names = list(names) if names else available()
    rows = [_plain_row("words", "whitespace", text.split(), text),
            _plain_row("characters", "characters", [c for c in text if not c.isspace()], text)]
    for name in dict.fromkeys(names):
        enc = encode(text, name, view_chars=2000)
        rows.append(CompareRow(name, enc.kind, enc.n_tokens, enc.chars_per_token, enc.bytes_per_token,
                               enc.unknown_rate, enc.roundtrip, tuple(s.piece for s in enc.spans[:SHOWN_PIECES])))
    return CompareResult(text, tuple(rows), tuple(notices))
