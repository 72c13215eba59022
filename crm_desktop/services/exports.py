"""Exporting a list, exactly as shown (filters, search, sort), to CSV, Excel or vCard.

The rows are the list's own ordered rids (``ListService.all_ids``), read in
chunks on the DB worker.  The file is written next to its destination under
a temporary name and renamed at the end, so a cancelled or failed export
never leaves a partial file (nor clobbers an older export of the same name).

Values that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) are made inert: in CSV they get a
leading apostrophe (OWASP's advice; the importer removes it again), in Excel
they are written as text cells, which Excel never evaluates.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from crm_desktop.customization.rules import custom_fields
from crm_desktop.dataio.progress import Progress
from crm_desktop.errors import KnownError
from crm_desktop.services.lists import ListService, ListSpec
from crm_desktop.store.db import Database
from crm_desktop.store.schema import RECORD_MODELS, User, spec_for
from crm_protocol.custom import CustomFieldDef
from crm_protocol.records import FieldKind, FieldSpec, RecordTypeSpec

log = logging.getLogger("crm.export")

CHUNK = 1000
#: Excel refuses cells longer than this.
XLSX_CELL_MAX = 32767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    VCARD = "vcf"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    #: Excel only: values longer than a cell allows were cut (the count).
    truncated: int = 0


def escape_formula(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def supports_vcard(record_type: str) -> bool:
    spec = spec_for(record_type)
    return {"first_name", "last_name"} <= set(spec.field_map)


def export_columns(spec: RecordTypeSpec, custom: Sequence[CustomFieldDef] = ()) -> list[FieldSpec]:
    """Exported fields: everything but derived ones (the importer recomputes them); the
    custom values object becomes one column per active custom field, headed by its label
    (the importer maps such a column back by that label)."""
    columns = [f for f in spec.fields if f.derived_from is None and f.kind is not FieldKind.CUSTOM]
    if "custom" in spec.field_map:
        kinds = {"number": FieldKind.DECIMAL, "date": FieldKind.DATE}
        columns.extend(
            FieldSpec(f"{CUSTOM_COLUMN}{d.name}", kinds.get(d.kind, FieldKind.TEXT), d.label, max_length=2000)
            for d in custom if d.active
        )
    return columns


#: Name prefix of an exported custom field's column.
CUSTOM_COLUMN = "custom."


class ExportService:
    def __init__(self, db: Database, lists: ListService) -> None:
        self._db = db
        self._lists = lists

    def export(
        self, spec: ListSpec, fmt: ExportFormat, path: Path, *, progress: Progress | None = None
    ) -> ExportResult:
        progress = progress or Progress()
        if fmt is ExportFormat.VCARD and not supports_vcard(spec.record_type):
            raise KnownError("Only people (contacts) can be exported as vCards.")
        progress.update(0, 0, "exporting")
        with self._db.session() as session:
            custom = custom_fields(session, spec.record_type) if "custom" in spec_for(spec.record_type).field_map \
                else []
        columns = export_columns(spec_for(spec.record_type), custom)
        ids = self._lists.all_ids(spec)
        progress.update(0, len(ids))
        with _atomic_file(path) as tmp:
            if fmt is ExportFormat.CSV:
                with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
                    truncated = self._write_csv(handle, columns, spec.record_type, ids, progress)
            elif fmt is ExportFormat.XLSX:
                truncated = self._write_xlsx(tmp, columns, spec.record_type, ids, progress)
            else:
                with tmp.open("w", encoding="utf-8", newline="") as handle:
                    truncated = self._write_vcard(handle, spec.record_type, ids, progress)
        log.info("exported %d %s to %s (%s)", len(ids), spec.record_type, path, fmt.value)
        return ExportResult(path, len(ids), truncated)

    # -- reading ---------------------------------------------------------------

    def _records(self, record_type: str, ids: Any, progress: Progress) -> Iterator[dict[str, Any]]:
        """Records in list order with references as titles, a chunk per transaction."""
        spec = spec_for(record_type)
        table = RECORD_MODELS[record_type].__tablename__
        names = spec.field_names
        refs = [f for f in spec.fields if f.kind is FieldKind.REF and f.ref_type in RECORD_MODELS | {"user": None}]
        for start in range(0, len(ids), CHUNK):
            progress.check("The export was cancelled. No file was written.")
            chunk = [int(r) for r in ids[start:start + CHUNK]]
            with self._db.session() as session:
                conn = session.connection()
                sql = (f"SELECT rid, {', '.join(names)} FROM {table} "
                       f"WHERE deleted = 0 AND rid IN ({','.join('?' * len(chunk))})")
                rows = conn.exec_driver_sql(sql, tuple(chunk))
                by_rid = {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}
                titles = {f.name: _titles(conn, f, [r[f.name] for r in by_rid.values() if r.get(f.name)])
                          for f in refs}
            for rid in chunk:
                record = by_rid.get(rid)
                if record is None:
                    continue  # deleted since the list was shown
                values = record.get("custom")
                if isinstance(values, str):
                    values = json.loads(values)  # read as text by the raw query
                if isinstance(values, dict):
                    for name, value in values.items():
                        record[f"{CUSTOM_COLUMN}{name}"] = value
                for f in refs:
                    if record.get(f.name):
                        record[f.name] = titles[f.name].get(record[f.name], record[f.name])
                yield record
            progress.update(min(start + CHUNK, len(ids)))

    # -- writing ---------------------------------------------------------------

    def _write_csv(
        self, handle: IO[str], columns: list[FieldSpec], record_type: str, ids: Any, progress: Progress
    ) -> int:
        writer = csv.writer(handle)
        writer.writerow([f.label for f in columns])
        for record in self._records(record_type, ids, progress):
            writer.writerow([escape_formula(_text(f, record.get(f.name))) for f in columns])
        return 0

    def _write_xlsx(
        self, path: Path, columns: list[FieldSpec], record_type: str, ids: Any, progress: Progress
    ) -> int:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        spec = spec_for(record_type)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=spec.label_plural[:31])
        bold = Font(bold=True)
        header = []
        for f in columns:
            cell = WriteOnlyCell(sheet, value=f.label)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        try:
            truncated = self._xlsx_rows(sheet, columns, record_type, ids, progress)
        except BaseException:
            _discard_sheet(sheet)
            raise
        workbook.save(path)
        return truncated

    def _xlsx_rows(self, sheet: Any, columns: list[FieldSpec], record_type: str, ids: Any,
                   progress: Progress) -> int:
        from openpyxl.cell import WriteOnlyCell

        truncated = 0
        for record in self._records(record_type, ids, progress):
            out: list[Any] = []
            for f in columns:
                value = _xlsx_value(f, record.get(f.name))
                if isinstance(value, str):
                    if len(value) > XLSX_CELL_MAX:
                        value = value[:XLSX_CELL_MAX]
                        truncated += 1
                    if value.startswith(_FORMULA_START):
                        # openpyxl turns a string starting with "=" into a
                        # formula; an explicit text cell is never evaluated.
                        cell = WriteOnlyCell(sheet, value=value)
                        cell.data_type = "s"
                        out.append(cell)
                        continue
                out.append(value)
            sheet.append(out)
        progress.update(len(ids), len(ids), "saving")
        progress.check("The export was cancelled. No file was written.")
        return truncated

    def _write_vcard(self, handle: IO[str], record_type: str, ids: Any, progress: Progress) -> int:
        from crm_desktop.dataio.vcard import make_card

        spec = spec_for(record_type)
        org_field = next((f.name for f in spec.fields if f.kind is FieldKind.REF and f.ref_type == "account"), None)
        for record in self._records(record_type, ids, progress):
            organization = str(record[org_field]) if org_field and record.get(org_field) else None
            handle.write(make_card(record, organization))
        return 0


def _discard_sheet(sheet: Any) -> None:
    """Close a write-only sheet abandoned mid-way and delete its temporary file."""
    try:
        sheet.close()
    except Exception:  # noqa: BLE001 - already failing; the original error is what matters
        log.debug("closing an abandoned sheet failed", exc_info=True)
    writer = getattr(sheet, "_writer", None)
    out = getattr(writer, "out", None)
    if isinstance(out, str):
        with contextlib.suppress(OSError):
            os.unlink(out)


def _text(f: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if f.kind is FieldKind.TAGS and isinstance(value, list):
        return ", ".join(value)  # the importer (and validation) split on commas
    if f.kind is FieldKind.BOOL:
        return "yes" if value else "no"
    return str(value)


def _xlsx_value(f: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if f.kind is FieldKind.TAGS and isinstance(value, list):
        return ", ".join(value)
    if f.kind is FieldKind.BOOL:
        return "yes" if value else "no"
    if f.kind is FieldKind.INT:
        return int(value)
    if f.kind is FieldKind.DECIMAL:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)  # a custom value kept from before its field became a number
        # Beyond 15 digits a spreadsheet number loses precision: keep the text.
        return float(number) if len(number.as_tuple().digits) <= 15 else str(value)
    if f.kind is FieldKind.DATE:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return str(value)


def _titles(conn: Connection, f: FieldSpec, ids: list[str]) -> dict[str, str]:
    """id -> title of the referenced records (users by name)."""
    if not ids:
        return {}
    unique = sorted(set(ids))
    marks = ",".join("?" * len(unique))
    if f.ref_type == "user":
        table = User.__tablename__
        sql = f"SELECT id, name FROM {table} WHERE id IN ({marks})"
    else:
        ref_spec = spec_for(str(f.ref_type))
        table = RECORD_MODELS[str(f.ref_type)].__tablename__
        title = " || ' ' || ".join(f"coalesce({n}, '')" for n in ref_spec.title_fields) or "''"
        sql = f"SELECT id, trim({title}) FROM {table} WHERE id IN ({marks})"
    return {row[0]: row[1] for row in conn.exec_driver_sql(sql, tuple(unique))}


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path``, renamed over it only if the block succeeds."""
    folder = path.parent
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except FileNotFoundError:
        raise KnownError(f"The folder {folder} does not exist.") from None
    except OSError as exc:
        raise KnownError(f"Cannot write to {folder}: {exc.strerror or exc}.") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise KnownError(f"The export could not be written to {path}: {exc.strerror or exc}.") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
