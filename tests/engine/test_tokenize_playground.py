"""The playground against the ``tokenizers`` library itself: same ids, byte ranges that rebuild the
text's bytes, Korean round trips, and every bad input the issue lists."""

from __future__ import annotations

import pytest

from engine.errors import DojoError
from engine.tokenize.compare import DECK_SENTENCE, compare
from engine.tokenize.playground import encode, load, readable, tokenizer_file
from engine.tokenize.train import TokenizerTrainConfig, train

NASTY = [
    DECK_SENTENCE,
    "아버지가 방에 들어가신다",
    "e\u0301 n\u0303 \u1112\u1161\u11ab",  # combining accents, and 한 as conjoining jamo
    "👨\u200d👩\u200d👧 🏳\ufe0f\u200d🌈",  # emoji ZWJ sequences
    "שלום עולם مرحبا",  # right-to-left scripts
    "tab\tnew\nline  two",
]


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("LLM_DOJO_HOME", str(tmp_path / "home"))


def library(name):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(tokenizer_file(name)))


@pytest.mark.parametrize("text", NASTY)
def test_byte_level_spans_equal_the_library_and_rebuild_the_bytes(text):
    enc = encode(text, "dojo-tiny")
    assert enc.ids == library("dojo-tiny").encode(text, add_special_tokens=False).ids
    data = text.encode("utf-8")
    rebuilt = b"".join(data[s.byte_start:s.byte_end] for s in enc.spans)
    assert rebuilt == data and enc.roundtrip and enc.decoded == text
    for s in enc.spans:
        whole = data[s.byte_start:s.byte_end]
        try:
            whole.decode("utf-8")
            ok = True
        except UnicodeDecodeError:
            ok = False
        assert s.partial == (not ok)  # UTF-8 is self-synchronising: whole characters decode, parts never
        if not s.partial:
            assert text[s.start:s.end].encode("utf-8") == whole


def test_a_split_syllable_is_marked_partial_with_its_hex_bytes():
    enc = encode("🙂", "dojo-tiny")
    assert all(s.partial for s in enc.spans) and len(enc.spans) >= 2
    assert "".join(s.piece for s in enc.spans).replace("> <", " ").replace("><", " ") in ("<F0 9F 99 82>",)
    assert readable(b" \xed\x99") == " <ED 99>" and readable("시".encode()) == "시"


@pytest.mark.parametrize("text", NASTY[:3])
def test_wordpiece_offsets_equal_the_library(text):
    enc = encode(text, "dojo-tiny-mlm")
    lib = library("dojo-tiny-mlm").encode(text, add_special_tokens=False)
    assert enc.ids == lib.ids and [(s.start, s.end) for s in enc.spans] == lib.offsets
    for s in enc.spans:
        assert text.encode()[s.byte_start:s.byte_end].decode() == text[s.start:s.end]


def test_korean_round_trips_through_the_embedded_tokenizers():
    for name in ("dojo-tiny", "dojo-tiny-mlm"):
        enc = encode(DECK_SENTENCE, name)
        assert enc.roundtrip and enc.n_unknown == 0, name


def test_unknown_tokens_are_counted():
    enc = encode("🙂 abc", "dojo-tiny-mlm")
    assert enc.n_unknown == 1 and enc.spans[0].unknown and not enc.roundtrip


def test_bad_inputs():
    with pytest.raises(DojoError, match="empty"):
        encode("", "dojo-tiny")
    with pytest.raises(DojoError, match="no tokenizer called 'gpt-17'.*dojo-tiny"):
        encode("x", "gpt-17")
    enc = encode("a\ud800b", "dojo-tiny")  # an unpaired surrogate
    assert enc.notices[0].key == "tok.surrogates" and enc.decoded == "a\ufffdb"


def test_a_long_text_is_counted_in_full_but_viewed_in_part():
    text = DECK_SENTENCE * 30
    enc = encode(text, "dojo-tiny-mlm", view_chars=50)
    assert enc.truncated and enc.spans[-1].start < 50 and enc.roundtrip
    assert enc.n_tokens == len(library("dojo-tiny-mlm").encode(text, add_special_tokens=False).ids)


