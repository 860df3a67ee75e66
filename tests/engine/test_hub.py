"""The hub engine against a local fake Hub, through the real huggingface_hub client.

Independent checks: downloaded bytes equal the served bytes (sha256), the cache listing
matches ``scan_cache_dir`` and the files on disk, the fake server's request log shows
what the client really fetched (Range requests when resuming, nothing again after a cancel).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from engine.errors import DojoError
from tests.fake_hub import GOOD_TOKEN, FakeHub, FakeRepo, model_repo_files, point_client_at

README = "---\nlicense: apache-2.0\nlanguage: [ko, en]\n---\n# Tiny Llama\n\nA **tiny** model for tests.\n"


@pytest.fixture
def hub(monkeypatch, tmp_path, tiny_llama_dir):
    with FakeHub() as fake:
        files = model_repo_files(tiny_llama_dir, README)
        fake.add(FakeRepo("dojo/tiny-llama", files, tags=["transformers", "ko", "en", "safetensors"],
                          task="text-generation", library="transformers", downloads=500, likes=3))
        fake.add(FakeRepo("dojo/kobert-ish", {"config.json": b"{}", "model.safetensors": b"x" * 10},
                          tags=["transformers", "ko"], task="fill-mask", library="transformers", downloads=900))
        fake.add(FakeRepo("dojo/english-only", {"config.json": b"{}", "model.safetensors": b"x"}, tags=["en"],
                          task="text-generation", library="transformers", downloads=10_000))
        fake.add(FakeRepo("dojo/gated-llama", files, gated="manual", tags=["transformers", "ko"],
                          task="text-generation", library="transformers", licence="llama3"))
        fake.add(FakeRepo("dojo/pickle-only", {"config.json": b"{}", "pytorch_model.bin": b"p" * 100},
                          tags=["ko"], library="transformers"))
        fake.add(FakeRepo("dojo/both-formats", {"config.json": b"{}", "pytorch_model.bin": b"p" * 100,
                                                "model.safetensors": b"s" * 100}, tags=["en"]))
        fake.add(FakeRepo("dojo/ko-reviews", {"data.jsonl": b"{}\n"}, kind="dataset",
                          tags=["language:ko", "task_categories:text-classification"], downloads=7))
        point_client_at(monkeypatch, fake.url, tmp_path / "hf-home")
        yield fake


def test_token_login_whoami_logout(hub, tmp_path) -> None:
    from engine.hub.client import login, logout, token_status

    assert token_status().configured is False
    with pytest.raises(DojoError, match=r"refused the token \(401"):
        login("hf_wrong")
    assert not (tmp_path / "hf-home" / "token").exists()
    status = login(GOOD_TOKEN)
    assert status.configured and status.source == "file" and status.user == "dojo-student"
    assert (tmp_path / "hf-home" / "token").read_text().strip() == GOOD_TOKEN  # where huggingface_hub keeps it
    assert GOOD_TOKEN not in repr(status.to_dict())
    assert logout().configured is False and not (tmp_path / "hf-home" / "token").exists()


def test_invalid_saved_token_is_401(hub, monkeypatch) -> None:
    from engine.hub.client import token_status

    monkeypatch.setenv("HF_TOKEN", "hf_expired")
    with pytest.raises(DojoError, match="401"):
        token_status()


def test_search_filters_korean_first_and_sort(hub) -> None:
    from engine.hub.client import HubSearchConfig, search

    res = search(HubSearchConfig(query="", library="transformers"))
    assert [h.repo for h in res.hits] == ["dojo/kobert-ish", "dojo/tiny-llama", "dojo/gated-llama"]  # ko, by downloads
    assert res.hits[2].gated is True
    res = search(HubSearchConfig(query="llama", task="text-generation", language=""))
    assert {h.repo for h in res.hits} == {"dojo/tiny-llama", "dojo/gated-llama"}
    assert [h.repo for h in search(HubSearchConfig(language="", limit=1)).hits] == ["dojo/english-only"]
    ds = search(HubSearchConfig(kind="dataset", task="text-classification"))
    assert [h.repo for h in ds.hits] == ["dojo/ko-reviews"]


def test_card_reads_readme_licence_files(hub, tiny_llama_dir) -> None:
    from engine.hub.client import card

    c = card("dojo/tiny-llama")
    assert c.licence == "apache-2.0" and c.gated is False and c.weight_format == "safetensors"
    assert c.readme.startswith("# Tiny Llama") and "license:" not in c.readme
    sizes = {f.name: f.size for f in c.files}
    assert sizes["model.safetensors"] == (tiny_llama_dir / "model.safetensors").stat().st_size
    assert c.total_bytes == sum(sizes.values())
    g = card("dojo/gated-llama")
    assert g.gated and g.gated_mode == "manual" and g.readme == "" and g.licence == "llama3"


def test_bad_repos_are_one_line(hub) -> None:
    from engine.hub.client import card
    from engine.hub.download import HubDownloadConfig, plan

    with pytest.raises(DojoError, match=r"no repository dojo/nope on the hub \(404\)"):
        card("dojo/nope")
    with pytest.raises(DojoError, match=r"gated \(403\).*accept its conditions"):
        plan(HubDownloadConfig("dojo/gated-llama"))
    with pytest.raises(DojoError, match="--allow-pickle"):
        plan(HubDownloadConfig("dojo/pickle-only"))
    assert [f["name"] for f in plan(HubDownloadConfig("dojo/pickle-only", allow_pickle=True)).files] == [
        "config.json", "pytorch_model.bin"]
    both = plan(HubDownloadConfig("dojo/both-formats", allow_pickle=True))
    assert [f["name"] for f in both.files] == ["config.json", "model.safetensors"]  # never the pickle copy too
    with pytest.raises(DojoError, match="not a repository name"):
        HubDownloadConfig("../etc/passwd")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_plan_progress_and_files(hub, tiny_llama_dir) -> None:
    from engine.hub.download import HubDownloadConfig, HubDownloaded, HubPlan, HubProgress, download_events
    from engine.models.load import load_model

    events = list(download_events(HubDownloadConfig("dojo/tiny-llama")))
    p = events[0]
    assert isinstance(p, HubPlan)
    names = {f["name"] for f in p.files}
    assert "model.safetensors" in names and "config.json" in names and "README.md" in names
    assert not names & {"onnx/model.onnx", "training_args.bin", "consolidated.safetensors", "original/tokenizer.model"}
    expected = {n: b for n, b in hub.repos[("model", "dojo/tiny-llama")].files.items() if n in names}
    assert p.total_bytes == sum(len(b) for b in expected.values()) and p.cached_bytes == 0
    progress = [e for e in events if isinstance(e, HubProgress)]
    assert progress[-1].done == p.total_bytes and progress[-1].fraction == 1.0
    assert all(a.done <= b.done for a, b in zip(progress, progress[1:]))
    done = events[-1]
    assert isinstance(done, HubDownloaded)
    for name, data in expected.items():
        assert _sha((Path(done.path) / name).read_bytes()) == _sha(data)
    assert not (Path(done.path) / "onnx").exists()
    assert hub.gets("model.onnx") == []
    loaded = load_model("dojo/tiny-llama")  # the engine finds it in the HF cache, offline
    assert loaded.model.config.hidden_size == 32
    again = list(download_events(HubDownloadConfig("dojo/tiny-llama")))
    assert again[0].cached_bytes == again[0].total_bytes and again[0].needed_bytes == 0


def test_resume_after_connection_drop(hub, monkeypatch) -> None:
    from huggingface_hub import constants

    from engine.hub.download import HubDownloadConfig, HubDownloaded, download_events

    # huggingface_hub writes in DOWNLOAD_CHUNK_SIZE pieces (10 MB) and resumes from the last whole piece;
    # smaller pieces make that visible on a small file.
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 8192)
    hub.drop_once = {"model.safetensors"}
    done = list(download_events(HubDownloadConfig("dojo/tiny-llama", workers=1)))[-1]
    assert isinstance(done, HubDownloaded)
    data = hub.repos[("model", "dojo/tiny-llama")].files["model.safetensors"]
    ranges = hub.gets("model.safetensors")
    assert ranges[0] is None and ranges[1].startswith("bytes=") and len(ranges) == 2
    resumed_at = int(ranges[1][6:-1])
    assert 0 < resumed_at <= len(data) // 2  # the second GET asked only for the rest
    assert _sha((Path(done.path) / "model.safetensors").read_bytes()) == _sha(data)


def test_cancel_keeps_finished_files_and_rerun_fetches_the_rest(hub, monkeypatch) -> None:
    from huggingface_hub import constants

    from engine.hub.download import HubDownloadConfig, HubProgress, download_events, plan_files_cached

    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 8192)
    hub.slow = 0.02
    cancel = threading.Event()
    seen = []
    with pytest.raises(DojoError, match="cancelled") as err:
        for ev in download_events(HubDownloadConfig("dojo/tiny-llama", workers=1), cancel):
            if isinstance(ev, HubProgress):
                seen.append(ev)
                if ev.files_done >= 1:
                    cancel.set()
    from engine.hub.download import plan

    after = plan(HubDownloadConfig("dojo/tiny-llama"))
    kept = [f["name"] for f in after.files if f["cached"]]
    assert 1 <= len(kept) < len(after.files), kept
    assert str(len(kept)) in str(err.value)
    assert plan_files_cached(after) == kept
    hub.slow = 0.0
    before = len(hub.requests)
    list(download_events(HubDownloadConfig("dojo/tiny-llama")))
    fetched = [path for method, path, _ in hub.requests[before:] if method == "GET" and "/resolve/" in path]
    assert all(not any(path.endswith("/" + k) for k in kept) for path in fetched)
    assert len(fetched) == len(after.files) - len(kept)


def test_not_enough_disk(hub, monkeypatch) -> None:
    import shutil
    from collections import namedtuple

    from engine.hub.download import HubDownloadConfig, plan

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9, 1000))
    with pytest.raises(DojoError, match="not enough disk space for dojo/tiny-llama"):
        plan(HubDownloadConfig("dojo/tiny-llama"))


def test_cache_listing_and_delete(hub) -> None:
    from huggingface_hub import constants, scan_cache_dir

    from engine.hub.cache import delete, listing
    from engine.hub.download import HubDownloadConfig, download_events

    assert listing().repos == []
    list(download_events(HubDownloadConfig("dojo/tiny-llama")))
    list(download_events(HubDownloadConfig("dojo/kobert-ish")))
    lst = listing()
    assert {r.repo for r in lst.repos} == {"dojo/tiny-llama", "dojo/kobert-ish"}
    truth = {r.repo_id: r.size_on_disk for r in scan_cache_dir(constants.HF_HUB_CACHE).repos}
    assert {r.repo: r.size for r in lst.repos} == truth
    tiny = next(r for r in lst.repos if r.repo == "dojo/tiny-llama")
    on_disk = sum(f.stat().st_size for f in Path(tiny.path, "blobs").iterdir())
    assert tiny.size == on_disk and tiny.refs == ["main"]
    preview = delete(["dojo/tiny-llama"], execute=False)
    assert preview.freed_bytes == on_disk and not preview.done and Path(tiny.path).exists()
    gone = delete(["dojo/tiny-llama"], execute=True)
    assert gone.done and not Path(tiny.path).exists()
    assert [r.repo for r in listing().repos] == ["dojo/kobert-ish"]
    with pytest.raises(DojoError, match="not in the local cache"):
        delete(["dojo/tiny-llama"], execute=True)


def test_offline_never_touches_the_network(hub, monkeypatch) -> None:
    from engine.hub.cache import listing
    from engine.hub.client import HubSearchConfig, card, search, token_status
    from engine.hub.download import HubDownloadConfig, plan

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    before = len(hub.requests)
    for call in (lambda: search(HubSearchConfig()), lambda: card("dojo/tiny-llama"),
                 lambda: plan(HubDownloadConfig("dojo/tiny-llama"))):
        with pytest.raises(DojoError, match="HF_HUB_OFFLINE is set"):
            call()
    assert token_status().offline is True
    assert listing().repos == []
    assert len(hub.requests) == before


def test_unreachable_hub(monkeypatch, tmp_path) -> None:
    import socket

    from engine.hub.client import card

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    point_client_at(monkeypatch, f"http://127.0.0.1:{port}", tmp_path)
    with pytest.raises(DojoError, match="cannot reach the hub"):
        card("dojo/tiny-llama")
    assert os.environ["HF_HUB_OFFLINE"] == "0"


def test_errors_from_huggingface_hub_become_one_line() -> None:
    import errno

    import httpx2

    from engine.hub.client import explain

    dropped = explain(httpx2.RemoteProtocolError("peer closed connection"), "dojo/x")
    assert isinstance(dropped, DojoError) and "run the same download again" in str(dropped)
    full = explain(OSError(errno.ENOSPC, "No space left on device"), "dojo/x")
    assert isinstance(full, DojoError) and full.key == "hub.disk_full"
    short = explain(OSError("Consistency check failed: file should be of size 10 but has size 5"), "dojo/x")
    assert isinstance(short, DojoError) and short.key == "hub.dropped"
    bug = ValueError("a bug stays a bug")
    assert explain(bug) is bug


def test_proxy_skips_the_direct_probe(monkeypatch) -> None:
    from engine.hub.client import unreachable

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert unreachable() is None
