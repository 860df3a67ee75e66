"""Incremental detokenization for byte-level BPE, SentencePiece byte fallback and others."""

from __future__ import annotations

import pytest

from engine.generation.detok import Detokenizer, piece_text

TEXT = "hello 안녕하세요, world 토크나이저 👋 end"


def _complete_prefix(raw: bytes) -> str:
    for cut in range(len(raw), -1, -1):
        try:
            return raw[:cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return ""


@pytest.fixture(scope="module")
def byte_level(tiny_llama_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_llama_dir)


@pytest.fixture(scope="module")
def sentencepiece():
    """A Llama-2-style tokenizer: Metaspace + BPE with byte fallback, Hangul never in the vocabulary."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(byte_fallback=True, unk_token="<unk>", fuse_unk=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first")
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    specials = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    trainer = trainers.BpeTrainer(vocab_size=420, special_tokens=specials, limit_alphabet=40,
                                  initial_alphabet=list("abcdefghijklmnopqrstuvwxyz,.\u2581"), show_progress=False)
    tok.train_from_iterator(["hello world, the cat sat on the mat. end"] * 30, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>")


@pytest.fixture(scope="module")
def wordpiece():
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    tok.train_from_iterator([TEXT] * 5, trainer=trainers.WordPieceTrainer(vocab_size=200, special_tokens=["[UNK]"],
                                                                         show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", clean_up_tokenization_spaces=True)


def stream(tok, prompt_ids, ids):
    d = Detokenizer(tok, prompt_ids)
    return d, [d.push(i) for i in ids] + [d.flush()]


def test_byte_level_korean_appears_as_soon_as_complete(byte_level):
    ids = byte_level.encode(TEXT, add_special_tokens=False)
    d, deltas = stream(byte_level, byte_level.encode("x"), ids)
    assert d.strategy == "byte-table"
    assert "".join(deltas) == byte_level.decode(ids) == TEXT
    assert all("\ufffd" not in x for x in deltas)
    shown = ""
    raw = b""
    for i, delta in zip(ids, deltas):
        raw += d.table(i)
        shown += delta
        assert shown == _complete_prefix(raw)  # nothing complete is held back
    # Hangul comes one syllable per delta at most (no word-at-a-time buffering)
    assert "안" in deltas or any(x.endswith("안") for x in deltas)
    assert max(sum(1 for c in x if "\uac00" <= c <= "\ud7a3") for x in deltas) <= 2


def test_sentencepiece_byte_fallback(sentencepiece):
    tok = sentencepiece
    prompt = tok.encode("hello", add_special_tokens=False)
    gen = tok.encode(" 안녕하세요, world 👋 end", add_special_tokens=False)
    pieces = tok.convert_ids_to_tokens(gen)
    assert "<0xEC>" in pieces  # Hangul really goes through byte fallback here
    d, deltas = stream(tok, prompt, gen)
    assert d.strategy == "byte-table" and d.table.kind == "byte-fallback"
    in_context = tok.decode(prompt + gen)[len(tok.decode(prompt)):]
    assert "".join(deltas) == in_context == " 안녕하세요, world 👋 end"
    syllables = [x for x in deltas if x and "\uac00" <= x[-1] <= "\ud7a3"]
    assert syllables[:5] == ["안", "녕", "하", "세", "요"]
    assert all("\ufffd" not in x for x in deltas)


def test_sentencepiece_first_token_strip(sentencepiece):
    """With no prompt text, the decoder's leading-space strip applies, as in tokenizer.decode."""
    tok = sentencepiece
    gen = tok.encode("hello world", add_special_tokens=False)
    _, deltas = stream(tok, [], gen)
    assert "".join(deltas) == tok.decode(gen) == "hello world"


def test_window_strategy_for_other_decoders(wordpiece):
    tok = wordpiece
    gen = tok.encode(TEXT, add_special_tokens=False)
    d, deltas = stream(tok, [], gen)
    assert d.strategy == "window"
    assert "".join(deltas).strip() == tok.decode(gen).strip()


def test_broken_bytes_become_one_replacement_each_and_are_released(byte_level):
    d = Detokenizer(byte_level, [])
    lead = byte_level.encode("안", add_special_tokens=False)[0]  # a token holding a partial syllable
    assert d.push(lead) == ""
    tail = d.flush()
    assert tail == "\ufffd"  # an incomplete character at the end is reported, not dropped


def test_piece_text_shows_partial_bytes(byte_level):
    ids = byte_level.encode("안", add_special_tokens=False)
    from engine.generation.detok import ByteTable

    table = ByteTable.build(byte_level)
    shown = [piece_text(byte_level, i, table) for i in ids]
    assert all(s.startswith("<") and s.endswith(">") for s in shown if len(ids) > 1)
    assert piece_text(byte_level, byte_level.encode("the", add_special_tokens=False)[0], table).startswith("t")
