"""Token status, log in and out, search and model cards, over ``huggingface_hub``.

Every call reads the endpoint at call time (``huggingface_hub.constants.ENDPOINT``, from
``HF_ENDPOINT``), so a mirror or the tests' local fake hub is used the same way as
huggingface.co. :func:`explain` turns what ``huggingface_hub`` raises into one
teaching line (a keyed :class:`~engine.errors.DojoError`).

The token is never returned, printed or logged: only whether one is configured, where
it comes from, and the account ``whoami`` names.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ..config import setting
from ..errors import DojoError

REPO_RE = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?$")


def endpoint() -> str:
    """The hub address in use (``HF_ENDPOINT`` or huggingface.co)."""
    from huggingface_hub import constants

    return constants.ENDPOINT


def offline() -> bool:
    """True when ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) forbids the network."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        value = os.environ.get(var)
        if value is not None:
            return value.strip().lower() in {"1", "true", "yes", "on"}
    from huggingface_hub import constants

    return bool(constants.is_offline_mode())


def unreachable(timeout: float = 2.0) -> DojoError | None:
    """A cheap probe before the first request: can a TCP connection to the endpoint open?
    The error to show when not (``hub.unreachable``), else None. Never called offline."""
    import socket
    from urllib.parse import urlsplit

    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                                        "all_proxy")):
        return None  # behind a proxy a direct connection proves nothing: let the first request tell
    url = urlsplit(endpoint())
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            return None
    except OSError as exc:
        return DojoError.keyed("hub.unreachable", endpoint=endpoint(), why=exc.strerror or type(exc).__name__)


def require_online() -> None:
    if offline():
        raise DojoError.keyed("hub.offline")


def check_repo(repo: str) -> str:
    repo = repo.strip()
    if not REPO_RE.match(repo) or ".." in repo:
        raise DojoError.keyed("hub.bad_repo", repo=repo)
    return repo


def api():
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint())


def explain(exc: BaseException, repo: str = "", revision: str = "main") -> BaseException:
    """The one-line :class:`DojoError` for an exception from ``huggingface_hub`` (others unchanged)."""
    try:
        import httpx2 as httpx  # huggingface_hub 2.x
    except ImportError:  # pragma: no cover - huggingface_hub 1.x used httpx
        import httpx
    from huggingface_hub import errors as e

    if isinstance(exc, DojoError):
        return exc
    if isinstance(exc, e.OfflineModeIsEnabled):
        return DojoError.keyed("hub.offline")
    if isinstance(exc, e.GatedRepoError):
        return DojoError.keyed("hub.gated", repo=repo)
    if isinstance(exc, e.RevisionNotFoundError):
        return DojoError.keyed("hub.no_revision", repo=repo, revision=revision)
    if isinstance(exc, e.RepositoryNotFoundError):
        return DojoError.keyed("hub.not_found", repo=repo, query=repo.split("/")[-1])
    if isinstance(exc, e.LocalTokenNotFoundError):
        return DojoError.keyed("hub.no_token")
    if isinstance(exc, e.HfHubHTTPError) and exc.response is not None and exc.response.status_code == 401:
        return DojoError.keyed("hub.bad_token")
    if isinstance(exc, e.HfHubHTTPError) and exc.response is not None and exc.response.status_code == 403:
        return DojoError.keyed("hub.gated", repo=repo)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return DojoError.keyed("hub.dropped", repo=repo, why=type(exc).__name__)
    if isinstance(exc, (httpx.ConnectError, httpx.TimeoutException, e.LocalEntryNotFoundError)):
        return DojoError.keyed("hub.unreachable", endpoint=endpoint(), why=type(exc).__name__)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DojoError.keyed("hub.disk_full", repo=repo)
    if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
        return DojoError.keyed("hub.dropped", repo=repo, why="incomplete file")
    return exc


