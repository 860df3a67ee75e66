"""The tokenizer playground: text -> token spans (id, piece, character and byte ranges).

Tokenizers are ``tokenizers.Tokenizer`` objects read from a ``tokenizer.json`` (the
embedded models', the ones trained here with ``tokenizer train``, a folder or file a
person names, or a model in the local Hugging Face cache), loaded once and kept.
Encoding is the library's own ``encode``; the playground adds only cheap counting in C
(``len``, ``list.count``) and builds spans for the part of the text on screen, so its
speed stays the library's (``bench/tokenize_playground.py``).

Byte ranges: a byte-level BPE token is a run of UTF-8 bytes, so a Hangul syllable (3
bytes) or an emoji (4 bytes) can be split across tokens; such a token is ``partial``,
and its piece is shown as hex bytes (``<EC 8B>``). Byte-level tokenizers here have no
normaliser, so the tokens' bytes, concatenated, are the text's bytes; that is how byte
ranges are computed. Other tokenizers report character offsets, turned into byte
ranges with the text's UTF-8 lengths.

>>> enc = encode("시간", "dojo-tiny")            # doctest: +SKIP
>>> [(s.piece, s.byte_start, s.byte_end) for s in enc.spans]    # doctest: +SKIP
[('시간', 0, 6)]
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import NamedTuple
from functools import lru_cache
from pathlib import Path

from ..errors import DojoError
from ..messages import Notice

VIEW_CHARS = 4000
"""Spans are built for this many characters at most (a pasted megabyte is still counted
in full, but only its start is drawn)."""
MAX_CHARS = 2_000_000
"""Beyond this the text is refused: it is not a playground any more."""
_lock = threading.Lock()


class Span(NamedTuple):
    """One token on screen (a named tuple: thousands are built per keystroke)."""

    index: int
    id: int
    piece: str
    """What the student reads: the token's text, or its hex bytes when it is part of a character."""
    raw: str
    """The vocabulary entry itself (byte-level pieces look like 'ìĭľ')."""
    start: int
    end: int
    """Character range in the text (a partial token covers the character it is part of)."""
    byte_start: int
    byte_end: int
    partial: bool = False
    """A byte-level token that is not whole characters (a split syllable or emoji)."""
    special: bool = False
    unknown: bool = False

    def to_dict(self) -> dict:
        return self._asdict()


@dataclass(frozen=True)
class Encoded:
    tokenizer: str
    kind: str
    """'byte-level BPE', 'WordPiece', 'BPE' or 'Unigram'."""
    text_chars: int
    text_bytes: int
    n_tokens: int
    n_unknown: int
    spans: tuple[Span, ...]
    """The tokens of the first VIEW_CHARS characters."""
    truncated: bool
    roundtrip: bool
    """decode(encode(text)) gives the text back exactly (for a truncated text: the part on screen)."""
    decoded: str
    vocab_size: int
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    @property
    def ids(self) -> list[int]:
        return [s.id for s in self.spans]

    @property
    def chars_per_token(self) -> float:
        return self.text_chars / self.n_tokens if self.n_tokens else 0.0

    @property
    def bytes_per_token(self) -> float:
        return self.text_bytes / self.n_tokens if self.n_tokens else 0.0

    @property
    def unknown_rate(self) -> float:
        return self.n_unknown / self.n_tokens if self.n_tokens else 0.0

    def to_dict(self) -> dict:
        return {"tokenizer": self.tokenizer, "kind": self.kind, "chars": self.text_chars, "bytes": self.text_bytes,
                "tokens": self.n_tokens, "unknown": self.n_unknown, "chars_per_token": round(self.chars_per_token, 4),
                "bytes_per_token": round(self.bytes_per_token, 4), "unknown_rate": round(self.unknown_rate, 4),
                "vocab_size": self.vocab_size, "roundtrip": self.roundtrip, "truncated": self.truncated,
                "decoded": self.decoded if not self.truncated else None,
                "spans": [s.to_dict() for s in self.spans], "notices": [n.to_dict() for n in self.notices]}


