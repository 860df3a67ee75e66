"""One error type for everything a user can get wrong.

Every mistake a user can make (a missing model, a bad flag, a malformed dataset
line) raises :class:`DojoError` with a one-line message that says what to do. The
CLI prints the message and exits with code 2; the TUI shows it in a notification.
Bugs stay ordinary exceptions, so they are never mistaken for user errors.
"""

from __future__ import annotations


class DojoError(Exception):
    """A user-facing error: ``str(err)`` is one line that says what to do."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message.strip().replace("\n", " "))


class ModelNotFound(DojoError):
    """A model name or path that resolves to nothing loadable."""


class UnsafeModel(DojoError):
    """A model that needs pickle weights or remote code the user has not allowed."""


class DeviceError(DojoError):
    """A device or quantisation request this machine cannot honour."""


class StateDirError(DojoError):
    """The per-user state directory cannot be created or written."""
