"""Which file column goes into which field: targets and the automatic guess.

A mapping is ``{column index: target}``; a target is a field name of the
record type's spec, a custom field (``custom.<name>``, :data:`CUSTOM_PREFIX`),
or :data:`FULL_NAME` (one column holding "first last", split into the two
title fields).  Unmapped columns are ignored.  A column
mapped to a reference field (e.g. a contact's account) holds the referenced
record's name; the import links it by name (or by id if it is one).

The guess knows the headers of the exports of Google Contacts, Outlook,
Apple Contacts (vCard), Salesforce, HubSpot and Zoho, and otherwise matches
a header against each field's name and label, so record types added later
are guessed too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from crm_protocol.custom import CustomFieldDef
from crm_protocol.records import FieldKind, RecordTypeSpec

#: Target meaning "first and last name in one column".
FULL_NAME = "__full_name__"
#: Prefix of a custom field's target (``custom.budget``).
CUSTOM_PREFIX = "custom."


@dataclass(frozen=True)
class Target:
    key: str
    label: str


def targets(spec: RecordTypeSpec, custom: Sequence[CustomFieldDef] = ()) -> list[Target]:
    """Every field a column can be mapped to, in the spec's order, then the active custom fields."""
    out: list[Target] = []
    if len(spec.title_fields) == 2:
        labels = " + ".join(spec.field_map[n].label for n in spec.title_fields)
        out.append(Target(FULL_NAME, f"Full name ({labels})"))
    for f in spec.fields:
        if f.derived_from is not None or f.kind is FieldKind.CUSTOM:
            # Custom values are an object of fields: each is a target of its own (below).
            continue
        label = f.label
        if f.kind is FieldKind.REF and f.ref_type == "user":
            label = f"{f.label} (name or email)"
        elif f.kind is FieldKind.REF and f.ref_type:
            label = f"{f.label} (name)"
        elif f.kind is FieldKind.REF:
            label = f"{f.label} (id)"
        out.append(Target(f.name, label))
    if "custom" in spec.field_map:
        out.extend(Target(CUSTOM_PREFIX + d.name, d.label) for d in custom if d.active)
    return out


def normalize_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", "", text)


# Known export headers -> (field, score).  Higher scores win when two columns
# could fill one field (Outlook's "Title" is Mr/Ms; its "Job Title" wins).
_KNOWN: dict[str, tuple[tuple[str, int], ...]] = {}


def _known(field: str, score: int, *headers: str) -> None:
    for header in headers:
        key = normalize_header(header)
        _KNOWN[key] = (*_KNOWN.get(key, ()), (field, score))


_known("first_name", 100, "First Name", "Given Name", "FirstName", "Forename", "First", "名", "名字")
_known("last_name", 100, "Last Name", "Family Name", "Surname", "LastName", "Last", "姓", "姓氏")
_known(FULL_NAME, 90, "Full Name", "Name", "Display Name", "Contact Name", "File As", "姓名", "Contact")
_known("title", 100, "Job Title", "Organization Title", "Organization 1 - Title", "Position", "Role",
       "职位", "职务")
_known("title", 40, "Title")
_known("account_id", 100, "Account Name", "Company", "Company Name", "Organization", "Organization Name",
       "Organization 1 - Name", "Organisation", "Account", "Associated Company", "公司", "单位")
_known("name", 100, "Account Name", "Company Name", "Company", "Organization Name", "Name", "Account",
       "公司名称", "名称")
_known("email", 100, "Email", "E-mail", "Email Address", "E-mail Address", "E-mail 1 - Value", "Email 1",
       "Primary Email", "Work Email", "Business Email", "邮箱", "电子邮件")
_known("email2", 100, "E-mail 2 Address", "E-mail 2 - Value", "Email 2", "Secondary Email", "Other Email",
       "Personal Email", "Home Email")
_known("email2", 30, "E-mail 3 Address", "E-mail 3 - Value", "Email 3")
_known("phone", 100, "Phone", "Business Phone", "Work Phone", "Phone Number", "Phone 1 - Value",
       "Primary Phone", "Office Phone", "Telephone", "Tel", "电话", "办公电话")
_known("phone", 40, "Company Main Phone", "Home Phone", "Other Phone", "Business Phone 2")
_known("mobile", 100, "Mobile", "Mobile Phone", "Mobile Phone Number", "Cell", "Cell Phone", "Phone 2 - Value",
       "手机", "移动电话")
