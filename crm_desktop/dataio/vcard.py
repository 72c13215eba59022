"""vCard (2.1, 3.0, 4.0) address books in and out, via vobject.

Reading turns each card into a row of fixed columns (first, last, emails,
phones by kind, address, organisation...) so a vCard goes through the same
mapping, validation and preview as a CSV file.  Cards are split by their
BEGIN/END lines first and parsed one by one, so a damaged card is reported
with its line number and the others still import.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from crm_desktop.dataio.readers import ReadError, RowProblem, Table

log = logging.getLogger("crm.dataio.vcard")

#: The columns a card is read into (also their order in the mapping step).
VCARD_COLUMNS: tuple[str, ...] = (
    "Full name", "First name", "Last name", "Organization", "Job title",
    "Email 1", "Email 2", "Email 3",
    "Work phone", "Mobile phone", "Home phone", "Other phone",
    "Street", "City", "Region", "Postal code", "Country",
    "Website", "Birthday", "Note",
)

_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)


def _split_cards(text: str) -> tuple[list[tuple[int, str]], list[RowProblem]]:
    cards: list[tuple[int, str]] = []
    problems: list[RowProblem] = []
    start: int | None = None
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _BEGIN.match(line):
            if start is not None:
                problems.append(RowProblem(start, "this card has no END:VCARD line"))
            start, lines = number, [line]
        elif _END.match(line):
            if start is None:
                problems.append(RowProblem(number, "END:VCARD without a BEGIN:VCARD"))
                continue
            lines.append(line)
            cards.append((start, "\r\n".join(lines) + "\r\n"))
            start, lines = None, []
        elif start is not None:
            lines.append(line)
    if start is not None:
        problems.append(RowProblem(start, "this card has no END:VCARD line (the file is cut off?)"))
    return cards, problems


def _types(prop: Any) -> set[str]:
    found: set[str] = set()
    for value in prop.params.get("TYPE", []):
        found.update(t.strip().lower() for t in str(value).split(","))
    # vCard 2.1 writes bare parameters: TEL;CELL;VOICE:...
    found.update(str(p).lower() for p in getattr(prop, "singletonparams", []) or [])
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value if _text(v)).strip()
    return str(value).strip()


def card_row(card: Any) -> list[str]:
    """One parsed vobject card -> cells in :data:`VCARD_COLUMNS` order."""
    row = dict.fromkeys(VCARD_COLUMNS, "")
    contents: dict[str, list[Any]] = card.contents
    if "fn" in contents:
        row["Full name"] = _text(contents["fn"][0].value)
    if "n" in contents:
        name = contents["n"][0].value
        row["First name"] = _text(getattr(name, "given", ""))
        row["Last name"] = _text(getattr(name, "family", ""))
    if "org" in contents:
        org = contents["org"][0].value
        row["Organization"] = _text(org[0] if isinstance(org, list) and org else org)
    if "title" in contents:
        row["Job title"] = _text(contents["title"][0].value)
    emails = [e for e in contents.get("email", []) if _text(e.value)]
    # A preferred address first, as the address book shows it.
    emails.sort(key=lambda e: 0 if "pref" in _types(e) or e.params.get("PREF") else 1)
    for slot, email in zip(("Email 1", "Email 2", "Email 3"), emails, strict=False):
        row[slot] = _text(email.value)
    leftover: list[str] = []
    for tel in contents.get("tel", []):
        number = _text(tel.value)
        if number.lower().startswith("tel:"):
            number = number[4:]
        if not number:
            continue
        kinds = _types(tel)
        slot = ("Mobile phone" if kinds & {"cell", "mobile", "iphone"} else
                "Work phone" if "work" in kinds else
                "Home phone" if "home" in kinds else "Other phone")
        if row[slot]:
            leftover.append(number)
        else:
            row[slot] = number
    for number in leftover:
        for slot in ("Other phone", "Work phone", "Mobile phone", "Home phone"):
            if not row[slot]:
                row[slot] = number
                break
    adrs = contents.get("adr", [])
    if adrs:
        adrs = sorted(adrs, key=lambda a: 0 if "work" in _types(a) else 1)
        adr = adrs[0].value
        row["Street"] = _text(getattr(adr, "street", ""))
        row["City"] = _text(getattr(adr, "city", ""))
        row["Region"] = _text(getattr(adr, "region", ""))
        row["Postal code"] = _text(getattr(adr, "code", ""))
        row["Country"] = _text(getattr(adr, "country", ""))
    if "url" in contents:
        row["Website"] = _text(contents["url"][0].value)
    if "bday" in contents:
        row["Birthday"] = _text(contents["bday"][0].value)
    if "note" in contents:
        row["Note"] = "\n".join(_text(n.value) for n in contents["note"] if _text(n.value))
    if not row["First name"] and not row["Last name"] and row["Full name"]:
        first, _, last = row["Full name"].rpartition(" ")
        row["First name"], row["Last name"] = (first, last) if first else ("", last)
    return [row[c] for c in VCARD_COLUMNS]


def read_vcards(text: str, *, progress: Callable[[int, int], None] | None = None) -> Table:
    import vobject

    cards, problems = _split_cards(text.lstrip("\ufeff"))
    if not cards and not problems:
        raise ReadError("The file contains no vCards.")
    rows: list[tuple[int, list[str]]] = []
    for i, (line, block) in enumerate(cards, start=1):
        try:
            card = vobject.readOne(block, ignoreUnreadable=True)
            rows.append((line, card_row(card)))
        except Exception as exc:  # noqa: BLE001 - vobject raises many kinds for bad input
            problems.append(RowProblem(line, f"this card cannot be read ({type(exc).__name__}: {exc})"))
        if progress is not None and i % 1000 == 0:
            progress(i, len(cards))
    problems.sort(key=lambda p: p.line)
    return Table(list(VCARD_COLUMNS), rows, "vcard", "", "", problems, 0)


# -- writing ---------------------------------------------------------------


def make_card(fields: dict[str, Any], organization: str | None) -> str:
    """One contact -> a vCard 3.0 (the version every address book reads)."""
    import vobject

    card = vobject.vCard()
    first = str(fields.get("first_name") or "")
    last = str(fields.get("last_name") or "")
    card.add("n").value = vobject.vcard.Name(family=last, given=first)
    card.add("fn").value = " ".join(p for p in (first, last) if p) or organization or ""
    if organization:
        card.add("org").value = [organization]
    if fields.get("title"):
        card.add("title").value = str(fields["title"])
    for name, kind in (("email", "WORK"), ("email2", "HOME")):
        if fields.get(name):
            prop = card.add("email")
            prop.value = str(fields[name])
            prop.type_param = ["INTERNET", kind]
    for name, kind in (("phone", "WORK"), ("mobile", "CELL")):
        if fields.get(name):
            prop = card.add("tel")
            prop.value = str(fields.get(f"{name}_e164") or fields[name])
            prop.type_param = [kind]
    parts = {k: str(fields.get(k) or "") for k in ("street", "city", "region", "postal_code", "country")}
    if any(parts.values()):
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(
            street=parts["street"], city=parts["city"], region=parts["region"], code=parts["postal_code"],
            country=parts["country"],
        )
        adr.type_param = ["WORK"]
    if fields.get("website"):
        card.add("url").value = str(fields["website"])
    if fields.get("notes"):
        card.add("note").value = str(fields["notes"])
    return str(card.serialize())


def write_cards(handle: Any, cards: Iterable[str]) -> None:
    for card in cards:
        handle.write(card)
