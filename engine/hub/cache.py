"""The local Hugging Face cache: what is there, how big, when last used; delete with the cache API.

Listing and deleting never touch the network, so they work offline (``HF_HUB_OFFLINE``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import DojoError


@dataclass(frozen=True)
class HubCachedRepo:
    repo: str
    kind: str
    size: int
    files: int
    revisions: list[str]
    refs: list[str]
    last_used: str | None
    """When a file of it was last read (ISO time, UTC)."""
    last_modified: str | None
    path: str


@dataclass(frozen=True)
class HubCacheListing:
    cache_dir: str
    size: int
    repos: list[HubCachedRepo]
    warnings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"cache_dir": self.cache_dir, "size": self.size, "repos": [asdict(r) for r in self.repos],
                "warnings": self.warnings}


@dataclass(frozen=True)
class HubCacheDeletion:
    repos: list[str]
    revisions: list[str]
    freed_bytes: int
    done: bool
    """False for a preview (what would be freed)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(ts: float | None) -> str | None:
    if not ts:
        return None
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat(timespec="seconds")


def _scan():
    from huggingface_hub import constants, scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        return scan_cache_dir(constants.HF_HUB_CACHE)
    except CacheNotFound:
        return None


def listing() -> HubCacheListing:
    """Every cached repository, most recently used first (``scan_cache_dir``)."""
    from huggingface_hub import constants

    info = _scan()
    if info is None:
        return HubCacheListing(cache_dir=str(constants.HF_HUB_CACHE), size=0, repos=[], warnings=[])
    repos = [
        HubCachedRepo(repo=r.repo_id, kind=r.repo_type, size=r.size_on_disk, files=r.nb_files,
                      revisions=sorted(rev.commit_hash for rev in r.revisions),
                      refs=sorted(ref for rev in r.revisions for ref in rev.refs),
                      last_used=_iso(r.last_accessed), last_modified=_iso(r.last_modified), path=str(r.repo_path))
        for r in sorted(info.repos, key=lambda r: r.last_accessed or 0, reverse=True)
    ]
    return HubCacheListing(cache_dir=str(info.cache_dir if hasattr(info, "cache_dir") else constants.HF_HUB_CACHE),
                           size=info.size_on_disk, repos=repos, warnings=[str(w) for w in info.warnings])


def delete(repos: list[str], *, execute: bool) -> HubCacheDeletion:
    """Delete every cached revision of ``repos`` (``delete_revisions``); ``execute=False`` only says
    how much it would free (the confirmation step)."""
    info = _scan()
    known = {r.repo_id: r for r in (info.repos if info else [])}
    missing = [name for name in repos if name not in known]
    if missing:
        raise DojoError.keyed("hub.not_cached", repo=missing[0])
    hashes = [rev.commit_hash for name in repos for rev in known[name].revisions]
    strategy = info.delete_revisions(*hashes)
    if execute:
        strategy.execute()
    return HubCacheDeletion(repos=list(repos), revisions=hashes, freed_bytes=strategy.expected_freed_size, done=execute)