@dataclass(frozen=True)
class Loaded:
    name: str
    path: Path
    tokenizer: object
    """A ``tokenizers.Tokenizer``."""
    kind: str
    byte_level: bool
    unk_id: int | None
    special_ids: frozenset[int]
    pieces: dict = field(default_factory=dict, compare=False, repr=False)
    """id -> (raw entry, its bytes or None, readable piece), filled as ids are met."""

    def piece(self, token_id: int) -> tuple[str, bytes | None, str]:
        hit = self.pieces.get(token_id)
        if hit is None:
            raw = self.tokenizer.id_to_token(token_id) or ""
            data = piece_bytes(raw) if self.byte_level and token_id not in self.special_ids else None
            hit = self.pieces[token_id] = (raw, data, readable(data) if data is not None else raw)
        return hit


def trained_dir() -> Path:
    """Where ``tokenizer train`` saves tokenizers (under the LLM Dojo home)."""
    from ..paths import home

    return home() / "tokenizers"


def available() -> list[str]:
    """Tokenizer names that load without a network: embedded models, then trained ones."""
    from ..models.resolve import embedded_models

    names = [n for n, p in embedded_models().items() if (p / "tokenizer.json").exists()]
    root = trained_dir()
    if root.is_dir():
        names += sorted(p.name for p in root.iterdir() if (p / "tokenizer.json").exists())
    return names


def tokenizer_file(name: str) -> Path:
    """``name`` -> its tokenizer.json: embedded, trained here, a path, or the local HF cache."""
    from ..models.resolve import _from_hf_cache, embedded_models

    name = name.strip()
    candidates = []
    if name in embedded_models():
        candidates.append(embedded_models()[name] / "tokenizer.json")
    candidates.append(trained_dir() / name / "tokenizer.json")
    path = Path(name).expanduser()
    candidates += [path / "tokenizer.json", path] if name else []
    for c in candidates:
        if c.is_file():
            return c
    cached = _from_hf_cache(name) if name else None
    if cached is not None and (cached / "tokenizer.json").is_file():
        return cached / "tokenizer.json"
    raise DojoError.keyed("tok.unknown_tokenizer", name=name, names=", ".join(available()) or "none")


@lru_cache(maxsize=16)
def _load(path: str, name: str) -> Loaded:
    from tokenizers import Tokenizer

    try:
        tok = Tokenizer.from_file(path)
    except Exception as exc:  # a broken or foreign JSON file
        raise DojoError(f"{path} is not a tokenizers tokenizer.json ({str(exc).splitlines()[0][:80]})") from None
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    model = spec.get("model", {}).get("type", "?")
    byte_level = (spec.get("decoder") or {}).get("type") == "ByteLevel" or "ByteLevel" in json.dumps(
        spec.get("pre_tokenizer"))
    unk = spec.get("model", {}).get("unk_token")
    unk_id = tok.token_to_id(unk) if isinstance(unk, str) else None
    if model == "Unigram" and isinstance(spec["model"].get("unk_id"), int):
        unk_id = spec["model"]["unk_id"]
    special = frozenset(t["id"] for t in spec.get("added_tokens", []) if t.get("special"))
    kind = {"BPE": "byte-level BPE" if byte_level else "BPE"}.get(model, model)
    return Loaded(name, Path(path), tok, kind, byte_level, unk_id, special)


