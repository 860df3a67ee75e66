"""The models lab's Hub screen: Pilot searches the local fake Hub, reads a card, downloads, cancels,
deletes from the cache; offline it shows the cache only; snapshots 80x24 Korean and 120x40 English."""

from __future__ import annotations

import re

import pytest

from tests.fake_hub import FakeHub, FakeRepo, model_repo_files, point_client_at

from .conftest import make_app, screen_text

README = "---\nlicense: apache-2.0\n---\n# Tiny Llama card\n\nA *tiny* model for the tests.\n"


@pytest.fixture
def hub(monkeypatch, tmp_path, tiny_llama_dir, dojo_home):
    with FakeHub() as fake:
        fake.add(FakeRepo("dojo/tiny-llama", model_repo_files(tiny_llama_dir, README), tags=["transformers", "ko"],
                          task="text-generation", library="transformers", downloads=1234, likes=5))
        fake.add(FakeRepo("dojo/gated-llama", {"config.json": b"{}", "model.safetensors": b"x"}, gated="manual",
                          tags=["transformers", "ko"], task="text-generation", library="transformers", downloads=99))
        point_client_at(monkeypatch, fake.url, tmp_path / "hf-home")
        yield fake


async def _settle(app, pilot, rounds: int = 4) -> None:
    for _ in range(rounds):
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
    await pilot.pause()


async def _open_hub(app, pilot) -> None:
    await pilot.pause()
    app.open_lab("models", {"model": "dojo-tiny"})
    await _settle(app, pilot)
    await pilot.press("f3")  # the models lab's door to the Hub screen
    await _settle(app, pilot)


@pytest.mark.slow
async def test_search_card_download_cache_delete(hub) -> None:
    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_hub(app, pilot)
        assert "No token" in screen_text(app) and hub.url in screen_text(app)
        await pilot.press(*"llama", "enter")
        await _settle(app, pilot)
        text = screen_text(app)
        assert "dojo/tiny-llama" in text and "1,234" in text and "dojo/gated-llama (gated)" in text
        await pilot.press("enter")  # the first row: the most downloaded
        await _settle(app, pilot)
        text = screen_text(app)
        assert "Tiny Llama card" in text and "licence apache-2.0" in text and "model.safetensors" in text
        assert "license:" not in text  # the front matter is not shown as text
        await pilot.press("f5")
        await _settle(app, pilot, rounds=8)
        text = screen_text(app)
        assert "dojo/tiny-llama downloaded" in text
        assert any("to fetch" in str(n.message) for n in app._notifications)  # the size, said before downloading
        assert "Cache" in text
        await pilot.press("f8")  # delete: switches to the cache tab and asks first
        await _settle(app, pilot)
        assert "Delete dojo/tiny-llama from the cache?" in screen_text(app)
        await pilot.press("n")
        await _settle(app, pilot)
        assert "1 repositories in the cache" in screen_text(app)
        await pilot.press("f8")
        await _settle(app, pilot)
        await pilot.press("y")
        await _settle(app, pilot)
        assert "The cache is empty" in screen_text(app)
        await pilot.press("escape")
        await _settle(app, pilot)
        assert "dojo-tiny: LlamaForCausalLM" in screen_text(app)  # back on the tour


async def test_language_switch_keeps_the_results(hub) -> None:
    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_lab("models", {"screen": "hub"})
        await _settle(app, pilot)
        await pilot.press(*"llama", "enter")
        await _settle(app, pilot)
        app.lang = "ko"
        await _settle(app, pilot)
        text = screen_text(app)
        assert "허깅페이스 허브" in text and "저장소" in text and "dojo/tiny-llama" in text and "모델 카드" in text
        assert app.screen.query_one("#hub-query").value == "llama"


async def test_gated_download_says_what_to_do(hub) -> None:
    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_hub(app, pilot)
        await pilot.press(*"gated", "enter")
        await _settle(app, pilot)
        await pilot.press("f5")
        await _settle(app, pilot)
        assert any("gated (403)" in str(n.message) and "accept its conditions" in str(n.message)
                   for n in app._notifications)


