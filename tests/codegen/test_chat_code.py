"""The chat lab's code (issue 21): base + LoRA adapters with peft's PeftModel, the conversation
through the chat template, ``generate`` with the chat's settings; run on its own, the script
writes the lab's greedy reply. F12 in the chat lab, and `llm-dojo chat --show-code`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from engine.codegen.chat import session_snippet
from engine.generation.params import SamplingParams
from tests.cli_helpers import dojo

from .helpers import run_snippet


@pytest.fixture(scope="module")
def tiny():
    from engine.models.load import load_model

    return load_model("dojo-tiny", device="cpu", dtype="float32")


@pytest.fixture(scope="module")
def adapter(tmp_path_factory) -> Path:
    """A LoRA adapter with random (non-zero) B, saved by peft itself: it changes every reply."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from engine.codegen.generation import model_path

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(model_path("dojo-tiny"))
    peft = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                           init_lora_weights=False))
    folder = tmp_path_factory.mktemp("adapters") / "polite"
    peft.save_pretrained(folder)
    return folder


def session_on(tiny, system: str, params: SamplingParams):
    from engine.chat.session import ChatSession

    session = ChatSession(tiny, "dojo-tiny", params)
    session.conversation.system = system
    return session


def test_snippet_writes_the_labs_reply_with_the_adapter(tiny, adapter):
    session = session_on(tiny, "짧고 친절하게 답하세요.", SamplingParams(max_new_tokens=12))
    name = session.add_adapter(str(adapter))
    try:
        session.adapters.use(None)
        session.reply("안녕하세요")  # the base answers the first turn
        session.adapters.use(name)
        tuned = session.reply("LoRA가 뭐예요?")
        snippet = session_snippet(session)
        code = snippet.code
        assert f"PeftModel.from_pretrained(model, {str(adapter)!r}, adapter_name='polite')" in code
        assert "apply_chat_template" in code and "max_new_tokens=12" in code and "'안녕하세요'" in code
        assert run_snippet(snippet.text()).strip() == tuned.text

        session.adapters.use(None)
        base = session.regenerate()  # the same question, now answered by the base with the adapter loaded
        code = session_snippet(session).code
        assert "with model.disable_adapter():" in code and "set_adapter" not in code
        compile(code, "snippet.py", "exec")
        assert base.text != tuned.text  # the adapter really answers
    finally:
        session.adapters.use(None)


def run_with_stdin(code: str, stdin: str) -> str:
    """``helpers.run_snippet`` for a script that reads its messages from stdin."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snippet.py"
        path.write_text(code, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["HF_HUB_OFFLINE"] = "1"
        res = subprocess.run([sys.executable, str(path)], input=stdin, capture_output=True, text=True, cwd=tmp,
                             env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


@pytest.mark.slow  # two processes: the CLI, then the script it printed
def test_cli_show_code_is_a_chat_loop_that_answers_like_the_lab(tiny):
    shown = dojo("chat", "-m", "dojo-tiny", "--system", "Answer briefly.", "-n", "10", "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# Chat with dojo-tiny (the base model, greedy)")
    session = session_on(tiny, "Answer briefly.", SamplingParams(max_new_tokens=10))
    lab = [session.reply(text).text for text in ("What is a token?", "And LoRA?")]
    out = run_with_stdin(shown.stdout, "What is a token?\nAnd LoRA?\n")
    assert out == "".join(reply + "\n" for reply in lab)


async def test_f12_in_the_chat_lab_shows_the_last_reply_as_code(tiny, isolated_home):
    from engine.chat.store import ChatStore
    from tui.i18n import set_lang
    from tui.labs.chat.screen import ChatScreen
    from tui.widgets.code_panel import CodePanel

    from .test_code_panel import LabApp, settle, text_of

    set_lang("en")
    app = LabApp(ChatScreen("dojo-tiny", {"max_new_tokens": 6, "system": "Be brief."}, load=lambda name: tiny,
                            store=ChatStore(isolated_home / "chats")))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        lab = app.screen
        await pilot.press("f12")  # nothing said yet: nothing to show
        await pilot.pause()
        assert app.screen is lab and any(n.severity == "warning" for n in app._notifications)
        lab.query_one("#chat-input").insert("What is a token?")
        await pilot.press("enter")
        await settle(pilot)
        reply = lab.session.conversation.messages[-1].content
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        shown = text_of(app)
        assert "Answer the conversation with dojo-tiny" in shown and "apply_chat_template" in shown
        code = app.screen.snippet.code
        assert "{'role': 'system', 'content': 'Be brief.'}" in code and "'What is a token?'" in code
        assert "max_new_tokens=6" in code and reply  # the reply the code reproduces
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lab


def test_cli_show_code_of_a_saved_chat_answers_its_last_message_again(isolated_home):
    from engine.chat.conversation import ChatMessage, Conversation
    from engine.chat.store import ChatStore

    conv = Conversation(system="Be kind.", model="dojo-tiny", settings={"max_new_tokens": 7, "temperature": 0.7,
                                                                         "seed": 11})
    conv.add_user("What is a token?")
    conv.add_reply(ChatMessage("assistant", "A piece of text."))
    ChatStore().save(conv)
    shown = dojo("chat", "--resume", conv.id, "--show-code")
    assert shown.returncode == 0, shown.stderr
    code = shown.stdout
    assert code.startswith("# Answer the conversation with dojo-tiny (the base model, sample)")
    assert "{'role': 'user', 'content': 'What is a token?'}" in code and "A piece of text." not in code
    assert "temperature=0.7" in code and "set_seed(11)" in code and "max_new_tokens=7" in code
    compile(code, "snippet.py", "exec")
