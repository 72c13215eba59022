"""Reading import files (CSV, Excel .xlsx, vCard) into one plain table.

Whatever the format, the result is a :class:`Table`: column headers and rows
of text cells, each row with the line (CSV, vCard) or row number (Excel) the
user sees in their own program, so every problem can be reported by line.
Nothing here touches the store.

Files come from anywhere, so reading is defensive: the encoding is detected
(byte-order marks, UTF-16 without one as Outlook writes it, UTF-8, then the
legacy code pages GB18030 and Windows-1252), the CSV delimiter is sniffed,
quoted newlines are kept, and rows with fewer cells than the header are
padded.  A file that cannot be read at all raises :class:`ReadError` with a
sentence for the user; a row that cannot be read is kept as a problem of the
table, never silently dropped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_desktop.errors import KnownError

log = logging.getLogger("crm.dataio")

#: Largest file read, in bytes: far above any real address book or CRM
#: export, low enough that a mistaken pick (a disk image) is refused at once.
MAX_FILE_BYTES = 512 * 1024 * 1024

#: csv's default cell limit (128 KiB) is below our longest notes.
csv.field_size_limit(16 * 1024 * 1024)

#: Encodings the user may force when the detected one is wrong.
ENCODINGS: tuple[tuple[str, str], ...] = (
    ("utf-8", "Unicode (UTF-8)"),
    ("utf-16", "Unicode (UTF-16)"),
    ("cp1252", "Western European (Windows-1252)"),
    ("gb18030", "Chinese Simplified (GB18030 / GBK)"),
    ("big5", "Chinese Traditional (Big5)"),
    ("shift_jis", "Japanese (Shift JIS)"),
    ("latin-1", "Latin-1 (ISO 8859-1)"),
)


class ReadError(KnownError):
    """The file cannot be read as an import file."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str
    #: The row as read, when it could not be used at all (so it can be saved).
    cells: tuple[str, ...] = ()


@dataclass
class Table:
    """A file read into text cells."""

    headers: list[str]
    #: (line number, cells); every row has exactly ``len(headers)`` cells.
    rows: list[tuple[int, list[str]]]
    format: str
    encoding: str = ""
    delimiter: str = ""
    #: Rows that could not be read (too many cells, a damaged vCard...).
    problems: list[RowProblem] = field(default_factory=list)
    #: Blank rows skipped (not problems: spreadsheets are full of them).
    blank_rows: int = 0
    #: Excel: the worksheet read.
    sheet: str = ""

    @property
    def row_count(self) -> int:
        return len(self.rows) + len(self.problems)


ProgressFn = Callable[[int, int], None]


def _no_progress(_done: int, _total: int) -> None:
    return None


