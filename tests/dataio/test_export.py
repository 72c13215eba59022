"""Exporting lists: filters and order kept, formula-safe, round trips, cancel leaves no file."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import openpyxl
import pytest

from crm_desktop.context import AppContext
from crm_desktop.dataio.mapping import guess_mapping
from crm_desktop.dataio.progress import Cancelled, Progress
from crm_desktop.dataio.readers import read_table
from crm_desktop.errors import KnownError
from crm_desktop.services.exports import ExportFormat, escape_formula
from crm_desktop.services.imports import ImportMode, ImportOptions
from crm_desktop.services.lists import ListSpec
from crm_desktop.store.schema import spec_for


def seed(context: AppContext) -> dict[str, str]:
    acme = context.records.create("account", {"name": "Acme Inc.", "website": "acme.example"})
    ids = {
        "ann": context.records.create("contact", {
            "first_name": "Ann", "last_name": "Lee", "email": "ann@acme.example", "phone": "(415) 555-0132",
            "account_id": acme, "notes": "Line one\nline two, with a comma", "title": "=HYPERLINK(\"x\")",
            "shared": True}),
        "bob": context.records.create("contact", {
            "first_name": "Bob", "last_name": "Stone", "email": "bob@acme.example", "title": "+1 guy",
            "city": "@home"}),
        "cid": context.records.create("contact", {"first_name": "Cid", "last_name": "Moe", "city": "-5 C"}),
        "zed": context.records.create("contact", {"first_name": "Zed", "last_name": "Zulu", "email": "z@z.example"}),
    }
    ids["acme"] = acme
    return ids


def test_csv_keeps_filter_and_sort_and_escapes_formulas(context: AppContext, tmp_path: Path) -> None:
    seed(context)
    path = tmp_path / "out.csv"
    spec = ListSpec("contact", sort="name", descending=True, search="acme.example")
    result = context.exports.export(spec, ExportFormat.CSV, path)
    assert result.rows == 2
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)  # so Excel reads UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    header, *body = rows
    assert header[:4] == ["First name", "Last name", "Job title", "Account"]
    assert "Phone (E.164)" not in header
    assert [r[0] for r in body] == ["Bob", "Ann"]  # the list's order: name descending
    bob, ann = (dict(zip(header, r, strict=True)) for r in body)
    assert ann["Job title"] == "'=HYPERLINK(\"x\")" and bob["Job title"] == "'+1 guy"
    assert bob["City"] == "'@home"
    assert ann["Account"] == "Acme Inc." and ann["Shared with everyone"] == "yes"
    assert ann["Notes"] == "Line one\nline two, with a comma"
    assert not list(tmp_path.glob(".*.part"))


def test_csv_round_trip(context: AppContext, tmp_path: Path) -> None:
    seed(context)
    path = tmp_path / "out.csv"
    context.exports.export(ListSpec("contact"), ExportFormat.CSV, path)
    other = AppContext.open(tmp_path / "other", lock=False)
    try:
        other.records.create("account", {"name": "Acme Inc."})
        table = other.imports.read(path)
        mapping = guess_mapping(spec_for("contact"), table.headers)
        preview = other.imports.preview(table, ImportOptions("contact", mapping))
        assert preview.problems == []
        result = other.imports.commit(preview, ImportMode.ALL_OR_NOTHING)
        assert result.created == 4 and result.created_refs == {}
        back = {other.records.get("contact", i).data["first_name"]: other.records.get("contact", i).data
                for i in result.ids}
        original = {v.data["first_name"]: v.data for v in
                    (context.records.get("contact", i) for i in seed_ids(context))}
        for name, data in original.items():
            for field in ("last_name", "email", "phone", "phone_e164", "notes", "title", "city", "shared"):
                assert back[name][field] == data[field], (name, field)
            assert (back[name]["account_id"] is None) == (data["account_id"] is None)
    finally:
        other.close()


def seed_ids(context: AppContext) -> list[str]:
    ids = context.lists.all_ids(ListSpec("contact"))
    rows = context.lists.rows("contact", list(ids))
    return [rows[r][0] for r in ids]


def test_xlsx_cells_are_typed_and_never_formulas(context: AppContext, tmp_path: Path) -> None:
    seed(context)
    path = tmp_path / "out.xlsx"
    result = context.exports.export(ListSpec("contact"), ExportFormat.XLSX, path)
    assert result.rows == 4
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Contacts"]
    header = [c.value for c in sheet[1]]
    ann = dict(zip(header, sheet[2], strict=True))
    assert ann["First name"].value == "Ann"
    assert ann["Job title"].value == '=HYPERLINK("x")' and ann["Job title"].data_type == "s"
    assert ann["Shared with everyone"].value == "yes"
    # And it reads back through the importer unchanged.
    table = read_table(path)
    assert dict(zip(table.headers, table.rows[0][1], strict=True))["Job title"] == '=HYPERLINK("x")'


def test_vcard_export_reads_back(context: AppContext, tmp_path: Path) -> None:
    seed(context)
    path = tmp_path / "out.vcf"
    context.exports.export(ListSpec("contact", search="acme.example"), ExportFormat.VCARD, path)
    table = read_table(path)
    rows = [dict(zip(table.headers, cells, strict=True)) for _line, cells in table.rows]
    assert [(r["First name"], r["Last name"]) for r in rows] == [("Ann", "Lee"), ("Bob", "Stone")]
    assert rows[0]["Organization"] == "Acme Inc." and rows[0]["Work phone"] == "+14155550132"
    assert rows[0]["Note"] == "Line one\nline two, with a comma"
    with pytest.raises(KnownError, match="Only people"):
        context.exports.export(ListSpec("account"), ExportFormat.VCARD, tmp_path / "a.vcf")


def test_cancelled_export_leaves_no_file_and_keeps_the_old_one(context: AppContext, tmp_path: Path) -> None:
    seed(context)
    for fmt in ExportFormat:
        path = tmp_path / f"out.{fmt.value}"
        path.write_text("an older export")
        progress = Progress()
        progress.cancel()
        with pytest.raises(Cancelled, match="No file was written"):
            context.exports.export(ListSpec("contact"), fmt, path, progress=progress)
        assert path.read_text() == "an older export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["out.csv", "out.vcf", "out.xlsx"]


def test_export_to_a_missing_folder(context: AppContext, tmp_path: Path) -> None:
    with pytest.raises(KnownError, match="does not exist"):
        context.exports.export(ListSpec("contact"), ExportFormat.CSV, tmp_path / "nope" / "x.csv")


def test_accounts_export(context: AppContext, tmp_path: Path) -> None:
    seed(context)
    path = tmp_path / "accounts.csv"
    context.exports.export(ListSpec("account"), ExportFormat.CSV, path)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:2] == ["Name", "Website"] and rows[1][:2] == ["Acme Inc.", "acme.example"]


def test_escape_formula() -> None:
    assert [escape_formula(v) for v in ("=1+1", "+1", "-1", "@x", "\tx", "plain", "")] == [
        "'=1+1", "'+1", "'-1", "'@x", "'\tx", "plain", ""]
