"""A small fake Hugging Face Hub on 127.0.0.1, so the real ``huggingface_hub`` client can be tested offline.

It speaks the few routes the client uses (checked against the installed
huggingface_hub's source): ``/api/whoami-v2``; ``/api/models`` and ``/api/datasets``
search (``search``, ``filter`` tags, ``pipeline_tag``, ``sort``, ``limit``);
``/api/models/{repo}[/revision/{rev}]`` (``siblings`` with sizes); ``/api/models/{repo}/tree/{rev}``;
and ``HEAD``/``GET /{repo}/resolve/{rev}/{file}`` with ``ETag``, ``X-Repo-Commit``,
``Content-Length`` and ``Range`` (206). A gated repository answers 403 ``GatedRepo`` on
its files; an unknown one 404 ``RepoNotFound``. ``drop_once`` names files whose first
full GET is cut off half way (the connection closes), to test resuming; ``slow`` adds
a pause per 16 KB written, to test cancelling.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

GOOD_TOKEN = "hf_dojo_test_token_0123456789"
SORT_KEYS = {"downloads": "downloads", "likes": "likes", "trendingScore": "trending", "lastModified": "modified",
             "createdAt": "modified"}


@dataclass
class FakeRepo:
    repo: str
    files: dict[str, bytes]
    kind: str = "model"
    gated: str | bool = False
    tags: list[str] = field(default_factory=list)
    task: str | None = None
    library: str | None = None
    licence: str | None = "apache-2.0"
    downloads: int = 0
    likes: int = 0
    trending: int = 0
    modified: str = "2026-11-01T00:00:00.000Z"

    @property
    def sha(self) -> str:
        h = hashlib.sha1(self.repo.encode())
        for name in sorted(self.files):
            h.update(name.encode() + self.files[name])
        return h.hexdigest()

    def info(self, blobs: bool) -> dict:
        siblings = [{"rfilename": n, **({"size": len(b)} if blobs else {})} for n, b in sorted(self.files.items())]
        out = {"id": self.repo, "sha": self.sha, "private": False, "gated": self.gated, "downloads": self.downloads,
               "likes": self.likes, "tags": self.tags, "lastModified": self.modified, "siblings": siblings,
               "trendingScore": self.trending}
        if self.kind == "model":
            out.update(pipeline_tag=self.task, library_name=self.library)
        if self.licence:
            out["cardData"] = {"license": self.licence}
        return out


class FakeHub:
    """``with FakeHub() as hub: hub.url``; add repositories with :meth:`add`."""

    def __init__(self) -> None:
        self.repos: dict[tuple[str, str], FakeRepo] = {}
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, Range header
        self.drop_once: set[str] = set()
        self.slow = 0.0
        self._dropped: set[str] = set()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_HEAD(self) -> None:
                hub._handle(self, head=True)

            def do_GET(self) -> None:
                hub._handle(self, head=False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeHub":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, repo: FakeRepo) -> FakeRepo:
        self.repos[(repo.kind, repo.repo)] = repo
        return repo

    def gets(self, filename: str) -> list[str | None]:
        """The Range headers of every GET of ``filename`` (None: a full GET)."""
        return [rng for method, path, rng in self.requests if method == "GET" and path.endswith("/" + filename)
                and "/resolve/" in path]

    # --- routing -----------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query)
        self.requests.append(("HEAD" if head else "GET", path, h.headers.get("Range")))
        if path == "/api/whoami-v2":
            if h.headers.get("Authorization") == f"Bearer {GOOD_TOKEN}":
                return self._json(h, 200, {"name": "dojo-student", "type": "user", "orgs": [{"name": "dojo-org"}],
                                           "auth": {"accessToken": {"displayName": "dojo-test", "role": "read"}}})
            return self._json(h, 401, {"error": "Invalid credentials in Authorization header"})
        if path in ("/api/models", "/api/datasets"):
            return self._search(h, "model" if path == "/api/models" else "dataset", query)
        if path.startswith(("/api/models/", "/api/datasets/")):
            kind = "model" if path.startswith("/api/models/") else "dataset"
            rest = path.split("/", 3)[3]
            segs = rest.split("/")
            repo_id, tail = "/".join(segs[:2]), segs[2:]
            repo = self.repos.get((kind, repo_id))
            if repo is None:
                return self._json(h, 404, {"error": "Repository not found"}, code="RepoNotFound")
            if tail[:1] == ["tree"]:
                return self._json(h, 200, [{"type": "file", "path": n, "size": len(b), "oid": hashlib.sha1(b).hexdigest()}
                                           for n, b in sorted(repo.files.items())])
            if tail and tail[:1] != ["revision"]:
                return self._json(h, 404, {"error": "no such route"})
            if tail[1:2] and tail[1] not in ("main", repo.sha):
                return self._json(h, 404, {"error": "Invalid rev id"}, code="RevisionNotFound")
            return self._json(h, 200, repo.info(blobs="blobs" in query))
        if "/resolve/" in path:
            left, _, right = path.lstrip("/").partition("/resolve/")
            rev, _, filename = right.partition("/")
            repo = self.repos.get(("model", left))
            if repo is None:
                return self._json(h, 404, {"error": "Repository not found"}, code="RepoNotFound", head=head)
            if repo.gated:
                return self._json(h, 403, {"error": f"Access to model {left} is restricted."}, code="GatedRepo", head=head)
            if rev not in ("main", repo.sha) or filename not in repo.files:
                return self._json(h, 404, {"error": "Entry not found"}, code="EntryNotFound", head=head)
            return self._file(h, repo, filename, head)
        return self._json(h, 404, {"error": "no such route"})

    def _search(self, h, kind: str, query: dict) -> None:
        text = " ".join(query.get("search", [])).lower()
        tags = query.get("filter", [])
        task = (query.get("pipeline_tag") or [None])[0]
        found = [r for (k, _), r in self.repos.items() if k == kind and text in r.repo.lower()
                 and all(t in r.tags for t in tags) and (task is None or r.task == task)]
        key = SORT_KEYS.get((query.get("sort") or ["downloads"])[0], "downloads")
        found.sort(key=lambda r: getattr(r, key), reverse=True)
        limit = int((query.get("limit") or [1000])[0])
        self._json(h, 200, [r.info(blobs=False) for r in found[:limit]])

    # --- answers -----------------------------------------------------------------------------

    def _json(self, h, status: int, data, code: str | None = None, head: bool = False) -> None:
        body = json.dumps(data).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        if code:
            h.send_header("X-Error-Code", code)
            h.send_header("X-Error-Message", data.get("error", "") if isinstance(data, dict) else "")
        h.end_headers()
        if not head:
            h.wfile.write(body)

    def _file(self, h, repo: FakeRepo, filename: str, head: bool) -> None:
        data = repo.files[filename]
        etag = hashlib.sha256(data).hexdigest()
        start = 0
        rng = h.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0] or 0)
        body = data[start:]
        h.send_response(206 if start else 200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(len(body)))
        h.send_header("ETag", f'"{etag}"')
        h.send_header("X-Repo-Commit", repo.sha)
        h.send_header("Accept-Ranges", "bytes")
        if start:
            h.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        h.end_headers()
        if head:
            return
        key = f"{repo.repo}/{filename}"
        if filename in self.drop_once and key not in self._dropped and not start:
            self._dropped.add(key)
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        for i in range(0, len(body), 16384):
            try:
                h.wfile.write(body[i:i + 16384])
                h.wfile.flush()
            except OSError:
                return
            if self.slow:
                time.sleep(self.slow)


def model_repo_files(model_dir: Path, readme: str) -> dict[str, bytes]:
    """A real model folder's files (safetensors, config, tokenizer) plus a README and files the download must skip."""
    files = {p.name: p.read_bytes() for p in model_dir.iterdir() if p.is_file()}
    files["README.md"] = readme.encode()
    files["onnx/model.onnx"] = b"\x08\x07" * 5000  # not a safetensors/config/tokenizer file: never downloaded
    files["training_args.bin"] = b"pickle!" * 10
    files["consolidated.safetensors"] = b"\x00" * 3000  # a second copy of the weights (Mistral-style): skipped
    files["original/tokenizer.model"] = b"\x00" * 300  # Meta-style originals: skipped
    return files


def point_client_at(monkeypatch, url: str, hf_home: Path) -> None:
    """In-process: make huggingface_hub talk to ``url``, keep its token under ``hf_home``, allow the network."""
    from huggingface_hub import constants, hf_api

    monkeypatch.setattr(constants, "ENDPOINT", url)
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", url + "/{repo_id}/resolve/{revision}/{filename}")
    monkeypatch.setattr(hf_api.api, "endpoint", url)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(hf_home / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(hf_home / "stored_tokens"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)


def subprocess_env(url: str, hf_home: Path, cache: Path) -> dict[str, str]:
    """Environment for the CLI in a subprocess: the fake hub, a private HF_HOME, network allowed."""
    return {"HF_ENDPOINT": url, "HF_HOME": str(hf_home), "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "0",
            "TRANSFORMERS_OFFLINE": "0", "HF_TOKEN": "", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1"}
