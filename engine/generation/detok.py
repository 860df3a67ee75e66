"""Incremental detokenization: token ids in, text deltas out, never a broken character.

A byte-level BPE token can carry a third of a Hangul syllable, and a SentencePiece
model with byte fallback spells an unknown syllable as three ``<0xNN>`` tokens. So
text cannot be produced token by token with ``decode([id])`` (it gives U+FFFD for a
partial character), and re-decoding the whole text every token (transformers'
``TextStreamer``) costs O(n) per token and holds text back a word at a time.

Two strategies, chosen from the tokenizer's own decoder:

* **byte table** (byte-level BPE, SentencePiece byte fallback): every token id maps to
  the exact bytes it contributes; an incremental UTF-8 decoder turns the byte stream
  into text and holds back only an incomplete trailing character. O(1) per token,
  and each Korean syllable appears the moment its last byte arrives.
* **window** (any other decoder, e.g. WordPiece with clean-up): decode a short window
  of recent tokens with and without the newest ones and emit the difference once it
  does not end in U+FFFD (the "prefix offset" method of serving engines).

>>> d = Detokenizer(tok, prompt_ids)        # doctest: +SKIP
>>> [d.push(i) for i in ids] + [d.flush()]  # doctest: +SKIP
['', '', '안', '', '녕', ...]
"""

from __future__ import annotations

import codecs
import json
import re
from functools import lru_cache
from typing import Any

_BYTE_TOKEN = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")
_MAPPABLE = {"Replace", "ByteFallback", "Fuse", "Strip", "Metaspace"}


