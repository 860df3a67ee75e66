"""Download a model repository into the Hugging Face cache with ``snapshot_download``.

:func:`plan` asks the hub for the file list with sizes (``model_info(files_metadata=True)``),
keeps the safetensors weights, the config and the tokenizer files (pickle ``.bin``
weights only with ``allow_pickle``), says the size up front, subtracts what the cache
already holds and checks the disk. :func:`download_events` then runs
``snapshot_download`` in a thread and yields :class:`HubProgress` events from a
progress class handed to it (``tqdm_class``); setting ``cancel`` stops it at the next
chunk.

Resuming: a connection that drops in the middle of a file is resumed by
``huggingface_hub`` itself with an HTTP ``Range`` request (it retries a few times); files
that finished stay in the cache, so running the download again after a cancel or a
failure fetches only the rest.
"""

from __future__ import annotations

import queue
import shutil
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

from ..config import setting
from ..errors import DojoError
from .client import PICKLE_SUFFIXES, check_repo, endpoint, explain, model_info, weight_format

SAFE_PATTERNS = ("*.safetensors", "*.safetensors.index.json", "config.json", "generation_config.json",
                 "tokenizer*", "special_tokens_map.json", "added_tokens.json", "vocab.*", "merges.txt",
                 "*.model", "chat_template.*", "preprocessor_config.json", "README.md")
"""Weights as safetensors, the config, the tokenizer files and the model card; nothing else."""
PICKLE_PATTERNS = ("*.bin", "*.bin.index.json", "*.pt", "*.pth")
SKIP_PATTERNS = ("original/*", "consolidated*", "onnx/*", "openvino/*", "coreml/*")
"""Second copies of the same weights some repositories carry (Meta's originals, Mistral's consolidated file,
exports for other runtimes): transformers does not read them."""

MARGIN = 64 * 2**20
"""Free space kept beyond the download itself."""


@dataclass(frozen=True)
class HubDownloadConfig:
    """What to download from the hub."""

    repo: str = setting("", cli=False, form=False)
    """The repository, owner/name."""
    revision: str = "main"
    """Branch, tag or commit to download."""
    allow_pickle: bool = False
    """Also fetch pickle weights (.bin, .pt); they can run code when loaded, so only for repositories you trust."""
    workers: int = setting(4, minimum=1, maximum=16)
    """Files downloaded at the same time."""

    def __post_init__(self) -> None:
        if self.repo:
            check_repo(self.repo)
        if not 1 <= self.workers <= 16:
            raise DojoError(f"--workers {self.workers}: use 1 to 16 parallel downloads")


@dataclass(frozen=True)
class HubPlan:
    """The files a download will fetch, before fetching them."""

    repo: str
    revision: str
    sha: str | None
    gated: bool
    files: list[dict[str, Any]]
    """name, size, cached (already in the cache)."""
    total_bytes: int
    cached_bytes: int
    needed_bytes: int
    free_bytes: int
    cache_dir: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def patterns(self) -> list[str]:
        return [f["name"] for f in self.files]


@dataclass(frozen=True)
class HubProgress:
    """Bytes written so far out of ``total`` (the plan's size, cached files included)."""

    done: int
    total: int
    files_done: int
    files_total: int

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0


@dataclass(frozen=True)
class HubDownloaded:
    repo: str
    sha: str | None
    path: str
    files: list[str]
    downloaded_bytes: int
    total_bytes: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _human(n: int) -> str:
    from ..models.inspect import human_size

    return human_size(n)


def cache_dir() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def plan(config: HubDownloadConfig) -> HubPlan:
    """Which files, how big, how much is already cached, and whether the disk has room."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url, try_to_load_from_cache
    from huggingface_hub.utils import filter_repo_objects

    repo = check_repo(config.repo)
    info = model_info(repo, config.revision)
    siblings = list(info.siblings or [])
    names = [s.rfilename for s in siblings]
    fmt = weight_format(names)
    if fmt == "pickle" and not config.allow_pickle:
        pickles = [n for n in names if n.endswith(PICKLE_SUFFIXES)]
        raise DojoError.keyed("hub.pickle_only", repo=repo, files=", ".join(pickles[:3]))
    if fmt in ("none", "gguf"):
        raise DojoError.keyed("hub.no_weights", repo=repo)
    # Pickle weights only when they are all there is (and allowed): never both formats of the same weights.
    patterns = list(SAFE_PATTERNS) + (list(PICKLE_PATTERNS) if config.allow_pickle and fmt == "pickle" else [])
    keep = set(filter_repo_objects(names, allow_patterns=patterns, ignore_patterns=list(SKIP_PATTERNS)))
    sha = info.sha or config.revision
    files = []
    for s in siblings:
        if s.rfilename not in keep:
            continue
        cached = try_to_load_from_cache(repo, s.rfilename, revision=sha)
        files.append({"name": s.rfilename, "size": s.size or 0, "cached": isinstance(cached, str)})
    if info.gated and files:
        # The file list of a gated repository is public; its files are not. Ask for one before starting.
        try:
            get_hf_file_metadata(hf_hub_url(repo, files[0]["name"], revision=sha, endpoint=endpoint()))
        except Exception as exc:  # noqa: BLE001
            raise explain(exc, repo, config.revision) from None
    total = sum(f["size"] for f in files)
    cached = sum(f["size"] for f in files if f["cached"])
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    needed = total - cached
    if needed and free < needed + MARGIN:
        raise DojoError.keyed("hub.no_space", repo=repo, need=_human(needed + MARGIN), where=str(folder),
                              free=_human(free))
    return HubPlan(repo=repo, revision=config.revision, sha=info.sha, gated=bool(info.gated), files=files,
                   total_bytes=total, cached_bytes=cached, needed_bytes=needed, free_bytes=free, cache_dir=str(folder))


class _Cancelled(Exception):
    """Raised inside ``snapshot_download``'s threads when the person cancels."""


