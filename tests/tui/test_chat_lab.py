"""The chat lab under Pilot: sending streams a reply with its speed, Esc stops it, F2 switches
adapters without reloading the base, saved chats reopen (a corrupt one is named), and a
Korean conversation fits 80x24."""

from __future__ import annotations

import json

import pytest
from textual.app import App

from engine.chat.conversation import ChatMessage, Conversation
from engine.chat.store import ChatStore
from tests.engine.test_chat import make_adapter
from tui.labs import register_strings
from tui.labs.chat.screen import ChatScreen

from .conftest import make_app, screen_text


@pytest.fixture
def loaded(tiny_llama_dir):
    """A fresh load per test: adapters stay on a loaded base (``AdapterSet.on``), so tests must not share one."""
    from engine.models.load import load_model

    return load_model(str(tiny_llama_dir))


@pytest.fixture(scope="module")
def adapter_dir(tiny_llama_dir, tmp_path_factory):
    return make_adapter(tiny_llama_dir, tmp_path_factory.mktemp("ad") / "kind", 1)


class LabApp(App):
    def __init__(self, loaded, try_it=None, store=None):
        super().__init__()
        register_strings()
        from tui import i18n

        i18n.set_lang("en")
        self.loaded, self.try_it, self.store = loaded, try_it or {}, store
        self.loads = 0

    def load(self, name):
        self.loads += 1
        return self.loaded

    def on_mount(self) -> None:
        self.push_screen(ChatScreen("dojo-tiny", self.try_it, load=self.load, store=self.store))


async def home_ready(pilot) -> None:
    from tui.screens.home import HomeScreen

    for _ in range(50):
        if isinstance(pilot.app.screen, HomeScreen):
            return
        await pilot.pause(0.05)
    raise AssertionError("the home map did not open")


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    area = pilot.app.screen.query_one("#chat-input")
    area.insert(text)
    await pilot.pause()


