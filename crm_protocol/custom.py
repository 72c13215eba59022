"""Custom fields: definitions kept by administrators, values validated against them.

An administrator defines fields per record type (text, number, date, choice;
optionally required).  The definitions are ``custom_field`` records every user
receives by sync; a record keeps its values in its ``custom`` object.  Both
sides run :func:`validate_custom` on every write with the definitions they
have, so a value the app accepts offline is accepted by the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from crm_protocol.records import FieldError


@dataclass(frozen=True)
class CustomFieldDef:
    name: str
    label: str
    kind: str
    choices: tuple[str, ...]
    required: bool
    position: int
    active: bool

    @property
    def error_field(self) -> str:
        """The field name errors about this custom field carry (``custom.<name>``)."""
        return f"custom.{self.name}"


def definitions(records: Iterable[Mapping[str, Any]], record_type: str) -> list[CustomFieldDef]:
    """The custom fields of ``record_type`` from ``custom_field`` records, in form order."""
    out = [
        CustomFieldDef(
            name=str(r["name"]),
            label=str(r.get("label") or r["name"]),
            kind=str(r.get("kind") or "text"),
            choices=tuple(line.strip() for line in str(r.get("choices") or "").splitlines() if line.strip()),
            required=bool(r.get("required")),
            position=int(r.get("position") or 0),
            active=bool(r.get("active")),
        )
        for r in records
        if r.get("record_type") == record_type and r.get("name")
    ]
    return sorted(out, key=lambda d: (d.position, d.label.casefold()))


def validate_custom(
    values: Mapping[str, str] | None,
    previous: Mapping[str, str] | None,
    fields: Iterable[CustomFieldDef],
) -> tuple[dict[str, str] | None, list[FieldError]]:
    """Check and normalise a record's custom values against the definitions.

    Numbers are kept as plain decimal text (``1200.5``), dates as
    ``YYYY-MM-DD``.  A value whose field is unknown or was switched off is
    kept only if the record already had it (nothing is lost when an admin
    retires a field); a new one is refused.
    """
    by_name = {d.name: d for d in fields}
    previous = previous or {}
    errors: list[FieldError] = []
    out: dict[str, str] = {}
    for name, value in (values or {}).items():
        field = by_name.get(name)
        if field is None or not field.active:
            if previous.get(name) == value:
                out[name] = value
            else:
                errors.append(FieldError(f"custom.{name}", f"{name} is not a custom field of this record type"))
            continue
        text = str(value).strip()
        if field.kind == "number":
            try:
                number = Decimal(text)
            except InvalidOperation:
                errors.append(FieldError(field.error_field, f"{field.label} must be a number"))
                continue
            if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
                errors.append(FieldError(field.error_field, f"{field.label} is out of range"))
                continue
            normal = format(number.normalize(), "f")
            out[name] = "0" if normal == "-0" else normal
        elif field.kind == "date":
            try:
                out[name] = date.fromisoformat(text).isoformat()
            except ValueError:
                errors.append(FieldError(field.error_field, f"{field.label} must be a date (YYYY-MM-DD)"))
        elif field.kind == "choice":
            if text not in field.choices:
                errors.append(FieldError(field.error_field,
                                         f"{field.label} must be one of {', '.join(field.choices)}"))
            else:
                out[name] = text
        else:
            out[name] = text
    for field in by_name.values():
        if field.active and field.required and not out.get(field.name):
            if not any(e.field == field.error_field for e in errors):
                errors.append(FieldError(field.error_field, f"{field.label} is required"))
    return out or None, errors