def _progress_class(sink: dict[str, Any], cancel: threading.Event):
    """A tqdm look-alike that records counts and stops the download when ``cancel`` is set."""

    lock = threading.Lock()

    class Bar:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.unit = kwargs.get("unit", "it")
            self.desc = kwargs.get("desc", "")
            self.total = kwargs.get("total") or 0
            self.n = kwargs.get("initial") or 0
            self.format_dict: dict[str, Any] = {}
            with lock:
                sink["bars"].append(self)

        def update(self, n: float | None = 1) -> None:
            if cancel.is_set():
                raise _Cancelled()
            with lock:
                self.n += n or 0

        def __enter__(self):
            return self

        def __exit__(self, *exc: Any) -> None:
            return None

        def __iter__(self):
            return iter(())

        def close(self) -> None: ...
        def refresh(self, *a: Any, **k: Any) -> None: ...
        def set_description(self, *a: Any, **k: Any) -> None: ...
        def set_description_str(self, *a: Any, **k: Any) -> None: ...
        def set_postfix_str(self, *a: Any, **k: Any) -> None: ...

    return Bar


def download_events(config: HubDownloadConfig, cancel: threading.Event | None = None,
                    the_plan: HubPlan | None = None) -> Iterator[HubPlan | HubProgress | HubDownloaded]:
    """Plan, then ``snapshot_download`` the planned files, yielding progress; ends with :class:`HubDownloaded`."""
    from huggingface_hub import snapshot_download

    p = the_plan or plan(config)
    yield p
    cancel = cancel or threading.Event()
    sink: dict[str, Any] = {"bars": []}
    out: queue.Queue = queue.Queue()
    started = time.perf_counter()

    def run() -> None:
        try:
            path = snapshot_download(p.repo, revision=p.revision, allow_patterns=p.patterns,
                                     max_workers=config.workers, tqdm_class=_progress_class(sink, cancel),
                                     endpoint=endpoint())
            out.put(("ok", path))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            out.put(("error", exc))

    worker = threading.Thread(target=run, name=f"hub-download-{p.repo}", daemon=True)
    worker.start()

    def progress() -> HubProgress:
        bars = list(sink["bars"])
        written = max((b.n for b in bars if b.unit == "B"), default=0)
        counted = [b for b in bars if b.unit != "B"]
        files_done = int(counted[0].n) if counted else 0
        return HubProgress(done=int(min(p.cached_bytes + written, p.total_bytes)), total=p.total_bytes,
                           files_done=files_done, files_total=len(p.files))

    try:
        while True:
            try:
                status, value = out.get(timeout=0.1)
                break
            except queue.Empty:
                yield progress()
    finally:
        if worker.is_alive():  # the consumer stopped early (closed the generator): stop the threads too
            cancel.set()
            worker.join(timeout=30)
    if status == "error":
        if isinstance(value, _Cancelled) or cancel.is_set():
            done = sum(1 for f in plan_files_cached(p))
            raise DojoError.keyed("hub.cancelled", repo=p.repo, done=done)
        raise explain(value, p.repo, p.revision) from None
    yield HubProgress(done=p.total_bytes, total=p.total_bytes, files_done=len(p.files), files_total=len(p.files))
    yield HubDownloaded(repo=p.repo, sha=p.sha, path=str(value), files=p.patterns,
                        downloaded_bytes=p.needed_bytes, total_bytes=p.total_bytes,
                        seconds=round(time.perf_counter() - started, 3))


def plan_files_cached(p: HubPlan) -> list[str]:
    """The planned files the cache now holds."""
    from huggingface_hub import try_to_load_from_cache

    return [f["name"] for f in p.files
            if isinstance(try_to_load_from_cache(p.repo, f["name"], revision=p.sha or p.revision), str)]
