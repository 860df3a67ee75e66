"""`generate`, `next-token`, `compare`, `chat-template` as a user runs them: subprocesses, exit codes.

They run through the real ``llm-dojo`` entry point (``tui.cli.main``), so a DojoError
becomes one ``error:`` line and exit code 2, as for every command.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.cli_helpers import dojo, one_line_error


@pytest.fixture(scope="module")
def no_template_dir(tiny_llama_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("plain") / "no-template"
    shutil.copytree(tiny_llama_dir, out)
    (out / "chat_template.jinja").unlink(missing_ok=True)
    cfg = json.loads((out / "tokenizer_config.json").read_text())
    cfg.pop("chat_template", None)
    (out / "tokenizer_config.json").write_text(json.dumps(cfg))
    return out


def test_generate_json_has_text_ids_and_timing(tiny_llama_dir):
    res = dojo("generate", "the cat", "--model", str(tiny_llama_dir), "-n", "12", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert len(data["token_ids"]) == 12 and isinstance(data["text"], str)
    assert data["timing"]["time_to_first_token_s"] > 0 and data["timing"]["tokens_per_s"] > 0
    assert data["params"]["do_sample"] is False and data["finish_reason"] == "length"
    # greedy: the same ids as transformers' plain generate
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    ids = tok.encode("the cat")
    plain = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                           max_new_tokens=12, do_sample=False, pad_token_id=tok.pad_token_id)
    assert data["token_ids"] == plain[0, len(ids):].tolist()


def test_generate_streams_text_and_reports_speed(tiny_llama_dir):
    res = dojo("generate", "hello", "--model", str(tiny_llama_dir), "-n", "8", "--sample", "-t", "0",
               "--stop", "zzz-never")
    assert res.returncode == 0, res.stderr
    assert "note: temperature 0 always picks the most likely token" in res.stderr
    assert "never occurred" in res.stderr and "tokens/s" in res.stderr
    assert res.stdout.endswith("\n") and len(res.stdout) > 1


@pytest.mark.parametrize("args,needles", [
    (["--top-p", "1.5"], ["top-p 1.5 is outside (0, 1]"]),
    (["--top-p", "0"], ["top-p 0 is outside (0, 1]"]),
    (["--top-k", "-1"], ["top-k -1 must be a whole number >= 0"]),
    (["-t", "-1"], ["temperature -1 is negative"]),
    (["-n", "500"], ["max-new-tokens 500 is beyond the context", "new tokens fit"]),
    (["--stop", ""], ["a stop string is empty"]),
    (["--chat", "--format", "vicuna"], ["unknown chat format 'vicuna'"]),
])
def test_bad_generate_input_exits_2(tiny_llama_dir, args, needles):
    one_line_error(dojo("generate", "the cat", "--model", str(tiny_llama_dir), *args), *needles)


def test_prompt_longer_than_context(tiny_llama_dir):
    one_line_error(dojo("generate", "the cat sat on the mat. " * 40, "--model", str(tiny_llama_dir)),
                   "shorten the prompt")


def test_model_without_chat_template(no_template_dir):
    line = one_line_error(dojo("generate", "hi", "--model", str(no_template_dir), "--chat"), "no chat template")
    assert "--format" in line and "chatml" in line
    one_line_error(dojo("chat-template", "--model", str(no_template_dir)), "no chat template", "chatml")
    ok = dojo("generate", "hi", "--model", str(no_template_dir), "--chat", "--format", "chatml", "-n", "3", "--json")
    assert ok.returncode == 0, ok.stderr


def test_next_token_json_reports_each_stage(tiny_llama_dir):
    res = dojo("next-token", "the cat", "--model", str(tiny_llama_dir), "-t", "0.7", "--top-k", "20", "--top-p",
               "0.9", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    stages = {s["name"]: s for s in data["stages"]}
    assert list(stages) == ["raw", "temperature", "top-k", "top-p", "final"]
    assert stages["raw"]["kept"] == data["vocab_size"] and stages["top-k"]["kept"] == 20
    assert stages["final"]["kept"] == stages["top-p"]["kept"] <= 20
    one_line_error(dojo("next-token", "x", "--model", str(tiny_llama_dir), "--top-p", "2"), "top-p 2")


def test_next_token_table(tiny_llama_dir):
    res = dojo("next-token", "the cat", "--model", str(tiny_llama_dir), "--top-k", "5")
    assert res.returncode == 0, res.stderr
    assert "final" in res.stdout and "top-p" in res.stdout and "%" in res.stdout


def test_compare_json(tiny_llama_dir):
    res = dojo("compare", "the cat", "--model", str(tiny_llama_dir), "-n", "6", "--num-beams", "2", "--seeds", "1,2",
               "--json")
    assert res.returncode == 0, res.stderr
    labels = [c["label"] for c in json.loads(res.stdout)["candidates"]]
    assert labels == ["greedy", "beam 1", "beam 2", "seed 1", "seed 2"]
    one_line_error(dojo("compare", "x", "--model", str(tiny_llama_dir), "--seeds", "a,b"), "--seeds")


def test_chat_template_builtin_and_own(tiny_llama_dir):
    res = dojo("chat-template", "--format", "llama3", "--system", "be brief", "--user", "안녕", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["with_generation_prompt"] == ("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nbe brief"
                                              "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n안녕<|eot_id|>"
                                              "<|start_header_id|>assistant<|end_header_id|>\n\n")
    own = dojo("chat-template", "--model", str(tiny_llama_dir))
    assert own.returncode == 0 and "<|im_start|>assistant" in own.stdout
    one_line_error(dojo("chat-template", "--format", "vicuna"), "unknown chat format")
