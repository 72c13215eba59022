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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from operator import itemgetter
from typing import Any, cast

import phonenumbers
from email_validator import EmailNotValidError, validate_email

JsonValue = str | int | float | bool | list[str] | dict[str, str] | None


#: Han, kana and Hangul (with their extensions and compatibility forms).
_CJK_NAME_RE = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\U00020000-\U0003134f]+"
)
PERSON_NAME_FIELDS = ("first_name", "last_name")


def person_name(first: object, last: object) -> str:
    """A person's name as people write it.

    Chinese, Japanese and Korean names are written family name first with no
    space (first name 伟, last name 张: 张伟), others given name first.  The
    local store's lists, titles and search index use it too (as the SQL
    function ``crm_person_name``), so 张伟 is found however it was entered.
    """
    given, family = str(first or "").strip(), str(last or "").strip()
    if given and family and _CJK_NAME_RE.fullmatch(given) and _CJK_NAME_RE.fullmatch(family):
        return family + given
    return f"{given} {family}".strip()


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
    #: A moment in time, on the wire as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC).
    DATETIME = "datetime"
    #: An ISO 4217 currency code (``EUR``), stored upper-case.
    CURRENCY = "currency"
    CHOICE = "choice"
    #: A set of short labels: a list of strings on the wire, JSON in the
    #: stores; merges as a set (see docs/SYNC.md).
    TAGS = "tags"
    #: Values of the custom fields an administrator defined for the record type:
    #: a JSON object {field name: text}; see crm_protocol/custom.py.
    CUSTOM = "custom"


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
    #: A polymorphic reference: the name of the (choice) field holding the
    #: record type this reference points to (``related_type``).
    ref_type_field: str | None = None
    #: Limits of an INT field.
    min_value: int | None = None
    max_value: int | None = None
    #: Value an empty field takes (e.g. a lead's status starts "New").
    default: JsonValue = None
    #: A text field whose values are the names of records of this
    #: (configuration) type: an opportunity's stage names a pipeline stage.
    #: Lists offer those names as choices to filter by.
    choices_from: str | None = None

    def target_type(self, data: dict[str, Any]) -> str | None:
        """The record type a REF field points to for a record with ``data``."""
        if self.ref_type_field is not None:
            value = data.get(self.ref_type_field)
            return str(value) if value else None
        return self.ref_type


#: A rule over a whole cleaned record (e.g. end not before start); returns the
#: errors it finds, naming the field to mark.
Rule = Callable[[dict[str, "JsonValue"]], list["FieldError"]]


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
    #: Used for the title when the title fields are all empty (a lead with
    #: only a company name).
    title_fallback: tuple[str, ...] = ()
    #: Checks across fields, run after each field is cleaned.
    rules: tuple[Rule, ...] = ()
    #: Configuration kept by administrators (pipeline stages, service levels,
    #: custom field definitions): every user receives it, only admins change it.
    admin_only: bool = False
    #: The business module the type belongs to (customers, sales, ...).
    module: str = "customers"
    field_map: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_map", {f.name: f for f in self.fields})

    def title(self, data: dict[str, Any]) -> str:
        for names in (self.title_fields, self.title_fallback):
            if names == PERSON_NAME_FIELDS:
                text = person_name(data.get("first_name"), data.get("last_name"))
            else:
                parts = [str(data.get(name) or "").strip() for name in names]
                text = " ".join(p for p in parts if p)
            if text:
                return text
        return ""

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


#: Largest long-text value (notes) accepted, in characters.
LONG_TEXT_MAX = 1_000_000

#: Most tags one record may carry, and the longest tag, in characters.
MAX_TAGS = 100
MAX_TAG_LENGTH = 64

#: Most custom field values on one record, and the longest value, in characters.
MAX_CUSTOM_FIELDS = 100
MAX_CUSTOM_VALUE = 2000
_CUSTOM_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

#: The custom values every user-facing record type carries.
CUSTOM_FIELD = FieldSpec("custom", FieldKind.CUSTOM, "Custom fields", max_length=MAX_CUSTOM_VALUE)

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
        CUSTOM_FIELD,
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
        CUSTOM_FIELD,
        TAGS_FIELD,
        _OWNER,
        _SHARED,
    ),
    required_any=("first_name", "last_name"),
    title_fields=("first_name", "last_name"),
)


