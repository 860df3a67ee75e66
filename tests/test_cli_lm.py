"""`score`, `fill-mask` (and `next-token`'s raw view) as a user runs them: subprocesses, --json, exit codes."""

from __future__ import annotations

import json
import math

import pytest

from engine.lm.examples import EXAMPLES
from tests.cli_helpers import dojo, one_line_error


def test_score_json_perplexity_is_exp_of_mean_surprise():
    res = dojo("score", EXAMPLES["ko"]["sentence"], "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    surprises = [t["surprise"] for t in data["tokens"]]
    assert data["scored_tokens"] == len(surprises) > 5 and data["bos"] == "<|endoftext|>"
    assert data["perplexity"] == round(math.exp(sum(surprises) / len(surprises)), 4) or \
        abs(data["perplexity"] - math.exp(sum(surprises) / len(surprises))) < 1e-3 * data["perplexity"]
    assert all(0 < t["prob"] <= 1 and t["rank"] >= 1 for t in data["tokens"])


def test_score_human_output_fits_80_columns():
    res = dojo("score", "The history of the world", env={"COLUMNS": "80"})
    assert res.returncode == 0, res.stderr
    assert "perplexity" in res.stdout and max(len(line) for line in res.stdout.splitlines()) <= 80


def test_fill_mask_json_one_slot_per_mask_with_the_causal_model_beside():
    res = dojo("fill-mask", "[MASK] rain stopped, so we went for a [MASK].", "--top", "3", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["model"] == "dojo-tiny-mlm" and data["causal_model"] == "dojo-tiny"
    assert [m["mask"] for m in data["masks"]] == [1, 2]
    assert all(len(m["candidates"]) == 3 and len(m["causal"]) == 3 for m in data["masks"])
    assert data["masks"][1]["causal_prompt"].endswith("we went for a")
    assert any("no left context" in n for n in data["notices"])
    probs = [c["prob"] for c in data["masks"][0]["candidates"]]
    assert probs == sorted(probs, reverse=True)


def test_fill_mask_without_the_causal_model():
    res = dojo("fill-mask", EXAMPLES["ko"]["masked"], "--causal-model", "", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["causal_model"] is None and data["masks"][0]["causal"] == []


def test_next_token_json_carries_raw_prob_and_logprob():
    res = dojo("next-token", "The history of", "--show", "4", "--json")
    assert res.returncode == 0, res.stderr
    tokens = json.loads(res.stdout)["tokens"]
    assert len(tokens) == 4 and all(abs(math.log(t["prob"]) - t["logprob"]) < 1e-3 for t in tokens)


@pytest.mark.slow
def test_bad_input_is_one_error_line():  # six subprocesses, four of which load a model
    one_line_error(dojo("fill-mask", "no blank in this sentence"), "write [MASK]")
    one_line_error(dojo("fill-mask", "a [MASK] here", "--model", "dojo-tiny"), "causal", "llm-dojo score")
    one_line_error(dojo("score", "hello there", "--model", "dojo-tiny-mlm"), "masked", "fill-mask")
    one_line_error(dojo("next-token", "hello", "--model", "dojo-tiny-mlm"), "masked", "fill-mask")
    one_line_error(dojo("score", " "), "empty")
    one_line_error(dojo("fill-mask", "a [MASK]", "--top", "0"), "between 1 and")
