"""One error type for everything a user can get wrong.

Every mistake a user can make (a missing model, a bad flag, a malformed dataset
line) raises :class:`DojoError` with a one-line message that says what to do. The
CLI prints the message and exits with code 2; the TUI shows it in a notification.
Bugs stay ordinary exceptions, so they are never mistaken for user errors.

An error a front should translate is raised from a message key
(:meth:`DojoError.keyed`): ``str(err)`` is still the English sentence, and ``err.key``
and ``err.args_`` let the TUI say it in Korean (see :mod:`engine.messages`).
"""

from __future__ import annotations

from typing import Any


class DojoError(Exception):
    """A user-facing error: ``str(err)`` is one line that says what to do."""

    exit_code = 2

    def __init__(self, message: str, *, key: str | None = None, args: dict[str, Any] | None = None) -> None:
        super().__init__(message.strip().replace("\n", " "))
        self.key = key
        self.args_ = dict(args or {})

    @classmethod
    def keyed(cls, key: str, **args: Any):
        """The error whose message is ``key`` in the engine's message catalogues."""
        from .messages import english

        return cls(english(key, **args), key=key, args=args)


class ModelNotFound(DojoError):
    """A model name or path that resolves to nothing loadable."""


class UnsafeModel(DojoError):
    """A model that needs pickle weights or remote code the user has not allowed."""


class DeviceError(DojoError):
    """A device or quantisation request this machine cannot honour."""


class StateDirError(DojoError):
    """The per-user state directory cannot be created or written."""
