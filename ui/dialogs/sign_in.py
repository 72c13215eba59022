"""Sign in: type the server's address, continue in the browser."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.errors import KnownError
from ui.qt_compat import emit
from ui.tasks import report_error, watch

log = logging.getLogger("crm.ui.sign_in")

SignIn = Callable[[str, Callable[[str], None]], "Future[str]"]


def open_in_browser(url: str) -> None:
    """Open ``url`` in the system browser (passed to the sign-in callable)."""
    if not QDesktopServices.openUrl(QUrl(url)):
        log.warning("could not open the browser for %s", url)


def normalize_server_url(text: str) -> str | None:
    """``text`` as an http(s) base URL, or None when it is not one."""
    text = text.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        return None
    return text.rstrip("/")


class SignInDialog(QDialog):
    #: The signed-in user's email.
    signedIn = Signal(str)

    def __init__(self, sign_in: SignIn, server_url: str = "", parent: QWidget | None = None,
                 open_url: Callable[[str], None] = open_in_browser) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle(self.tr("Sign in"))
        self._sign_in = sign_in
        self._open_url = open_url
        self._future: Future[Any] | None = None
        self.email: str | None = None

        self.pages = QStackedWidget(self)
        form = QWidget(self)
        intro = QLabel(self.tr("Enter the address of your CRM server. You sign in with your browser."), form)
        intro.setWordWrap(True)
        self.url = QLineEdit(server_url, form)
        self.url.setObjectName("serverUrl")
        self.url.setPlaceholderText("https://crm.example.com")
        self.error = QLabel(form)
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, form)
        self.sign_in_button = QPushButton(self.tr("Sign in"), form)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(form)
        column.addWidget(intro)
        column.addWidget(self.url)
        column.addWidget(self.error)
        column.addStretch(1)
        column.addWidget(self.buttons)

        waiting = QWidget(self)
        self.waiting_label = QLabel(self.tr("Continue in your browser…"), waiting)
        self.waiting_label.setObjectName("waiting")
        self.waiting_label.setStyleSheet("font-size: 14px;")
        cancel = QPushButton(self.tr("Cancel"), waiting)
        cancel.setObjectName("cancelWaiting")
        cancel.clicked.connect(self.cancel_waiting)
        wait_column = QVBoxLayout(waiting)
        wait_column.addStretch(1)
        wait_column.addWidget(self.waiting_label)
        wait_column.addStretch(1)
        wait_column.addWidget(cancel)

        self.pages.addWidget(form)
        self.pages.addWidget(waiting)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.resize(440, 200)

    def start(self) -> None:
        url = normalize_server_url(self.url.text())
        if url is None:
            self.error.setText(self.tr("Enter a web address starting with http:// or https://"))
            self.error.show()
            self.url.setFocus()
            return
        self.error.hide()
        self.url.setText(url)
        try:
            future = self._sign_in(url, self._open_url)
        except KnownError as exc:
            self._failed(exc)
            return
        self._future = future
        self.pages.setCurrentIndex(1)
        watch(future, on_done=lambda email: self._done(future, email),
              on_error=lambda exc: self._error(future, exc), context=self)

    def cancel_waiting(self) -> None:
        if self._future is not None:
            self._future.cancel()
            self._future = None
        self.pages.setCurrentIndex(0)

    def reject(self) -> None:
        self.cancel_waiting()
        super().reject()

    def _done(self, future: Future[Any], email: str) -> None:
        if future is not self._future:
            return
        self._future = None
        self.email = email
        log.info("signed in as %s", email)
        emit(self.signedIn, email)
        self.accept()

    def _error(self, future: Future[Any], exc: BaseException) -> None:
        if future is not self._future:
            return
        self._future = None
        self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        self.pages.setCurrentIndex(0)
        if isinstance(exc, KnownError):
            self.error.setText(exc.message)
            self.error.show()
        else:
            report_error(exc, self)
