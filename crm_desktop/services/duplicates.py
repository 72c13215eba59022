"""Finding likely duplicates of a record before it is saved or imported.

Generic over the record specs: a record's *blocking keys* are its email
fields, the E.164 form of its phone fields and its name.  Only rows sharing a
key are read, through indexes (email and phone columns, the name key
``crm_name_key(sort_key)``, the trigram full-text index), so the check stays
fast at a million records; rapidfuzz then scores names only on those
candidates.

Names are compared by :func:`name_key` (``store/name_keys.py``): case,
accents and punctuation aside, so "José Müller" is "Jose Muller".

* same email or same phone: a near-certain duplicate;
* same name key, or a fuzzy name match (``ratio`` or ``token_sort_ratio`` >=
  :data:`FUZZY_CUTOFF`): a likely one.

The fuzzy check of many names (an import) works by *blocks*: each name
belongs to its prefix block (first word and the next letter), its
three-letter block and the blocks of its two longest words.  Each distinct
block is read from the store once (LRU-cached across the chunks of a file),
names are de-duplicated on both sides, and rapidfuzz scores each distinct
name of the file only against the distinct names of its blocks
(``process.extract`` with a score cutoff).  So a 100,000-row import runs it
too, however many of its names repeat.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Connection

from crm_desktop.services.lists import fts_query
from crm_desktop.store.db import Database
from crm_desktop.store.name_keys import name_key
from crm_desktop.store.schema import FTS_TABLES, RECORD_MODELS, spec_for
from crm_protocol.records import PERSON_NAME_FIELDS, FieldKind, RecordTypeSpec, ValidationFailed, validate_fields

log = logging.getLogger("crm.duplicates")

FUZZY_CUTOFF = 88
#: Most candidate rows read per name block (common names: "John" at 1M rows).
CANDIDATES = 2000
_CHUNK = 400
#: Fuzzy matches kept per name (the best ones).
FUZZY_MATCHES = 10
#: Name blocks kept in memory during one import (each a few thousand names at most).
BLOCK_CACHE = 4000

__all__ = ["DuplicateFinder", "DuplicateMatch", "FuzzyBlocks", "keys_of", "name_key"]


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


#: A block of names: ("prefix" | "letters" | "word", value).
Block = tuple[str, str]
#: A block's store names: name key -> [(record id, title)...].
BlockNames = dict[str, list[tuple[str, str]]]


class _Lru(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_fresh(self, key: Any) -> Any:
        found = self.get(key)
        if found is not None:
            self.move_to_end(key)
        return found

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        while len(self) > self.size:
            self.popitem(last=False)


class FuzzyBlocks:
    """What one import has read about names, kept across its chunks (LRU): the name
    blocks, and per name key of the file its namesakes and its fuzzy matches (a
    name that repeats in the file is looked up once)."""

    def __init__(self, size: int = BLOCK_CACHE) -> None:
        self.blocks = _Lru(size)
        self.namesakes = _Lru(size * 4)
        self.fuzzy = _Lru(size * 4)


def _key_of_title(title: str) -> str:
    # The same steps as the store's crm_name_key(sort_key): sort_key is the casefolded title.
    return name_key(title.casefold())


def name_blocks(key: str) -> list[Block]:
    """The blocks a name key belongs to (see the module doc)."""
    first, _, rest = key.partition(" ")
    blocks: list[Block] = [("prefix", f"{first} {rest[:1]}" if rest else first), ("letters", key[:3])]
    words = [w for w in key.split() if len(w) >= 3]
    blocks.extend(("word", w) for w in sorted(words, key=len, reverse=True)[:2])
    return blocks


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
            for match in self._fuzzy_many(conn, record_type, [keys.title], FuzzyBlocks())[0]:
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
        self, conn: Connection, record_type: str, rows: Sequence[dict[str, Any]], *, fuzzy: bool,
        blocks: FuzzyBlocks | None = None,
    ) -> list[list[DuplicateMatch]]:
        """Matches in the store for each of ``rows`` (cleaned values), in order.

        Pass the same ``blocks`` for every chunk of one file: each name block
        is then read from the store once.
        """
        spec = spec_for(record_type)
        keys = [keys_of(spec, r) for r in rows]
        blocks = blocks or FuzzyBlocks()
        found = self._exact(conn, record_type, keys, blocks)
        if fuzzy:
            fuzzy_found = self._fuzzy_many(conn, record_type, [k.title for k in keys], blocks)
            for i, matches in enumerate(fuzzy_found):
                for match in matches:
                    found[i].setdefault(match[0], []).append(match[1:])
        return [self._ranked(record_type, f, None, 5) for f in found]

    # -- queries ---------------------------------------------------------------

    def _exact(
        self, conn: Connection, record_type: str, keys: Sequence[_Keys], cache: FuzzyBlocks | None = None
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
            key = _key_of_title(k.title)
            if key:
                names.setdefault(key, []).append(i)
        lookup(emails, email_fields(spec), "same email", 100, lower=True)
        lookup(phones, phone_fields(spec), "same phone", 100)
        # The name key index (migration 0013): case, accents and punctuation aside.  One
        # look-up per name with a limit: a common name ("John Smith") may have
        # thousands of namesakes, and only the first few are ever shown.
        sql = (f"SELECT id, {title_sql} FROM {table} WHERE deleted = 0 AND crm_name_key(sort_key) = ? "
               f"LIMIT {FUZZY_MATCHES}")
        for key, rows in names.items():
            namesakes = cache.namesakes.get_fresh(key) if cache is not None else None
            if namesakes is None:
                namesakes = [(r[0], r[1] or "") for r in conn.exec_driver_sql(sql, (key,))]
                if cache is not None:
                    cache.namesakes.put(key, namesakes)
            for record_id, title in namesakes:
                for i in rows:
                    out[i].setdefault(record_id, []).append((title, "same name", 95))
        return out

    def _fuzzy_many(
        self, conn: Connection, record_type: str, titles: Sequence[str], cache: FuzzyBlocks
    ) -> list[list[tuple[str, str, str, int]]]:
        """Per title: (id, title, reason, score) of stored records with a close name."""
        keys = [_key_of_title(t) for t in titles]
        results: dict[str, list[tuple[str, str, str, int]]] = {}
        wanted: dict[Block, set[str]] = {}
        for key in set(keys):
            known = cache.fuzzy.get_fresh(key) if key else None
            if known is not None:
                results[key] = known
            elif key:
                for block in name_blocks(key):
                    wanted.setdefault(block, set()).add(key)
        # name key of the file -> record id -> (title, best score)
        best: dict[str, dict[str, tuple[str, float]]] = {}
        for block, queries in wanted.items():
            names = cache.blocks.get_fresh(block)
            if names is None:
                names = self._block_names(conn, record_type, block)
                cache.blocks.put(block, names)
            if not names:
                continue
            choices = list(names)
            for query in queries:
                scores: dict[int, float] = {}
                # Plain ratio catches typos ("Carla"/"Karla": sorting the words
                # would put them apart); token_sort_ratio catches swapped order ("Lee Ann").
                for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
                    for _choice, score, index in process.extract(
                        query, choices, scorer=scorer, score_cutoff=FUZZY_CUTOFF, limit=FUZZY_MATCHES
                    ):
                        scores[index] = max(scores.get(index, 0.0), score)
                hits = best.setdefault(query, {})
                for index, score in scores.items():
                    for record_id, title in names[choices[index]][:FUZZY_MATCHES]:
                        if score > hits.get(record_id, ("", -1.0))[1]:
                            hits[record_id] = (title, score)
        for key in {k for queries in wanted.values() for k in queries}:
            ranked = sorted(best.get(key, {}).items(), key=lambda item: -item[1][1])[:FUZZY_MATCHES]
            results[key] = [
                (record_id, title, "same name", 95) if score >= 100
                else (record_id, title, f"similar name ({int(score)}%)", int(score) - 10)
                for record_id, (title, score) in ranked
            ]
            cache.fuzzy.put(key, results[key])
        return [results.get(key, []) for key in keys]

    def _block_names(self, conn: Connection, record_type: str, block: Block) -> BlockNames:
        """The store's names in one block, by name key (at most CANDIDATES rows read)."""
        kind, value = block
        spec = spec_for(record_type)
        table = RECORD_MODELS[record_type].__tablename__
        title_sql = _title_sql(spec, "c.")
        if kind == "word":
            # Names sharing a word of three characters or more (the trigram index):
            # catches a typo in the first name and swapped order.
            fts = FTS_TABLES.get(record_type)
            if fts is None:
                return {}
            fts_table = fts[0]
            rows = conn.exec_driver_sql(
                f"SELECT c.id, {title_sql}, c.sort_key FROM "
                f"(SELECT rowid AS r FROM {fts_table} WHERE {fts_table} MATCH ? LIMIT {CANDIDATES}) m "
                f"CROSS JOIN {table} c ON c.rid = m.r WHERE c.deleted = 0",
                (fts_query([value]),),
            )
        else:
            # Names starting like this one, accents aside (the name key index): the
            # first word and the next letter ("susan w…": a typo later in the
            # name), or the first three letters (a short or cut name: "sue").
            limit = CANDIDATES if kind == "prefix" else CANDIDATES // 4
            rows = conn.exec_driver_sql(
                f"SELECT c.id, {title_sql}, c.sort_key FROM {table} c WHERE c.deleted = 0 "
                f"AND crm_name_key(c.sort_key) >= ? AND crm_name_key(c.sort_key) < ? LIMIT {limit}",
                (value, value + "\U0010ffff"),
            )
        names: BlockNames = {}
        for record_id, title, sort_key in rows:
            key = name_key(sort_key or "")
            if key:
                names.setdefault(key, []).append((record_id, title or ""))
        return names

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
