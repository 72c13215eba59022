"""Record types and field rules shared by the desktop client and the backend.

Each record type is described once here: its fields, their kinds and limits.
Both sides validate a record's fields with :func:`validate_fields` so that a
value the client accepts offline is accepted by the server too, and the server
refuses with the same reasons the client would show.

Adding a record type means adding a :class:`RecordTypeSpec` to
:data:`RECORD_TYPES` and a migration on each side; the sync code is generic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, cast

import phonenumbers
from email_validator import EmailNotValidError, validate_email

JsonValue = str | int | float | bool | list[str] | None


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    REF = "ref"
    BOOL = "bool"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    CHOICE = "choice"
    #: A set of short labels: a list of strings on the wire, JSON in the
    #: stores; merges as a set (see docs/SYNC.md).
    TAGS = "tags"


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record type as it travels on the wire."""

    name: str
    kind: FieldKind
    label: str
    required: bool = False
    max_length: int = 255
    ref_type: str | None = None
    choices: tuple[str, ...] = ()
    searchable: bool = False
    #: Derived fields are computed by validation (e.g. ``phone_e164``); a
    #: client may send them but the validated value always wins.
    derived_from: str | None = None


@dataclass(frozen=True)
class RecordTypeSpec:
    name: str
    label: str
    label_plural: str
    fields: tuple[FieldSpec, ...]
    #: At least one of these must be non-empty (e.g. first or last name).
    required_any: tuple[str, ...] = ()
    #: Fields joined with a space make the record's display title.
    title_fields: tuple[str, ...] = ()
    field_map: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_map", {f.name: f for f in self.fields})

    def title(self, data: dict[str, Any]) -> str:
        parts = [str(data.get(name) or "").strip() for name in self.title_fields]
        return " ".join(p for p in parts if p)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


#: Largest long-text value (notes) accepted, in characters.
LONG_TEXT_MAX = 1_000_000

#: Most tags one record may carry, and the longest tag, in characters.
MAX_TAGS = 100
MAX_TAG_LENGTH = 64

#: The tags field every record type can reuse (``*fields, TAGS_FIELD``).
#: ``max_length`` is the length of one tag.
TAGS_FIELD = FieldSpec("tags", FieldKind.TAGS, "Tags", max_length=MAX_TAG_LENGTH)

_OWNER = FieldSpec("owner_id", FieldKind.REF, "Owner", ref_type="user")
_SHARED = FieldSpec("shared", FieldKind.BOOL, "Shared with everyone")


def _phone(name: str, label: str) -> tuple[FieldSpec, FieldSpec]:
    return (
        FieldSpec(name, FieldKind.PHONE, label, max_length=64, searchable=True),
        FieldSpec(f"{name}_e164", FieldKind.TEXT, f"{label} (E.164)", max_length=32,
                  derived_from=name),
    )


def _address() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("street", FieldKind.TEXT, "Street", max_length=500),
        FieldSpec("city", FieldKind.TEXT, "City", max_length=120, searchable=True),
        FieldSpec("region", FieldKind.TEXT, "State / region", max_length=120),
        FieldSpec("postal_code", FieldKind.TEXT, "Postal code", max_length=32),
        FieldSpec("country", FieldKind.TEXT, "Country", max_length=120),
    )


ACCOUNT = RecordTypeSpec(
    name="account",
    label="Account",
    label_plural="Accounts",
    fields=(
        FieldSpec("name", FieldKind.TEXT, "Name", required=True, searchable=True),
        FieldSpec("website", FieldKind.URL, "Website", max_length=2048),
        FieldSpec("industry", FieldKind.TEXT, "Industry", max_length=120),
        FieldSpec("email", FieldKind.EMAIL, "Email", max_length=320, searchable=True),
        *_phone("phone", "Phone"),
        *_address(),
        FieldSpec("notes", FieldKind.LONG_TEXT, "Notes", max_length=LONG_TEXT_MAX),
        TAGS_FIELD,
        _OWNER,
        _SHARED,
    ),
    title_fields=("name",),
)

CONTACT = RecordTypeSpec(
    name="contact",
    label="Contact",
    label_plural="Contacts",
    fields=(
        FieldSpec("first_name", FieldKind.TEXT, "First name", max_length=120, searchable=True),
        FieldSpec("last_name", FieldKind.TEXT, "Last name", max_length=120, searchable=True),
        FieldSpec("title", FieldKind.TEXT, "Job title", max_length=200),
        FieldSpec("account_id", FieldKind.REF, "Account", ref_type="account"),
        FieldSpec("email", FieldKind.EMAIL, "Email", max_length=320, searchable=True),
        FieldSpec("email2", FieldKind.EMAIL, "Other email", max_length=320, searchable=True),
        *_phone("phone", "Phone"),
        *_phone("mobile", "Mobile"),
        *_address(),
        FieldSpec("notes", FieldKind.LONG_TEXT, "Notes", max_length=LONG_TEXT_MAX),
        TAGS_FIELD,
        _OWNER,
        _SHARED,
    ),
    required_any=("first_name", "last_name"),
    title_fields=("first_name", "last_name"),
)