# -- rules across fields ------------------------------------------------------


def not_before(start: str, end: str, start_label: str, end_label: str) -> Rule:
    """``end`` may not be earlier than ``start`` (dates or date-times as ISO text)."""

    def rule(data: dict[str, JsonValue]) -> list[FieldError]:
        first, last = data.get(start), data.get(end)
        if isinstance(first, str) and isinstance(last, str) and last < first:
            return [FieldError(end, f"{end_label} must not be before {start_label}")]
        return []

    return rule


def linked_pair(type_field: str, id_field: str, label: str) -> Rule:
    """A polymorphic link names both the record type and the record, or neither."""

    def rule(data: dict[str, JsonValue]) -> list[FieldError]:
        if data.get(id_field) and not data.get(type_field):
            return [FieldError(type_field, f"{label}: choose what kind of record it is")]
        if data.get(type_field) and not data.get(id_field):
            return [FieldError(id_field, f"{label}: choose a record")]
        return []

    return rule


def exactly_one(names: tuple[str, ...], labels: str) -> Rule:
    def rule(data: dict[str, JsonValue]) -> list[FieldError]:
        given = [n for n in names if data.get(n)]
        if len(given) != 1:
            return [FieldError(names[0], f"Choose exactly one of {labels}")]
        return []

    return rule


# -- sales ----------------------------------------------------------------------

LEAD_STATUSES = ("New", "Contacted", "Qualified", "Unqualified", "Converted")
LEAD_SOURCES = ("Web", "Referral", "Event", "Cold call", "Advertisement", "Partner", "Email", "Other")
LEAD_RATINGS = ("Hot", "Warm", "Cold")
OPPORTUNITY_STATUSES = ("Open", "Won", "Lost")
#: Outcome of a pipeline stage: an opportunity in a closed stage is won or lost.
STAGE_OUTCOMES = ("open", "won", "lost")

LEAD = RecordTypeSpec(
    name="lead",
    label="Lead",
    label_plural="Leads",
    module="sales",
    fields=(
        FieldSpec("first_name", FieldKind.TEXT, "First name", max_length=120, searchable=True),
        FieldSpec("last_name", FieldKind.TEXT, "Last name", max_length=120, searchable=True),
        FieldSpec("company", FieldKind.TEXT, "Company", searchable=True),
        FieldSpec("title", FieldKind.TEXT, "Job title", max_length=200),
        FieldSpec("status", FieldKind.CHOICE, "Status", required=True, max_length=32, choices=LEAD_STATUSES,
                  default="New"),
        FieldSpec("source", FieldKind.CHOICE, "Source", max_length=32, choices=LEAD_SOURCES),
        FieldSpec("rating", FieldKind.CHOICE, "Rating", max_length=16, choices=LEAD_RATINGS),
        FieldSpec("email", FieldKind.EMAIL, "Email", max_length=320, searchable=True),
        *_phone("phone", "Phone"),
        *_phone("mobile", "Mobile"),
        FieldSpec("website", FieldKind.URL, "Website", max_length=2048),
        FieldSpec("industry", FieldKind.TEXT, "Industry", max_length=120),
        *_address(),
        FieldSpec("campaign_id", FieldKind.REF, "Campaign", ref_type="campaign"),
        FieldSpec("notes", FieldKind.LONG_TEXT, "Notes", max_length=LONG_TEXT_MAX),
        FieldSpec("converted_account_id", FieldKind.REF, "Converted to account", ref_type="account"),
        FieldSpec("converted_contact_id", FieldKind.REF, "Converted to contact", ref_type="contact"),
        FieldSpec("converted_opportunity_id", FieldKind.REF, "Converted to opportunity", ref_type="opportunity"),
        FieldSpec("converted_at", FieldKind.DATETIME, "Converted at", max_length=32),
        CUSTOM_FIELD,
        TAGS_FIELD,
        _OWNER,
        _SHARED,
    ),
    required_any=("last_name", "company"),
    title_fields=("first_name", "last_name"),
    title_fallback=("company",),
)

