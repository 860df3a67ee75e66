"""What a person types into a numeric question is read as the number they meant.

Issue 20 (Korean, item 4) and issue 10 item 9: "35바이트", "0,711", "1,024" and
"71.1%" are answers, words are not (the app asks again instead of grading them).
Expected values are computed here independently (plain arithmetic), not copied
from the implementation.
"""

from __future__ import annotations

import pytest

from engine.course.quiz import Question, number_readings


def numeric(answer: float, tolerance: float = 1e-9) -> Question:
    return Question(id="q", kind="numeric", prompt={"ko": "?", "en": "?"}, choices={},
                    answer=answer, tolerance=tolerance)


@pytest.mark.parametrize("typed, meant", [
    ("35", 35.0), ("35바이트", 35.0), ("35 bytes", 35.0), (" 35 토큰 ", 35.0),
    ("0.711", 0.711), ("0,711", 0.711), ("1,5", 1.5), ("1,024", 1024.0), ("16,384 parameters", 16384.0),
    ("1/15", 1 / 15), ("2 / 3", 2 / 3), ("7.1e-2", 0.071), ("−3", -3.0), (".5", 0.5),
])
def test_a_number_with_a_unit_or_a_decimal_comma_is_read(typed, meant):
    assert number_readings(typed)[0] == pytest.approx(meant, rel=1e-12)


def test_an_ambiguous_comma_reads_both_ways():
    assert number_readings("2,639") == pytest.approx([2639.0, 2.639])
    assert numeric(2.639, 0.01).check("2,639") and numeric(2639).check("2,639")


def test_percent_means_either_reading():
    assert number_readings("71.1%") == pytest.approx([0.711, 71.1])
    assert numeric(0.711, 0.0005).check("71.1%") and numeric(71.1, 0.05).check("71.1 %")


@pytest.mark.parametrize("typed", ["abc", "모르겠다", "", "3개 중 2", "12,34,5", "1/0"])
def test_words_are_not_numbers(typed):
    assert number_readings(typed) == []
    assert not numeric(3.0).well_formed(typed)


def test_the_lessons_answers_check_with_what_a_person_types():
    q = numeric(0.711, 0.0005)
    assert q.check("0,711") and q.check("0.711") and not q.check("0.72")
    assert numeric(35).check("35바이트") and not numeric(35).check("36바이트")
    assert numeric(3.0).well_formed("3") and numeric(3.0).well_formed("3개")
