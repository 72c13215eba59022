"""Importing records from a file: read, map, check (the preview), then write.

Three steps, each run on the DB worker with a :class:`Progress`:

1. :meth:`ImportService.read` turns the file into a :class:`Table` of text
   cells (``crm_desktop.dataio.readers``).
2. :meth:`ImportService.preview` converts every row through the column
   mapping, validates it with ``crm_protocol.records.validate_fields`` (the
   same rules as a form and the server), resolves references by name (a
   contact's account) and looks for likely duplicates in the store and in the
   file.  Every bad row is kept with its line number and reason.  Nothing is
   written.
3. :meth:`ImportService.commit` writes the good rows.  **All or nothing**:
   the whole import is one SQLite transaction, so a failure or a cancel at
   any point leaves the store exactly as it was.  Mode ``ALL_OR_NOTHING``
   refuses to write anything if any row is bad; ``GOOD_ROWS`` writes the
   good rows and leaves the bad ones out; a row is never written in part.

Rows go in by Core bulk inserts together with their outbox entries
(``pending_changes``, op ``create``), exactly what ``RecordService.create``
writes for one record, so they sync; the full-text index is filled per chunk
by ``store.search_index.bulk_indexing``.  Generic over the record specs.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from crm_desktop.clock import tick
from crm_desktop.customization.rules import custom_fields
from crm_desktop.dataio.mapping import CUSTOM_PREFIX, FULL_NAME
from crm_desktop.dataio.progress import Progress
from crm_desktop.dataio.readers import RowProblem, Table, read_table
from crm_desktop.errors import KnownError
from crm_desktop.ids import new_id
from crm_desktop.services.duplicates import DuplicateFinder, DuplicateMatch, FuzzyBlocks, keys_of
from crm_desktop.services.records import RecordService
from crm_desktop.store.db import Database
from crm_desktop.store.records import get_row, now
from crm_desktop.store.schema import RECORD_MODELS, PendingChange, User, sort_key_for, spec_for
from crm_desktop.store.search_index import bulk_indexing
from crm_protocol.custom import CustomFieldDef, validate_custom
from crm_protocol.records import FieldKind, FieldSpec, RecordTypeSpec, ValidationFailed, is_uuid, validate_fields

log = logging.getLogger("crm.import")

#: Rows written per statement batch (and between cancel checks).
CHUNK = 2000


class ImportMode(StrEnum):
    GOOD_ROWS = "good_rows"
    ALL_OR_NOTHING = "all_or_nothing"


class DuplicateAction(StrEnum):
    IMPORT = "import"
    SKIP = "skip"
    #: Fill the existing record's empty fields from the row (an ordinary,
    #: synced update of the existing record); nothing new is created.
    MERGE = "merge"


@dataclass(frozen=True)
class RowDuplicate:
    line: int
    title: str
    #: Records in the store this row probably repeats (best first).
    matches: tuple[DuplicateMatch, ...]
    #: Earlier line of the same file with the same email, phone or name.
    same_as_line: int | None = None
    same_as_reason: str = ""

    @property
    def certain(self) -> bool:
        return any(m.certain for m in self.matches) or self.same_as_reason in ("same email", "same phone")


@dataclass
class ImportPreview:
    record_type: str
    #: Data rows in the file (good + bad; blank rows not counted).
    total_rows: int
    #: Good rows: (line, cleaned values in the spec's field order).
    good: list[tuple[int, tuple[Any, ...]]]
    problems: list[RowProblem]
    duplicates: list[RowDuplicate]
    #: Per reference field: names not found, to be created on commit.
    to_create: dict[str, list[str]] = field(default_factory=dict)
    #: Per good line: reference field -> name to link once it is created.
    pending_refs: dict[int, dict[str, str]] = field(default_factory=dict)
    blank_rows: int = 0

    @property
    def good_count(self) -> int:
        return len(self.good)

    @property
    def problem_count(self) -> int:
        return len(self.problems)


@dataclass(frozen=True)
class ImportResult:
    created: int
    merged: int
    skipped_duplicates: int
    skipped_bad: int
    #: Referenced records created by name (e.g. accounts), per record type.
    created_refs: dict[str, int]
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportOptions:
    record_type: str
    #: column index -> target (field name or mapping.FULL_NAME)
    mapping: dict[int, str]
    #: A reference by name that matches nothing: create it (else the row is bad).
    create_missing_refs: bool = True


_TRUE = {"1", "true", "yes", "y", "x", "on", "t", "是", "oui", "ja", "si", "sí"}
_FALSE = {"0", "false", "no", "n", "off", "f", "否", "non", "nein"}
_FORMULA_ESCAPED = re.compile(r"^'[=+\-@]")


class ImportService:
    def __init__(
        self,
        db: Database,
        records: RecordService,
        duplicates: DuplicateFinder,
        *,
        default_region: Callable[[], str] = lambda: "US",
        current_user_id: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._db = db
        self._records = records
        self._duplicates = duplicates
        self._default_region = default_region
        self._current_user_id = current_user_id

    # -- 1. read -----------------------------------------------------------

    def read(self, path: Path, *, encoding: str | None = None, progress: Progress | None = None) -> Table:
        progress = progress or Progress()
        progress.update(0, 0, "reading")
        table = read_table(path, encoding=encoding, progress=lambda d, t: progress.update(d, t))
        log.info("read %s: %s, %d rows, %d unreadable, encoding %s, delimiter %r", path.name, table.format,
                 len(table.rows), len(table.problems), table.encoding, table.delimiter)
        return table

    # -- 2. preview -----------------------------------------------------------

    def preview(self, table: Table, options: ImportOptions, *, progress: Progress | None = None) -> ImportPreview:
        progress = progress or Progress()
        record_type = options.record_type
        spec = spec_for(record_type)
        names = spec.field_names
        total = len(table.rows)
        progress.update(0, total, "checking")
        region = self._default_region()
        owner = self._current_user_id()
        problems = list(table.problems)
        good: list[tuple[int, tuple[Any, ...]]] = []
        pending_refs: dict[int, dict[str, str]] = {}
        to_create: dict[str, set[str]] = {}
        with self._db.session() as session:
            conn = session.connection()
            resolver = _RefResolver(conn, spec, options, region, owner)
            resolver.prepare(table)
            # Custom fields: checked against the definitions, as a form and the server do.
            defs = custom_fields(session, record_type) if "custom" in spec.field_map else []
            custom_kinds = {d.name: d for d in defs if d.active}
            for done, (line, cells) in enumerate(table.rows, start=1):
                if done % 500 == 0:
                    progress.check("The check was cancelled.")
                    progress.update(done)
                try:
                    raw, errors = _convert(spec, options.mapping, cells, custom_kinds)
                    if "custom" in spec.field_map and (defs or raw.get("custom")):
                        values, custom_errors = validate_custom(raw.get("custom"), None, defs)
                        raw["custom"] = values
                        errors.extend(custom_errors)
                    refs = resolver.resolve(raw, errors)
                    if errors:
                        raise ValidationFailed(record_type, errors)
                    raw.setdefault("shared", False)
                    if "owner_id" in spec.field_map:
                        raw.setdefault("owner_id", owner)
                    data = {n: raw.get(n) for n in names if spec.field_map[n].derived_from is None}
                    cleaned = validate_fields(record_type, data, partial=False, default_region=region)
                except ValidationFailed as exc:
                    problems.append(RowProblem(line, "; ".join(e.message for e in exc.errors)))
                    continue
                good.append((line, tuple(cleaned.get(n) for n in names)))
                if refs:
                    pending_refs[line] = refs
                    for fname, ref_name in refs.items():
                        to_create.setdefault(fname, set()).add(ref_name)
            progress.update(total, total, "duplicates")
            # The fuzzy name check works by blocks read once per file (services/duplicates.py),
            # so every file gets it, however long.
            duplicates = self._find_duplicates(conn, record_type, good, progress)
        problems.sort(key=lambda p: p.line)
        return ImportPreview(
            record_type, total + len(table.problems), good, problems, duplicates,
            {k: sorted(v, key=str.casefold) for k, v in to_create.items()}, pending_refs, table.blank_rows,
        )

    def _find_duplicates(
        self, conn: Connection, record_type: str, good: Sequence[tuple[int, tuple[Any, ...]]], progress: Progress,
    ) -> list[RowDuplicate]:
        """Rows matching a stored record, or an earlier row of the file by email or phone.

        Two rows of one file with the same name but different addresses are
        usually two people, so within the file only email and phone count.
        """
        spec = spec_for(record_type)
        names = spec.field_names
        out: list[RowDuplicate] = []
        seen: dict[tuple[str, str], int] = {}
        blocks = FuzzyBlocks()
        for start in range(0, len(good), CHUNK):
            progress.check("The check was cancelled.")
            progress.update(start, len(good), "duplicates")
            chunk = good[start:start + CHUNK]
            rows = [dict(zip(names, values, strict=True)) for _line, values in chunk]
            found = self._duplicates.find_many(conn, record_type, rows, fuzzy=True, blocks=blocks)
            for (line, _values), data, matches in zip(chunk, rows, found, strict=True):
                keys = keys_of(spec, data)
                earlier: tuple[int, str] | None = None
                for kind, values in (("same email", keys.emails), ("same phone", keys.phones)):
                    for value in values:
                        first = seen.setdefault((kind, value.casefold()), line)
                        if first != line and earlier is None:
                            earlier = (first, kind)
                if matches or earlier:
                    out.append(RowDuplicate(
                        line, keys.title or "(untitled)", tuple(matches),
                        earlier[0] if earlier else None, earlier[1] if earlier else "",
                    ))
        return out

    def save_problems(self, table: Table, preview: ImportPreview, path: Path) -> int:
        """Write the bad rows (line, reason, and the row as read) to a CSV the user can fix and import."""
        import csv

        from crm_desktop.services.exports import escape_formula

        reasons: dict[int, str] = {}
        cells_by_line: dict[int, list[str]] = dict(table.rows)
        for problem in preview.problems:
            reasons[problem.line] = "; ".join(filter(None, (reasons.get(problem.line), problem.message)))
            if problem.cells:
                cells_by_line.setdefault(problem.line, list(problem.cells))
        try:
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["Line", "Problem", *table.headers])
                for line, reason in sorted(reasons.items()):
                    cells = cells_by_line.get(line, [])
                    writer.writerow([line, reason, *(escape_formula(c) for c in cells)])
        except OSError as exc:
            raise KnownError(f"The problem rows could not be saved to {path}: {exc.strerror or exc}.") from exc
        return len(reasons)

    # -- 3. commit -------------------------------------------------------------

    def commit(
        self,
        preview: ImportPreview,
        mode: ImportMode,
        *,
        duplicate_action: DuplicateAction = DuplicateAction.SKIP,
        likely_action: DuplicateAction = DuplicateAction.IMPORT,
        overrides: dict[int, DuplicateAction] | None = None,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Write the preview's good rows in one transaction (see the module doc).

        ``duplicate_action`` is for rows sharing an email or phone with a
        record (or an earlier row); ``likely_action`` for rows whose name
        alone matches; ``overrides`` by line wins over both.
        """
        progress = progress or Progress()
        overrides = overrides or {}
        if mode is ImportMode.ALL_OR_NOTHING and preview.problems:
            raise KnownError(
                f"{len(preview.problems):,} row(s) of the file have problems, so nothing was imported. "
                "Fix them in the file, or import only the good rows."
            )
        record_type = preview.record_type
        spec = spec_for(record_type)
        names = spec.field_names
        dup_by_line = {d.line: d for d in preview.duplicates}
        cancelled = "The import was cancelled. Nothing was imported."
        inserted_ids: list[str] = []
        merged = skipped = 0
        created_refs: dict[str, int] = {}
        total = len(preview.good)
        progress.update(0, total, "importing")
        with self._db.session() as session:
            ref_ids = self._create_refs(session, spec, preview, created_refs, progress)
            to_insert: list[tuple[int, dict[str, Any]]] = []
            for line, values in preview.good:
                data = dict(zip(names, values, strict=True))
                for fname, ref_name in preview.pending_refs.get(line, {}).items():
                    data[fname] = ref_ids[(fname, ref_name.casefold())]
                dup = dup_by_line.get(line)
                action = DuplicateAction.IMPORT
                if dup is not None:
                    action = overrides.get(line, duplicate_action if dup.certain else likely_action)
                if action is DuplicateAction.SKIP:
                    skipped += 1
                    continue
                if action is DuplicateAction.MERGE and dup is not None:
                    if dup.matches:
                        self._merge_into(session, record_type, dup.matches[0].record_id, data)
                        merged += 1
                    else:
                        skipped += 1  # repeats an earlier line of the file: that one is imported
                    continue
                to_insert.append((line, data))
            # Merged updates go through the ORM and the index triggers: flush
            # them before the bulk inserts suspend the triggers.
            session.flush()
            progress.check(cancelled)
            for start in range(0, len(to_insert), CHUNK):
                chunk = [data for _line, data in to_insert[start:start + CHUNK]]
                inserted_ids.extend(self._insert(session, record_type, chunk))
                progress.check(cancelled)
                progress.update(start + len(chunk) + merged + skipped, total)
            progress.update(total, total, "saving")
            progress.check(cancelled)
        log.info("imported %d %s (merged %d, skipped %d duplicates, %d bad rows left out)",
                 len(inserted_ids), record_type, merged, skipped, len(preview.problems))
        return ImportResult(len(inserted_ids), merged, skipped, len(preview.problems), created_refs,
                            tuple(inserted_ids))

    def _create_refs(
        self, session: Session, spec: RecordTypeSpec, preview: ImportPreview, created: dict[str, int],
        progress: Progress,
    ) -> dict[tuple[str, str], str]:
        """Create the referenced records named in the file (e.g. accounts); (field, name) -> id."""
        ids: dict[tuple[str, str], str] = {}
        owner = self._current_user_id()
        for fname, wanted in preview.to_create.items():
            ref_type = spec.field_map[fname].ref_type
            assert ref_type is not None
            ref_spec = spec_for(ref_type)
            # Someone (a sync) may have created some meanwhile: look again.
            existing = _ids_by_title(session.connection(), ref_type, wanted)
            rows: list[dict[str, Any]] = []
            for ref_name in wanted:
                key = ref_name.casefold()
                if key in existing:
                    ids[(fname, key)] = existing[key]
                    continue
                data = _new_ref_data(ref_spec, ref_name, owner, self._default_region())
                rows.append(data)
            new_ids = self._insert(session, ref_type, rows)
            for data, new in zip(rows, new_ids, strict=True):
                ids[(fname, ref_spec.title(data).casefold())] = new
            if new_ids:
                created[ref_type] = created.get(ref_type, 0) + len(new_ids)
            progress.check("The import was cancelled. Nothing was imported.")
        return ids

    def _merge_into(self, session: Session, record_type: str, record_id: str, data: dict[str, Any]) -> None:
        spec = spec_for(record_type)
        row = get_row(session, record_type, record_id)
        if row is None or row.deleted:
            raise KnownError(
                "A record chosen to merge into was deleted meanwhile (perhaps by a sync). Nothing was imported; "
                "check the preview again."
            )
        fill: dict[str, Any] = {}
        for f in spec.fields:
            if f.derived_from is not None or f.kind is FieldKind.BOOL or f.name == "owner_id":
                continue
            if f.kind is FieldKind.CUSTOM:
                # Custom values fill the existing record's empty ones, one by one.
                have = dict(getattr(row, f.name) or {})
                added = {k: v for k, v in (data.get(f.name) or {}).items() if not have.get(k)}
                if added:
                    fill[f.name] = {**have, **added}
                continue
            if getattr(row, f.name) in (None, "") and data.get(f.name) not in (None, ""):
                fill[f.name] = data[f.name]
        if fill:
            self._records.update_in(session, record_type, record_id, fill)

    def _insert(self, session: Session, record_type: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        """Core bulk insert of new records plus their outbox entries, indexed for search."""
        if not rows:
            return []
        model = RECORD_MODELS[record_type]
        stamp = now()
        names = spec_for(record_type).field_names
        records: list[dict[str, Any]] = []
        outbox: list[dict[str, Any]] = []
        # One clock stamp for the whole import: its records were made at once.
        field_stamps = {"*": tick(session)}
        for data in rows:
            record_id = new_id()
            values = {n: data.get(n) for n in names}
            values.update(
                id=record_id, server_rev=None, dirty=True, deleted=False,
                sort_key=sort_key_for(record_type, values), created_at=stamp, updated_at=stamp,
            )
            records.append(values)
            outbox.append({
                "record_type": record_type, "record_id": record_id, "change_id": new_id(), "op": "create",
                "base_rev": None, "base_values": {}, "in_flight": None, "local_seq": 1, "in_flight_seq": None,
                "status": "pending", "reject_code": None, "reject_reason": None, "field_errors": None,
                "field_stamps": field_stamps, "created_at": stamp, "updated_at": stamp,
            })
        ids = [r["id"] for r in records]
        with bulk_indexing(session, record_type, ids):
            session.execute(insert(model.__table__), records)  # type: ignore[arg-type]
        session.execute(insert(PendingChange.__table__), outbox)  # type: ignore[arg-type]
        return ids


# -- converting one row --------------------------------------------------------


def _convert(
    spec: RecordTypeSpec, mapping: dict[int, str], cells: list[str],
    custom: dict[str, CustomFieldDef] | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    """Cells -> raw field values (text turned into bools, numbers, dates) and conversion errors.

    Columns mapped to custom fields (``custom.<name>``) fill ``raw["custom"]``;
    numbers and dates are read as leniently as the spec's own (1.234,50;
    31.12.2024), the definitions' checks follow in the caller.
    """
    from crm_protocol.records import FieldError

    raw: dict[str, Any] = {}
    errors: list[FieldError] = []
    full_name: str | None = None
    custom = custom or {}
    for column, target in mapping.items():
        if column >= len(cells):
            continue
        text = cells[column].strip() if spec.field_map.get(target, _NOTES).kind is not FieldKind.LONG_TEXT \
            else cells[column]
        if _FORMULA_ESCAPED.match(text):
            text = text[1:]  # our own export's formula escape
        if not text.strip():
            continue
        if target == FULL_NAME:
            full_name = text
            continue
        if target.startswith(CUSTOM_PREFIX):
            name = target[len(CUSTOM_PREFIX):]
            definition = custom.get(name)
            if definition is None:
                continue  # retired since the mapping was made: nothing to fill
            try:
                if definition.kind == "number":
                    text = _number_text(text, whole=False)
                elif definition.kind == "date":
                    text = _date_text(text)
            except ValueError as exc:
                errors.append(FieldError(definition.error_field, f"{definition.label} {exc}"))
                continue
            raw.setdefault("custom", {})[name] = text
            continue
        fspec = spec.field_map.get(target)
        if fspec is None or fspec.derived_from is not None:
            continue
        try:
            raw[target] = _parse(fspec, text)
        except ValueError as exc:
            errors.append(FieldError(fspec.name, f"{fspec.label} {exc}"))
    if full_name is not None and len(spec.title_fields) == 2:
        first_field, last_field = spec.title_fields
        first, last = split_name(full_name)
        if not raw.get(first_field) and not raw.get(last_field):
            raw[first_field], raw[last_field] = first or None, last or None
    return raw, errors


_NOTES = FieldSpec("notes", FieldKind.TEXT, "")


def split_name(text: str) -> tuple[str, str]:
    """"Ann Lee" -> (Ann, Lee); "Lee, Ann" -> (Ann, Lee); "张伟" -> (伟, 张)."""
    text = " ".join(text.split())
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    if " " in text:
        first, _, last = text.rpartition(" ")
        return first, last
    if len(text) >= 2 and all(unicodedata.category(c) == "Lo" for c in text):
        # A Chinese, Japanese or Korean name: family name first, one character.
        return text[1:], text[0]
    return "", text


def _parse(fspec: FieldSpec, text: str) -> Any:
    kind = fspec.kind
    if kind is FieldKind.BOOL:
        folded = text.strip().casefold()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        raise ValueError(f"must be yes or no, not “{text}”")
    if kind is FieldKind.INT:
        return _number_text(text, whole=True)
    if kind is FieldKind.DECIMAL:
        return _number_text(text, whole=False)
    if kind is FieldKind.DATE:
        return _date_text(text)
    return text


_NUMBER_JUNK = re.compile(r"[^\d.,\-+]")


def _number_text(text: str, *, whole: bool) -> str:
    cleaned = _NUMBER_JUNK.sub("", text)  # currency signs, spaces, apostrophes (1'000)
    if "," in cleaned and "." in cleaned:
        # The last separator is the decimal one: 1,234.50 or 1.234,50.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        head, _, tail = cleaned.rpartition(",")
        cleaned = f"{head.replace(',', '')}.{tail}" if len(tail) in (1, 2) and "," not in head \
            else cleaned.replace(",", "")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned):
        raise ValueError(f"must be a number, not “{text}”")
    if whole:
        integer, _, fraction = cleaned.partition(".")
        if fraction.strip("0"):
            raise ValueError(f"must be a whole number, not “{text}”")
        return integer
    return cleaned


def _date_text(text: str) -> str:
    value = text.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d.%m.%Y", "%Y年%m月%d日"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        pass
    raise ValueError(f"must be a date like 2024-12-31, not “{text}”")


# -- references by name ----------------------------------------------------------


class _RefResolver:
    """Turns names in reference columns into ids, in batches."""

    def __init__(
        self, conn: Connection, spec: RecordTypeSpec, options: ImportOptions, region: str, owner: str | None
    ) -> None:
        self._conn = conn
        self._spec = spec
        self._options = options
        self._region = region
        self._owner = owner
        # A reference without a target type (e.g. "related to" any record)
        # can only be given as an id; validation checks it.
        self._fields = [
            spec.field_map[t] for t in options.mapping.values()
            if t in spec.field_map and spec.field_map[t].kind is FieldKind.REF and spec.field_map[t].ref_type
        ]
        self._ids: dict[str, dict[str, str]] = {}
        self._users: dict[str, str] = {}
        self._creatable: dict[str, str | None] = {}

    def prepare(self, table: Table) -> None:
        columns = {t: c for c, t in self._options.mapping.items()}
        for f in self._fields:
            if f.ref_type == "user":
                for user in self._conn.execute(User.__table__.select()):
                    self._users[user.email.casefold()] = user.id
                    self._users.setdefault(user.name.casefold(), user.id)
                continue
            assert f.ref_type is not None
            column = columns[f.name]
            wanted = {cells[column].strip() for _line, cells in table.rows if column < len(cells)}
            wanted = {w for w in wanted if w and not is_uuid(w.lower())}
            self._ids[f.name] = _ids_by_title(self._conn, f.ref_type, wanted)
            self._creatable[f.name] = _why_not_creatable(spec_for(f.ref_type), self._region, self._owner)

    def resolve(self, raw: dict[str, Any], errors: list[Any]) -> dict[str, str]:
        """Replace names by ids in ``raw``; return {field: name} still to be created."""
        from crm_protocol.records import FieldError

        pending: dict[str, str] = {}
        for f in self._fields:
            value = raw.get(f.name)
            if not value:
                continue
            text = str(value).strip()
            if is_uuid(text.lower()):
                raw[f.name] = text.lower()
                if f.ref_type != "user":
                    exists = self._conn.exec_driver_sql(
                        f"SELECT 1 FROM {RECORD_MODELS[str(f.ref_type)].__tablename__} WHERE id = ? AND deleted = 0",
                        (text.lower(),),
                    ).scalar()
                    if exists is None:
                        errors.append(FieldError(f.name, f"{f.label}: no record with id {text}"))
                continue
            if f.ref_type == "user":
                found = self._users.get(text.casefold())
                if found is None:
                    errors.append(FieldError(f.name, f"{f.label}: no user named “{text}”"))
                raw[f.name] = found
                continue
            found = self._ids[f.name].get(text.casefold())
            if found is not None:
                raw[f.name] = found
                continue
            raw[f.name] = None
            why_not = self._creatable[f.name]
            ref_label = spec_for(str(f.ref_type)).label.lower()
            if not self._options.create_missing_refs:
                errors.append(FieldError(f.name, f"{f.label}: no {ref_label} named “{text}”"))
            elif why_not is not None:
                errors.append(FieldError(f.name, f"{f.label}: no {ref_label} named “{text}”, and {why_not}"))
            elif len(text) > spec_for(str(f.ref_type)).field_map[spec_for(str(f.ref_type)).title_fields[0]].max_length:
                errors.append(FieldError(f.name, f"{f.label}: the name “{text[:40]}…” is too long"))
            else:
                pending[f.name] = text
        return pending


def _ids_by_title(conn: Connection, record_type: str, names: set[str] | list[str]) -> dict[str, str]:
    """casefolded title -> id of the oldest live record with that title (via the sort index)."""
    table = RECORD_MODELS[record_type].__tablename__
    out: dict[str, str] = {}
    keys = sorted({n.casefold() for n in names})
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        sql = (f"SELECT sort_key, id FROM {table} WHERE deleted = 0 AND sort_key IN ({','.join('?' * len(chunk))}) "
               "ORDER BY rid DESC")
        for key, record_id in conn.exec_driver_sql(sql, tuple(chunk)):
            out[key] = record_id  # the last write wins: the oldest (lowest rid)
    return out


def _new_ref_data(spec: RecordTypeSpec, name: str, owner: str | None, region: str) -> dict[str, Any]:
    data: dict[str, Any] = dict.fromkeys(spec.field_names)
    data[spec.title_fields[0]] = name
    if "shared" in spec.field_map:
        data["shared"] = False
    if "owner_id" in spec.field_map:
        data["owner_id"] = owner
    return dict(validate_fields(spec.name, {k: v for k, v in data.items()
                                            if spec.field_map[k].derived_from is None},
                                partial=False, default_region=region))


def _why_not_creatable(spec: RecordTypeSpec, region: str, owner: str | None) -> str | None:
    """None if a record of ``spec`` can be made from a name alone, else why not."""
    if len(spec.title_fields) != 1:
        return f"a new {spec.label.lower()} cannot be made from a name alone"
    try:
        _new_ref_data(spec, "x", owner, region)
    except ValidationFailed as exc:
        return f"a new {spec.label.lower()} needs more than a name ({exc})"
    return None


