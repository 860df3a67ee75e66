"""Fuzzing the text inputs a student types: the tokenizer playground, the step-through
word-frequency parser (and the trainers it feeds), quiz answers. No crash, no hang; a
rejection is a DojoError with one line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import DojoError

from .budget import FUZZ, no_hang, one_line

ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300)
"""Any code points, unpaired surrogates included (a bad paste in a terminal gives those)."""
KOREAN_MIX = st.text(alphabet=st.sampled_from(list("가나다한국어토큰 \t\n abcxyz.,!?0123456789\u200b\ufffd🙂é")),
                     max_size=200)


@pytest.fixture(scope="module")
def warm():
    """Load the tokenizer and the course once, outside the examples' deadline."""
    from engine.course.lessons import load_course
    from engine.tokenize.playground import encode

    encode("warm up")
    return load_course()


@FUZZ
@given(st.one_of(ANY_TEXT, KOREAN_MIX))
def test_playground_encode(warm, text):
    from engine.tokenize.playground import encode

    try:
        with no_hang():
            result = encode(text)
    except DojoError as exc:
        one_line(exc)
        assert text == ""  # the only refusal for text this short
        return
    assert result.n_tokens >= 1 and result.text_chars == len(text)
    ends = [s.end for s in result.spans]
    assert ends == sorted(ends) and (not ends or ends[-1] <= len(text))
    clean = not any("\ud800" <= ch <= "\udfff" for ch in text)
    if clean and not result.truncated:
        assert result.roundtrip and result.decoded == text  # byte-level BPE loses nothing


LINE = st.one_of(
    st.tuples(st.text(max_size=8), st.sampled_from(["\t", " ", "\t\t", ""]),
              st.one_of(st.integers(-5, 10**6).map(str), st.text(max_size=5))).map("".join),
    st.just("# a comment"), st.just(""), st.text(max_size=20))


@FUZZ
@given(st.lists(LINE, max_size=12).map("\n".join))
def test_word_frequency_parser_and_the_trainers_it_feeds(text):
    from engine.tokenize.bpe import bpe_steps
    from engine.tokenize.wordfreqs import count_words, parse_word_freqs
    from engine.tokenize.wordpiece import score_pairs, split_word

    for parse in (parse_word_freqs, count_words):
        try:
            with no_hang():
                table = parse(text)
        except DojoError as exc:
            one_line(exc)
            continue
        assert table and all(isinstance(w, str) and w and n > 0 for w, n in table)
        assert len({w for w, _ in table}) == len(table)
        small = table[:6]
        with no_hang():
            steps = bpe_steps(small, 3)
            score_pairs([(split_word(w), n) for w, n in small])
        assert len(steps) <= 3


@FUZZ
@given(st.one_of(ANY_TEXT, st.floats(allow_nan=True).map(str), st.integers().map(str),
                 st.sampled_from(["1/0", "1e400", "-0", "３５", "35바이트", "0x23", "∞", "nan", "1,000.5", "½"])))
def test_quiz_answers_are_graded_or_asked_again(warm, response):
    for lesson in warm.lessons:
        for question in lesson.questions:
            with no_hang():
                formed = question.well_formed(response)
                right = question.check(response)
            assert isinstance(formed, bool) and isinstance(right, bool)