OPPORTUNITY = RecordTypeSpec(
    name="opportunity",
    label="Opportunity",
    label_plural="Opportunities",
    module="sales",
    fields=(
        FieldSpec("name", FieldKind.TEXT, "Name", required=True, searchable=True),
        FieldSpec("account_id", FieldKind.REF, "Account", ref_type="account"),
        FieldSpec("contact_id", FieldKind.REF, "Contact", ref_type="contact"),
        FieldSpec("amount", FieldKind.DECIMAL, "Amount", max_length=32),
        FieldSpec("currency", FieldKind.CURRENCY, "Currency", max_length=3),
        FieldSpec("stage", FieldKind.TEXT, "Stage", required=True, max_length=120, default="Prospecting",
                  choices_from="pipeline_stage"),
        FieldSpec("probability", FieldKind.INT, "Probability (%)", min_value=0, max_value=100),
        FieldSpec("close_date", FieldKind.DATE, "Expected close date", max_length=10),
        FieldSpec("next_step", FieldKind.TEXT, "Next step", max_length=500),
        FieldSpec("status", FieldKind.CHOICE, "Status", required=True, max_length=16,
                  choices=OPPORTUNITY_STATUSES, default="Open"),
        FieldSpec("close_reason", FieldKind.TEXT, "Won / lost reason", max_length=500),
        FieldSpec("campaign_id", FieldKind.REF, "Campaign", ref_type="campaign"),
        FieldSpec("description", FieldKind.LONG_TEXT, "Description", max_length=LONG_TEXT_MAX),
        CUSTOM_FIELD,
        TAGS_FIELD,
        _OWNER,
        _SHARED,
    ),
    title_fields=("name",),
)

PIPELINE_STAGE = RecordTypeSpec(
    name="pipeline_stage",
    label="Pipeline stage",
    label_plural="Pipeline stages",
    module="sales",
    admin_only=True,
    fields=(
        FieldSpec("name", FieldKind.TEXT, "Name", required=True, max_length=120),
        FieldSpec("position", FieldKind.INT, "Position", required=True, min_value=0, max_value=10_000),
        FieldSpec("probability", FieldKind.INT, "Probability (%)", min_value=0, max_value=100),
        FieldSpec("outcome", FieldKind.CHOICE, "Outcome", required=True, max_length=8, choices=STAGE_OUTCOMES,
                  default="open"),
        FieldSpec("active", FieldKind.BOOL, "Offered for new opportunities", default=True),
    ),
    title_fields=("name",),
)

# -- activities -------------------------------------------------------------------

ACTIVITY_KINDS = ("Call", "Meeting", "Task", "Note")
ACTIVITY_PRIORITIES = ("Low", "Normal", "High")
#: Record types an activity can be linked to.
LINKABLE_TYPES = ("account", "contact", "lead", "opportunity", "case")

ACTIVITY = RecordTypeSpec(
    name="activity",
    label="Activity",
    label_plural="Activities",
    module="activities",
    fields=(
        FieldSpec("kind", FieldKind.CHOICE, "Kind", required=True, max_length=16, choices=ACTIVITY_KINDS,
                  default="Task"),
        FieldSpec("subject", FieldKind.TEXT, "Subject", required=True, max_length=500, searchable=True),
        FieldSpec("due_date", FieldKind.DATE, "Due date", max_length=10),
        FieldSpec("start_at", FieldKind.DATETIME, "Starts", max_length=32),
        FieldSpec("end_at", FieldKind.DATETIME, "Ends", max_length=32),
        FieldSpec("done", FieldKind.BOOL, "Done"),
        FieldSpec("priority", FieldKind.CHOICE, "Priority", max_length=16, choices=ACTIVITY_PRIORITIES,
                  default="Normal"),
        FieldSpec("related_type", FieldKind.CHOICE, "Related to (type)", max_length=32, choices=LINKABLE_TYPES),
        FieldSpec("related_id", FieldKind.REF, "Related to", ref_type_field="related_type"),
        FieldSpec("description", FieldKind.LONG_TEXT, "Description", max_length=LONG_TEXT_MAX),
        CUSTOM_FIELD,
        TAGS_FIELD,
        _OWNER,
        _SHARED,
    ),
    title_fields=("subject",),
    rules=(
        not_before("start_at", "end_at", "Starts", "Ends"),
        linked_pair("related_type", "related_id", "Related to"),
    ),
)

