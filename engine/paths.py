"""Where LLM Dojo keeps per-user state.

Everything the app writes lives under one directory: the platform's user data dir
(``platformdirs``), or ``$LLM_DOJO_HOME`` when set. Nothing is ever written inside
the installed package. The layout::

    <home>/progress.sqlite3   lesson progress, quiz answers, settings
    <home>/runs/<run-id>/     detached training runs
    <home>/adapters/          adapters the user trained or saved
    <home>/models/            models the user imported (``llm-dojo models add``)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import StateDirError

APP_NAME = "llm-dojo"


def home() -> Path:
    """The state directory (not created). ``$LLM_DOJO_HOME`` wins over platformdirs."""
    env = os.environ.get("LLM_DOJO_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


PRIVATE_UMASK = 0o077
"""Files and folders LLM Dojo creates are its user's alone (0600 / 0700): on a shared GPU box the
runs, adapters, chats, imported models and progress of one student are not another's to read."""


def private_umask() -> int:
    """Make everything this process creates from now on owner-only; returns the previous umask.
    The CLI and app call it at start, the run worker too (``engine.runs.worker``)."""
    return os.umask(PRIVATE_UMASK)


def ensure_home() -> Path:
    """Create the state directory if needed (owner-only, 0700) and prove it is writable.

    Raises :class:`StateDirError` with the fix when it is not.
    """
    root = home()
    try:
        if not root.is_dir():
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(root, 0o700)  # mkdir's mode passes through the umask
        with tempfile.NamedTemporaryFile(dir=root, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise StateDirError(
            f"cannot write to the LLM Dojo data directory {root} ({exc.strerror or exc}); "
            "fix its permissions or set LLM_DOJO_HOME to a writable directory"
        ) from None
    return root


def progress_db() -> Path:
    return home() / "progress.sqlite3"


def runs_dir() -> Path:
    return home() / "runs"


def adapters_dir() -> Path:
    return home() / "adapters"


def models_dir() -> Path:
    """Models the user imported (GGUF conversions, ``llm-dojo models add``)."""
    return home() / "models"
