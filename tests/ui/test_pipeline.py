"""The pipeline board: columns, totals, drag and drop, won/lost reasons, filters, paging."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from crm_desktop.context import AppContext
from crm_desktop.sales.pipeline import BoardFilter, Card
from tests.services.helpers import add_user, pull_stages
from tests.ui.conftest import Answers
from ui.events import DataBus
from ui.sales.pipeline import PipelinePage, StageColumnModel

ANN = "0190a5f0-0000-7000-8000-0000000000a1"


def opp(context: AppContext, name: str, stage: str, amount: str = "10", currency: str = "EUR",
        **fields: Any) -> str:
    return context.records.create("opportunity", {"name": name, "stage": stage, "amount": amount,
                                                  "currency": currency, **fields})


def board(qtbot: Any, context: AppContext, bus: DataBus) -> PipelinePage:
    page = PipelinePage(context, bus)
    qtbot.addWidget(page)
    page.resize(1400, 700)
    page.show()
    qtbot.waitUntil(lambda: bool(page.columns) or page.empty.isVisible())
    return page


def drop(page: PipelinePage, from_stage: str, row: int, to_stage: str) -> bool:
    source = page.columns[from_stage].model
    mime = source.mimeData([source.index(row, 0)])
    target = page.columns[to_stage].model
    assert target.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    return target.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())


def test_column_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = StageColumnModel("Proposal")
    model.set_cards([Card(f"id{i}", f"Deal {i}", "Acme", Decimal("1.50"), "EUR", "2026-12-01", "Ann", "Proposal",
                          False) for i in range(5)])
    qtmodeltester.check(model)
    model.append_cards([Card("id9", "Deal 9", "", None, "", "", "", "Proposal", True)])
    qtmodeltester.check(model)


def test_board_shows_stages_in_order_with_totals(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    pull_stages(context)
    opp(context, "Rocket", "Proposal", "1000", "EUR")
    opp(context, "Probe", "Proposal", "250.50", "USD")
    page = board(qtbot, context, bus)
    assert list(page.columns) == ["Prospecting", "Qualification", "Proposal", "Closed won", "Closed lost"]
    proposal = page.columns["Proposal"]
    assert proposal.count.text() == "2"
    assert "EUR" in proposal.totals.text() and "USD" in proposal.totals.text()
    assert proposal.model.rowCount() == 2


def test_board_without_stages_says_so(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    page = board(qtbot, context, bus)
    assert page.empty.isVisible() and not page.columns


def test_dragging_a_card_changes_the_stage(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    pull_stages(context)
    deal = opp(context, "Rocket", "Prospecting")
    page = board(qtbot, context, bus)
    with qtbot.waitSignal(page.moved):
        assert drop(page, "Prospecting", 0, "Proposal")
    data = context.records.get("opportunity", deal).data
    assert (data["stage"], data["probability"]) == ("Proposal", 60)
    assert context.records.pending_count() == 1
    qtbot.waitUntil(lambda: page.columns["Proposal"].model.rowCount() == 1
                    and page.columns["Prospecting"].model.rowCount() == 0)


def test_dropping_on_the_same_stage_is_refused(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    pull_stages(context)
    opp(context, "Rocket", "Prospecting")
    page = board(qtbot, context, bus)
    model = page.columns["Prospecting"].model
    mime = model.mimeData([model.index(0, 0)])
    assert not model.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert not model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())


def test_won_column_asks_for_the_reason(qtbot: Any, context: AppContext, bus: DataBus, answers: Answers) -> None:
    pull_stages(context)
    deal = opp(context, "Rocket", "Proposal")
    page = board(qtbot, context, bus)
    answers.text = None  # cancelled: nothing moves
    drop(page, "Proposal", 0, "Closed won")
    assert context.records.get("opportunity", deal).data["stage"] == "Proposal"
    answers.text = "Best price"
    with qtbot.waitSignal(page.moved):
        drop(page, "Proposal", 0, "Closed won")
    data = context.records.get("opportunity", deal).data
    assert (data["status"], data["close_reason"]) == ("Won", "Best price")
    assert any("won" in asked for asked in answers.asked)


def test_owner_and_close_date_filters(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    pull_stages(context)
    add_user(context, ANN, "Ann")
    opp(context, "Ann's", "Proposal", owner_id=ANN, close_date="2026-12-10")
    opp(context, "Other", "Proposal", close_date="2027-03-01")
    page = board(qtbot, context, bus)
    qtbot.waitUntil(lambda: page.owner.findData(ANN) >= 0)
    page.owner.setCurrentIndex(page.owner.findData(ANN))
    qtbot.waitUntil(lambda: page.columns["Proposal"].model.rowCount() == 1)
    assert page.columns["Proposal"].model.cards[0].name == "Ann's"
    page.set_filter(BoardFilter(close_from=date(2027, 1, 1), close_to=date(2027, 12, 31)))
    qtbot.waitUntil(lambda: [c.name for c in page.columns["Proposal"].model.cards] == ["Other"])
    assert page.use_from.isChecked() and page.owner.currentData() is None


def test_show_more_loads_the_next_cards(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    pull_stages(context)
    for i in range(60):
        opp(context, f"Deal {i:02}", "Qualification", close_date=f"2026-12-{i % 28 + 1:02}")
    page = board(qtbot, context, bus)
    column = page.columns["Qualification"]
    assert column.model.rowCount() == 50 and not column.more.isHidden()
    column.more.click()
    qtbot.waitUntil(lambda: column.model.rowCount() == 60)
    assert column.more.isHidden()


def test_card_menu_moves_without_dragging(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    pull_stages(context)
    deal = opp(context, "Rocket", "Prospecting")
    page = board(qtbot, context, bus)
    menu = page.card_menu(page.columns["Prospecting"], 0)
    move = next(a.menu() for a in menu.actions() if a.menu() is not None)
    targets = {a.text(): a for a in move.actions()}
    assert "Prospecting" not in targets and "Qualification" in targets
    with qtbot.waitSignal(page.moved):
        targets["Qualification"].trigger()
    assert context.records.get("opportunity", deal).data["stage"] == "Qualification"


def test_weighted_totals_on_the_board_and_the_dashboard(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    from datetime import UTC, datetime

    from ui.dashboard.page import DashboardPage

    pull_stages(context)  # Proposal 60 %, Qualification 25 %
    opp(context, "Rocket", "Proposal", "1000", "EUR")
    opp(context, "Probe", "Qualification", "200", "EUR")
    opp(context, "Sat", "Proposal", "10", "USD")
    page = board(qtbot, context, bus)
    proposal = page.columns["Proposal"].totals.text()
    assert "Weighted:" in proposal and "600.00" in proposal and "6.00" in proposal
    assert "Weighted" not in page.columns["Closed won"].totals.text()
    assert "weighted" in page.summary.text() and "650.00" in page.summary.text()

    dashboard = DashboardPage(context, bus, clock=lambda: datetime(2026, 11, 25, 12, tzinfo=UTC))
    qtbot.addWidget(dashboard)
    qtbot.waitUntil(lambda: "pipeline" in dashboard.tiles)
    rows = dashboard.tiles["pipeline"].rows
    weighted = next(r for r in rows if r.label.text() == "Weighted pipeline")
    assert "650.00" in weighted.figure.text() and "6.00" in weighted.figure.text()
    assert "600.00" in next(r for r in rows if r.label.text().startswith("Proposal")).toolTip()


def test_marking_lost_without_a_lost_stage_is_refused_in_the_form(
    qtbot: Any, context: AppContext, bus: DataBus
) -> None:
    from ui.dialogs.record_form import RecordFormDialog

    pull_stages(context)
    with context.db.session() as session:
        session.connection().exec_driver_sql("UPDATE pipeline_stages SET deleted = 1 WHERE outcome = 'lost'")
    deal = opp(context, "Rocket", "Proposal")
    form = RecordFormDialog(context, bus, "opportunity", deal)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: not form.busy)
    status = form.editor("status")
    status.setCurrentIndex(status.findData("Lost"))
    form.save()
    qtbot.waitUntil(lambda: form.error_text("status") != "")
    assert form.error_text("status").startswith("The pipeline has no lost stage")
    assert context.records.get("opportunity", deal).data["status"] == "Open"
