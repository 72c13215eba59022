"""Ctrl+K global search popup: typing, grouping, keyboard, opening, stale results, hostile text."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from crm_desktop.context import AppContext
from ui.dialogs.global_search import GlobalSearchDialog
from ui.dialogs.record_form import RecordFormDialog
from ui.main_window import MainWindow
from ui.records.detail import RecordDetailDialog


@pytest.fixture
def filled(context: AppContext) -> dict[str, str]:
    records = context.records
    acme = records.create("account", {"name": "Acme Robotics", "city": "Boston"})
    return {
        "acme": acme,
        "john": records.create("contact", {"first_name": "John", "last_name": "Smith", "account_id": acme}),
        "ann": records.create("contact", {"first_name": "Ann", "last_name": "Johnson"}),
        "wei": records.create("contact", {"first_name": "伟", "last_name": "张", "city": "北京"}),
    }


def texts(dialog: GlobalSearchDialog) -> list[str]:
    return [dialog.results.item(i).text() for i in range(dialog.results.count())]


def type_and_wait(qtbot: Any, dialog: GlobalSearchDialog, text: str) -> None:
    with qtbot.waitSignal(dialog.resultsShown, timeout=5000):
        dialog.edit.clear()
        if text.isascii():
            qtbot.keyClicks(dialog.edit, text)
        else:
            dialog.edit.setText(text)  # QTest cannot type CJK characters


def open_dialogs(kind: type[QDialog]) -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_ctrl_k_opens_the_popup_and_groups_results(
    qtbot: Any, context: AppContext, filled: dict[str, str]
) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(GlobalSearchDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.edit.hasFocus)
    type_and_wait(qtbot, dialog, "john")
    assert texts(dialog) == ["Contacts  (2)", "John Smith", "Ann Johnson"]
    assert not dialog.results.item(0).flags()  # a header cannot be chosen
    assert dialog.current_hit() == ("contact", filled["john"])
    type_and_wait(qtbot, dialog, "bo")
    assert texts(dialog) == ["Accounts  (1)", "Acme Robotics    Boston"]
    dialog.close()


def test_keyboard_moves_over_hits_and_enter_opens_the_form(
    qtbot: Any, context: AppContext, filled: dict[str, str]
) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    dialog = window.open_global_search()
    type_and_wait(qtbot, dialog, "jo")
    assert dialog.hit_count() == 2
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Down)
    assert dialog.current_hit() == ("contact", filled["ann"])
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Down)  # stays on the last hit
    assert dialog.current_hit() == ("contact", filled["ann"])
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Up)
    assert dialog.current_hit() == ("contact", filled["john"])
    with qtbot.waitSignal(dialog.openRecord) as opened:
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert opened.args == ["contact", filled["john"]]
    assert not dialog.isVisible()
    forms = open_dialogs(RecordFormDialog)
    assert len(forms) == 1
    for form in forms:
        form.close()


def test_double_click_on_an_account_opens_its_detail_view(
    qtbot: Any, context: AppContext, filled: dict[str, str]
) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    dialog = window.open_global_search()
    qtbot.waitExposed(dialog)
    type_and_wait(qtbot, dialog, "acme")
    item = dialog.results.item(1)
    rect = dialog.results.visualItemRect(item)
    with qtbot.waitSignal(dialog.openRecord) as opened:
        qtbot.mouseClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == ["account", filled["acme"]]
    details = open_dialogs(RecordDetailDialog)
    assert len(details) == 1
    for detail in details:
        detail.close()


def test_enter_right_after_typing_opens_the_first_hit(
    qtbot: Any, context: AppContext, filled: dict[str, str]
) -> None:
    dialog = GlobalSearchDialog(context)
    qtbot.addWidget(dialog)
    dialog.start()
    dialog.edit.setText("张")  # typed: the search waits for the typing to pause
    with qtbot.waitSignal(dialog.openRecord) as opened:
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Enter)
    assert opened.args == ["contact", filled["wei"]]


def test_two_chinese_characters_and_no_match(qtbot: Any, context: AppContext, filled: dict[str, str]) -> None:
    dialog = GlobalSearchDialog(context)
    qtbot.addWidget(dialog)
    dialog.start()
    type_and_wait(qtbot, dialog, "北京")
    assert texts(dialog) == ["Contacts  (1)", "张伟    北京"]
    type_and_wait(qtbot, dialog, "zzzq")
    assert texts(dialog) == [] and "zzzq" in dialog.status.text()


def test_stale_results_are_dropped(qtbot: Any, context: AppContext, filled: dict[str, str]) -> None:
    dialog = GlobalSearchDialog(context)
    qtbot.addWidget(dialog)
    dialog.start()
    shown: list[str] = []
    dialog.resultsShown.connect(lambda: shown.append(dialog.edit.text()))
    # The worker is held up so the first query is still pending when the second starts.
    gate = threading.Event()
    held = context.worker.submit(gate.wait, 10)
    dialog.edit.setText("acme")
    dialog._run()  # noqa: SLF001 - no debounce: two searches in flight
    dialog.edit.setText("ann")
    dialog._run()  # noqa: SLF001
    with qtbot.waitSignal(dialog.resultsShown, timeout=5000):
        gate.set()
    held.result()
    # Whatever else the worker still delivers for "acme" is dropped.
    done = context.worker.submit(lambda: None)
    qtbot.waitUntil(done.done)
    qtbot.wait(50)
    assert shown and set(shown) == {"ann"}
    assert texts(dialog) == ["Contacts  (1)", "Ann Johnson"]


@pytest.mark.parametrize(
    "text", ['" * NEAR - ( ) : ^ AND OR', "%_", "'\"", "z\x00q", "\ud800x", "😀", "שלום", "\\"]
)
def test_hostile_text_never_errors(qtbot: Any, context: AppContext, filled: dict[str, str], text: str) -> None:
    dialog = GlobalSearchDialog(context)
    qtbot.addWidget(dialog)
    dialog.start()
    with qtbot.waitSignal(dialog.resultsShown, timeout=5000):
        dialog.edit.setText(text)
    assert dialog.hit_count() == 0
