"""The case queue: order, overdue highlight, filters, paging, opening a case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from crm_desktop.context import AppContext
from crm_desktop.support.case_queue import QueueFilter
from ui.events import DataBus
from ui.support.case_queue import PAGE, CaseQueueModel, CaseQueuePage

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def case(context: AppContext, subject: str, **fields: Any) -> str:
    return context.records.create("case", {"subject": subject, **fields})


def page_for(qtbot: Any, context: AppContext, bus: DataBus) -> CaseQueuePage:
    page = CaseQueuePage(context, bus, clock=lambda: NOW)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    with qtbot.waitSignal(page.model.loaded):
        page.show()
    return page


def test_queue_model_passes_the_model_tester(qtbot: Any, qtmodeltester: Any, context: AppContext) -> None:
    case(context, "Late", priority="High", due_at="2026-11-20T00:00:00Z")
    case(context, "Fine", priority="Low")
    model = CaseQueueModel(context, clock=lambda: NOW)
    with qtbot.waitSignal(model.loaded):
        model.reload()
    qtmodeltester.check(model)


def test_queue_orders_and_highlights_overdue(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    case(context, "Low late", priority="Low", due_at="2026-11-20T00:00:00Z")
    case(context, "Urgent", priority="Urgent", due_at="2026-11-26T00:00:00Z")
    case(context, "Done", priority="Urgent", status="Resolved")
    page = page_for(qtbot, context, bus)
    model = page.model
    assert [r.subject for r in model.rows] == ["Urgent", "Low late"]
    due = model.index(1, 4)
    assert "overdue" in model.data(due) and model.data(due, Qt.ItemDataRole.ForegroundRole) == QColor("#c62828")
    assert model.data(model.index(0, 4), Qt.ItemDataRole.ForegroundRole) is None
    assert "1 overdue" in page.summary.text()


def test_filters_by_status_priority_and_overdue(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    case(context, "Pending one", priority="High", status="Pending")
    case(context, "Late", priority="Low", due_at="2026-11-20T00:00:00Z")
    page = page_for(qtbot, context, bus)
    with qtbot.waitSignal(page.model.loaded):
        page.status.setCurrentIndex(page.status.findData("Pending"))
    assert [r.subject for r in page.model.rows] == ["Pending one"]
    with qtbot.waitSignal(page.model.loaded):
        page.set_filter(QueueFilter(overdue_only=True))
    assert [r.subject for r in page.model.rows] == ["Late"] and page.overdue_only.isChecked()
    with qtbot.waitSignal(page.model.loaded):
        page.set_filter(QueueFilter(priorities=frozenset({"High"})))
    assert [r.subject for r in page.model.rows] == ["Pending one"]
    assert page.priority.currentData() == "High"


def test_queue_loads_more_as_needed_and_opens_a_case(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    for i in range(PAGE + 20):
        case(context, f"Case {i:03}", due_at=f"2026-12-01T{i % 24:02}:00:00Z")
    page = page_for(qtbot, context, bus)
    model = page.model
    assert model.rowCount() == PAGE and model.canFetchMore(model.index(-1, -1))
    with qtbot.waitSignal(model.loaded):
        model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == PAGE + 20 and not model.canFetchMore(model.index(-1, -1))
    page.table.selectRow(3)
    with qtbot.waitSignal(page.openRecord) as opened:
        page.open_button.click()
    assert opened.args == ["case", model.rows[3].id]


def test_a_new_case_appears(qtbot: Any, context: AppContext, bus: DataBus) -> None:
    page = page_for(qtbot, context, bus)
    assert page.empty.isVisible()
    case(context, "Fresh")
    with qtbot.waitSignal(page.model.loaded):
        bus.announce({"case"})
    assert [r.subject for r in page.model.rows] == ["Fresh"]
