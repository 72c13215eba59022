"""Finding likely duplicates of a record before it is saved or imported.

Generic over the record specs: a record's *blocking keys* are its email
fields, the E.164 form of its phone fields and its title (the name).  Only
rows sharing a key are read, through indexes (email and phone columns,
``sort_key``, the trigram full-text index), so the check stays fast at a
million records; rapidfuzz then scores names only on those candidates.

* same email or same phone: a near-certain duplicate;
* same name (case, accents and word order aside) or a fuzzy name match
  (``token_sort_ratio`` >= :data:`FUZZY_CUTOFF`): a likely one.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Connection

from crm_desktop.services.lists import fts_query
from crm_desktop.store.db import Database
from crm_desktop.store.schema import FTS_TABLES, RECORD_MODELS, spec_for
from crm_protocol.records import PERSON_NAME_FIELDS, FieldKind, RecordTypeSpec, ValidationFailed, validate_fields

log = logging.getLogger("crm.duplicates")

FUZZY_CUTOFF = 88
#: Most candidate rows read per name block (common names: "John" at 1M rows).
CANDIDATES = 2000
_CHUNK = 400


@dataclass(frozen=True)
class DuplicateMatch:
    record_id: str
    title: str
    #: Why it matched, for the user: "same email", "same phone", "similar name (93%)".
    reasons: tuple[str, ...]
    score: int

    @property
    def certain(self) -> bool:
        return self.score >= 100


def name_key(text: str) -> str:
    """Casefolded, accents dropped, punctuation to spaces (word order kept)."""
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(" " if not (c.isalnum() or c.isspace()) else c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


@dataclass(frozen=True)
class _Keys:
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    title: str


def email_fields(spec: RecordTypeSpec) -> list[str]:
    return [f.name for f in spec.fields if f.kind is FieldKind.EMAIL]


def phone_fields(spec: RecordTypeSpec) -> list[str]:
    """The derived E.164 columns (``phone_e164``...)."""
    return [
        f.name for f in spec.fields
        if f.derived_from is not None and spec.field_map[f.derived_from].kind is FieldKind.PHONE
    ]


def keys_of(spec: RecordTypeSpec, cleaned: dict[str, Any]) -> _Keys:
    emails = {str(cleaned[n]) for n in email_fields(spec) if cleaned.get(n)}
    phones = {str(cleaned[n]) for n in phone_fields(spec) if cleaned.get(n)}
    return _Keys(tuple(sorted(emails)), tuple(sorted(phones)), spec.title(cleaned))


class DuplicateFinder:
    def __init__(self, db: Database, *, default_region: Any = lambda: "US") -> None:
        self._db = db
        self._default_region = default_region

    # -- one record (the form) ---------------------------------------------

    def find(
        self, record_type: str, data: dict[str, Any], *, exclude_id: str | None = None, limit: int = 5
    ) -> list[DuplicateMatch]:
        """Likely duplicates of ``data`` (raw form values; invalid fields are just skipped)."""
        spec = spec_for(record_type)
        cleaned = self._clean_leniently(record_type, data)
        keys = keys_of(spec, cleaned)
        with self._db.session() as session:
            conn = session.connection()
            found = self._exact(conn, record_type, [keys])[0]
            for match in self._fuzzy(conn, record_type, keys.title):
                found.setdefault(match[0], []).append(match[1:])
        return self._ranked(record_type, found, exclude_id, limit)

    def _clean_leniently(self, record_type: str, data: dict[str, Any]) -> dict[str, Any]:
        spec = spec_for(record_type)
        wanted = {n: data.get(n) for n in (*spec.title_fields, *email_fields(spec))}
        for f in spec.fields:
            if f.derived_from is not None and f.derived_from in data:
                wanted[f.derived_from] = data[f.derived_from]
        out: dict[str, Any] = {}
        for name, value in wanted.items():
            if value in (None, ""):
                continue
            try:
                out.update(validate_fields(record_type, {name: value}, partial=True,
                                           default_region=self._default_region()))
            except ValidationFailed:
                continue
        return out

    # -- many records (an import) --------------------------------------------

    def find_many(
        self, conn: Connection, record_type: str, rows: Sequence[dict[str, Any]], *, fuzzy: bool
    ) -> list[list[DuplicateMatch]]:
        """Matches in the store for each of ``rows`` (cleaned values), in order."""
        spec = spec_for(record_type)
        keys = [keys_of(spec, r) for r in rows]
        found = self._exact(conn, record_type, keys)
        if fuzzy:
            for i, k in enumerate(keys):
                for match in self._fuzzy(conn, record_type, k.title):
                    found[i].setdefault(match[0], []).append(match[1:])
        return [self._ranked(record_type, f, None, 5) for f in found]

    # -- queries ---------------------------------------------------------------

    def _exact(
        self, conn: Connection, record_type: str, keys: Sequence[_Keys]
    ) -> list[dict[str, list[tuple[str, str, int]]]]:
        """Per key set: {record id: [(title, reason, score)...]} for shared emails, phones, names."""
        spec = spec_for(record_type)
        table = RECORD_MODELS[record_type].__tablename__
        title_sql = _title_sql(spec)
        out: list[dict[str, list[tuple[str, str, int]]]] = [{} for _ in keys]

        def lookup(values: dict[str, list[int]], columns: Iterable[str], reason: str, score: int,
                   lower: bool = False) -> None:
            items = list(values)
            for start in range(0, len(items), _CHUNK):
                chunk = items[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for column in columns:
                    # COLLATE NOCASE matches the email indexes (migrations 0003, 0016).
                    expression = f"{column} COLLATE NOCASE" if lower else column
                    sql = (f"SELECT id, {title_sql}, {column} FROM {table} "
                           f"WHERE deleted = 0 AND {column} IS NOT NULL AND {expression} IN ({marks})")
                    for record_id, title, value in conn.exec_driver_sql(sql, tuple(chunk)):
                        key = str(value).lower() if lower else value
                        for i in values.get(key, ()):
                            out[i].setdefault(record_id, []).append((title or "", reason, score))

        emails: dict[str, list[int]] = {}
        phones: dict[str, list[int]] = {}
        names: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            for e in k.emails:
                emails.setdefault(e.lower(), []).append(i)
            for p in k.phones:
                phones.setdefault(p, []).append(i)
            if k.title.strip():
                names.setdefault(k.title.casefold(), []).append(i)
        lookup(emails, email_fields(spec), "same email", 100, lower=True)
        lookup(phones, phone_fields(spec), "same phone", 100)
        lookup(names, ["sort_key"], "same name", 95)
        return out

    def _fuzzy(self, conn: Connection, record_type: str, title: str) -> list[tuple[str, str, str, int]]:
        """(id, title, reason, score) of records whose name is close to ``title``."""
        key = name_key(title)
        if not key:
            return []
        spec = spec_for(record_type)
        table = RECORD_MODELS[record_type].__tablename__
        title_sql = _title_sql(spec)
        candidates: dict[str, str] = {}
        folded = " ".join(title.casefold().split())
        # Block 1: names starting like this one (the sort index): the first
        # word and the next letter ("susan w…": a typo later in the name),
        # then the first three letters (a short or cut name: "sue", "sus…").
        first, _, rest = folded.partition(" ")
        prefixes = [f"{first} {rest[:1]}" if rest else first, folded[:3]]
        for prefix, limit in zip(prefixes, (CANDIDATES, CANDIDATES // 4), strict=True):
            for record_id, name in conn.exec_driver_sql(
                f"SELECT id, {title_sql} FROM {table} WHERE deleted = 0 AND sort_key >= ? AND sort_key < ? "
                f"LIMIT {limit}", (prefix, prefix + "\uffff"),
            ):
                candidates[record_id] = name or ""
        # Block 2: names sharing a word of three characters or more (the
        # trigram index): catches a typo in the first name and swapped order.
        fts = FTS_TABLES.get(record_type)
        words = [w for w in key.split() if len(w) >= 3]
        if fts is not None and words:
            fts_table = fts[0]
            for word in sorted(words, key=len, reverse=True)[:2]:
                for record_id, name in conn.exec_driver_sql(
                    f"SELECT c.id, {_title_sql(spec, 'c.')} FROM "
                    f"(SELECT rowid AS r FROM {fts_table} WHERE {fts_table} MATCH ? LIMIT {CANDIDATES}) m "
                    f"CROSS JOIN {table} c ON c.rid = m.r WHERE c.deleted = 0",
                    (fts_query([word]),),
                ):
                    candidates[record_id] = name or ""
        if not candidates:
            return []
        ids = list(candidates)
        choices = [name_key(candidates[i]) for i in ids]
        # Plain ratio catches typos ("Carla"/"Karla": sorting the words would
        # put them apart); token_sort_ratio catches swapped order ("Lee Ann").
        best: dict[int, float] = {}
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            for _choice, score, index in process.extract(key, choices, scorer=scorer, score_cutoff=FUZZY_CUTOFF,
                                                         limit=10):
                best[index] = max(best.get(index, 0.0), score)
        out: list[tuple[str, str, str, int]] = []
        for index, score in sorted(best.items(), key=lambda item: -item[1]):
            record_id = ids[index]
            if score >= 100:
                out.append((record_id, candidates[record_id], "same name", 95))
            else:
                out.append((record_id, candidates[record_id], f"similar name ({int(score)}%)", int(score) - 10))
        return out

    def _ranked(
        self, record_type: str, found: dict[str, list[tuple[str, str, int]]], exclude_id: str | None, limit: int
    ) -> list[DuplicateMatch]:
        matches: list[DuplicateMatch] = []
        for record_id, hits in found.items():
            if record_id == exclude_id:
                continue
            reasons: list[str] = []
            for _title, reason, _score in sorted(hits, key=lambda h: -h[2]):
                if reason not in reasons and not (reason.startswith("similar") and "same name" in reasons):
                    reasons.append(reason)
            best = max(h[2] for h in hits)
            matches.append(DuplicateMatch(record_id, hits[0][0] or "(untitled)", tuple(reasons), best))
        matches.sort(key=lambda m: (-m.score, -len(m.reasons), m.title))
        return matches[:limit]


def _title_sql(spec: RecordTypeSpec, prefix: str = "") -> str:
    """SQL for a record's title from its title fields."""
    if not spec.title_fields:
        return "''"
    if spec.title_fields == PERSON_NAME_FIELDS:
        return f"crm_person_name({prefix}first_name, {prefix}last_name)"
    parts = [f"coalesce({prefix}{name}, '')" for name in spec.title_fields]
    return "trim(" + " || ' ' || ".join(parts) + ")"