_known("street", 100, "Street", "Address", "Street Address", "Business Street", "Mailing Street",
       "Billing Street", "Address 1 - Street", "Address Line 1", "地址", "街道")
_known("street", 40, "Home Street", "Other Street", "Shipping Street", "Address 1 - Formatted")
_known("city", 100, "City", "Business City", "Mailing City", "Billing City", "Address 1 - City", "Town",
       "城市")
_known("city", 40, "Home City", "Other City", "Shipping City")
_known("region", 100, "State", "Region", "Province", "State/Province", "State/Region", "Business State",
       "Mailing State", "Mailing State/Province", "Billing State/Province", "Billing State",
       "Address 1 - Region", "County", "省份", "省")
_known("region", 40, "Home State", "Other State")
_known("postal_code", 100, "Postal Code", "Zip", "Zip Code", "Postcode", "Business Postal Code",
       "Mailing Zip/Postal Code", "Mailing Zip", "Billing Zip/Postal Code", "Billing Zip",
       "Address 1 - Postal Code", "邮编", "邮政编码")
_known("postal_code", 40, "Home Postal Code", "Other Postal Code")
_known("country", 100, "Country", "Country/Region", "Business Country/Region", "Business Country",
       "Mailing Country", "Billing Country", "Address 1 - Country", "国家")
_known("country", 40, "Home Country/Region", "Other Country/Region")
_known("website", 100, "Website", "Web Page", "Web Site", "Website URL", "Company Domain Name",
       "Website 1 - Value", "URL", "网站")
_known("industry", 100, "Industry", "行业")
_known("notes", 100, "Notes", "Note", "Description", "Comments", "备注")
# Common headers of German, French and Spanish spreadsheets.
_known("first_name", 90, "Vorname", "Prénom", "Prenom", "Nombre")
_known("last_name", 90, "Nachname", "Familienname", "Nom", "Nom de famille", "Apellido", "Apellidos")
_known("account_id", 90, "Firma", "Unternehmen", "Société", "Societe", "Entreprise", "Empresa")
_known("name", 90, "Firma", "Unternehmen", "Société", "Entreprise", "Empresa")
_known("title", 90, "Position", "Funktion", "Poste", "Fonction", "Cargo", "Puesto")
_known("phone", 90, "Telefon", "Téléphone", "Telefono", "Teléfono")
_known("mobile", 90, "Handy", "Mobil", "Mobiltelefon", "Portable", "Móvil", "Movil", "Celular")
_known("city", 90, "Stadt", "Ort", "Ville", "Ciudad")
_known("street", 90, "Straße", "Strasse", "Adresse", "Rue", "Dirección", "Calle")
_known("postal_code", 90, "PLZ", "Postleitzahl", "Code postal", "Código postal", "CP")
_known("country", 90, "Land", "Pays", "País")
_known("notes", 90, "Notizen", "Bemerkungen", "Remarques", "Notas")
_known("owner_id", 100, "Owner", "Contact Owner", "Account Owner", "Company Owner", "Lead Owner",
       "Record Owner", "负责人")


def guess_mapping(
    spec: RecordTypeSpec, headers: list[str], custom: Sequence[CustomFieldDef] = ()
) -> dict[int, str]:
    """The likely target of each header (best matches first, each target used once)."""
    available = {t.key for t in targets(spec, custom)}
    by_label: dict[str, str] = {}
    for f in spec.fields:
        if f.derived_from is None:
            by_label.setdefault(normalize_header(f.name), f.name)
            by_label.setdefault(normalize_header(f.label), f.name)
    for d in custom:
        if CUSTOM_PREFIX + d.name in available:
            # A spec field of the same label (our own export's column) keeps it.
            by_label.setdefault(normalize_header(d.label), CUSTOM_PREFIX + d.name)
            by_label.setdefault(normalize_header(d.name), CUSTOM_PREFIX + d.name)
    candidates: list[tuple[int, int, str]] = []  # (-score, column, target)
    for column, header in enumerate(headers):
        key = normalize_header(header)
        if not key:
            continue
        for target, score in _KNOWN.get(key, ()):
            if target in available:
                candidates.append((-score, column, target))
        if key in by_label:
            candidates.append((-95, column, by_label[key]))
    candidates.sort()
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for _score, column, target in candidates:
        if column in mapping or target in used:
            continue
        mapping[column] = target
        used.add(target)
    # A separate first/last pair beats a combined name column.
    if FULL_NAME in used and all(n in used for n in spec.title_fields):
        mapping = {c: t for c, t in mapping.items() if t != FULL_NAME}
    return mapping