# -- service ------------------------------------------------------------------------

CASE_PRIORITIES = ("Low", "Medium", "High", "Urgent")
CASE_STATUSES = ("New", "Open", "Pending", "Resolved", "Closed")
CASE_ORIGINS = ("Email", "Phone", "Web", "Chat", "In person")

CASE = RecordTypeSpec(
    name="case",
    label="Case",
    label_plural="Cases",
    module="service",
    fields=(
        FieldSpec("subject", FieldKind.TEXT, "Subject", required=True, max_length=500, searchable=True),
        FieldSpec("account_id", FieldKind.REF, "Account", ref_type="account"),
        FieldSpec("contact_id", FieldKind.REF, "Contact", ref_type="contact"),
        FieldSpec("priority", FieldKind.CHOICE, "Priority", required=True, max_length=16,
                  choices=CASE_PRIORITIES, default="Medium"),
        FieldSpec("status", FieldKind.CHOICE, "Status", required=True, max_length=16, choices=CASE_STATUSES,
                  default="New"),
        FieldSpec("origin", FieldKind.CHOICE, "Origin", max_length=16, choices=CASE_ORIGINS),
        FieldSpec("due_at", FieldKind.DATETIME, "Due", max_length=32),
        FieldSpec("description", FieldKind.LONG_TEXT, "Description", max_length=LONG_TEXT_MAX),
        FieldSpec("resolution", FieldKind.LONG_TEXT, "Resolution", max_length=LONG_TEXT_MAX),
        CUSTOM_FIELD,
        TAGS_FIELD,
        _OWNER,
        _SHARED,
    ),
    title_fields=("subject",),
)

SERVICE_LEVEL = RecordTypeSpec(
    name="service_level",
    label="Service level",
    label_plural="Service levels",
    module="service",
    admin_only=True,
    fields=(
        FieldSpec("priority", FieldKind.CHOICE, "Priority", required=True, max_length=16,
                  choices=CASE_PRIORITIES),
        FieldSpec("response_hours", FieldKind.INT, "First response within (hours)", min_value=0,
                  max_value=24 * 365),
        FieldSpec("resolution_hours", FieldKind.INT, "Resolve within (hours)", required=True, min_value=1,
                  max_value=24 * 365),
    ),
    title_fields=("priority",),
)

# -- marketing ------------------------------------------------------------------------

CAMPAIGN_TYPES = ("Email", "Event", "Webinar", "Advertisement", "Social", "Direct mail", "Partner", "Other")
CAMPAIGN_STATUSES = ("Planned", "Active", "Completed", "Aborted")
MEMBER_RESPONSES = ("Planned", "Sent", "Opened", "Responded", "Registered", "Attended", "Bounced",
                    "Unsubscribed")

CAMPAIGN = RecordTypeSpec(
    name="campaign",
    label="Campaign",
    label_plural="Campaigns",
    module="marketing",
    fields=(
        FieldSpec("name", FieldKind.TEXT, "Name", required=True, searchable=True),
        FieldSpec("type", FieldKind.CHOICE, "Type", max_length=32, choices=CAMPAIGN_TYPES),
        FieldSpec("status", FieldKind.CHOICE, "Status", required=True, max_length=16,
                  choices=CAMPAIGN_STATUSES, default="Planned"),
        FieldSpec("start_date", FieldKind.DATE, "Start date", max_length=10),
        FieldSpec("end_date", FieldKind.DATE, "End date", max_length=10),
        FieldSpec("budget", FieldKind.DECIMAL, "Budget", max_length=32),
        FieldSpec("actual_cost", FieldKind.DECIMAL, "Actual cost", max_length=32),
        FieldSpec("currency", FieldKind.CURRENCY, "Currency", max_length=3),
        FieldSpec("description", FieldKind.LONG_TEXT, "Description", max_length=LONG_TEXT_MAX),
        CUSTOM_FIELD,
        TAGS_FIELD,
        _OWNER,
        _SHARED,
    ),
    title_fields=("name",),
    rules=(not_before("start_date", "end_date", "Start date", "End date"),),
)

