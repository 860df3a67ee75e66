"""Word-frequency tables: the input of the step-through trainers.

A table is an ordered list of ``(word, count)``; the order matters, because ties
between pairs are broken by the first pair seen (as the deck's ``max`` over an
insertion-ordered dict does), so the order words are listed in is part of the
example. Tables come from the built-in examples, a ``word<TAB>count`` file, or any
text counted after whitespace splitting (first occurrence fixes the order).

>>> parse_word_freqs("low\\t5\\nlower\\t2\\n")
(('low', 5), ('lower', 2))
>>> count_words("a b a")
(('a', 2), ('b', 1))
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..errors import DojoError

EXAMPLES: dict[str, tuple[tuple[str, int], ...]] = {
    "deck-bpe": (("low", 5), ("lower", 2), ("newest", 6), ("widest", 3)),
    "deck-hug": (("hug", 10), ("pug", 5), ("pun", 12), ("bun", 4), ("hugs", 5)),
}
"""The deck's worked examples (chapter 1.1): the BPE corpus and the hug/pug/pun/bun/hugs
corpus the WordPiece and Unigram slides share. Only the inputs are written here; every
number the lab shows is computed from them."""

COMPUTED_EXAMPLES: dict[str, str] = {
    "kolaw-top20": "the 20 most frequent Hangul words of the Korean constitution (KoNLPy's kolaw)",
}
"""Korean examples counted at run time from text that ships with KoNLPy (never copied here)."""

DEFAULT_EXAMPLE = {"bpe": "deck-bpe", "wordpiece": "deck-hug", "unigram": "deck-hug"}
"""Which built-in example each algorithm opens with (the one the deck uses for it)."""

MAX_WORDS = 20_000
"""Distinct words a step-through table may hold: the trainers are plain Python for
reading, not speed (use ``tokenizer train`` for real corpora)."""


def parse_word_freqs(text: str, source: str = "the word-frequency file") -> tuple[tuple[str, int], ...]:
    """``word<TAB>count`` per line (blank lines and ``#`` comments skipped) -> the table.

    A bad line raises a DojoError naming the line number."""
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.rstrip("\r\n").split("\t")
        if len(parts) != 2 or not parts[0].strip():
            raise DojoError(f"{source}, line {number}: expected 'word<TAB>count', got {line.strip()[:40]!r}")
        word, count_text = parts[0].strip(), parts[1].strip()
        if any(ch.isspace() for ch in word):
            raise DojoError(f"{source}, line {number}: the word {word!r} contains a space; one word per line")
        try:
            count = int(count_text)
        except ValueError:
            raise DojoError(f"{source}, line {number}: the count {count_text[:20]!r} is not a whole number") from None
        if count <= 0:
            raise DojoError(f"{source}, line {number}: the count {count} must be a positive whole number")
        counts[word] = counts.get(word, 0) + count
    return _checked(tuple(counts.items()), source)


def count_words(text: str, source: str = "the text") -> tuple[tuple[str, int], ...]:
    """Whitespace-split words with their counts, in order of first appearance."""
    return _checked(tuple(Counter(text.split()).items()), source)


def _checked(table: tuple[tuple[str, int], ...], source: str) -> tuple[tuple[str, int], ...]:
    if not table:
        raise DojoError(f"{source} has no words: give at least one 'word<TAB>count' line (or some text)")
    if len(table) > MAX_WORDS:
        raise DojoError(f"{source} has {len(table):,} distinct words; the step-through takes at most "
                        f"{MAX_WORDS:,} (train on big corpora with 'llm-dojo tokenizer train')")
    return table


def read_table(*, example: str | None = None, word_freqs: str | Path | None = None,
               text: str | Path | None = None) -> tuple[tuple[str, int], ...]:
    """The table from exactly one source: a built-in example, a word-freq file or a text file."""
    given = [x for x in (example, word_freqs, text) if x]
    if len(given) > 1:
        raise DojoError("give one source of words: --example, --word-freqs or --text")
    if word_freqs:
        return parse_word_freqs(_read(Path(word_freqs)), str(word_freqs))
    if text:
        return count_words(_read(Path(text)), str(text))
    name = example or "deck-bpe"
    if name in COMPUTED_EXAMPLES:
        return korean_example(name)
    if name not in EXAMPLES:
        raise DojoError(f"no built-in example {name!r}; use one of {', '.join([*EXAMPLES, *COMPUTED_EXAMPLES])}")
    return EXAMPLES[name]


def korean_example(name: str = "kolaw-top20") -> tuple[tuple[str, int], ...]:
    """The most frequent runs of Hangul syllables in the constitution, with their counts (ties in
    order of first appearance), so the step-through can merge Korean syllables."""
    import re

    from konlpy.corpus import kolaw

    top = int(name.rsplit("top", 1)[1])
    counts = Counter(re.findall(r"[\uac00-\ud7a3]+", kolaw.open("constitution.txt").read()))
    return tuple(counts.most_common(top))


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DojoError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DojoError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