def load(name: str) -> Loaded:
    path = tokenizer_file(name)
    with _lock:
        return _load(str(path), name)


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    """GPT-2's printable stand-ins for bytes -> the bytes (the inverse of bytes_to_unicode)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    chars, n = list(keep), 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(keep, chars)}


def piece_bytes(raw: str) -> bytes | None:
    """A byte-level vocabulary entry -> its bytes (None for a special token)."""
    try:
        return bytes(map(_byte_decoder().__getitem__, raw))
    except KeyError:
        return None


def _hex_errors(err: UnicodeDecodeError) -> tuple[str, int]:
    return "<" + " ".join(f"{b:02X}" for b in err.object[err.start:err.end]) + ">", err.end


def readable(data: bytes) -> str:
    """Bytes as text, with the bytes that are only part of a character in hex: b' \\xed\\x99' -> ' <ED 99>'."""
    import codecs

    try:
        codecs.lookup_error("dojo-hex")
    except LookupError:
        codecs.register_error("dojo-hex", _hex_errors)
    return data.decode("utf-8", errors="dojo-hex")


def clean_text(text: str) -> tuple[str, list[Notice]]:
    """Unpaired surrogates (from a bad paste or undecodable bytes) become U+FFFD, with a notice."""
    try:
        text.encode("utf-8")
        return text, []
    except UnicodeEncodeError:
        bad = sum(1 for ch in text if "\ud800" <= ch <= "\udfff")
        fixed = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
        return fixed, [Notice("tok.surrogates", {"n": bad})]


def encode(text: str, name: str = "dojo-tiny", view_chars: int = VIEW_CHARS) -> Encoded:
    """Tokenize ``text`` with the tokenizer ``name``; spans for the first ``view_chars`` characters."""
    if not text:
        raise DojoError.keyed("tok.empty_text")
    if len(text) > MAX_CHARS:
        raise DojoError(f"the text is {len(text):,} characters; the playground takes at most {MAX_CHARS:,}")
    text, notices = clean_text(text)
    loaded = load(name)
    tok = loaded.tokenizer
    enc = tok.encode(text, add_special_tokens=False)
    ids = enc.ids
    n_unknown = ids.count(loaded.unk_id) if loaded.unk_id is not None else 0
    truncated = len(text) > view_chars
    if truncated:
        notices.append(Notice("tok.truncated", {"chars": len(text), "shown": view_chars}))
    shown = text[:view_chars]
    spans = _spans_bytes(loaded, enc, shown) if loaded.byte_level else _spans_offsets(loaded, enc, shown)
    if not truncated:
        decoded = tok.decode(ids, skip_special_tokens=False)
        roundtrip = decoded == text
    else:  # a long paste: check the part on screen (decoding it all would cost a tenth of the encode)
        decoded = ""
        last = spans[-1] if spans else None
        if last is None:
            roundtrip = False
        elif loaded.byte_level:
            want = text.encode("utf-8")[:last.byte_end].decode("utf-8", "replace")
            roundtrip = tok.decode(ids[:len(spans)], skip_special_tokens=False) == want
        else:
            roundtrip = tok.decode(ids[:len(spans)], skip_special_tokens=False) == text[:last.end]
    return Encoded(name, loaded.kind, len(text), len(text.encode("utf-8")), len(ids), n_unknown, tuple(spans),
                   truncated, roundtrip, decoded, tok.get_vocab_size(), tuple(notices))


def _char_starts(text: str) -> list[int]:
    """Byte offset of every character, plus the total: [0, 3, 6, ...]."""
    from itertools import accumulate

    return [0, *accumulate(len(ch.encode("utf-8", "surrogatepass")) for ch in text)]


def _spans_bytes(loaded: Loaded, enc, text: str) -> list[Span]:
    import bisect

    starts = _char_starts(text)
    limit, n_chars = starts[-1], len(text)
    spans, pos = [], 0
    for i, tid in enumerate(enc.ids):
        if pos >= limit:
            break
        raw, data, piece = loaded.piece(tid)
        if data is None:
            a, b = enc.offsets[i]
            spans.append(Span(i, tid, raw, raw, a, b, pos, pos, False, True))
            continue
        end = pos + len(data)
        c0 = bisect.bisect_right(starts, pos) - 1
        c1 = bisect.bisect_left(starts, end)
        partial = starts[c0] != pos or c1 > n_chars or starts[c1] != end
        spans.append(Span(i, tid, piece, raw, c0, min(c1, n_chars), pos, end, partial, tid in loaded.special_ids))
        pos = end
    return spans


def _spans_offsets(loaded: Loaded, enc, text: str) -> list[Span]:
    starts = _char_starts(text)
    n_chars = len(text)
    spans = []
    for i, (tid, (a, b)) in enumerate(zip(enc.ids, enc.offsets)):
        if a >= n_chars:
            break
        b = min(b, n_chars)
        raw = loaded.piece(tid)[0]
        spans.append(Span(i, tid, raw, raw, a, b, starts[a], starts[b], False, tid in loaded.special_ids,
                          tid == loaded.unk_id))
    return spans