CAMPAIGN_MEMBER = RecordTypeSpec(
    name="campaign_member",
    label="Campaign member",
    label_plural="Campaign members",
    module="marketing",
    fields=(
        FieldSpec("campaign_id", FieldKind.REF, "Campaign", required=True, ref_type="campaign"),
        FieldSpec("lead_id", FieldKind.REF, "Lead", ref_type="lead"),
        FieldSpec("contact_id", FieldKind.REF, "Contact", ref_type="contact"),
        FieldSpec("response", FieldKind.CHOICE, "Response", required=True, max_length=16,
                  choices=MEMBER_RESPONSES, default="Planned"),
        FieldSpec("responded_on", FieldKind.DATE, "Responded on", max_length=10),
        _OWNER,
        _SHARED,
    ),
    rules=(exactly_one(("lead_id", "contact_id"), "a lead or a contact"),),
)

# -- customization ----------------------------------------------------------------

#: Record types administrators can add custom fields to.
CUSTOMIZABLE_TYPES = ("account", "contact", "lead", "opportunity", "activity", "case", "campaign")
CUSTOM_KINDS = ("text", "number", "date", "choice")


def _custom_field_definition(data: dict[str, JsonValue]) -> list[FieldError]:
    errors: list[FieldError] = []
    name = data.get("name")
    if isinstance(name, str) and not _CUSTOM_NAME_RE.match(name):
        errors.append(FieldError("name", "Name must start with a letter and use only a-z, 0-9 and _ "
                                         "(at most 64 characters)"))
    if data.get("kind") == "choice" and not str(data.get("choices") or "").strip():
        errors.append(FieldError("choices", "Choices: give at least one choice (one per line)"))
    return errors


CUSTOM_FIELD_DEFINITION = RecordTypeSpec(
    name="custom_field",
    label="Custom field",
    label_plural="Custom fields",
    module="customization",
    admin_only=True,
    fields=(
        FieldSpec("record_type", FieldKind.CHOICE, "Record type", required=True, max_length=32,
                  choices=CUSTOMIZABLE_TYPES),
        FieldSpec("name", FieldKind.TEXT, "Name", required=True, max_length=64),
        FieldSpec("label", FieldKind.TEXT, "Label", required=True, max_length=120),
        FieldSpec("kind", FieldKind.CHOICE, "Kind", required=True, max_length=16, choices=CUSTOM_KINDS,
                  default="text"),
        FieldSpec("choices", FieldKind.LONG_TEXT, "Choices (one per line)", max_length=20_000),
        FieldSpec("required", FieldKind.BOOL, "Required"),
        FieldSpec("position", FieldKind.INT, "Position", min_value=0, max_value=100_000),
        FieldSpec("active", FieldKind.BOOL, "Active", default=True),
    ),
    title_fields=("label",),
    rules=(_custom_field_definition,),
)

#: Every record type, parents before children: the sync pushes in this order,
#: so a record and the records it refers to can be created offline together.
RECORD_TYPES: dict[str, RecordTypeSpec] = {
    spec.name: spec
    for spec in (
        PIPELINE_STAGE, SERVICE_LEVEL, CUSTOM_FIELD_DEFINITION,
        ACCOUNT, CONTACT, CAMPAIGN, OPPORTUNITY, LEAD, CASE, ACTIVITY, CAMPAIGN_MEMBER,
    )
}


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


