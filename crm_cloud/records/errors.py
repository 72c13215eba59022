"""Record-level domain errors that carry the server's current record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_cloud.core.errors import AlreadyExists, InvalidInput, NotFound, PreconditionFailed

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


class RefDeleted(InvalidInput):
    """A reference field points at a record that was deleted (a contact
    created offline under an account deleted elsewhere)."""

    code = "ref_deleted"

    def __init__(self, message: str, field: str, current: StoredRecord) -> None:
        super().__init__(message, detail={"field_errors": [{"field": field, "message": message}]})
        self.field = field
        self.current = current


class RecordGone(NotFound):
    """An update or delete (from sync, with a base revision) of a record the
    server has no row for at all: deleted and its tombstone purged past the
    history horizon, or lost with a restore from an older backup.  Saying so
    reveals nothing a create with the same id would not."""

    code = "gone"


class MergeStale(PreconditionFailed):
    """A record merge names a merged-away record that changed on the server
    after the revision the merge was made from (``Change.merge_base``): the
    client merges the newer version into the kept record and sends it again."""

    code = "merge_stale"

    def __init__(self, message: str, current: StoredRecord | None, merged_id: str, related: StoredRecord) -> None:
        super().__init__(message)
        self.current = current
        self.merged_id = merged_id
        self.related = related


class RefGone(InvalidInput):
    """A reference field points at a record merged into one that was deleted
    and whose tombstone was purged: nothing is left to link to or bring back."""

    code = "ref_gone"

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, detail={"field_errors": [{"field": field, "message": message}]})
        self.field = field