@pytest.mark.slow
async def test_cancel_keeps_finished_files(hub, monkeypatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 8192)
    hub.slow = 0.2
    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_hub(app, pilot)
        await pilot.press(*"tiny", "enter")
        await _settle(app, pilot)
        await pilot.press("enter")
        await _settle(app, pilot)
        await pilot.press("f5")
        for _ in range(100):
            await pilot.pause(0.05)
            if re.search(r"files [1-9]/", screen_text(app)):
                break
        await pilot.press("f6")
        await _settle(app, pilot, rounds=6)
        assert any("cancelled" in str(n.message) for n in app._notifications), screen_text(app)
        assert "files already finished stay in the cache" in screen_text(app)
        hub.slow = 0.0
        from pathlib import Path

        # the files finished before the cancel (the snapshot links only completed ones); which ones
        # they are depends on timing, so the check is on those, whatever they are
        finished = {f.name for f in Path(constants.HF_HUB_CACHE).glob("models--dojo--tiny-llama/snapshots/*/*")}
        assert finished, "at least one file was finished before the cancel"
        fetched_before = {name: len(hub.gets(name)) for name in finished}
        await pilot.press("f5")  # again: only what is missing
        await _settle(app, pilot, rounds=8)
        assert "dojo/tiny-llama downloaded" in screen_text(app)
        assert {name: len(hub.gets(name)) for name in finished} == fetched_before  # none fetched twice
        await pilot.press("escape")
        for _ in range(30):  # the tour reloads its list in a worker when the Hub screen closes
            await _settle(app, pilot, rounds=1)
            text = screen_text(app)
            if "dojo/tiny-llama" in text:
                break
        assert "dojo/tiny-llama" in text and "HF cache" in text  # the tour's list now holds the download


async def test_login_masked_and_logout(hub, tmp_path) -> None:
    from tests.fake_hub import GOOD_TOKEN

    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_lab("models", {"screen": "hub"})
        await _settle(app, pilot)
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*GOOD_TOKEN)
        assert GOOD_TOKEN not in screen_text(app)  # the input is masked
        await pilot.press("enter")
        await _settle(app, pilot)
        assert "Logged in as dojo-student" in screen_text(app)
        assert (tmp_path / "hf-home" / "token").read_text().strip() == GOOD_TOKEN
        await pilot.press("f4")
        await _settle(app, pilot)
        assert "No token" in screen_text(app)


async def test_offline_shows_the_cache_only(hub, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        before = len(hub.requests)
        app.open_lab("models", {"screen": "hub"})
        await _settle(app, pilot)
        text = screen_text(app)
        assert "Offline (HF_HUB_OFFLINE)" in text and "The cache is empty" in text
        assert len(hub.requests) == before


async def test_unreachable_hub_says_so_and_shows_the_cache(dojo_home, monkeypatch, tmp_path) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    point_client_at(monkeypatch, f"http://127.0.0.1:{port}", tmp_path)
    app = make_app("en")
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_lab("models", {"screen": "hub"})
        await _settle(app, pilot)
        text = screen_text(app)
        assert "cannot reach the hub" in text and "The cache is empty" in text
        assert app.screen.query_one("#hub-tabs").active == "hub-tab-cache"


@pytest.mark.parametrize("lang,size", [("ko", (80, 24)), ("en", (120, 40))])
def test_snapshot(snap_compare, hub, lang: str, size: tuple[int, int]) -> None:
    app = make_app(lang)

    async def search(pilot) -> None:
        app.open_lab("models", {"screen": "hub"})
        await _settle(app, pilot)
        await pilot.press(*"llama", "enter")
        await _settle(app, pilot)
        from dataclasses import replace

        screen = app.screen
        screen.status = replace(screen.status, endpoint="http://127.0.0.1:PORT")  # the port changes per run
        screen._draw_status()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=search)