@pytest.mark.slow
def test_a_megabyte_is_counted_in_full_but_viewed_in_part():
    text = (DECK_SENTENCE + " Time flies like an arrow. ") * 28_000  # about 1 MB of UTF-8
    assert len(text.encode()) > 1_000_000
    enc = encode(text, "dojo-tiny")
    assert enc.truncated and enc.spans[-1].start < 4000
    assert enc.n_tokens == len(library("dojo-tiny").encode(text).ids)
    assert any(n.key == "tok.truncated" for n in enc.notices) and enc.to_dict()["decoded"] is None


def test_compare_rows_and_the_deck_sentence():
    result = compare(DECK_SENTENCE, ["dojo-tiny", "dojo-tiny-mlm"])
    rows = {r.name: r for r in result.rows}
    assert rows["words"].tokens == 3 and rows["characters"].tokens == 11
    assert rows["dojo-tiny"].tokens == len(encode(DECK_SENTENCE, "dojo-tiny").spans)
    assert rows["dojo-tiny"].bytes_per_token == pytest.approx(len(DECK_SENTENCE.encode()) / rows["dojo-tiny"].tokens)
    with pytest.raises(DojoError, match="empty"):
        compare("   ")


@pytest.mark.parametrize("kind", ["byte-level-bpe", "bert-wordpiece", "sentencepiece-unigram"])
def test_train_saves_a_loadable_tokenizer_equal_to_the_librarys_own(kind, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join([DECK_SENTENCE, "시간은 금이다", "화살처럼 빠른 시간"] * 30), encoding="utf-8")
    events = list(train(TokenizerTrainConfig(kind=kind, file=str(corpus), vocab_size=300, min_frequency=1)))
    assert [e.stage for e in events[:-1]] == ["read", "train", "save"]
    result = events[-1]
    assert load(result.name).tokenizer.get_vocab_size() == result.vocab_size <= 300
    enc = encode(DECK_SENTENCE, result.name)
    assert enc.roundtrip or kind != "byte-level-bpe"
    assert enc.n_unknown == 0  # every character of the sentence was in the corpus


def test_train_bad_inputs(tmp_path):
    from engine.text.train_tokenizer import common_hangul

    corpus = tmp_path / "c.txt"
    corpus.write_text(" ".join(common_hangul()[:100]), encoding="utf-8")
    with pytest.raises(DojoError, match="smaller than the 100 characters.*at least 101"):
        list(train(TokenizerTrainConfig(kind="char-bpe", file=str(corpus), vocab_size=60)))
    with pytest.raises(DojoError, match="smaller than the 256 characters"):
        list(train(TokenizerTrainConfig(kind="byte-level-bpe", file=str(corpus), vocab_size=60)))
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DojoError, match="no text"):
        list(train(TokenizerTrainConfig(file=str(empty))))
    with pytest.raises(DojoError, match="vocab size 10"):
        TokenizerTrainConfig(vocab_size=10)
    with pytest.raises(DojoError, match="corpus 'news'"):
        TokenizerTrainConfig(corpus="news")
    with pytest.raises(DojoError, match="name"):
        TokenizerTrainConfig(name="../evil")


@pytest.mark.slow
def test_train_new_from_iterator_keeps_the_base_pipeline(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join([DECK_SENTENCE, "시간은 금이다", "화살처럼 빠른 시간"] * 30), encoding="utf-8")
    result = list(train(TokenizerTrainConfig(base="dojo-tiny-mlm", file=str(corpus), vocab_size=400)))[-1]
    assert result.kind == "retrained dojo-tiny-mlm" and result.vocab_size <= 400
    new, old = load(result.name), load("dojo-tiny-mlm")
    assert new.kind == old.kind == "WordPiece"
    assert new.tokenizer.token_to_id("[MASK]") is not None  # the base's special tokens came along
    assert encode(DECK_SENTENCE, result.name).n_unknown == 0
