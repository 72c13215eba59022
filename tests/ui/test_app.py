"""run(): main window, event loop, crash handler, translators, demo data."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from crm_desktop.context import AppContext
from crm_desktop.errors import KnownError
from crm_desktop.services.lists import ListSpec
from ui import app as ui_app
from ui.demo import seed


def test_run_shows_the_window_and_returns_the_exit_code(qtbot: Any, context: AppContext) -> None:
    seen: list[str] = []

    def close_soon() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == "mainWindow" and widget.isVisible():
                seen.append(widget.windowTitle())
                widget.close()
        QApplication.exit(0)

    QTimer.singleShot(200, close_soon)
    hook = sys.excepthook
    assert ui_app.run(context) == 0
    assert seen == ["CRM"]
    assert sys.excepthook is hook
    assert not QApplication.windowIcon().isNull()


def test_excepthook_shows_known_errors_plainly_and_bugs_as_crashes(qtbot: Any) -> None:
    hook = ui_app.make_excepthook(None)
    hook(KnownError, KnownError("The disk is full."), None)
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert any(b.text() == "The disk is full." for b in boxes)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        hook(RuntimeError, exc, exc.__traceback__)
    crash = [w for w in QApplication.topLevelWidgets() if w.objectName() == "crashDialog" and w.isVisible()]
    assert crash and "bug" in crash[0].text()  # type: ignore[attr-defined]
    assert "boom" in crash[0].detailedText()  # type: ignore[attr-defined]
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox):
            widget.done(0)


@pytest.mark.parametrize("count", [25])
def test_demo_data(context: AppContext, count: int) -> None:
    assert seed(context, count) == count
    assert context.lists.count(ListSpec("contact")) == count
    assert seed(context, count) == 0  # never twice


def test_english_plurals_come_from_our_translation(qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    installed = ui_app.install_translators(app, QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    try:
        assert QApplication.translate("StatusBar", "%n conflict(s)", "", 1) == "1 conflict"
        assert QApplication.translate("StatusBar", "%n conflict(s)", "", 3) == "3 conflicts"
    finally:
        for translator in installed:
            app.removeTranslator(translator)


def test_the_bare_c_locale_is_replaced_for_numbers_and_dates(qtbot: Any) -> None:
    from ui.format import money

    previous = QLocale()
    try:
        QLocale.setDefault(QLocale.c())
        assert ui_app.use_sensible_locale().language() == QLocale.Language.English
        assert money(Decimal("916800"), "EUR") == "916,800.00 EUR"
        german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
        QLocale.setDefault(german)
        assert ui_app.use_sensible_locale() == german  # a real locale is kept
    finally:
        QLocale.setDefault(previous)
