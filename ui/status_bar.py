"""The status bar: connection, sync state, pending changes, conflicts, last sync.

It binds to a sync controller (``sync/controller.py``) through its Qt
signals only: ``stateChanged(str, str)``, ``progress(int, int)``,
``pendingCountChanged(int)``, ``conflictCountChanged(int)``,
``lastSyncChanged(object)``, ``onlineChanged(bool)``, ``signInRequired(str)``,
``syncFinished(object)`` (a ``SyncReport``: what a sync did that the user must
know, e.g. records that left because access was lost) and the ``sync_now()``
method.  Without a controller (never signed in) it shows "Not signed in" and a
"Sign in…" button.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from sync.report import SyncReport

log = logging.getLogger("crm.ui.status")

STATES = ("idle", "syncing", "offline", "error", "signed_out")


class _LinkButton(QPushButton):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFlat(True)
        self.setCursor(self.cursor())


class StatusBar(QStatusBar):
    pendingClicked = Signal()
    conflictsClicked = Signal()
    signInClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self._controller: Any = None
        self._state = "signed_out"
        self._message = ""
        self._online = True
        self._last_sync: datetime | None = None

        self.online_label = QLabel(self)
        self.online_label.setObjectName("online")
        self.state_label = QLabel(self)
        self.state_label.setObjectName("state")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("progress")
        self.progress_bar.setMaximumWidth(140)
        self.progress_bar.setMaximumHeight(14)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        #: What the last sync did that the user must know (records that left, a full resync).
        self.notice_label = QLabel(self)
        self.notice_label.setObjectName("syncNotice")
        self.notice_label.setStyleSheet("color: #b26a00;")
        self.notice_label.hide()
        self.last_sync_label = QLabel(self)
        self.last_sync_label.setObjectName("lastSync")
        self.pending_button = _LinkButton(self)
        self.pending_button.setObjectName("pending")
        self.pending_button.setToolTip(self.tr("Show changes not yet synced"))
        self.pending_button.clicked.connect(self.pendingClicked)
        self.conflicts_button = _LinkButton(self)
        self.conflicts_button.setObjectName("conflicts")
        self.conflicts_button.setToolTip(self.tr("Show edits that clashed with someone else's"))
        self.conflicts_button.clicked.connect(self.conflictsClicked)
        self.sync_button = QPushButton(self.tr("Sync now"), self)
        self.sync_button.setObjectName("syncNow")
        self.sync_button.clicked.connect(self._sync_now)
        self.sign_in_button = QPushButton(self.tr("Sign in…"), self)
        self.sign_in_button.setObjectName("signIn")
        self.sign_in_button.clicked.connect(self.signInClicked)

        self.addWidget(self.online_label)
        self.addWidget(self.state_label)
        self.addWidget(self.progress_bar)
        self.addWidget(self.notice_label)
        self.addPermanentWidget(self.pending_button)
        self.addPermanentWidget(self.conflicts_button)
        self.addPermanentWidget(self.last_sync_label)
        self.addPermanentWidget(self.sync_button)
        self.addPermanentWidget(self.sign_in_button)

        self._clock = QTimer(self, interval=30_000)
        self._clock.timeout.connect(self._update_last_sync)
        self._clock.start()
        self.set_pending_count(0)
        self.set_conflict_count(0)
        self._render()

    # -- binding -------------------------------------------------------------

    @property
    def controller(self) -> Any:
        return self._controller

    def bind(self, controller: QObject | None) -> None:
        """Follow ``controller``'s signals (None: not signed in)."""
        if self._controller is not None:
            for name, slot in self._connections():
                try:
                    getattr(self._controller, name).disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        self._controller = controller
        if controller is None:
            self._state, self._message = "signed_out", ""
        else:
            for name, slot in self._connections():
                getattr(controller, name).connect(slot)
            self._state, self._message = "idle", ""
        self._render()

    def _connections(self) -> list[tuple[str, Any]]:
        return [
            ("stateChanged", self.set_state),
            ("progress", self.set_progress),
            ("pendingCountChanged", self.set_pending_count),
            ("conflictCountChanged", self.set_conflict_count),
            ("lastSyncChanged", self.set_last_sync),
            ("onlineChanged", self.set_online),
            ("syncFinished", self.show_report),
        ]

    # -- slots ---------------------------------------------------------------

    def set_state(self, state: str, message: str = "") -> None:
        if state not in STATES:
            log.warning("unknown sync state %r", state)
        self._state, self._message = state, message
        if state != "syncing":
            self.progress_bar.hide()
        self._render()

    def set_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.progress_bar.setRange(0, 0)  # busy indicator
        else:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        self.progress_bar.setVisible(self._state == "syncing")

    def set_pending_count(self, count: int) -> None:
        self._pending = count
        self.pending_button.setText(
            self.tr("All changes synced") if count == 0 else self.tr("%n unsynced change(s)", "", count)
        )

    def set_conflict_count(self, count: int) -> None:
        self._conflicts = count
        self.conflicts_button.setText(self.tr("%n conflict(s)", "", count))
        self.conflicts_button.setVisible(count > 0)
        self.conflicts_button.setStyleSheet(
            "QPushButton { color: white; background: #c62828; border-radius: 3px; padding: 1px 8px; }"
            if count > 0 else ""
        )

    def set_last_sync(self, when: datetime | None) -> None:
        self._last_sync = when
        self._update_last_sync()

    def set_online(self, online: bool) -> None:
        self._online = online
        self._render()

    def show_report(self, report: object) -> None:
        """After a sync: tell what it did that the user did not do themselves.

        Shown until the next successful sync replaces it (a failed sync keeps
        it: the news is still true)."""
        if not isinstance(report, SyncReport):
            return
        parts: list[str] = []
        if report.history_expired:
            parts.append(self.tr("You were offline longer than the server keeps its history, so everything "
                                 "was downloaded again. Your unsynced changes were kept."))
        if report.revoked:
            parts.append(self.tr("Removed from this computer: %n record(s) you no longer have access to "
                                 "(reassigned or no longer shared).", "", report.revoked))
        if report.access_lost:
            parts.append(self.tr("Your unsynced changes to %n of them are kept in Conflicts.", "",
                                 report.access_lost))
        if report.lost_on_server:
            parts.append(self.tr("Moved to Conflicts: %n record(s) the server no longer has.", "",
                                 report.lost_on_server))
        text = " ".join(parts)
        self.notice_label.setText(text)
        self.notice_label.setToolTip(text)
        self.notice_label.setVisible(bool(text))

    # -- display -------------------------------------------------------------

    def pending_count(self) -> int:
        return self._pending

    def conflict_count(self) -> int:
        return self._conflicts

    def state(self) -> str:
        return self._state

    def _sync_now(self) -> None:
        if self._controller is not None:
            self._controller.sync_now()

    def _render(self) -> None:
        signed_in = self._controller is not None and self._state != "signed_out"
        self.sign_in_button.setVisible(not signed_in)
        self.sync_button.setVisible(signed_in)
        self.sync_button.setEnabled(signed_in and self._state != "syncing" and self._online)
        if not signed_in:
            self.online_label.setText("")
            self.online_label.hide()
        else:
            self.online_label.show()
            color = "#2e7d32" if self._online else "#9e9e9e"
            self.online_label.setText(f"<span style='color:{color}'>●</span> "
                                      + (self.tr("Online") if self._online else self.tr("Offline")))
        texts = {
            "idle": self.tr("Up to date"),
            "syncing": self.tr("Syncing…"),
            "offline": self.tr("Offline — changes are saved here and synced later"),
            "error": self.tr("Sync failed"),
            "signed_out": self.tr("Not signed in"),
        }
        state = self._state if signed_in else "signed_out"
        text = texts.get(state, state)
        if state == "error" and self._message:
            text = self.tr("Sync failed: %1").replace("%1", self._message.splitlines()[0][:80])
        self.state_label.setText(text)
        self.state_label.setStyleSheet("color: #c62828;" if state == "error" else "")
        self.state_label.setToolTip(self._message if state == "error" else "")
        self._update_last_sync()

    def _update_last_sync(self) -> None:
        if self._last_sync is None or self._controller is None:
            self.last_sync_label.setText("" if self._controller is None else self.tr("Never synced"))
            return
        self.last_sync_label.setText(self.tr("Synced %1").replace("%1", self.ago(self._last_sync)))
        self.last_sync_label.setToolTip(self._last_sync.astimezone().strftime("%Y-%m-%d %H:%M:%S"))

    def ago(self, when: datetime, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        seconds = max(0, int((now - when).total_seconds()))
        if seconds < 60:
            return self.tr("just now")
        minutes = seconds // 60
        if minutes < 60:
            return self.tr("%n min ago", "", minutes)
        hours = minutes // 60
        if hours < 24:
            return self.tr("%n hour(s) ago", "", hours)
        return self.tr("%n day(s) ago", "", hours // 24)
