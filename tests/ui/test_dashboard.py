"""The dashboard and the module screens in the main window: click-through, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from crm_desktop.context import AppContext
from crm_desktop.services.dashboard import Dashboard
from crm_desktop.services.list_filters import FieldFilter, FilterOp
from tests.services.helpers import pull_stages
from ui.dashboard.page import ClickRow, DashboardPage
from ui.events import DataBus
from ui.main_window import MainWindow
from ui.navigation import CASE_QUEUE, LEADS, MY_DAY, OPPORTUNITIES, PIPELINE

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def seed(context: AppContext) -> None:
    pull_stages(context)
    context.records.create("opportunity", {"name": "A", "stage": "Proposal", "amount": "100", "currency": "EUR"})
    context.records.create("opportunity", {"name": "B", "stage": "Proposal", "amount": "7", "currency": "USD"})
    context.records.create("case", {"subject": "Late", "priority": "High", "due_at": "2026-11-20T00:00:00Z"})
    context.records.create("lead", {"last_name": "L", "source": "Web"})


def test_dashboard_tiles_and_click_through(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    seed(context)
    page = DashboardPage(context, bus, clock=lambda: NOW)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded):
        page.show()
    assert isinstance(page.data, Dashboard)
    pipeline = page.tiles["pipeline"]
    proposal = next(r for r in pipeline.rows if r.label.text().startswith("Proposal"))
    assert "EUR" in proposal.figure.text() and "USD" in proposal.figure.text()
    overdue = page.tiles["cases"].rows[0]
    assert overdue.figure.text() == "1"
    with qtbot.waitSignal(page.openTarget) as opened:
        overdue.clicked.emit(overdue.target)
    assert opened.args == ["cases", {"overdue": True}]
    leads = page.tiles["leads"].rows
    assert [(r.label.text(), r.figure.text()) for r in leads] == [("Web", "1")]
    # A change elsewhere refreshes the figures.
    context.records.create("case", {"subject": "Later", "priority": "High", "due_at": "2026-11-21T00:00:00Z"})
    with qtbot.waitSignal(page.loaded):
        bus.announce({"case"})
    assert page.tiles["cases"].rows[0].figure.text() == "2"


def test_window_routes_dashboard_clicks_and_shows_reminders(qtbot: Any, context: AppContext) -> None:
    seed(context)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    workspace = window.workspace
    workspace.open_target("cases", {"priority": "High"})
    assert window.stack.currentIndex() == CASE_QUEUE
    qtbot.waitUntil(lambda: [r.subject for r in workspace.case_queue.model.rows] == ["Late"])
    workspace.open_target("pipeline", {"stage": "Proposal"})
    assert window.stack.currentIndex() == PIPELINE
    workspace.open_target("my_day", {})
    assert window.stack.currentIndex() == MY_DAY
    # "New leads by source" opens the lead list itself, filtered (removable chips).
    qtbot.waitUntil(lambda: "leads" in workspace.dashboard.tiles)
    web = page_row(workspace.dashboard, "leads", "Web")
    workspace.open_target(*web.target)
    assert window.stack.currentIndex() == LEADS
    lead_page = window.record_pages[LEADS]
    assert set(lead_page.filter_bar.chips) == {"status", "source"}
    qtbot.waitUntil(lambda: not lead_page.model.loading and lead_page.model.rowCount() == 1)
    assert lead_page.count_label.text().startswith("1 matching record")
    lead_page.filter_bar.chips["source"].click()
    qtbot.waitUntil(lambda: not lead_page.model.loading and list(lead_page.model.filters) == [
        FieldFilter("status", FilterOp.IS, ("New",))])
    # The won figure opens the opportunity list: won, closed this month.
    won = window.workspace.dashboard.tiles["won"].rows[0]
    workspace.open_target(*won.target)
    assert window.stack.currentIndex() == OPPORTUNITIES
    assert [f.field for f in window.record_pages[OPPORTUNITIES].model.filters] == ["status", "close_date"]
    # A due reminder shows in the window (no system tray offscreen) and opens My day.
    start = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    context.records.create("activity", {"kind": "Call", "subject": "Call Ada", "start_at": start})
    with qtbot.waitSignal(workspace.reminders.remind):
        window.bus.announce({"activity"})
    assert workspace.toast.isVisible() and "Call Ada" in workspace.toast.text.text()
    window.show_page(PIPELINE)
    workspace.toast.open_button.click()
    assert window.stack.currentIndex() == MY_DAY and not workspace.toast.isVisible()
    qtbot.waitUntil(lambda: "(1)" in window.nav_item(MY_DAY).text())
    record = workspace.open_record("case", workspace.case_queue.model.rows[0].id)
    qtbot.waitUntil(lambda: record.title.text() == "Late")
    record.reject()


def page_row(page: DashboardPage, tile: str, label: str) -> ClickRow:
    return next(r for r in page.tiles[tile].rows if r.label.text() == label)
