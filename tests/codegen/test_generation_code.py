"""The generation lab's code (issue 21): the exported snippet, run on its own, writes what the
lab wrote (greedy and seeded sampling, plain prompt and chat template)."""

from __future__ import annotations

import json

import pytest

from engine.codegen.generation import generation_snippet
from engine.generation.params import SamplingParams
from tests.cli_helpers import dojo

from .helpers import run_snippet


@pytest.fixture(scope="module")
def tiny():
    from engine.models.load import load_model

    return load_model("dojo-tiny")


def lab_text(tiny, prompt: str, params: SamplingParams, chat: bool = False, system: str | None = None) -> str:
    from engine.generation.api import generate
    from engine.generation.chat_formats import encode_prompt

    ids = encode_prompt(tiny.tokenizer, prompt, chat=chat, system=system)
    return generate(tiny.model, tiny.tokenizer, ids, params).text


@pytest.mark.parametrize("prompt,params,chat,system", [
    ("The history of", SamplingParams(max_new_tokens=16), False, None),
    ("토크나이저가 뭐예요?", SamplingParams(do_sample=True, temperature=0.8, top_k=20, seed=5, max_new_tokens=16), True,
     "친절하게 답하세요."),
])
def test_snippet_writes_what_the_lab_wrote(tiny, prompt, params, chat, system):
    snippet = generation_snippet("dojo-tiny", prompt, params, chat=chat, system=system)
    assert "model.generate(" in snippet.code and ("apply_chat_template" in snippet.code) == chat
    out = run_snippet(snippet.text())
    assert out.strip() == lab_text(tiny, prompt, params, chat, system).strip()


def test_cli_show_code_prints_runnable_code_instead_of_running():
    shown = dojo("generate", "The history of", "-n", "12", "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# Generate a continuation with dojo-tiny (greedy)")
    ran = json.loads(dojo("generate", "The history of", "-n", "12", "--json").stdout)
    assert run_snippet(shown.stdout).strip() == ran["text"].strip()


@pytest.mark.parametrize("args", [
    ["The history of", "--temperature", "0.8", "--top-k", "20", "--top-p", "0.9", "--repetition-penalty", "1.2"],
    ["토크나이저", "--temperature", "0", "--chat"],
])
def test_next_token_show_code_gives_every_stage_of_the_cli(args):
    """``next-token --show-code``: the logits processors of ``generate`` by hand, the same stages."""
    shown = dojo("next-token", *args, "--show", "5", "--show-code")
    assert shown.returncode == 0, shown.stderr
    ran = json.loads(dojo("next-token", *args, "--show", "5", "--json").stdout)
    out = json.loads(run_snippet(shown.stdout))
    assert out["prompt_tokens"] == ran["prompt_tokens"] and out["vocab_size"] == ran["vocab_size"]
    assert [t["id"] for t in out["tokens"]] == [t["id"] for t in ran["tokens"]]
    assert [s["name"] for s in out["stages"]] == [s["name"] for s in ran["stages"]]
    for mine, theirs in zip(out["stages"], ran["stages"]):
        assert mine["kept"] == theirs["kept"], mine["name"]
        assert mine["mass"] == pytest.approx(theirs["mass"], abs=1e-5)
        assert mine["probs"] == pytest.approx(theirs["probs"], abs=1e-5)
