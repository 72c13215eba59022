"""The lazy list model: model tester, paging, search, sorting, stale results."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from crm_desktop.context import AppContext
from ui.models import record_list
from ui.models.record_list import PLACEHOLDER, RecordListModel


def add_contacts(context: AppContext, names: list[tuple[str, str]]) -> list[str]:
    return [context.records.create("contact", {"first_name": f, "last_name": last}) for f, last in names]


def loaded(qtbot: Any, model: RecordListModel) -> None:
    qtbot.waitUntil(lambda: not model.loading)


def test_model_tester_empty(qtbot: Any, qtmodeltester: Any, context: AppContext) -> None:
    model = RecordListModel(context, "contact")
    model.reload()
    loaded(qtbot, model)
    assert model.rowCount() == 0
    assert model.columnCount() == 8
    qtmodeltester.check(model)


def test_model_tester_filled_and_searched(qtbot: Any, qtmodeltester: Any, context: AppContext) -> None:
    add_contacts(context, [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper")])
    model = RecordListModel(context, "contact")
    model.reload()
    loaded(qtbot, model)
    assert model.rowCount() == 3
    assert [model.index(r, 0).data() for r in range(3)] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.loaded):
        model.set_search("hopper")
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "Grace Hopper"
    assert model.index(0, 0).data(RecordListModel.RecordIdRole)
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.loaded):
        model.set_search('" * NEAR - % _ 😀')
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_rows_load_lazily_in_pages(
    qtbot: Any, qtmodeltester: Any, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_list, "PAGE_SIZE", 4)
    add_contacts(context, [(f"Person{i:02d}", "Test") for i in range(11)])
    model = RecordListModel(context, "contact")
    model.reload()
    loaded(qtbot, model)
    assert model.rowCount() == 11
    assert model.index(0, 0).data() == "Person00 Test"
    # Until the whole rid list arrives (in the background) later rows are "…".
    qtbot.waitUntil(lambda: model._complete)  # noqa: SLF001 - white-box check
    assert model.index(9, 0).data() == PLACEHOLDER  # asks for its page...
    with qtbot.waitSignal(model.dataChanged):
        pass
    assert model.index(9, 0).data() == "Person09 Test"  # ...which has landed
    qtbot.waitUntil(lambda: model.index(10, 0).data() != PLACEHOLDER)
    assert model.index(10, 0).data() == "Person10 Test"
    qtmodeltester.check(model)


def test_a_complete_search_list_loads_its_rows_in_pages(
    qtbot: Any, qtmodeltester: Any, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_list, "PAGE_SIZE", 4)
    add_contacts(context, [(f"Person{i:02d}", "Test") for i in range(11)])
    model = RecordListModel(context, "contact")
    with qtbot.waitSignal(model.loaded):
        model.set_search("test")
    # Every matching rid came at once (a short list), their rows only for the first page.
    assert model.rowCount() == 11 and model._complete  # noqa: SLF001 - white-box check
    assert model.index(3, 0).data() == "Person03 Test"
    assert model.index(9, 0).data() == PLACEHOLDER
    qtbot.waitUntil(lambda: model.index(9, 0).data() == "Person09 Test")
    qtmodeltester.check(model)


def test_sorting_only_by_indexed_columns(qtbot: Any, context: AppContext) -> None:
    ids = add_contacts(context, [("Bea", "B"), ("Al", "A"), ("Cy", "C")])
    context.records.update("contact", ids[0], {"email": "z@example.com"})
    context.records.update("contact", ids[2], {"email": "a@example.com"})
    model = RecordListModel(context, "contact")
    model.reload()
    loaded(qtbot, model)
    email = model.column_key(3)
    assert email == "email" and model.is_sortable(3)
    with qtbot.waitSignal(model.loaded):
        model.sort(3, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, 0).data() for r in range(3)] == ["Bea B", "Cy C", "Al A"]
    assert not model.is_sortable(2)  # job title: no index
    model.sort(2)
    assert not model.loading
    with qtbot.waitSignal(model.loaded):
        model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, 0).data() for r in range(3)] == ["Cy C", "Bea B", "Al A"]


def test_stale_search_results_are_dropped(qtbot: Any, context: AppContext) -> None:
    add_contacts(context, [("Ada", "Lovelace"), ("Alan", "Turing")])
    model = RecordListModel(context, "contact")
    model.reload()
    loaded(qtbot, model)
    model.set_search("lovelace")
    model.set_search("turing")  # typed on before the first result came back
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "Alan Turing"


def test_estimated_count_becomes_exact_without_a_reset(
    qtbot: Any, qtmodeltester: Any, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm_desktop.services import lists

    monkeypatch.setattr(record_list, "PAGE_SIZE", 2)
    add_contacts(context, [(f"Person{i:02d}", "Example") for i in range(7)] + [("Other", "Name")])
    # A common term: the first page comes with an estimated count, the exact one follows.
    monkeypatch.setattr(lists, "COUNT_CAP", 0)
    model = RecordListModel(context, "contact")
    model.reload()
    loaded(qtbot, model)
    qtmodeltester.check(model)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.loaded):
        model.set_search("example")
    resets.clear()
    qtbot.waitUntil(lambda: model.count_exact)
    assert model.rowCount() == 7 and not resets
    assert [model.index(r, 0).data() for r in range(2)] == ["Person00 Example", "Person01 Example"]
    qtmodeltester.check(model)