RECORD_TYPES: dict[str, RecordTypeSpec] = {spec.name: spec for spec in (ACCOUNT, CONTACT)}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationFailed(ValueError):
    """Raised with every field error of one record, so a form can mark them all."""

    def __init__(self, record_type: str, errors: list[FieldError]) -> None:
        self.record_type = record_type
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL_RE = re.compile(r"^(https?://)?[^\s/$.?#][^\s]*\.[^\s]{2,}$", re.IGNORECASE)


def is_uuid(value: str) -> bool:
    return bool(_UUID_RE.match(value))


def _clean_text(value: Any, spec: FieldSpec, errors: list[FieldError]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(FieldError(spec.name, f"{spec.label} must be text"))
        return None
    # Lone surrogates cannot be stored as UTF-8; NUL and other control
    # characters break search and exports, so they are refused with a reason
    # rather than silently dropped.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        errors.append(FieldError(spec.name, f"{spec.label} contains invalid characters"))
        return None
    if spec.kind is not FieldKind.LONG_TEXT:
        value = value.strip()
    if _CONTROL_RE.search(value):
        errors.append(FieldError(spec.name, f"{spec.label} contains control characters"))
        return None
    if len(value) > spec.max_length:
        errors.append(
            FieldError(spec.name, f"{spec.label} is too long (at most {spec.max_length:,} characters)")
        )
        return None
    return value or None


def normalize_phone(text: str, default_region: str) -> str:
    """Return the E.164 form of ``text`` or raise ValueError with a reason."""
    try:
        number = phonenumbers.parse(text, default_region.upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("is not a phone number") from exc
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_fields(
    record_type: str,
    data: dict[str, Any],
    *,
    partial: bool,
    default_region: str = "US",
) -> dict[str, JsonValue]:
    """Validate and normalise ``data`` for ``record_type``.

    With ``partial`` only the given fields are checked; otherwise ``data`` is
    the whole record and required fields must be present.  Updates are
    validated on the whole merged record, never on the patch alone.  Returns the cleaned values,
    including derived fields; raises :class:`ValidationFailed` listing every bad
    field.
    """
    spec = RECORD_TYPES.get(record_type)
    if spec is None:
        raise ValidationFailed(record_type, [FieldError("type", f"unknown record type {record_type!r}")])
    errors: list[FieldError] = []
    cleaned: dict[str, JsonValue] = {}
    for name, value in data.items():
        fspec = spec.field_map.get(name)
        if fspec is None:
            errors.append(FieldError(name, "unknown field"))
            continue
        if fspec.derived_from is not None:
            continue  # recomputed below from its source field
        cleaned_value = _clean_value(fspec, value, errors, default_region, cleaned)
        cleaned[name] = cleaned_value
    if not partial:
        for fspec in spec.fields:
            if fspec.required and not cleaned.get(fspec.name):
                if not any(e.field == fspec.name for e in errors):
                    errors.append(FieldError(fspec.name, f"{fspec.label} is required"))
    if not partial and spec.required_any and not any(cleaned.get(n) for n in spec.required_any):
        labels = " or ".join(spec.field_map[n].label for n in spec.required_any)
        errors.append(FieldError(spec.required_any[0], f"{labels} is required"))
    if errors:
        raise ValidationFailed(record_type, errors)
    return cleaned


def _clean_value(
    fspec: FieldSpec,
    value: Any,
    errors: list[FieldError],
    default_region: str,
    cleaned: dict[str, JsonValue],
) -> JsonValue:
    kind = fspec.kind
    if kind is FieldKind.TAGS:
        return _clean_tags(fspec, value, errors)
    if kind is FieldKind.BOOL:
        if value is None:
            return False
        if not isinstance(value, bool):
            errors.append(FieldError(fspec.name, f"{fspec.label} must be true or false"))
            return None
        return value
    if kind is FieldKind.INT:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            errors.append(FieldError(fspec.name, f"{fspec.label} must be a whole number"))
            return None
        try:
            number = int(value)
        except ValueError:
            errors.append(FieldError(fspec.name, f"{fspec.label} must be a whole number"))
            return None
        if abs(number) > 2**53:
            errors.append(FieldError(fspec.name, f"{fspec.label} is too large"))
            return None
        return number
    if kind is FieldKind.DECIMAL:
        if value is None or value == "":
            return None
        try:
            dec = Decimal(str(value))
        except InvalidOperation:
            errors.append(FieldError(fspec.name, f"{fspec.label} must be a number"))
            return None
        if not dec.is_finite() or abs(dec) >= Decimal(10) ** 15:
            errors.append(FieldError(fspec.name, f"{fspec.label} is out of range"))
            return None
        return str(dec.quantize(Decimal("0.01")))
    text = _clean_text(value, fspec, errors)
    if text is None:
        if kind is FieldKind.PHONE:
            cleaned[f"{fspec.name}_e164"] = None
        return None
    if kind is FieldKind.EMAIL:
        try:
            result = validate_email(text, check_deliverability=False)
        except EmailNotValidError as exc:
            errors.append(FieldError(fspec.name, f"{fspec.label} is not a valid email address ({exc})"))
            return None
        return str(result.normalized)
    if kind is FieldKind.PHONE:
        try:
            cleaned[f"{fspec.name}_e164"] = normalize_phone(text, default_region)
        except ValueError as exc:
            errors.append(FieldError(fspec.name, f"{fspec.label} {exc}"))
            return None
        return text
    if kind is FieldKind.URL:
        if not _URL_RE.match(text):
            errors.append(FieldError(fspec.name, f"{fspec.label} is not a web address"))
            return None
        return text
    if kind is FieldKind.REF:
        if not is_uuid(text):
            errors.append(FieldError(fspec.name, f"{fspec.label} is not a valid reference"))
            return None
        return text
    if kind is FieldKind.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            errors.append(FieldError(fspec.name, f"{fspec.label} must be a date (YYYY-MM-DD)"))
            return None
    if kind is FieldKind.CHOICE:
        if text not in fspec.choices:
            errors.append(FieldError(fspec.name, f"{fspec.label} must be one of {', '.join(fspec.choices)}"))
            return None
        return text
    return text


_SPACES_RE = re.compile(r"\s+")


def _clean_tags(fspec: FieldSpec, value: Any, errors: list[FieldError]) -> list[str] | None:
    """A list of tags (or one comma-separated string): trimmed, inner spaces
    collapsed, duplicates dropped ignoring case (first spelling kept), empty
    ones skipped.  Too many or too long tags are refused, never cut."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        errors.append(FieldError(fspec.name, f"{fspec.label} must be a list of text labels"))
        return None
    out: list[str] = []
    seen: set[str] = set()
    for raw in value:
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            errors.append(FieldError(fspec.name, f"{fspec.label} contain invalid characters"))
            return None
        tag = _SPACES_RE.sub(" ", raw).strip()
        if not tag:
            continue
        if _CONTROL_RE.search(tag):
            errors.append(FieldError(fspec.name, f"{fspec.label} contain control characters"))
            return None
        if len(tag) > fspec.max_length:
            errors.append(FieldError(
                fspec.name, f"The tag “{tag[:20]}…” is too long (at most {fspec.max_length} characters)"
            ))
            return None
        key = tag.casefold()
        if key not in seen:
            seen.add(key)
            out.append(tag)
    if len(out) > MAX_TAGS:
        errors.append(FieldError(
            fspec.name, f"Too many tags: {len(out):,} (at most {MAX_TAGS} on one record)"
        ))
        return None
    return out or None


_WIRE_TYPES: dict[FieldKind, tuple[type, ...]] = {
    FieldKind.BOOL: (bool,),
    FieldKind.INT: (int,),
    FieldKind.DECIMAL: (str, int, float),
}


def check_wire_data(record_type: str, data: dict[str, Any]) -> dict[str, JsonValue]:
    """Cheap structural check of record data received from the other side.

    Unlike :func:`validate_fields` it does not re-run email or phone parsing
    (too slow for a million-record initial sync); it makes sure every value
    has the type and size its column expects, so nothing malformed reaches a
    store.  Unknown fields (from a newer peer) are dropped.  Raises
    ``ValueError`` naming the first bad field.
    """
    spec = RECORD_TYPES.get(record_type)
    if spec is None:
        raise ValueError(f"unknown record type {record_type!r}")
    out: dict[str, JsonValue] = {}
    for fspec in spec.fields:
        value = data.get(fspec.name)
        if value is None:
            out[fspec.name] = False if fspec.kind is FieldKind.BOOL else None
            continue
        if fspec.kind is FieldKind.TAGS:
            if (
                not isinstance(value, list)
                or len(value) > MAX_TAGS
                or not all(isinstance(t, str) and len(t) <= fspec.max_length and "\x00" not in t for t in value)
            ):
                raise ValueError(f"{record_type}.{fspec.name} is not a valid list of tags")
            out[fspec.name] = list(value)
            continue
        expected = _WIRE_TYPES.get(fspec.kind, (str,))
        if not isinstance(value, expected) or (
            fspec.kind is FieldKind.INT and isinstance(value, bool)
        ):
            raise ValueError(f"{record_type}.{fspec.name} has a value of the wrong type")
        if isinstance(value, str):
            if len(value) > fspec.max_length:
                raise ValueError(f"{record_type}.{fspec.name} is longer than {fspec.max_length}")
            if "\x00" in value:
                raise ValueError(f"{record_type}.{fspec.name} contains a NUL character")
        out[fspec.name] = cast(JsonValue, value)
    return out
