"""Pipeline board, My day and reminders, case queue, dashboard: the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.sales.pipeline import OTHER_STAGE, BoardFilter
from crm_desktop.support.case_queue import QueueFilter
from tests.services.helpers import add_user, pull_stages, pulled

ANN = "0190a5f0-0000-7000-8000-0000000000a1"
BOB = "0190a5f0-0000-7000-8000-0000000000b2"


def opp(context: AppContext, name: str, stage: str, amount: str | None, currency: str | None = "EUR",
        close: str | None = None, owner: str | None = None) -> str:
    return context.records.create("opportunity", {"name": name, "stage": stage, "amount": amount,
                                                  "currency": currency, "close_date": close, "owner_id": owner})


# -- pipeline ------------------------------------------------------------------


def test_board_columns_follow_stage_order_with_per_currency_totals(context: AppContext) -> None:
    pull_stages(context)
    opp(context, "A", "Proposal", "100.10")
    opp(context, "B", "Proposal", "0.20")
    opp(context, "C", "Proposal", "50", "USD")
    opp(context, "D", "Prospecting", None, None)
    # A stage renamed on the server after this opportunity was pulled.
    pulled(context, "opportunity", {"name": "E", "stage": "Renamed stage", "amount": "7", "currency": "EUR"})
    stages, columns = context.pipeline.board(BoardFilter())
    assert [s.name for s in stages] == ["Prospecting", "Qualification", "Proposal", "Closed won", "Closed lost"]
    by_stage = {c.stage: c for c in columns}
    proposal = by_stage["Proposal"].totals
    assert proposal.count == 3
    assert proposal.amounts == {"EUR": Decimal("100.30"), "USD": Decimal("50.00")}
    assert by_stage["Prospecting"].totals.count == 1 and by_stage["Prospecting"].totals.amounts == {}
    # An opportunity in a stage that is not in the pipeline gets its own column.
    assert columns[-1].stage == OTHER_STAGE and [c.name for c in columns[-1].cards] == ["E"]


def test_column_pages_and_filters(context: AppContext) -> None:
    pull_stages(context)
    add_user(context, ANN, "Ann")
    for i in range(12):
        opp(context, f"Deal {i:02}", "Qualification", "10", close=f"2026-12-{i + 1:02}",
            owner=ANN if i % 2 else BOB)
    first = context.pipeline.column("Qualification", BoardFilter(), 0, 5)
    assert first.totals.count == 12 and [c.name for c in first.cards] == [f"Deal {i:02}" for i in range(5)]
    more = context.pipeline.column("Qualification", BoardFilter(), 5, 5)
    assert [c.name for c in more.cards] == [f"Deal {i:02}" for i in range(5, 10)]
    mine = context.pipeline.column("Qualification", BoardFilter(owner_id=ANN), 0, 50)
    assert mine.totals.count == 6 and all(c.owner == "Ann" for c in mine.cards)
    ranged = context.pipeline.column(
        "Qualification", BoardFilter(close_from=date(2026, 12, 3), close_to=date(2026, 12, 5)), 0, 50)
    assert [c.close_date for c in ranged.cards] == ["2026-12-03", "2026-12-04", "2026-12-05"]
    assert ranged.totals.amounts == {"EUR": Decimal("30.00")}


def test_moving_a_card_is_a_synced_edit(context: AppContext) -> None:
    pull_stages(context)
    deal = opp(context, "Deal", "Prospecting", "10", close="2099-01-01")
    context.pipeline.move(deal, "Proposal")
    data = context.records.get("opportunity", deal).data
    assert (data["stage"], data["probability"], data["status"]) == ("Proposal", 60, "Open")
    assert context.records.pending_count() == 1
    with pytest.raises(KnownError):
        context.pipeline.move(deal, "Closed won", "")
    context.pipeline.move(deal, "Closed won", "Best price", now=date(2026, 11, 25))
    data = context.records.get("opportunity", deal).data
    assert (data["status"], data["close_reason"], data["close_date"]) == ("Won", "Best price", "2026-11-25")
    with pytest.raises(KnownError):
        context.pipeline.move(deal, "No such stage")


# -- my day ----------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def activity(context: AppContext, subject: str, **fields: object) -> str:
    return context.records.create("activity", {"subject": subject, **fields})


def test_my_day_lists_overdue_and_today_for_the_user(context: AppContext) -> None:
    account = context.records.create("account", {"name": "Acme"})
    activity(context, "Old task", kind="Task", due_date="2026-11-20", related_type="account", related_id=account)
    activity(context, "Today task", kind="Task", due_date="2026-11-25")
    activity(context, "Morning call", kind="Call", start_at="2026-11-25T10:00:00Z")
    activity(context, "Yesterday meeting", kind="Meeting", start_at="2026-11-24T10:00:00Z")
    activity(context, "Tomorrow", kind="Task", due_date="2026-11-26")
    activity(context, "Done already", kind="Task", due_date="2026-11-20", done=True)
    activity(context, "Someone else's", kind="Task", due_date="2026-11-25", owner_id=BOB)
    day = context.my_day.load(None, NOW, UTC)
    assert [i.subject for i in day.overdue] == ["Yesterday meeting", "Old task"]
    assert day.overdue[1].related_title == "Acme"
    assert [i.subject for i in day.today_items] == ["Morning call", "Today task"]
    context.my_day.mark_done(day.today_items[1].id)
    day = context.my_day.load(None, NOW, UTC)
    assert [(i.subject, i.done) for i in day.today_items] == [("Morning call", False), ("Today task", True)]


def test_reminders_fire_once_and_say_when_the_next_is_due(context: AppContext) -> None:
    activity(context, "Call Ada", kind="Call", start_at="2026-11-25T10:00:00Z")
    activity(context, "Write offer", kind="Task", due_date="2026-11-25")
    due, next_at = context.my_day.due_reminders(None, NOW, UTC)
    assert due == [] and next_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    due, next_at = context.my_day.due_reminders(None, next_at, UTC)
    assert [r.subject for r in due] == ["Write offer"]
    assert next_at == datetime(2026, 11, 25, 9, 50, tzinfo=UTC)
    later = datetime(2026, 11, 25, 9, 55, tzinfo=UTC)
    due, _ = context.my_day.due_reminders(None, later, UTC)
    assert [r.subject for r in due] == ["Call Ada"]
    assert context.my_day.due_reminders(None, later + timedelta(minutes=1), UTC)[0] == []


def test_rescheduled_activity_is_reminded_again_and_done_ones_never(context: AppContext) -> None:
    call = activity(context, "Call Ada", kind="Call", start_at="2026-11-25T08:05:00Z")
    assert [r.subject for r in context.my_day.due_reminders(None, NOW, UTC)[0]] == ["Call Ada"]
    context.records.update("activity", call, {"start_at": "2026-11-25T08:08:00Z"})
    assert [r.subject for r in context.my_day.due_reminders(None, NOW, UTC)[0]] == ["Call Ada"]
    context.records.update("activity", call, {"start_at": "2026-11-25T08:09:00Z", "done": True})
    assert context.my_day.due_reminders(None, NOW, UTC)[0] == []


# -- case queue ---------------------------------------------------------------------


def test_case_queue_orders_by_priority_then_due_and_marks_overdue(context: AppContext) -> None:
    account = context.records.create("account", {"name": "Acme"})
    context.records.create("case", {"subject": "Low late", "priority": "Low", "due_at": "2026-11-20T00:00:00Z"})
    context.records.create("case", {"subject": "Urgent soon", "priority": "Urgent",
                                    "due_at": "2026-11-25T12:00:00Z", "account_id": account})
    context.records.create("case", {"subject": "Urgent late", "priority": "Urgent",
                                    "due_at": "2026-11-25T07:00:00Z"})
    context.records.create("case", {"subject": "Closed", "priority": "Urgent", "status": "Closed"})
    context.records.create("case", {"subject": "High pending", "priority": "High", "status": "Pending",
                                    "owner_id": ANN})
    page = context.cases.page(QueueFilter(), NOW)
    assert [r.subject for r in page.rows] == ["Urgent late", "Urgent soon", "High pending", "Low late"]
    assert [r.overdue for r in page.rows] == [True, False, False, True]
    assert page.total == 4 and page.overdue == 2 and page.rows[1].account == "Acme"
    assert [r.subject for r in context.cases.page(QueueFilter(overdue_only=True), NOW).rows] == [
        "Urgent late", "Low late"]
    assert [r.subject for r in context.cases.page(QueueFilter(statuses=frozenset({"Pending"})), NOW).rows] == [
        "High pending"]
    assert [r.subject for r in context.cases.page(QueueFilter(priorities=frozenset({"Low"})), NOW).rows] == [
        "Low late"]
    assert [r.subject for r in context.cases.page(QueueFilter(owner_id=ANN), NOW).rows] == ["High pending"]
    assert len(context.cases.page(QueueFilter(), NOW, offset=1, limit=2).rows) == 2


# -- dashboard ----------------------------------------------------------------------


def test_dashboard_figures(context: AppContext) -> None:
    pull_stages(context)
    opp(context, "A", "Proposal", "100", "EUR")
    opp(context, "B", "Proposal", "5", "USD")
    won = opp(context, "W", "Proposal", "1000", "EUR")
    context.pipeline.move(won, "Closed won", "Fit", now=date(2026, 11, 3))
    old = opp(context, "Old", "Proposal", "9", "EUR")
    context.pipeline.move(old, "Closed won", "Fit", now=date(2026, 10, 3))
    context.records.create("case", {"subject": "Late", "priority": "High", "due_at": "2026-11-20T00:00:00Z"})
    context.records.create("case", {"subject": "Fine", "priority": "Low"})
    activity(context, "Today", due_date="2026-11-25")
    activity(context, "Late", due_date="2026-11-01")
    context.records.create("lead", {"last_name": "L1", "source": "Web"})
    context.records.create("lead", {"last_name": "L2", "source": "Web"})
    context.records.create("lead", {"last_name": "L3"})
    context.records.create("lead", {"last_name": "L4", "source": "Event", "status": "Contacted"})
    board = context.dashboard.load(None, NOW, UTC)
    proposal = {v.stage: v.totals for v in board.pipeline}["Proposal"]
    assert proposal.amounts == {"EUR": Decimal("100.00"), "USD": Decimal("5.00")}
    assert [v.stage for v in board.pipeline] == ["Prospecting", "Qualification", "Proposal"]
    assert board.won_month.count == 1 and board.won_month.amounts == {"EUR": Decimal("1000.00")}
    assert board.won_quarter.count == 2 and board.won_quarter.amounts == {"EUR": Decimal("1009.00")}
    assert board.cases_by_priority == [("Urgent", 0), ("High", 1), ("Medium", 0), ("Low", 1)]
    assert board.cases_overdue == 1
    assert (board.activities_today, board.activities_overdue) == (1, 1)
    assert board.new_leads_by_source == [("Web", 2), ("", 1)]


def test_undated_opportunities_come_last_across_pages(context: AppContext) -> None:
    pull_stages(context)
    for i in range(3):
        opp(context, f"Undated {i}", "Proposal", "1", close=None)
    for day in (5, 3, 4):
        opp(context, f"Dated {day}", "Proposal", "1", close=f"2026-12-0{day}")
    first = context.pipeline.column("Proposal", BoardFilter(), 0, 4)
    assert [c.name for c in first.cards] == ["Dated 3", "Dated 4", "Dated 5", "Undated 0"]
    rest = context.pipeline.column("Proposal", BoardFilter(), 4, 4)
    assert [c.name for c in rest.cards] == ["Undated 1", "Undated 2"]
    _stages, columns = context.pipeline.board(BoardFilter(), limit=2)
    assert [c.name for c in {c.stage: c for c in columns}["Proposal"].cards] == ["Dated 3", "Dated 4"]


def test_closed_columns_show_the_latest_first(context: AppContext) -> None:
    pull_stages(context)
    for day in (3, 9, 5):
        deal = opp(context, f"Won {day}", "Proposal", "1")
        context.pipeline.move(deal, "Closed won", "Price", now=date(2026, 11, day))
    column = context.pipeline.column("Closed won", BoardFilter(), 0, 10)
    assert [c.name for c in column.cards] == ["Won 9", "Won 5", "Won 3"]
    _stages, columns = context.pipeline.board(BoardFilter())
    assert [c.name for c in {c.stage: c for c in columns}["Closed won"].cards] == ["Won 9", "Won 5", "Won 3"]


def test_leads_behind_a_source_figure(context: AppContext) -> None:
    # The figure opens the lead list filtered by status New and the source ("" = none).
    from crm_desktop.services.list_filters import FieldFilter, FilterOp
    from crm_desktop.services.lists import ListSpec

    context.records.create("lead", {"last_name": "Bo", "source": "Web"})
    context.records.create("lead", {"first_name": "Al", "last_name": "Ma", "source": "Web"})
    context.records.create("lead", {"company": "NoSource Ltd"})
    context.records.create("lead", {"last_name": "Old", "source": "Web", "status": "Contacted"})

    def names(source: str) -> list[str]:
        spec = ListSpec("lead", filters=(FieldFilter("status", FilterOp.IS, ("New",)),
                                         FieldFilter("source", FilterOp.IS, (source,))))
        ids = context.lists.all_ids(spec)
        rows = context.lists.rows("lead", ids)
        return [rows[rid][2] for rid in ids]

    assert names("Web") == ["Al Ma", "Bo"]
    assert names("") == ["NoSource Ltd"]


def test_weighted_totals_per_currency(context: AppContext) -> None:
    pull_stages(context)  # Proposal: 60 %
    opp(context, "A", "Proposal", "100.10")
    opp(context, "B", "Proposal", "0.25")
    opp(context, "C", "Proposal", "50", "USD")
    context.records.create("opportunity", {"name": "D", "stage": "Proposal", "amount": "1000", "currency": "EUR",
                                           "probability": 5})
    _stages, columns = context.pipeline.board(BoardFilter())
    proposal = {c.stage: c for c in columns}["Proposal"].totals
    assert proposal.amounts == {"EUR": Decimal("1100.35"), "USD": Decimal("50.00")}
    # 100.10 x 60 % + 0.25 x 60 % + 1000 x 5 % = 60.06 + 0.15 + 50.00; never across currencies.
    assert proposal.weighted == {"EUR": Decimal("110.21"), "USD": Decimal("30.00")}
    assert context.pipeline.column("Proposal", BoardFilter()).totals.weighted == proposal.weighted
    dashboard = context.dashboard.load(None, datetime(2026, 11, 25, 12, tzinfo=UTC))
    assert {v.stage: v.totals.weighted for v in dashboard.pipeline}["Proposal"] == proposal.weighted


def test_marking_won_or_lost_follows_the_pipeline(context: AppContext) -> None:
    from crm_protocol.records import ValidationFailed

    pull_stages(context)
    deal = opp(context, "Deal", "Proposal", "10")
    context.records.update("opportunity", deal, {"status": "Won"})
    won = context.records.get("opportunity", deal).data
    assert (won["stage"], won["status"], won["probability"]) == ("Closed won", "Won", 100)
    created = context.records.create("opportunity", {"name": "Lost one", "status": "Lost"})
    lost = context.records.get("opportunity", created).data
    assert (lost["stage"], lost["status"]) == ("Closed lost", "Lost")

    # A pipeline with no lost stage: a clear refusal, not a lost deal in an open stage.
    with context.db.session() as session:
        session.connection().exec_driver_sql("UPDATE pipeline_stages SET deleted = 1 WHERE outcome = 'lost'")
    other = opp(context, "Other", "Proposal", "10")
    with pytest.raises(ValidationFailed) as failed:
        context.records.update("opportunity", other, {"status": "Lost"})
    assert [(e.field, e.message) for e in failed.value.errors] == [
        ("status", "The pipeline has no lost stage, so the opportunity cannot be marked Lost. An administrator "
                   "can add one; until then it stays open.")]
    assert context.records.get("opportunity", other).data["status"] == "Open"
