"""Importing through the service: validation, relations, duplicates, all-or-nothing, cancel, sync outbox."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from crm_desktop.context import AppContext
from crm_desktop.dataio.mapping import guess_mapping
from crm_desktop.dataio.progress import Cancelled, Progress
from crm_desktop.errors import KnownError
from crm_desktop.services.imports import (
    DuplicateAction,
    ImportMode,
    ImportOptions,
    ImportPreview,
    split_name,
)
from crm_desktop.services.lists import ListSpec
from crm_desktop.store.schema import PendingChange, spec_for
from tests.dataio.conftest import DATA


def preview_of(context: AppContext, path: Path, record_type: str = "contact", **options: bool) -> ImportPreview:
    table = context.imports.read(path)
    mapping = guess_mapping(spec_for(record_type), table.headers)
    return context.imports.preview(table, ImportOptions(record_type, mapping, **options))


def contacts(context: AppContext, search: str = "") -> int:
    return context.lists.count(ListSpec("contact", search=search))


def test_google_file_reports_bad_rows_and_links_accounts(context: AppContext) -> None:
    preview = preview_of(context, DATA / "google_contacts.csv")
    assert preview.total_rows == 4 and preview.good_count == 3
    assert [p.line for p in preview.problems] == [5]
    assert "Email is not a valid email address" in preview.problems[0].message
    assert "Other email" in preview.problems[0].message  # every reason of the row, not just the first
    assert preview.to_create == {"account_id": ["Acme Inc."]}
    # Line 8 repeats line 2's email.
    [dup] = preview.duplicates
    assert (dup.line, dup.same_as_line, dup.same_as_reason, dup.certain) == (8, 2, "same email", True)

    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    assert (result.created, result.skipped_duplicates, result.skipped_bad) == (2, 1, 1)
    assert result.created_refs == {"account": 1}
    ann = context.records.get("contact", result.ids[0])
    assert ann.data["phone_e164"] == "+14155550132"
    assert ann.data["notes"] == "Met at the expo.\nWants a demo in May."
    acme = context.records.get("account", ann.data["account_id"])
    assert acme.data["name"] == "Acme Inc."
    carla = context.records.get("contact", result.ids[1])
    assert carla.data["account_id"] == acme.id  # one account for both rows
    # Searchable at once, and queued for sync like a form's create.
    assert contacts(context, "acme") == 0 and contacts(context, "carla") == 1
    assert contacts(context, "lee") == 1
    with context.db.session() as session:
        ops = session.execute(select(PendingChange.record_type, PendingChange.op)).all()
    assert sorted(ops) == [("account", "create"), ("contact", "create"), ("contact", "create")]


def test_existing_account_is_linked_not_duplicated(context: AppContext) -> None:
    acme = context.records.create("account", {"name": "ACME inc."})
    preview = preview_of(context, DATA / "google_contacts.csv")
    assert preview.to_create == {}
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    assert result.created_refs == {}
    assert {context.records.get("contact", i).data["account_id"] for i in result.ids} == {acme}


def test_link_only_reports_unknown_accounts(context: AppContext) -> None:
    preview = preview_of(context, DATA / "google_contacts.csv", create_missing_refs=False)
    reasons = {p.line: p.message for p in preview.problems}
    assert "Account: no account named “Acme Inc.”" in reasons[2]
    assert preview.good_count == 1  # Bob (Globex is an ignored column? no: line 5 is bad anyway), Dan


def test_all_or_nothing_refuses_a_file_with_bad_rows(context: AppContext) -> None:
    preview = preview_of(context, DATA / "google_contacts.csv")
    with pytest.raises(KnownError, match="1 row.* have problems, so nothing was imported"):
        context.imports.commit(preview, ImportMode.ALL_OR_NOTHING)
    assert contacts(context) == 0
    assert context.lists.count(ListSpec("account")) == 0
    assert context.records.pending_count() == 0


def test_all_or_nothing_imports_a_clean_file(context: AppContext) -> None:
    preview = preview_of(context, DATA / "cp1252_semicolon.csv")
    assert preview.problems == []
    result = context.imports.commit(preview, ImportMode.ALL_OR_NOTHING)
    assert result.created == 2 and contacts(context, "lefèvre") == 1


def test_outlook_utf16_import(context: AppContext) -> None:
    preview = preview_of(context, DATA / "outlook_contacts_utf16.csv")
    assert [(p.line, p.message) for p in preview.problems] == [(4, "First name or Last name is required")]
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    juergen = context.records.get("contact", result.ids[0])
    assert juergen.data["title"] == "Geschäftsführer" and juergen.data["mobile_e164"] == "+4915123456789"


def test_gbk_import_with_the_profiles_phone_region(context: AppContext) -> None:
    context.settings.default_region = "CN"
    preview = preview_of(context, DATA / "gbk_contacts.csv")
    assert [p.line for p in preview.problems] == [4]
    assert "Mobile is not a valid phone number" in preview.problems[0].message
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    zhang = context.records.get("contact", result.ids[0])
    assert (zhang.data["last_name"], zhang.data["first_name"]) == ("张", "伟")
    assert zhang.data["mobile_e164"] == "+8613800138000"
    assert contacts(context, "zhangwei") == 1


def test_excel_import(context: AppContext) -> None:
    preview = preview_of(context, DATA / "salesforce_contacts.xlsx")
    reasons = {p.line: p.message for p in preview.problems}
    assert reasons == {5: "First name or Last name is required",
                       6: "Shared with everyone must be yes or no, not “maybe”"}
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    eve = context.records.get("contact", result.ids[0])
    assert eve.data["phone_e164"] == "+14155550111" and eve.data["postal_code"] == "94107"
    assert eve.data["shared"] is True
    assert context.records.get("contact", result.ids[1]).data["postal_code"] == "02134"


def test_vcard_import(context: AppContext) -> None:
    preview = preview_of(context, DATA / "address_book.vcf")
    assert [p.line for p in preview.problems] == [36, 41]
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    assert result.created == 3 and result.created_refs == {"account": 2}
    johnny = next(context.records.get("contact", i) for i in result.ids
                  if context.records.get("contact", i).data["last_name"] == "Appleseed")
    assert johnny.data["email2"] == "johnny.appleseed@apple.example"
    assert johnny.data["mobile_e164"] == "+14085550100"


def test_duplicates_against_the_store_skip_merge_or_import(context: AppContext) -> None:
    existing = context.records.create("contact", {"first_name": "Ann", "last_name": "Lee",
                                                  "email": "ann.lee@example.com"})
    carla = context.records.create("contact", {"first_name": "Karla", "last_name": "Diaz"})
    preview = preview_of(context, DATA / "google_contacts.csv")
    by_line = {d.line: d for d in preview.duplicates}
    assert by_line[2].matches[0].record_id == existing and by_line[2].certain
    assert "same email" in by_line[2].matches[0].reasons
    assert by_line[6].matches[0].record_id == carla and not by_line[6].certain
    assert by_line[6].matches[0].reasons[0].startswith("similar name")

    result = context.imports.commit(preview, ImportMode.GOOD_ROWS, duplicate_action=DuplicateAction.MERGE,
                                    likely_action=DuplicateAction.IMPORT, overrides={8: DuplicateAction.SKIP})
    assert (result.created, result.merged, result.skipped_duplicates) == (1, 1, 1)
    merged = context.records.get("contact", existing)
    # Merging fills the existing record's empty fields; it keeps what it had.
    assert merged.data["email"] == "ann.lee@example.com"
    assert merged.data["phone_e164"] == "+14155550132" and merged.data["city"] == "Springfield"
    assert contacts(context) == 3  # Ann (merged), Karla, and the new Carla


def test_cancel_before_commit_leaves_nothing(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("First Name,Last Name,Email,Company\n" + "".join(
        f"P{i},Q{i},p{i}@example.com,Firm {i % 7}\n" for i in range(5000)))
    preview = preview_of(context, path)
    progress = Progress()
    calls = 0
    original = progress.check

    def check(message: str = "") -> None:
        nonlocal calls
        calls += 1
        if calls == 3:  # accounts and the first chunk of contacts are in
            progress.cancel()
        original(message)

    progress.check = check  # type: ignore[method-assign]
    with pytest.raises(Cancelled, match="Nothing was imported"):
        context.imports.commit(preview, ImportMode.GOOD_ROWS, progress=progress)
    assert contacts(context) == 0
    assert context.lists.count(ListSpec("account")) == 0
    assert context.records.pending_count() == 0
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    assert result.created == 5000 and contacts(context, "example") == 5000


def test_cancel_during_the_check(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("First Name\n" + "".join(f"P{i}\n" for i in range(3000)))
    table = context.imports.read(path)
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        context.imports.preview(table, ImportOptions("contact", {0: "first_name"}), progress=progress)


def test_progress_is_published(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("First Name\n" + "".join(f"P{i}\n" for i in range(4500)))
    table = context.imports.read(path)
    progress = Progress()
    seen: list[int] = []
    lock = threading.Lock()
    original = progress.update

    def update(done: int, total: int | None = None, phase: str | None = None) -> None:
        with lock:
            seen.append(done)
        original(done, total, phase)

    progress.update = update  # type: ignore[method-assign]
    preview = context.imports.preview(table, ImportOptions("contact", {0: "first_name"}), progress=progress)
    context.imports.commit(preview, ImportMode.GOOD_ROWS, progress=progress)
    assert progress.snapshot().done == progress.snapshot().total == 4500
    assert len(seen) > 5


def test_conversions_and_formula_unescape(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "Full Name,Job Title,Shared,Notes\n"
        "\"Lee, Ann\",'=cmd,yes,\"  keeps  spaces \"\n"
        "Bob Stone,'-x,no,\n"
        "Cid,,perhaps,\n"
    )
    preview = preview_of(context, path)
    assert [(p.line, p.message) for p in preview.problems] == [
        (4, "Shared with everyone must be yes or no, not “perhaps”")]
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    ann = context.records.get("contact", result.ids[0]).data
    assert (ann["first_name"], ann["last_name"], ann["title"], ann["shared"]) == ("Ann", "Lee", "=cmd", True)
    assert ann["notes"] == "  keeps  spaces "
    assert context.records.get("contact", result.ids[1]).data["title"] == "-x"


def test_split_name() -> None:
    assert split_name("Mary Ann  Lee") == ("Mary Ann", "Lee")
    assert split_name("Lee, Mary Ann") == ("Mary Ann", "Lee")
    assert split_name("张伟") == ("伟", "张")
    assert split_name("Cher") == ("", "Cher")


def test_accounts_import_is_generic(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "companies.csv"
    path.write_text("Company name,Website URL,Industry,Phone Number,City\n"
                    "Initech,initech.example,Software,(212) 555-0100,New York\n"
                    ",nowhere.example,,,\n"
                    "Globex,not a url,,,\n")
    preview = preview_of(context, path, "account")
    assert [(p.line, p.message) for p in preview.problems] == [
        (3, "Name is required"), (4, "Website is not a web address")]
    result = context.imports.commit(preview, ImportMode.GOOD_ROWS)
    assert context.records.get("account", result.ids[0]).data["phone_e164"] == "+12125550100"


def test_problem_rows_are_saved_whole(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("First Name,Email\nAnn,ann@example.com\nBob,bad\nCid,c@x.com,stray\n=cmd,x@y.example\n")
    table = context.imports.read(path)
    preview = context.imports.preview(table, ImportOptions("contact", guess_mapping(spec_for("contact"),
                                                                                      table.headers)))
    assert [p.line for p in preview.problems] == [3, 4]
    out = tmp_path / "problems.csv"
    assert context.imports.save_problems(table, preview, out) == 2
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["Line", "Problem", "First Name", "Email"]
    assert rows[1][:4] == ["3", rows[1][1], "Bob", "bad"] and "not a valid email" in rows[1][1]
    assert rows[2][0] == "4" and rows[2][2:] == ["Cid", "c@x.com", "stray"]  # the ragged row, whole


def test_big_files_get_the_fuzzy_name_check(context: AppContext, tmp_path: Path) -> None:
    # Over 5,000 rows the check used to be skipped: blocks make it scale.
    ann = context.records.create("contact", {"first_name": "Annabelle", "last_name": "Müller"})
    jon = context.records.create("contact", {"first_name": "Jonathan", "last_name": "Smithers"})
    lines = ["First Name,Last Name"]
    lines += [f"Person{i},Family{i % 300}" for i in range(6000)]
    lines += ["Annabele,Muller", "Jonathon,Smithers", "Completely,Different"]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = context.imports.read(path)
    preview = context.imports.preview(table, ImportOptions("contact", {0: "first_name", 1: "last_name"}))
    by_line = {d.line: d for d in preview.duplicates}
    assert set(by_line) == {6002, 6003}
    assert [m.record_id for m in by_line[6002].matches] == [ann]
    assert [m.record_id for m in by_line[6003].matches] == [jon]
    assert all(m.reasons[0].startswith("similar name") for d in by_line.values() for m in d.matches)
