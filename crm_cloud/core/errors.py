"""Domain errors.  The data layer raises these; only the HTTP layer maps them to responses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(DomainError):
    code = "not_found"


class AlreadyExists(DomainError):
    code = "already_exists"


class Forbidden(DomainError):
    """The caller is known but may not do this (e.g. change configuration without being an admin)."""

    code = "forbidden"


class PreconditionFailed(DomainError):
    code = "precondition_failed"


class InvalidInput(DomainError):
    """Invalid record data; ``detail`` is ``{"field_errors": [{"field", "message"}]}``."""

    code = "validation"


class AuthenticationError(DomainError):
    """Missing, invalid or expired credentials (``code`` is set per instance)."""

    def __init__(self, message: str, *, code: str = "invalid_token") -> None:
        super().__init__(message)
        self.code = code


class ProtocolMismatch(DomainError):
    code = "protocol_mismatch"


class OAuthError(DomainError):
    """An OAuth 2 error answered as ``{"error", "error_description"}`` (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.status = status