def read_table(path: Path, *, encoding: str | None = None, progress: ProgressFn = _no_progress) -> Table:
    """Read ``path`` (format from its content, then its extension)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReadError(f"The file {path.name} does not exist (any more).") from None
    except OSError as exc:
        raise ReadError(f"The file {path.name} cannot be read: {exc.strerror or exc}.") from exc
    if path.is_dir():
        raise ReadError(f"{path.name} is a folder, not a file.")
    if size == 0:
        raise ReadError(f"The file {path.name} is empty.")
    if size > MAX_FILE_BYTES:
        raise ReadError(f"The file {path.name} is too large to import ({size / 2**20:,.0f} MB).")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ReadError(f"The file {path.name} cannot be read: {exc.strerror or exc}.") from exc
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path, progress=progress)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            f"{path.name} is an old Excel (.xls) workbook. Save it as .xlsx or CSV in Excel, then import that."
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"The file {path.name} cannot be read: {exc.strerror or exc}.") from exc
    text, used = decode(raw, encoding, name=path.name)
    if path.suffix.lower() in (".vcf", ".vcard") or text.lstrip()[:11].upper() == "BEGIN:VCARD":
        from crm_desktop.dataio.vcard import read_vcards

        table = read_vcards(text, progress=progress)
        table.encoding = used
        return table
    return read_csv_text(text, encoding=used, progress=progress)


# -- encodings -------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(raw: bytes, encoding: str | None = None, *, name: str = "the file") -> tuple[str, str]:
    """Bytes -> (text, encoding used).  ``encoding`` forces one (the user's choice)."""
    if encoding:
        if encoding == "utf-8" and raw.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise ReadError(f"{name} is not valid {encoding} text ({exc}). Choose another encoding.") from exc
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise ReadError(f"{name} starts like {codec} text but is damaged ({exc}).") from exc
    sample = raw[:65536]
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        try:
            return raw.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in sample or _looks_binary(sample):
        raise ReadError(f"{name} is not a text file (CSV or vCard) nor an Excel .xlsx workbook.")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    legacy = _guess_legacy(raw)
    try:
        return raw.decode(legacy), legacy
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 reads every byte, so
        # nothing is lost and the user can still pick the right encoding.
        return raw.decode("latin-1"), "latin-1"


def _utf16_without_bom(sample: bytes) -> str | None:
    """Outlook and some Windows tools write UTF-16 without a BOM: every other byte zero."""
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


_TEXT_CONTROLS = {9, 10, 12, 13, 26, 27}


def _looks_binary(sample: bytes) -> bool:
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROLS)
    return controls > max(8, len(sample) // 100)


def _guess_legacy(raw: bytes) -> str:
    """GB18030 or Windows-1252 for a file that is not UTF-8.

    Chinese text in GBK is made of byte pairs both in 0xA1-0xFE (the GB2312
    area); accented Western text has lone high bytes next to ASCII letters,
    which GB18030 would read as rare characters.  Count which pattern wins.
    """
    pairs = 0.0
    lone = 0.0
    i = 0
    n = min(len(raw), 1 << 20)
    while i < n:
        b = raw[i]
        if b < 0x80:
            i += 1
            continue
        nxt = raw[i + 1] if i + 1 < n else 0
        if 0xA1 <= b <= 0xFE and 0xA1 <= nxt <= 0xFE:
            pairs += 1
            i += 2
        elif 0x81 <= b <= 0xFE and (0x40 <= nxt <= 0x7E or 0x80 <= nxt <= 0xFE):
            # A GBK extension character: valid Chinese but rare; weigh it low.
            lone += 0.5
            pairs += 0.5
            i += 2
        else:
            lone += 1
            i += 1
    if pairs and pairs >= 2 * lone:
        try:
            raw.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            pass
    return "cp1252"


# -- CSV -------------------------------------------------------------------

_DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, most consistent columns."""
    sample = text[:65536]
    lines = sample.splitlines()
    if len(sample) == 65536 and len(lines) > 1:
        lines = lines[:-1]  # probably cut in the middle
    sample = "\n".join(lines[:50])
    best = ","
    best_score = (0.0, 0)
    for delimiter in _DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not counts:
            continue
        mode, hits = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (hits / len(counts), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_text(text: str, *, encoding: str = "utf-8", progress: ProgressFn = _no_progress) -> Table:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ReadError("The file has no rows.")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    total = text.count("\n") + 1
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    problems: list[RowProblem] = []
    blank = 0
    last_line = 0
    while True:
        start = last_line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ReadError(f"Line {reader.line_num}: the file cannot be read as CSV ({exc}).") from exc
        last_line = reader.line_num
        if not any(c.strip() for c in cells):
            if headers is not None:
                blank += 1
            continue
        if headers is None:
            headers = _headers([c.strip() for c in cells])
            continue
        if len(cells) < len(headers):
            cells = cells + [""] * (len(headers) - len(cells))
        elif len(cells) > len(headers):
            extra = cells[len(headers):]
            if any(c.strip() for c in extra):
                problems.append(RowProblem(
                    start, f"has {len(cells)} values but the header has {len(headers)} columns "
                    "(a delimiter or quote is probably missing)", tuple(cells)))
                continue
            cells = cells[: len(headers)]
        rows.append((start, cells))
        if len(rows) % 5000 == 0:
            progress(min(last_line, total), total)
    if headers is None:
        raise ReadError("The file has no rows.")
    return Table(headers, rows, "csv", encoding, delimiter, problems, blank)


def _headers(cells: list[str]) -> list[str]:
    """Headers with blanks named and repeats numbered, so each column is addressable."""
    out: list[str] = []
    seen: Counter[str] = Counter()
    for i, cell in enumerate(cells, start=1):
        name = cell or f"Column {i}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


# -- Excel -----------------------------------------------------------------

_WS = re.compile(r"\s+")


def cell_text(value: Any) -> str:
    """An Excel cell value as the text a user would type for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def read_xlsx(path: Path, *, progress: ProgressFn = _no_progress) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise ReadError(f"{path.name} is not a readable Excel .xlsx workbook ({exc}).") from exc
    try:
        # The sheet the workbook was saved on (what its owner looked at), else
        # the first one with anything in it.
        sheets = list(workbook.worksheets)
        active = workbook.active
        if active in sheets:
            sheets.remove(active)
            sheets.insert(0, active)
        for sheet in sheets:
            table = _read_sheet(sheet, progress)
            if table is not None:
                return table
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError(f"{path.name} is damaged and cannot be read ({exc}).") from exc
    finally:
        workbook.close()
    raise ReadError(f"Every worksheet of {path.name} is empty.")


def _read_sheet(sheet: Any, progress: ProgressFn) -> Table | None:
    total = sheet.max_row or 0
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    blank = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [cell_text(v) for v in values]
        if not any(c.strip() for c in cells):
            if headers is not None:
                blank += 1
            continue
        if headers is None:
            while cells and not cells[-1].strip():
                cells.pop()
            headers = _headers([_WS.sub(" ", c).strip() for c in cells])
            continue
        if len(cells) < len(headers):
            cells += [""] * (len(headers) - len(cells))
        rows.append((number, cells[: len(headers)]))
        if number % 5000 == 0:
            progress(number, total)
    if headers is None:
        return None
    return Table(headers, rows, "xlsx", "", "", [], blank, str(sheet.title))
