"""Custom field rules applied offline, with the definitions pulled from the server."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.services.hooks import EditContext, register_hook
from crm_desktop.store.schema import CustomField
from crm_protocol.custom import CustomFieldDef, definitions, validate_custom
from crm_protocol.records import CUSTOMIZABLE_TYPES, FieldError


def custom_fields(session: Session, record_type: str) -> list[CustomFieldDef]:
    """The custom fields of a record type (active or not) this replica has, in form order."""
    t = CustomField.__table__
    rows = session.execute(
        select(t.c.record_type, t.c.name, t.c.label, t.c.kind, t.c.choices, t.c.required, t.c.position, t.c.active)
        .where(t.c.deleted.is_(False), t.c.record_type == record_type)
    )
    return definitions((dict(r._mapping) for r in rows), record_type)


def _check_custom(context: EditContext, cleaned: dict[str, Any]) -> list[FieldError]:
    previous = (context.previous or {}).get("custom")
    values, errors = validate_custom(cleaned.get("custom"), previous,
                                     custom_fields(context.session, context.record_type))
    cleaned["custom"] = values
    return errors


for _type in CUSTOMIZABLE_TYPES:
    register_hook(_type, _check_custom)