# --- the token -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubTokenStatus:
    """Whether a token is configured and whose it is (never the token itself)."""

    configured: bool
    source: str
    """"env" (HF_TOKEN), "file" (saved by login), or "" when none."""
    token_path: str
    offline: bool
    endpoint: str
    user: str | None = None
    """The account ``whoami`` names; None when not asked or not reachable."""
    orgs: list[str] = field(default_factory=list)
    checked: bool = False
    """True when the hub was asked (``whoami``)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def token_status(*, check: bool = True) -> HubTokenStatus:
    """Is a token configured (HF_TOKEN or the file ``login`` writes)? With ``check``, ask
    the hub whose it is (a 401 raises ``hub.bad_token``; offline never asks)."""
    from huggingface_hub import constants, get_token

    token = get_token()
    source = ""
    if token:
        source = "env" if (os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")) else "file"
    base = dict(configured=bool(token), source=source, token_path=str(constants.HF_TOKEN_PATH),
                offline=offline(), endpoint=endpoint())
    if not token or not check or base["offline"]:
        return HubTokenStatus(**base)
    try:
        info = api().whoami(token=token)
    except Exception as exc:  # noqa: BLE001 - mapped to one line
        raise explain(exc) from None
    return HubTokenStatus(**base, user=info.get("name"), checked=True,
                          orgs=[o.get("name", "") for o in info.get("orgs", []) if isinstance(o, dict)])


def login(token: str) -> HubTokenStatus:
    """Check ``token`` with ``whoami``, then store it the way ``huggingface_hub.login`` does
    (the token file under HF_HOME, not a git credential)."""
    token = (token or "").strip()
    if not token:
        raise DojoError.keyed("hub.empty_token")
    require_online()
    try:
        api().whoami(token=token)
        from huggingface_hub import hf_api, login as hf_login

        hf_api.api.endpoint = endpoint()  # login() validates through the module's own client
        hf_login(token=token, add_to_git_credential=False)
    except Exception as exc:  # noqa: BLE001
        raise explain(exc) from None
    return token_status(check=True)


def logout() -> HubTokenStatus:
    """Remove the saved token(s) (``huggingface_hub.logout``); HF_TOKEN in the environment stays."""
    from huggingface_hub import logout as hf_logout

    try:
        hf_logout()
    except OSError:  # still logged in through HF_TOKEN: the status says so
        pass
    return token_status(check=False)


# --- search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubSearchConfig:
    """What to look for on the hub."""

    query: str = setting("", cli=False)
    """Text to find in repository names (empty: any)."""
    kind: str = setting("model", choices=("model", "dataset"))
    """Search models or datasets."""
    task: str = ""
    """A task tag such as text-generation or fill-mask (datasets: a task category)."""
    library: str = ""
    """A library tag such as transformers, gguf or peft (models only)."""
    language: str = "ko"
    """A language code; Korean (ko) first because this course is Korean; empty for any language."""
    sort: str = setting("downloads", choices=("downloads", "likes", "trending_score", "last_modified", "created_at"))
    """Order of the results, most first."""
    limit: int = setting(20, minimum=1, maximum=100)
    """How many results to show."""

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= 100:
            raise DojoError(f"--limit {self.limit}: show between 1 and 100 results")


@dataclass(frozen=True)
class HubHit:
    repo: str
    kind: str
    downloads: int | None
    likes: int | None
    task: str | None
    library: str | None
    gated: bool
    updated: str | None


@dataclass(frozen=True)
class HubSearchResult:
    config: dict[str, Any]
    endpoint: str
    hits: list[HubHit]

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config, "endpoint": self.endpoint, "hits": [asdict(h) for h in self.hits]}


def search(config: HubSearchConfig) -> HubSearchResult:
    """``list_models`` / ``list_datasets`` with the config's filters."""
    require_online()
    client = api()
    try:
        if config.kind == "model":
            tags = [t for t in (config.library, config.language) if t]
            items = client.list_models(search=config.query or None, filter=tags or None,
                                       pipeline_tag=config.task or None, sort=config.sort, limit=config.limit)
        else:
            items = client.list_datasets(search=config.query or None, language=config.language or None,
                                         task_categories=config.task or None, sort=config.sort, limit=config.limit)
        hits = []
        for m in items:
            updated = getattr(m, "last_modified", None)
            hits.append(HubHit(repo=m.id, kind=config.kind, downloads=getattr(m, "downloads", None),
                               likes=getattr(m, "likes", None), task=getattr(m, "pipeline_tag", None),
                               library=getattr(m, "library_name", None), gated=bool(getattr(m, "gated", False)),
                               updated=updated.date().isoformat() if updated else None))
    except Exception as exc:  # noqa: BLE001
        raise explain(exc) from None
    return HubSearchResult(config=asdict(config), endpoint=endpoint(), hits=hits)


# --- a model card ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HubFile:
    name: str
    size: int | None


@dataclass(frozen=True)
class HubCard:
    """What the hub says about one model repository."""

    repo: str
    sha: str | None
    licence: str | None
    gated: bool
    gated_mode: str | None
    """"auto" or "manual" approval when gated."""
    task: str | None
    library: str | None
    downloads: int | None
    likes: int | None
    tags: list[str]
    files: list[HubFile]
    total_bytes: int
    weight_format: str
    """"safetensors", "pickle" (.bin/.pt only), "gguf" or "none"."""
    readme: str
    """The model card (README.md) as Markdown, front matter removed; "" when it has none or it is gated."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def weight_format(names: list[str]) -> str:
    if any(n.endswith(".safetensors") for n in names):
        return "safetensors"
    if any(n.endswith(PICKLE_SUFFIXES) for n in names):
        return "pickle"
    if any(n.endswith(".gguf") for n in names):
        return "gguf"
    return "none"


def model_info(repo: str, revision: str = "main"):
    require_online()
    try:
        return api().model_info(repo, revision=revision, files_metadata=True)
    except Exception as exc:  # noqa: BLE001
        raise explain(exc, repo, revision) from None


def card(repo: str, revision: str = "main", *, readme: bool = True) -> HubCard:
    """Licence, gating, files with sizes and the README of ``repo``."""
    repo = check_repo(repo)
    info = model_info(repo, revision)
    files = [HubFile(s.rfilename, s.size) for s in (info.siblings or [])]
    card_data = info.card_data.to_dict() if info.card_data is not None else {}
    licence = card_data.get("license") or next((t.split(":", 1)[1] for t in info.tags or [] if t.startswith("license:")), None)
    text = ""
    if readme and any(f.name == "README.md" for f in files):
        text = _readme(repo, info.sha or revision)
    return HubCard(repo=info.id, sha=info.sha, licence=licence, gated=bool(info.gated),
                   gated_mode=info.gated if isinstance(info.gated, str) else None, task=info.pipeline_tag,
                   library=info.library_name, downloads=info.downloads, likes=info.likes, tags=list(info.tags or []),
                   files=files, total_bytes=sum(f.size or 0 for f in files),
                   weight_format=weight_format([f.name for f in files]), readme=text)


def _readme(repo: str, revision: str) -> str:
    import threading

    from huggingface_hub import hf_hub_download
    from huggingface_hub import errors as e

    from .download import _progress_class

    quiet = _progress_class({"bars": []}, threading.Event())  # no tqdm bar on stderr (it would draw over the TUI)
    try:
        path = hf_hub_download(repo, "README.md", revision=revision, endpoint=endpoint(), tqdm_class=quiet)
    except e.GatedRepoError:
        return ""  # the card says gated; the files wait for access
    except Exception as exc:  # noqa: BLE001
        raise explain(exc, repo, revision) from None
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            text = text[end + 4:].lstrip("\n")
    return text
