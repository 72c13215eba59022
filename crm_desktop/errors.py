"""Errors the environment causes, with a message a user understands.

Two kinds of failure reach the user: :class:`KnownError` (offline, locked
database, disk full, a server error...) is shown as a plain message; anything
else is a bug in our code and gets a crash report with the log.
"""

from __future__ import annotations


class KnownError(Exception):
    """An error caused by the environment, not by a bug; ``str()`` is for users."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class StoreError(KnownError):
    """The local database cannot be used as asked."""


class ProfileLocked(StoreError):
    """Another running copy of the app has this profile open."""


class RecordNotFound(KnownError):
    pass