@lru_cache(maxsize=1)
def _byte_level_alphabet() -> dict[str, int]:
    """GPT-2's printable stand-in character for each byte, inverted (char -> byte)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def _decoder_spec(tokenizer: Any) -> dict | None:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    decoder = getattr(backend, "decoder", None)
    if decoder is None:
        return None
    try:
        return json.loads(decoder.__getstate__())
    except Exception:
        return None


class ByteTable:
    """Token id -> the bytes it adds to the text, built from the tokenizer's decoder.

    ``build`` returns None when the decoder does something a per-token table cannot
    express (the caller then uses the window strategy).
    """

    def __init__(self, tokenizer: Any, kind: str, replaces: list[tuple[str, str]], strips_first: bool) -> None:
        self.tokenizer = tokenizer
        self.kind = kind  # "byte-level" | "byte-fallback"
        self.replaces = replaces
        self.strips_first = strips_first
        self.special = set(getattr(tokenizer, "all_special_ids", []) or [])
        self._backend = tokenizer.backend_tokenizer
        self._cache: dict[int, bytes] = {}

    @classmethod
    def build(cls, tokenizer: Any) -> ByteTable | None:
        spec = _decoder_spec(tokenizer)
        if spec is None:
            return None
        if getattr(tokenizer, "clean_up_tokenization_spaces", False) and \
                type(tokenizer.backend_tokenizer.model).__name__ != "BPE":
            return None  # the clean-up rewrites spaces around punctuation after decoding
        if spec.get("type") == "ByteLevel":
            return cls(tokenizer, "byte-level", [], False)
        parts = spec.get("decoders", []) if spec.get("type") == "Sequence" else [spec]
        types = [p.get("type") for p in parts]
        if not types or not set(types) <= _MAPPABLE or "ByteFallback" not in types:
            return None
        replaces: list[tuple[str, str]] = []
        strips_first = False
        for p in parts:
            if p["type"] == "Replace":
                pattern = p.get("pattern", {})
                if "String" not in pattern:
                    return None  # a regex replace may span tokens
                replaces.append((pattern["String"], p.get("content", "")))
            elif p["type"] == "Metaspace":
                replaces.append((p.get("replacement", "\u2581"), " "))
                strips_first = strips_first or p.get("prepend_scheme", "always") != "never"
            elif p["type"] == "Strip":
                if p.get("stop", 0) != 0 or p.get("start", 0) > 1 or p.get("content", " ") != " ":
                    return None
                strips_first = strips_first or p.get("start", 0) == 1
        return cls(tokenizer, "byte-fallback", replaces, strips_first)

    def __call__(self, token_id: int) -> bytes:
        cached = self._cache.get(token_id)
        if cached is not None:
            return cached
        piece = self._backend.id_to_token(token_id)
        if piece is None:
            data = b""
        elif self.kind == "byte-level":
            alphabet = _byte_level_alphabet()
            if all(c in alphabet for c in piece):
                data = bytes(alphabet[c] for c in piece)
            else:  # an added token spelled in plain text (tokenizers falls back the same way)
                data = piece.encode("utf-8")
        else:
            match = _BYTE_TOKEN.match(piece)
            if match:
                data = bytes([int(match.group(1), 16)])
            else:
                for old, new in self.replaces:
                    piece = piece.replace(old, new)
                data = piece.encode("utf-8")
        self._cache[token_id] = data
        return data


class Detokenizer:
    """Turns generated token ids into text deltas, one ``push`` per token.

    The concatenation of all deltas plus ``flush()`` equals the text the tokenizer
    decodes for the generated tokens in the context of the prompt (special tokens
    skipped). Deltas never end inside a character; with a byte table nothing else is
    held back.
    """

    WINDOW = 6  # tokens of context for the window strategy

    def __init__(self, tokenizer: Any, prompt_ids: list[int] | None = None, skip_special: bool = True) -> None:
        self.tokenizer = tokenizer
        self.skip_special = skip_special
        self.table = ByteTable.build(tokenizer)
        self.strategy = "byte-table" if self.table is not None else "window"
        prompt_ids = list(prompt_ids or [])
        if self.table is not None:
            self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
            prompt_text = tokenizer.decode(prompt_ids, skip_special_tokens=True) if prompt_ids else ""
            self._at_start = self.table.strips_first and prompt_text == ""
        else:
            self._ids = prompt_ids[-self.WINDOW:]
            self._prefix = 0
            self._read = len(self._ids)

    def push(self, token_id: int) -> str:
        """The text that token ``token_id`` completes (often '' for a partial character)."""
        if self.table is not None:
            if self.skip_special and token_id in self.table.special:
                return ""
            data = self.table(token_id)
            if self._at_start and data:
                self._at_start = False
                if data.startswith(b" "):
                    data = data[1:]
            return self._utf8.decode(data)
        return self._push_window(token_id)

    def flush(self) -> str:
        """Whatever is still held back at the end (U+FFFD for bytes that never completed)."""
        if self.table is not None:
            return self._utf8.decode(b"", final=True)
        return self._emit(final=True)

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=self.skip_special)

    def _push_window(self, token_id: int) -> str:
        self._ids.append(token_id)
        return self._emit(final=False)

    def _emit(self, final: bool) -> str:
        prefix_text = self._decode(self._ids[self._prefix:self._read])
        new_text = self._decode(self._ids[self._prefix:])
        if len(new_text) <= len(prefix_text) or (new_text.endswith("\ufffd") and not final):
            return ""
        delta = new_text[len(prefix_text):]
        # keep a few tokens of left context, drop the rest so every decode stays short
        self._prefix = max(0, len(self._ids) - self.WINDOW)
        if self._prefix > 0:
            self._ids = self._ids[self._prefix:]
            self._prefix = 0
        self._read = len(self._ids)
        return delta


def piece_text(tokenizer: Any, token_id: int, table: ByteTable | None = None) -> str:
    """A token shown on its own: its text, or its bytes in hex when it is part of a character.

    >>> piece_text(tok, 295)        # doctest: +SKIP
    '<EC 95>'
    """
    if table is None:
        return tokenizer.decode([token_id], skip_special_tokens=False)
    data = table(token_id)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[:exc.start].decode("utf-8") + "<" + " ".join(f"{b:02X}" for b in data[exc.start:]) + ">"