_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date-time (a naive one is taken as UTC), or None if it is not one."""
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_datetime(moment: datetime) -> str:
    """The wire form of a date-time: UTC, whole seconds, ``Z`` suffix (sorts as text)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    if len(value) > spec.max_length and spec.kind is FieldKind.CURRENCY:
        errors.append(FieldError(spec.name, f"{spec.label} must be a three-letter currency code (e.g. EUR)"))
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
            if fspec.default is not None and cleaned.get(fspec.name) in (None, ""):
                if not any(e.field == fspec.name for e in errors):
                    cleaned[fspec.name] = fspec.default
            if fspec.required and cleaned.get(fspec.name) in (None, ""):
                if not any(e.field == fspec.name for e in errors):
                    errors.append(FieldError(fspec.name, f"{fspec.label} is required"))
    if not partial and spec.required_any and not any(cleaned.get(n) for n in spec.required_any):
        labels = " or ".join(spec.field_map[n].label for n in spec.required_any)
        errors.append(FieldError(spec.required_any[0], f"{labels} is required"))
    if not partial and not errors:
        for rule in spec.rules:
            errors.extend(rule(cleaned))
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
    if kind is FieldKind.CUSTOM:
        return _clean_custom(fspec, value, errors)
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
        if fspec.min_value is not None and number < fspec.min_value:
            errors.append(FieldError(fspec.name, f"{fspec.label} must be at least {fspec.min_value}"))
            return None
        if fspec.max_value is not None and number > fspec.max_value:
            errors.append(FieldError(fspec.name, f"{fspec.label} must be at most {fspec.max_value}"))
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
    if kind is FieldKind.DATETIME:
        moment = parse_datetime(text)
        if moment is None:
            errors.append(FieldError(fspec.name, f"{fspec.label} must be a date and time (YYYY-MM-DD HH:MM)"))
            return None
        return format_datetime(moment)
    if kind is FieldKind.CURRENCY:
        code = text.upper()
        if not _CURRENCY_RE.match(code):
            errors.append(FieldError(fspec.name, f"{fspec.label} must be a three-letter currency code (e.g. EUR)"))
            return None
        return code
    if kind is FieldKind.CHOICE:
        if text not in fspec.choices:
            errors.append(FieldError(fspec.name, f"{fspec.label} must be one of {', '.join(fspec.choices)}"))
            return None
        return text
    return text


_SPACES_RE = re.compile(r"\s+")


