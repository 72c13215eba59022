"""Custom fields in import (mapping, validation by kind, line and reason) and export (columns by label)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from crm_desktop.context import AppContext
from crm_desktop.dataio.mapping import guess_mapping, targets
from crm_desktop.services.exports import ExportFormat
from crm_desktop.services.imports import DuplicateAction, ImportMode, ImportOptions
from crm_desktop.services.lists import ListSpec
from crm_desktop.store.schema import spec_for
from tests.services.helpers import pulled


def define(context: AppContext, record_type: str = "lead", *, required_tier: bool = False) -> None:
    for position, (name, label, kind, choices, required, active) in enumerate([
        ("budget", "Budget", "number", None, False, True),
        ("tier", "Tier", "choice", "Gold\nSilver", required_tier, True),
        ("renewal", "Renewal date", "date", None, False, True),
        ("region", "Sales region", "text", None, False, True),
        ("legacy", "Legacy code", "text", None, False, False),
    ]):
        pulled(context, "custom_field", {"record_type": record_type, "name": name, "label": label, "kind": kind,
                                         "choices": choices, "required": required, "position": position,
                                         "active": active})


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_targets_and_guess_include_active_custom_fields(context: AppContext) -> None:
    define(context)
    defs = context.records.custom_fields("lead", active_only=False)
    keys = [t.key for t in targets(spec_for("lead"), defs)]
    assert {"custom.budget", "custom.tier", "custom.renewal", "custom.region"} <= set(keys)
    assert "custom.legacy" not in keys  # retired: nothing new goes into it
    mapping = guess_mapping(spec_for("lead"), ["Company", "Tier", "Renewal date", "sales region", "budget"], defs)
    assert mapping == {0: "company", 1: "custom.tier", 2: "custom.renewal", 3: "custom.region",
                       4: "custom.budget"}


def test_import_validates_custom_values_per_row(context: AppContext, tmp_path: Path) -> None:
    define(context, required_tier=True)
    path = write_csv(tmp_path / "leads.csv", [
        ["Company", "Tier", "Budget", "Renewal date", "Sales region"],
        ["Initech", "Gold", "1.234,50", "31.12.2026", "North"],
        ["Globex", "Platinum", "10", "", ""],
        ["Hooli", "Silver", "lots", "", ""],
        ["Umbrella", "", "5", "", ""],
        ["Acme", "Silver", "7", "someday", ""],
    ])
    table = context.imports.read(path)
    defs = context.records.custom_fields("lead")
    options = ImportOptions("lead", guess_mapping(spec_for("lead"), table.headers, defs))
    preview = context.imports.preview(table, options)
    assert preview.good_count == 1
    reasons = {p.line: p.message for p in preview.problems}
    assert reasons == {
        3: "Tier must be one of Gold, Silver",
        4: "Budget must be a number, not “lots”",
        5: "Tier is required",
        6: "Renewal date must be a date like 2024-12-31, not “someday”",
    }
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    assert result.created == 1
    lead = context.records.get("lead", result.ids[0])
    assert lead.data["custom"] == {"tier": "Gold", "budget": "1234.5", "renewal": "2026-12-31", "region": "North"}
    with pytest.raises(Exception, match="row"):
        context.imports.commit(preview, ImportMode.ALL_OR_NOTHING)


def test_merge_fills_empty_custom_values(context: AppContext, tmp_path: Path) -> None:
    define(context)
    existing = context.records.create("lead", {"company": "Initech", "email": "a@initech.example",
                                               "custom": {"tier": "Silver"}})
    path = write_csv(tmp_path / "leads.csv", [["Company", "Email", "Tier", "Budget"],
                                              ["Initech", "a@initech.example", "Gold", "99"]])
    table = context.imports.read(path)
    options = ImportOptions("lead", guess_mapping(spec_for("lead"), table.headers,
                                                  context.records.custom_fields("lead")))
    preview = context.imports.preview(table, options)
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS, duplicate_action=DuplicateAction.MERGE)
    assert result.merged == 1
    # The existing value stays; the empty one is filled.
    assert context.records.get("lead", existing).data["custom"] == {"tier": "Silver", "budget": "99"}


def test_export_writes_custom_columns_and_round_trips(context: AppContext, tmp_path: Path) -> None:
    define(context)
    context.records.create("lead", {"company": "Initech", "custom": {"tier": "Gold", "budget": "1500.5",
                                                                     "renewal": "2026-12-31", "region": "=x"}})
    context.records.create("lead", {"company": "Globex"})
    out = tmp_path / "leads.csv"
    assert context.exports.export(ListSpec("lead"), ExportFormat.CSV, out).rows == 2
    with out.open(encoding="utf-8-sig") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[-4:] == ["Budget", "Tier", "Renewal date", "Sales region"]
    assert "Legacy code" not in header and "Custom fields" not in header
    by_company = {r[header.index("Company")]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_company["Initech"]["Tier"] == "Gold" and by_company["Initech"]["Budget"] == "1500.5"
    assert by_company["Initech"]["Sales region"] == "'=x"  # formula-safe like every column
    assert by_company["Globex"]["Tier"] == ""

    xlsx = tmp_path / "leads.xlsx"
    context.exports.export(ListSpec("lead"), ExportFormat.XLSX, xlsx)
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    head = list(values[0])
    initech = next(v for v in values[1:] if "Initech" in v)
    assert initech[head.index("Budget")] == 1500.5
    assert str(initech[head.index("Renewal date")]).startswith("2026-12-31")

    # Our own export goes back in with its custom columns mapped by label.
    other = AppContext.open(tmp_path / "other", lock=False)
    try:
        define(other)
        table = other.imports.read(out)
        defs = other.records.custom_fields("lead")
        mapping = guess_mapping(spec_for("lead"), table.headers, defs)
        assert {"custom.budget", "custom.tier", "custom.renewal", "custom.region"} <= set(mapping.values())
        preview = other.imports.preview(table, ImportOptions("lead", mapping))
        assert preview.problem_count == 0
        result = other.imports.commit(preview, ImportMode.ALL_OR_NOTHING)
        values = {other.records.get("lead", i).data["company"]: other.records.get("lead", i).data["custom"]
                  for i in result.ids}
        assert values["Initech"] == {"budget": "1500.5", "tier": "Gold", "renewal": "2026-12-31", "region": "=x"}
    finally:
        other.close()
