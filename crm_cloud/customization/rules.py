"""Custom fields: the definitions of a record type, and their check on every record write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_cloud.core.errors import InvalidInput
from crm_cloud.customization.tables import custom_field_table
from crm_cloud.records.hooks import WriteContext, config_cache, register_hook
from crm_protocol.custom import CustomFieldDef, definitions, validate_custom
from crm_protocol.records import CUSTOMIZABLE_TYPES


def custom_fields(session: Session, record_type: str) -> list[CustomFieldDef]:
    """The definitions of ``record_type``, read once per transaction (a push of
    thousands of records checks each against them); writing a definition drops
    the cache (``forget_config``, called by the record service)."""
    cache = config_cache(session)
    key = f"custom_fields:{record_type}"
    found: list[CustomFieldDef] | None = cache.get(key)
    if found is not None:
        return found
    t = custom_field_table
    rows = session.execute(
        select(t.c.record_type, t.c.name, t.c.label, t.c.kind, t.c.choices, t.c.required, t.c.position, t.c.active)
        .where(t.c.deleted.is_(False), t.c.record_type == record_type)
    )
    found = cache[key] = definitions((dict(r._mapping) for r in rows), record_type)
    return found


def _check_custom(context: WriteContext, cleaned: dict[str, Any]) -> None:
    previous = (context.previous or {}).get("custom")
    values, errors = validate_custom(cleaned.get("custom"), previous, custom_fields(context.session,
                                                                                     context.record_type))
    if errors:
        raise InvalidInput(
            f"The custom fields are not valid: {'; '.join(e.message for e in errors)}",
            detail={"field_errors": [{"field": e.field, "message": e.message} for e in errors]},
        )
    cleaned["custom"] = values


def _unique_name(context: WriteContext, cleaned: dict[str, Any]) -> None:
    t = custom_field_table
    clash = context.session.execute(
        select(t.c.id).where(
            t.c.record_type == cleaned.get("record_type"), t.c.name == cleaned.get("name"),
            t.c.deleted.is_(False), t.c.id != context.record_id,
        )
    ).first()
    if clash is not None:
        raise InvalidInput(
            f"The {cleaned.get('record_type')} type already has a custom field named {cleaned.get('name')!r}",
            detail={"field_errors": [{"field": "name", "message": "Name is already used on this record type"}]},
        )
    if context.previous is not None and (
        context.previous.get("name") != cleaned.get("name")
        or context.previous.get("record_type") != cleaned.get("record_type")
    ):
        # Records keep their values under the old name: renaming would orphan them.
        raise InvalidInput(
            "A custom field's name and record type cannot change; change its label, or add a new field",
            detail={"field_errors": [{"field": "name", "message": "Name cannot change once the field exists"}]},
        )


for _type in CUSTOMIZABLE_TYPES:
    register_hook(_type, _check_custom)
register_hook("custom_field", _unique_name)
