"""Every bad input of the generation lab gets one clear line (or, for temperature 0, a notice)."""

from __future__ import annotations

import pytest

from engine.errors import DojoError
from engine.generation.params import ParamError, SamplingParams, check_context

BAD = [
    (dict(top_p=0.0), r"top-p 0 is outside \(0, 1\]"),
    (dict(top_p=1.5), r"top-p 1.5 is outside \(0, 1\]"),
    (dict(top_p=-0.1), r"top-p -0.1 is outside"),
    (dict(top_k=-1), r"top-k -1 must be a whole number >= 0"),
    (dict(top_k=2.5), r"top-k 2.5"),
    (dict(temperature=-0.5), r"temperature -0.5 is negative"),
    (dict(temperature=float("nan")), r"temperature nan is not a finite number"),
    (dict(repetition_penalty=0.0), r"repetition penalty 0 must be above 0"),
    (dict(max_new_tokens=0), r"max-new-tokens 0 must be a whole number >= 1"),
    (dict(num_beams=0), r"num-beams 0"),
    (dict(no_repeat_ngram_size=-2), r"no-repeat n-gram size -2"),
    (dict(stop=("",)), r"a stop string is empty"),
    (dict(seed=-1), r"seed -1"),
]


@pytest.mark.parametrize("kwargs,message", BAD)
def test_bad_values_fail_with_one_line(kwargs, message):
    with pytest.raises(ParamError, match=message) as err:
        SamplingParams(**kwargs)
    assert isinstance(err.value, DojoError) and "\n" not in str(err.value)


def test_temperature_zero_with_sampling_explains_and_uses_greedy():
    params, notices = SamplingParams(do_sample=True, temperature=0.0).resolve()
    assert params.do_sample is False and params.mode == "greedy"
    assert len(notices) == 1 and notices[0].key == "gen.greedy_temperature"
    assert "greedy" in notices[0].text and "most likely token" in notices[0].text


def test_sampling_knobs_on_a_greedy_run_are_explained():
    _, notices = SamplingParams(do_sample=False, temperature=0.7).resolve()
    assert notices and "no effect" in notices[0].text
    assert SamplingParams().resolve()[1] == []


def test_context_checks():
    check_context(10, 100, 128)
    with pytest.raises(ParamError, match="at most 28 new tokens fit"):
        check_context(100, 64, 128)
    with pytest.raises(ParamError, match="the prompt is 200 tokens but this model reads at most 128"):
        check_context(200, 1, 128)
    with pytest.raises(ParamError, match="the prompt is empty"):
        check_context(0, 1, 128)
    check_context(5000, 5000, None)  # a model that does not state its context is not refused


def test_generate_kwargs_set_everything_explicitly():
    kw = SamplingParams(do_sample=True, temperature=0.8, top_k=0, stop=("\n",)).generate_kwargs()
    assert kw["top_k"] == 0 and kw["temperature"] == 0.8 and kw["stop_strings"] == ["\n"]
    greedy = SamplingParams(temperature=0.3).generate_kwargs()
    assert greedy["do_sample"] is False and greedy["temperature"] == 1.0  # no "unused flag" warnings


def test_from_options_reads_a_lessons_try_it():
    p = SamplingParams.from_options({"prompt": "옛날 옛적에", "temperature": 0.8, "top_k": 50, "top_p": 0.95,
                                     "max_new_tokens": 40, "messages": []})
    assert p.do_sample and p.temperature == 0.8 and p.max_new_tokens == 40


def test_from_options_samples_only_when_a_sampling_knob_is_given():
    assert SamplingParams.from_options({"max_new_tokens": 8}).do_sample is False
    assert SamplingParams.from_options({"top_k": 5}).do_sample is True
    assert SamplingParams.from_options({"top_k": 5, "do_sample": False}).do_sample is False
    assert SamplingParams.from_options({"temperature": None}).temperature == 1.0  # not given