def _clean_custom(fspec: FieldSpec, value: Any, errors: list[FieldError]) -> dict[str, str] | None:
    """The shape of custom values: names to text (numbers as text), empty ones dropped.

    Whether each value fits its field's definition (a number, a date, one of
    the choices, required) is checked against the definitions by
    :func:`crm_protocol.custom.validate_custom`, which needs the configuration.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.append(FieldError(fspec.name, f"{fspec.label} must be an object of field names and values"))
        return None
    out: dict[str, str] = {}
    for name, item in value.items():
        if not isinstance(name, str) or not _CUSTOM_NAME_RE.match(name):
            errors.append(FieldError(fspec.name, f"{fspec.label}: {str(name)[:64]!r} is not a field name"))
            continue
        if item is None or item == "":
            continue
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            errors.append(FieldError(f"custom.{name}", f"{name} must be text, a number or a date"))
            continue
        text = str(item).strip()
        if len(text) > MAX_CUSTOM_VALUE or _CONTROL_RE.search(text):
            errors.append(FieldError(f"custom.{name}", f"{name} is too long or contains control characters"))
            continue
        if text:
            out[name] = text
    if len(out) > MAX_CUSTOM_FIELDS:
        errors.append(FieldError(fspec.name, f"Too many custom values (at most {MAX_CUSTOM_FIELDS})"))
        return None
    return out or None


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


#: Per record type: (name, accepted types, max length, is bool, is int, the
#: spec of a structured field (tags, custom values) or None) of each field,
#: computed once: check_wire_data runs for every pulled record.
_WireRule = tuple[str, tuple[type, ...], int, bool, bool, "FieldSpec | None"]
_WIRE_RULES: dict[str, tuple[_WireRule, ...]] = {}


def _wire_rules(spec: RecordTypeSpec) -> tuple[_WireRule, ...]:
    rules = _WIRE_RULES.get(spec.name)
    if rules is None:
        rules = _WIRE_RULES[spec.name] = tuple(
            (f.name, _WIRE_TYPES.get(f.kind, (str,)), f.max_length, f.kind is FieldKind.BOOL,
             f.kind is FieldKind.INT, f if f.kind in (FieldKind.TAGS, FieldKind.CUSTOM) else None)
            for f in spec.fields
        )
    return rules


def _check_structured(record_type: str, fspec: FieldSpec, value: Any) -> JsonValue:
    if fspec.kind is FieldKind.CUSTOM:
        if (
            not isinstance(value, dict)
            or len(value) > MAX_CUSTOM_FIELDS
            or not all(
                isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_CUSTOM_VALUE and "\x00" not in v
                for k, v in value.items()
            )
        ):
            raise ValueError(f"{record_type}.{fspec.name} is not a valid object of custom values")
        return cast(JsonValue, dict(value))
    if (
        not isinstance(value, list)
        or len(value) > MAX_TAGS
        or not all(isinstance(t, str) and len(t) <= fspec.max_length and "\x00" not in t for t in value)
    ):
        raise ValueError(f"{record_type}.{fspec.name} is not a valid list of tags")
    return cast(JsonValue, list(value))


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
    get = data.get
    for name, expected, max_length, is_bool, is_int, structured in _wire_rules(spec):
        value = get(name)
        if value is None:
            out[name] = False if is_bool else None
            continue
        if structured is not None:
            out[name] = _check_structured(record_type, structured, value)
            continue
        if value.__class__ is str:
            # The common case first: text fields, checked without isinstance chains.
            if str not in expected:
                raise ValueError(f"{record_type}.{name} has a value of the wrong type")
        elif not isinstance(value, expected) or (is_int and isinstance(value, bool)):
            raise ValueError(f"{record_type}.{name} has a value of the wrong type")
        if isinstance(value, str):
            if len(value) > max_length:
                raise ValueError(f"{record_type}.{name} is longer than {max_length}")
            if "\x00" in value:
                raise ValueError(f"{record_type}.{name} contains a NUL character")
        out[name] = cast(JsonValue, value)
    return out


_NONE_TYPE = type(None)


def check_wire_columns(record_type: str, datas: Sequence[dict[str, Any]]) -> list[list[JsonValue]] | None:
    """:func:`check_wire_data` of many records' data at once, field by field.

    The checked values of each field of the type (in spec order, one per
    record), or ``None`` when any record is not in the usual shape: a field
    missing or of a wrong type, a text too long, a NUL...  Then check each
    record with :func:`check_wire_data`, which names what is wrong.  It never
    accepts what :func:`check_wire_data` refuses, and gives the same values
    (``tests/sync/test_wire_check.py``).

    A first sync checks a million records: here each field of a whole page
    is checked by a few loops that run in C (``set(map(type, ...))``,
    ``max(map(len, ...))``), not by Python code per value.
    """
    spec = RECORD_TYPES.get(record_type)
    if spec is None:
        return None
    names = spec.field_names
    try:
        if len(names) == 1:
            columns: list[Sequence[Any]] = [[data[names[0]] for data in datas]]
        else:
            rows = list(map(itemgetter(*names), datas))
            columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    except (KeyError, TypeError):
        return None
    return _checked_columns(spec, columns)


def check_wire_field_columns(record_type: str, data: dict[str, Any], count: int) -> list[list[JsonValue]] | None:
    """:func:`check_wire_columns` of ``count`` records sent field by field: ``data`` maps
    each field to its values (``crm_protocol.wire.RecordColumns.data``).

    ``None`` also when a field of the type is missing or any field (one this
    app does not know, too) does not hold exactly ``count`` values.
    """
    spec = RECORD_TYPES.get(record_type)
    if spec is None:
        return None
    if any(type(values) is not list or len(values) != count for values in data.values()):
        return None
    try:
        columns = [data[name] for name in spec.field_names]
    except KeyError:
        return None
    return _checked_columns(spec, columns)


def _checked_columns(spec: RecordTypeSpec, columns: list[Sequence[Any]]) -> list[list[JsonValue]] | None:
    record_type = spec.name
    out: list[list[JsonValue]] = []
    for rule, column in zip(_wire_rules(spec), columns, strict=True):
        _name, expected, max_length, is_bool, is_int, structured = rule
        kinds = set(map(type, column))
        kinds.discard(_NONE_TYPE)
        values = list(column)
        if structured is not None:
            if kinds:
                try:
                    values = [None if v is None else _check_structured(record_type, structured, v) for v in values]
                except ValueError:
                    return None
        elif is_bool:
            if not kinds <= {bool}:
                return None
            if len(kinds) != 1 or None in values:
                values = [False if v is None else v for v in values]
        elif is_int:
            if not kinds <= {int}:
                return None
        elif not kinds <= set(expected):
            return None
        elif kinds == {str}:
            # Only texts and None: filter(None) leaves the texts ("" has nothing to check).
            if max(map(len, filter(None, values)), default=0) > max_length:
                return None
            if "\x00" in "".join(filter(None, values)):
                return None
        elif str in kinds:
            if any(type(v) is str and (len(v) > max_length or "\x00" in v) for v in values):
                return None
        out.append(values)
    return out