async def test_send_streams_reply_with_speed_and_saves(loaded, tmp_path):
    store = ChatStore(tmp_path / "chats")
    app = LabApp(loaded, {"max_new_tokens": 8}, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.focused is screen.query_one("#chat-input")
        await pilot.press("q", "l")  # app keys do nothing while typing: they are text
        assert screen.query_one("#chat-input").text == "ql"
        screen.query_one("#chat-input").text = ""
        await pilot.press("enter")  # empty: refused, nothing sent
        await settle(pilot)
        assert screen.session.conversation.messages == []
        await type_text(pilot, "안녕")
        await pilot.press("ctrl+n")
        await type_text(pilot, "하세요")
        await pilot.press("enter")
        await settle(pilot)
        msgs = screen.session.conversation.messages
        assert [m.role for m in msgs] == ["user", "assistant"] and msgs[0].content == "안녕\n하세요"
        text = screen_text(app)
        assert "you: 안녕" in text and f"base model: {msgs[1].tokens} tokens" in text and "tokens/s" in text
        assert screen.query_one("#chat-input").text == ""
        saved, _ = store.list()
        assert [len(c.messages) for c in saved] == [2]
        await pilot.press("up")  # history: the last message comes back into the input
        assert screen.query_one("#chat-input").text == "안녕\n하세요"
        first = msgs[1]
        await pilot.press("ctrl+r")  # regenerate: the last answer is replaced, not added to
        await settle(pilot)
        msgs = screen.session.conversation.messages
        assert len(msgs) == 2 and msgs[1] is not first and msgs[1].content == first.content  # greedy: same text
        assert len(screen.query("Bubble")) == 2


async def test_escape_stops_a_reply(loaded, tmp_path):
    import time

    loaded.model.register_forward_hook(lambda *a: time.sleep(0.02))  # 100 tokens take 2 s: Esc comes first
    app = LabApp(loaded, {"max_new_tokens": 100}, ChatStore(tmp_path / "chats"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, "hello")
        await pilot.press("enter", "escape")
        await settle(pilot)
        reply = app.screen.session.conversation.messages[-1]
        assert reply.finish_reason == "cancelled" and reply.tokens < 100
        assert "stopped after" in screen_text(app)
        assert isinstance(app.screen, ChatScreen)  # the first Esc stopped, it did not leave


async def test_f2_switches_adapter_without_reloading(loaded, adapter_dir, tmp_path):
    app = LabApp(loaded, {"max_new_tokens": 4, "adapters": [str(adapter_dir)]}, ChatStore(tmp_path / "chats"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "adapter: kind" in screen_text(app)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f2")
        assert "adapter: base model" in screen_text(app)
        await type_text(pilot, "world")
        await pilot.press("enter")
        await settle(pilot)
        assert [m.adapter for m in screen.session.conversation.messages if m.role == "assistant"] == ["kind", None]
        assert screen.session.loaded.model is loaded.model and app.loads == 1
        await pilot.press("f2")
        assert "adapter: kind" in screen_text(app)
        await pilot.press("f3")  # side by side: base and adapter answer the last message
        await settle(pilot)
        side = screen.query_one("#chat-side")
        assert side.display and "kind:" in screen_text(app)
        assert len(screen.session.conversation.messages) == 4  # side by side adds nothing


def saved_conversation() -> Conversation:
    conv = Conversation(system="너는 친절한 선생님이야.", model="dojo-tiny", title="하늘 색깔", id="20261203-080000-abc123",
                        created=1.0, updated=2.0)
    conv.messages = [
        ChatMessage("user", "하늘은 왜 파란색이야?"),
        ChatMessage("assistant", "햇빛이 공기 분자에 부딪혀 **파란빛**이 더 많이 흩어지기 때문이에요.", adapter=None,
                    tokens=21, tokens_per_s=48.5, first_token_ms=35.0, finish_reason="eos"),
        ChatMessage("user", "노을은 왜 붉어?"),
        ChatMessage("assistant", "해가 낮으면 빛이 공기를 길게 지나며 파란빛이 먼저 흩어져 붉은빛이 남아요.",
                    adapter="kind", tokens=24, tokens_per_s=47.0, first_token_ms=31.0, finish_reason="eos"),
    ]
    return conv


async def test_reopen_saved_chat_and_corrupt_one_named(loaded, tmp_path):
    store = ChatStore(tmp_path / "chats")
    store.save(saved_conversation())
    (store.folder / "broken.json").write_text("{oops", encoding="utf-8")
    app = LabApp(loaded, {}, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        assert "하늘 색깔 (4 messages, dojo-tiny)" in screen_text(app)
        assert any("broken.json" in n.message for n in app._notifications)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.session.conversation.id == "20261203-080000-abc123"
        text = screen_text(app)
        assert "노을은 왜 붉어?" in text and "kind: 24 tokens" in text


async def test_chat_entry_opens_the_lab_in_the_app(dojo_home, loaded):
    app = make_app("en", labs={"chat": lambda try_it: ChatScreen("dojo-tiny", try_it, load=lambda name: loaded)})
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        app.action_open_chat()
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ChatScreen)


def test_chat_is_registered():
    from tui.labs import PACKAGES

    assert PACKAGES["chat"] == "tui.labs.chat"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_korean_chat(snap_compare, dojo_home, loaded, size):
    store = ChatStore()
    app = make_app("ko", labs={"chat": lambda try_it: ChatScreen("dojo-tiny", try_it, load=lambda name: loaded,
                                                                 store=store)})

    async def reopen(pilot) -> None:
        store.save(saved_conversation())
        await home_ready(pilot)
        app.open_lab("chat", {})
        await settle(pilot)
        app.screen.query_one("#chat-input").cursor_blink = False
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=reopen)


def test_saved_file_is_json(tmp_path):
    store = ChatStore(tmp_path)
    path = store.save(saved_conversation())
    assert json.loads(path.read_text(encoding="utf-8"))["title"] == "하늘 색깔"


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_footer_fits_80_columns(dojo_home, loaded, lang):
    from tui.i18n import t

    app = make_app(lang, labs={"chat": lambda try_it: ChatScreen("dojo-tiny", try_it, load=lambda name: loaded)})
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        app.open_lab("chat", {})
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for key in ("stop", "adapter", "side", "new", "saved", "settings"):
            assert t(f"key.chat.{key}") in footer, (key, footer)
        assert f"f12 {t('key.code.show')}" in footer, footer  # show the code


async def test_settings_edit_copy_and_export(loaded, tmp_path):
    store = ChatStore(tmp_path / "chats")
    app = LabApp(loaded, {"max_new_tokens": 4}, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "greedy, at most 4 tokens" in screen_text(app)
        await pilot.press("f8")
        await pilot.pause()
        app.screen.query_one("#chat-set-system").value = "Be brief."
        await pilot.press("f2", "right", "right", "enter")  # sampling on, temperature 1.0 -> 1.1
        await pilot.pause()
        assert screen.session.conversation.system == "Be brief."
        assert screen.session.params.do_sample and screen.session.params.temperature == pytest.approx(1.1)
        assert "sampling T=1.1, at most 4 tokens" in screen_text(app)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await settle(pilot)
        reply = screen.session.conversation.messages[-1].content
        await pilot.press("f9")
        assert app.clipboard == reply
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert screen.session.conversation.messages == [] and screen.query_one("#chat-input").text == "hello"
        await type_text(pilot, " again")
        await pilot.press("enter")
        await settle(pilot)
        assert [m.content for m in screen.session.conversation.messages][0] == "hello again"
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one("#chat-saved-rename").value = "인사"
        await pilot.press("enter")
        await pilot.pause()
        assert "인사 (2 messages" in screen_text(app) and store.list()[0][0].title == "인사"
        await pilot.press("f7")
        await pilot.pause()
        conv_id = screen.session.conversation.id
        assert (store.folder / "exports" / f"{conv_id}.md").read_text(encoding="utf-8").count("## user") == 1
        assert json.loads((store.folder / "exports" / f"{conv_id}.json").read_text(encoding="utf-8"))["id"] == conv_id
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert store.list()[0] == [] and "No saved chats yet" in screen_text(app)


async def test_ctrl_o_loads_adapter_and_refuses_a_model_folder(loaded, adapter_dir, tiny_llama_dir, tmp_path):
    app = LabApp(loaded, {"max_new_tokens": 4}, ChatStore(tmp_path / "chats"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("f2")
        assert any("Ctrl+O" in n.message for n in app._notifications)
        for path, ok in ((str(tiny_llama_dir), False), (str(adapter_dir), True)):
            await pilot.press("ctrl+o")
            await pilot.pause()
            app.screen.query_one("#chat-pick-path").value = path
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ChatScreen)
            assert screen.session.adapters.names == (["kind"] if ok else [])
        assert any("is not a PEFT adapter" in n.message for n in app._notifications)
        assert "adapter: kind" in screen_text(app) and app.loads == 1


async def test_chat_command_opens_the_app_on_the_chat_screen(dojo_home, tiny_llama_dir):
    from functools import partial

    from engine.course.lessons import load_course
    from tui.commands.chat import chat_first_app
    from tui.screens.home import HomeScreen
    from tui.services import real_services

    from .conftest import FIXTURE_COURSE

    services = real_services("en")
    services.load_course = partial(load_course, FIXTURE_COURSE)
    services.preload = None
    app = chat_first_app("en", {"model": str(tiny_llama_dir), "max_new_tokens": 3}, services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.session.model_name == str(tiny_llama_dir)
        assert app.screen.session.params.max_new_tokens == 3
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_leaving_and_coming_back_keeps_the_chat(dojo_home, loaded):
    app = make_app("en", labs={"chat": lambda try_it: ChatScreen("dojo-tiny", try_it, load=lambda name: loaded)})
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        app.open_lab("chat", {"max_new_tokens": 3})
        await settle(pilot)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await settle(pilot)
        conv_id = app.screen.session.conversation.id
        await pilot.press("escape")
        await pilot.pause()
        await home_ready(pilot)
        app.open_lab("chat", {})
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.session.conversation.id == conv_id and "you: hello" in screen_text(app)
