"""Field filters of record lists: generic over the specs, combined with search, sort and export."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from crm_desktop.context import AppContext
from crm_desktop.services import lists as lists_module
from crm_desktop.services.exports import ExportFormat
from crm_desktop.services.imports import ImportMode, ImportOptions
from crm_desktop.services.list_filters import (
    ME,
    FieldFilter,
    FilterError,
    FilterKind,
    FilterOp,
    Period,
    filter_fields,
    period_days,
)
from crm_desktop.services.lists import ListSpec
from tests.services.helpers import add_user, pulled

ME_ID = "0190a000-0000-7000-8000-0000000000a1"
OTHER = "0190a000-0000-7000-8000-0000000000b2"
TODAY = date(2026, 11, 25)  # a Wednesday


def names(context: AppContext, spec: ListSpec) -> list[str]:
    ids = context.lists.all_ids(spec)
    rows = context.lists.rows(spec.record_type, ids)
    first = context.lists.first_page(spec, 2)
    assert first.count == len(ids) == context.lists.count(spec)
    assert first.ids[:2] == list(ids[:2])
    return [rows[rid][2] for rid in ids]


@pytest.fixture
def opps(context: AppContext) -> AppContext:
    add_user(context, ME_ID, "Me")
    add_user(context, OTHER, "Olga")
    account = context.records.create("account", {"name": "Acme"})
    other_account = context.records.create("account", {"name": "Globex"})
    rows = [
        ("Alpha", ME_ID, "Open", "Prospecting", "2026-11-20", "100.00", ["vip"], account, {"region": "North"}),
        ("Bravo", OTHER, "Open", "Proposal", "2026-11-26", "2500.50", ["VIP", "eu"], account, {"region": "south"}),
        ("Charlie", ME_ID, "Won", "Closed won", "2026-11-05", "90.00", None, other_account, {"score": "7"}),
        ("Delta", ME_ID, "Open", "Proposal", "2026-12-15", None, ["eu"], None, {"score": "12.5"}),
        ("Echo", OTHER, "Lost", "Closed lost", None, "5.00", None, other_account, {"due": "2026-11-24"}),
    ]
    for name, owner, status, stage, close, amount, tags, acc, custom in rows:
        context.records.create("opportunity", {
            "name": name, "owner_id": owner, "status": status, "stage": stage, "close_date": close,
            "amount": amount, "currency": "EUR", "tags": tags, "account_id": acc,
        })
        # Custom values as a pull brings them (no definitions needed to filter).
        rid = context.lists.all_ids(ListSpec("opportunity", search=name))[0]
        with context.db.session() as session:
            session.connection().exec_driver_sql("UPDATE opportunities SET custom = ? WHERE rid = ?",
                                                  (json.dumps(custom), rid))
    return context


def spec(*filters: FieldFilter, **kwargs: object) -> ListSpec:
    return ListSpec("opportunity", filters=filters, me=ME_ID, today=TODAY, **kwargs)  # type: ignore[arg-type]


def test_filter_fields_come_from_the_spec() -> None:
    fields = {f.name: f for f in filter_fields("opportunity", named_choices={"stage": ("Prospecting", "Won it")})}
    assert fields["owner_id"].kind is FilterKind.OWNER
    assert fields["account_id"].kind is FilterKind.RECORD
    assert fields["status"].choices == ("Open", "Won", "Lost")
    assert fields["stage"].choices == ("Prospecting", "Won it")
    assert fields["close_date"].kind is FilterKind.DATE
    assert fields["amount"].kind is FilterKind.NUMBER
    assert fields["tags"].kind is FilterKind.TAGS
    assert "name" not in fields and "description" not in fields
    activity = {f.name: f for f in filter_fields("activity")}
    assert activity["done"].kind is FilterKind.BOOL
    assert activity["due_date"].kind is FilterKind.DATE
    assert activity["kind"].choices == ("Call", "Meeting", "Task", "Note")
    lead = {f.name for f in filter_fields("lead")}
    assert {"status", "source", "rating", "owner_id", "tags"} <= lead


def test_owner_choice_and_tags(opps: AppContext) -> None:
    ctx = opps
    mine = FieldFilter("owner_id", FilterOp.IS, (ME,))
    assert names(ctx, spec(mine)) == ["Alpha", "Charlie", "Delta"]
    assert names(ctx, spec(FieldFilter("owner_id", FilterOp.IS, (OTHER,)))) == ["Bravo", "Echo"]
    assert names(ctx, spec(mine, FieldFilter("status", FilterOp.IS, ("Open",)))) == ["Alpha", "Delta"]
    assert names(ctx, spec(FieldFilter("status", FilterOp.IS, ("Won", "Lost")))) == ["Charlie", "Echo"]
    assert names(ctx, spec(FieldFilter("tags", FilterOp.HAS_TAG, ("vip",)))) == ["Alpha", "Bravo"]
    assert names(ctx, spec(FieldFilter("stage", FilterOp.IS, ("Proposal",)))) == ["Bravo", "Delta"]


def test_dates_numbers_and_not_set(opps: AppContext) -> None:
    ctx = opps
    close = "close_date"
    assert names(ctx, spec(FieldFilter(close, FilterOp.PERIOD, (Period.OVERDUE,)))) == ["Alpha", "Charlie"]
    assert names(ctx, spec(FieldFilter(close, FilterOp.PERIOD, (Period.THIS_WEEK,)))) == ["Bravo"]
    assert names(ctx, spec(FieldFilter(close, FilterOp.PERIOD, (Period.THIS_MONTH,)))) == [
        "Alpha", "Bravo", "Charlie"]
    assert names(ctx, spec(FieldFilter(close, FilterOp.BETWEEN, ("2026-11-20", "2026-12-15")))) == [
        "Alpha", "Bravo", "Delta"]
    assert names(ctx, spec(FieldFilter(close, FilterOp.BETWEEN, ("", "2026-11-19")))) == ["Charlie"]
    assert names(ctx, spec(FieldFilter("amount", FilterOp.BETWEEN, ("90", "1000")))) == ["Alpha", "Charlie"]
    assert names(ctx, spec(FieldFilter("close_date", FilterOp.IS, ("",)))) == ["Echo"]


def test_custom_fields(opps: AppContext) -> None:
    ctx = opps
    assert names(ctx, spec(FieldFilter("custom.region", FilterOp.IS, ("south",)))) == ["Bravo"]
    assert names(ctx, spec(FieldFilter("custom.region", FilterOp.IS, ("NORTH",)))) == ["Alpha"]
    assert names(ctx, spec(FieldFilter("custom.score", FilterOp.BETWEEN, ("8", "")))) == ["Delta"]
    assert names(ctx, spec(FieldFilter("custom.due", FilterOp.PERIOD, (Period.OVERDUE,)))) == ["Echo"]
    assert names(ctx, spec(FieldFilter("custom.due", FilterOp.BETWEEN, ("2026-11-01", "2026-11-30")))) == ["Echo"]


def test_filters_with_search_and_every_sort(opps: AppContext) -> None:
    ctx = opps
    mine = FieldFilter("owner_id", FilterOp.IS, (ME,))
    assert names(ctx, spec(mine, search="alpha")) == ["Alpha"]
    assert names(ctx, spec(mine, search="bravo")) == []
    assert names(ctx, spec(mine, search="d")) == ["Delta"]  # one letter: a name prefix
    assert names(ctx, spec(mine, sort="close_date")) == ["Charlie", "Alpha", "Delta"]
    assert names(ctx, spec(mine, sort="close_date", descending=True)) == ["Delta", "Alpha", "Charlie"]
    assert names(ctx, spec(mine, sort="updated_at", descending=True)) == ["Delta", "Charlie", "Alpha"]


def test_account_filter_and_bad_filters(opps: AppContext) -> None:
    ctx = opps
    acme = _id_of(ctx, "account", "Acme")
    assert names(ctx, spec(FieldFilter("account_id", FilterOp.IS, (acme,), ("Acme",)))) == ["Alpha", "Bravo"]
    for bad in (FieldFilter("name", FilterOp.IS, ("x",)), FieldFilter("custom.Bad-Name", FilterOp.IS, ("x",)),
                FieldFilter("amount", FilterOp.BETWEEN, ("lots", "")),
                FieldFilter("close_date", FilterOp.PERIOD, ("someday",))):
        with pytest.raises(FilterError):
            ctx.lists.count(spec(bad))


def test_hostile_values_are_parameters(opps: AppContext) -> None:
    ctx = opps
    evil = "x' OR 1=1 --"
    assert names(ctx, spec(FieldFilter("status", FilterOp.IS, (evil,)))) == []
    assert names(ctx, spec(FieldFilter("tags", FilterOp.HAS_TAG, (evil,)))) == []
    assert names(ctx, spec(FieldFilter("custom.region", FilterOp.IS, (evil,)))) == []


def test_me_before_sign_in_means_records_without_owner(context: AppContext) -> None:
    context.records.create("activity", {"subject": "Call Bob", "kind": "Call"})
    activity = ListSpec("activity", filters=(FieldFilter("owner_id", FilterOp.IS, (ME,)),), me=None)
    assert context.lists.count(activity) == 1
    done = ListSpec("activity", filters=(FieldFilter("done", FilterOp.IS, ("yes",)),))
    assert context.lists.count(done) == 0


def test_json_round_trip() -> None:
    flt = FieldFilter("account_id", FilterOp.IS, ("id-1",), ("Acme",))
    assert FieldFilter.from_json(flt.to_json()) == flt
    assert FieldFilter.from_json({"field": "x", "op": "nonsense", "values": []}) is None
    assert FieldFilter.from_json("junk") is None


def test_periods() -> None:
    assert period_days(Period.THIS_WEEK, TODAY) == (date(2026, 11, 23), date(2026, 11, 30))
    assert period_days(Period.THIS_MONTH, date(2026, 12, 31)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert period_days(Period.OVERDUE, TODAY) == (None, TODAY)


def test_export_writes_exactly_the_filtered_rows(opps: AppContext, tmp_path: Path) -> None:
    ctx = opps
    target = tmp_path / "mine.csv"
    listed = spec(FieldFilter("owner_id", FilterOp.IS, (ME,)), FieldFilter("status", FilterOp.IS, ("Open",)),
                  sort="close_date", descending=True)
    result = ctx.exports.export(listed, ExportFormat.CSV, target)
    assert result.rows == 2
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert [r[0] for r in rows[1:]] == ["Delta", "Alpha"]


def test_owner_filter_uses_its_index(opps: AppContext) -> None:
    with opps.db.session() as session:
        plan = session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM opportunities c WHERE c.deleted = 0 AND c.owner_id = ?",
            (ME_ID,)).all()
    assert any("ix_opportunities_owner" in str(row[-1]) for row in plan)


def _id_of(ctx: AppContext, record_type: str, search: str) -> str:
    rid = ctx.lists.all_ids(ListSpec(record_type, search=search))[0]
    row = ctx.lists.rows(record_type, [rid])[rid]
    return str(row[0])



def test_overdue_date_times_are_before_now() -> None:
    from datetime import UTC, datetime

    from crm_desktop.services.list_filters import filter_sql

    now = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
    sql, params = filter_sql("case", FieldFilter("due_at", FilterOp.PERIOD, (Period.OVERDUE,)), me=None,
                             today=TODAY, zone=UTC, now=now)
    assert sql == "c.due_at < ?" and params == ["2026-11-25T15:30:00Z"]
    sql, params = filter_sql("case", FieldFilter("due_at", FilterOp.PERIOD, (Period.TODAY,)), me=None,
                             today=TODAY, zone=UTC, now=now)
    assert params == ["2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z"]


def test_owner_by_name_is_read_in_order_from_the_owner_index(opps: AppContext) -> None:
    lists = opps.lists
    listed = spec(FieldFilter("owner_id", FilterOp.IS, (ME,)))
    plan = lists_module._plan(listed)
    with opps.db.session() as session:
        conn = session.connection()
        assert lists._filter_mode(conn, listed, plan, 200, None) == "planner"  # noqa: SLF001 - white box
        by_amount = spec(FieldFilter("amount", FilterOp.BETWEEN, ("1", "")), sort="updated_at")
        assert lists._filter_mode(conn, by_amount, lists_module._plan(by_amount), None, None) in ("walk", "sort")


def test_tag_index_follows_every_write(context: AppContext, tmp_path: Path) -> None:
    def tagged(tag: str) -> list[str]:
        listed = ListSpec("contact", filters=(FieldFilter("tags", FilterOp.HAS_TAG, (tag,)),))
        ids = context.lists.all_ids(listed)
        rows = context.lists.rows("contact", ids)
        assert context.lists.first_page(listed, 50).count == len(ids)
        return [rows[rid][2] for rid in ids]

    ann = context.records.create("contact", {"first_name": "Ann", "last_name": "Lee", "tags": ["VIP", "Ärger"]})
    bob = context.records.create("contact", {"first_name": "Bob", "last_name": "Stone", "tags": ["vip"]})
    assert tagged("vip") == ["Ann Lee", "Bob Stone"]
    assert tagged("ärger") == ["Ann Lee"] and tagged("ÄRGER") == ["Ann Lee"]
    context.records.update("contact", ann, {"tags": ["partner"]})
    assert tagged("vip") == ["Bob Stone"] and tagged("partner") == ["Ann Lee"]
    context.records.delete("contact", bob)
    assert tagged("vip") == []
    # A pulled page (sync) and an import (Core bulk inserts) are indexed too.
    pulled(context, "contact", {"first_name": "Cid", "last_name": "Moe", "tags": ["VIP"]})
    path = tmp_path / "tagged.csv"
    path.write_text("First Name,Last Name,Tags\nDee,Dee,\"vip, new\"\n", encoding="utf-8")
    table = context.imports.read(path)
    preview = context.imports.preview(table, ImportOptions("contact", {0: "first_name", 1: "last_name", 2: "tags"}))
    context.imports.commit(preview, ImportMode.GOOD_ROWS)
    assert tagged("vip") == ["Cid Moe", "Dee Dee"]
    with context.db.session() as session:
        session.connection().exec_driver_sql(
            "DELETE FROM record_tags WHERE rid IN (SELECT rid FROM contacts WHERE first_name IN ('Cid', 'Dee'))")
    with context.db.session() as session:
        conn = session.connection()
        assert conn.exec_driver_sql("SELECT tbl, tag FROM record_tags").all() == [("contacts", "partner")]
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT rid FROM record_tags WHERE tbl = ? AND tag = ?", ("contacts", "vip")))
        assert "COVERING INDEX" in plan or "PRIMARY KEY" in plan, plan
        conn.exec_driver_sql("DELETE FROM contacts WHERE id = ?", (ann,))  # a purge
        assert conn.exec_driver_sql("SELECT count(*) FROM record_tags").scalar() == 0
