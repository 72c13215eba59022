"""Record-level domain errors that carry the server's current record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_cloud.core.errors import AlreadyExists, NotFound, PreconditionFailed

if TYPE_CHECKING:
    from crm_cloud.records.service import StoredRecord


class UnknownRecordType(NotFound):
    code = "unknown_type"


class RecordExists(AlreadyExists):
    """A create used an id that is taken by a record the caller can see."""

    def __init__(self, message: str, current: StoredRecord) -> None:
        super().__init__(message)
        self.current = current


class RevisionMismatch(PreconditionFailed):
    """The caller's base revision is not the record's current one."""

    def __init__(self, message: str, current: StoredRecord) -> None:
        super().__init__(message)
        self.current = current


class RecordDeleted(NotFound):
    """The record is a tombstone."""

    code = "deleted"

    def __init__(self, message: str, current: StoredRecord) -> None:
        super().__init__(message)
        self.current = current
