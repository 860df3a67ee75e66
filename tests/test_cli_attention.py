"""`llm-dojo attention/posenc/rope` through the real CLI: --json parsed, bad input is one error line."""

from __future__ import annotations

import json
import math

from tests.cli_helpers import dojo, one_line_error


def test_attention_json():
    res = dojo("attention", "The cat sat on the mat", "--layer", "1", "--head", "2", "--json", "--all")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    n = len(data["tokens"])
    assert data["causal"] and data["head"] == 2 and len(data["map"]) == n
    for i, row in enumerate(data["map"]):
        assert abs(sum(row) - 1) < 1e-3 and all(v == 0 for v in row[i + 1:])
    assert data["scores_check"] < 1e-5 and len(data["attends_to"]) == n
    assert data["notices"][0]["key"] == "att.switched_eager"
    # --all: every layer and head; the selected map is layer 1, head 2 of them
    assert len(data["weights"]) == 4 and len(data["weights"][1]) == 4 and data["weights"][1][2] == data["map"]
    assert len(data["scores"][0][0]) == n and len(data["attends_to_by_head"]) == 4


def test_attention_scores_view_masks_the_future():
    res = dojo("attention", "The cat sat", "--scores", "--json")
    data = json.loads(res.stdout)
    assert data["view"] == "scores" and data["head"] == "average"
    assert data["map"][0][1] is None and data["map"][1][0] is not None


def test_posenc_json_matches_formula():
    data = json.loads(dojo("posenc", "--length", "5", "--dim", "4", "--json").stdout)
    assert data["matrix"][3][2] == round(math.sin(3 / 10000 ** (2 / 4)), 6)
    assert data["matrix"][3][3] == round(math.cos(3 / 10000 ** (2 / 4)), 6)
    assert len(data["distance_dot"]) == 5 and data["distance_dot"][0] == 2.0


def test_rope_json():
    data = json.loads(dojo("rope", "--json").stdout)
    assert data["offset_spread"] < 1e-4 and data["content_change"] > 0.1
    assert set(data["by_offset"]) == {"0", "1", "2", "3"}


def test_bad_input_is_one_line():
    one_line_error(dojo("attention", "  "), "empty")
    one_line_error(dojo("attention", "hi", "--layer", "9"), "layers 0 to 3")
    one_line_error(dojo("posenc", "--dim", "7"), "odd")
    one_line_error(dojo("encoder", "--data", "fr"), "ko")
    one_line_error(dojo("encoder", "--d-model", "30"), "divisible")
