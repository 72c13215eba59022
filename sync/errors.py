"""Why a sync stopped, each with a sentence a sales rep understands."""

from __future__ import annotations

from crm_desktop.errors import KnownError


class SyncError(KnownError):
    """A sync could not finish; nothing local was lost."""

    #: Worth retrying automatically with back-off.
    transient = False


class Offline(SyncError):
    transient = True


class ServerUnavailable(SyncError):
    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.retry_after = retry_after


class BadResponse(SyncError):
    """The server (or something pretending to be it) answered nonsense."""

    transient = True


class SignInRequired(SyncError):
    """The server no longer accepts our tokens; unsynced changes are kept."""


class ProtocolMismatch(SyncError):
    pass


class Cancelled(SyncError):
    def __init__(self) -> None:
        super().__init__("Sync cancelled.")
