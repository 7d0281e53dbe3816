"""A teacher's own recordings on the school's server: when, how long, what, state;
delete one after confirming. Signed-in teachers open it from the account box.

The dialog draws and forwards: listing and deleting are app/account.py requests
(one short WebSocket each), run on the qasync loop like sign-in. Nothing is kept
here but the list the server last sent; the session token stays in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klasse.app.account import AccountError, delete_recording, list_recordings
from klasse.app.protocol import RecordingEntry
from klasse.ui.base import Translatable, button, label_for, plain_label
from klasse.ui.i18n import current_language, tr
from klasse.ui.recording_banner import describe_what

# Only finished recordings can be deleted; the server refuses the others (out_of_order).
DELETABLE = ("ready", "failed")


def length_text(seconds: float | None) -> str:
    """1234.5 -> "20:34"; an hour or more -> "1:02:03"; unknown -> "—"."""
    if seconds is None:
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def when_text(unix: float) -> str:
    """A time in the user's language and the computer's time zone, short form."""
    return QLocale(current_language()).toString(QDateTime.fromSecsSinceEpoch(int(unix)),
                                                QLocale.FormatType.ShortFormat)


class RecordingsDialog(Translatable, QDialog):
    COLUMNS = 5     # recorded on, length, what, state, deleted automatically on

    def __init__(self, url: str, session: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordingsDialog")
        self.url, self._session = url, session
        self.entries: list[RecordingEntry] | None = None    # None: not loaded yet
        self._task: asyncio.Future[None] | None = None
        self._busy = False
        self.resize(760, 380)
        self.intro = plain_label(self)
        self.intro.setWordWrap(True)
        self.list = QTreeWidget(self)
        self.list.setObjectName("recordingsList")
        self.list.setColumnCount(self.COLUMNS)
        self.list.setRootIsDecorated(False)
        self.list.setAllColumnsShowFocus(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.status = plain_label(self)
        self.status.setObjectName("recordingsStatus")
        self.status.setWordWrap(True)
        self.error = plain_label(self)
        self.error.setObjectName("recordingsError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.refresh = button(self, object_name="recordingsRefresh")
        self.delete = button(self, object_name="recordingDelete")
        self.close_button = button(self, object_name="recordingsClose")
        self.confirm = QFrame(self)
        self.confirm_text = plain_label(self.confirm)
        self.confirm_text.setWordWrap(True)
        self.confirm_yes = button(self.confirm, object_name="recordingDeleteConfirm")
        self.confirm_no = button(self.confirm, object_name="recordingDeleteCancel")
        confirm_row = QHBoxLayout(self.confirm)
        confirm_row.addWidget(self.confirm_text, 1)
        confirm_row.addWidget(self.confirm_yes)
        confirm_row.addWidget(self.confirm_no)
        self.confirm.setVisible(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh)
        buttons.addWidget(self.delete)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addWidget(self.confirm)
        layout.addLayout(buttons)

        self.list.itemSelectionChanged.connect(self._selection_changed)
        self.refresh.clicked.connect(lambda: self.load())
        self.delete.clicked.connect(self._ask_to_delete)
        self.confirm_no.clicked.connect(lambda: self.confirm.setVisible(False))
        self.confirm_yes.clicked.connect(self._delete)
        self.close_button.clicked.connect(self.reject)
        self.retranslate()
        self.load()

    # ------------------------------------------------------------ requests
    def load(self, keep_error: bool = False) -> None:
        self._request(list_recordings(self.url, self._session), keep_error)

    def _delete(self) -> None:
        self.confirm.setVisible(False)
        rid = self.selected_id()
        if rid is not None:
            self._request(delete_recording(self.url, self._session, rid))

    def _request(self, coro: Coroutine[Any, Any, list[RecordingEntry]],
                 keep_error: bool = False) -> None:
        """Run one account request; its answer replaces the list, a refusal is shown."""
        if self._busy:
            coro.close()            # one request at a time; the buttons are off meanwhile
            return
        if not keep_error:
            self.error.clear()
        self._set_busy(True)

        async def run() -> None:
            try:
                self.set_recordings(await coro)
            except AccountError as exc:
                self._set_busy(False)
                self.show_error(exc)
                if exc.code == "no_such_recording":   # gone meanwhile (retention, IT)
                    self.load(keep_error=True)            # so show what is left
        self._task = asyncio.ensure_future(run())

    def done(self, result: int) -> None:
        # Closing drops a request still under way, so no answer lands in a closed dialog.
        if self._task is not None and not self._task.done():
            self._task.cancel()
            self._set_busy(False)
        super().done(result)

    # ------------------------------------------------------------ drawing
    def set_recordings(self, entries: list[RecordingEntry]) -> None:
        keep = self.selected_id()
        self.entries = sorted(entries, key=lambda e: e.started, reverse=True)
        self._set_busy(False)
        self._fill(keep)

    def show_error(self, exc: AccountError) -> None:
        self.error.setText(self._describe(exc))

    def _describe(self, exc: AccountError) -> str:
        known: dict[str, Callable[[], str]] = {
            "session_invalid": lambda: tr("Please sign in again."),
            "not_allowed": lambda: tr("Only teachers have recordings."),
            "no_such_recording": lambda: tr("That recording no longer exists: it has expired "
                                            "or was deleted."),
            "out_of_order": lambda: tr("That recording is still being written or converted. "
                                       "You can delete it once it is ready."),
            "connection_failed": lambda: tr("The school's server cannot be reached."),
        }
        text = known.get(exc.code)
        if text is not None:
            return text()
        return tr("Something went wrong: {message}").format(message=exc.message)

    def selected_id(self) -> str | None:
        items = self.list.selectedItems()
        return str(items[0].data(0, Qt.ItemDataRole.UserRole)) if items else None

    def _selected(self) -> RecordingEntry | None:
        rid = self.selected_id()
        return next((e for e in self.entries or [] if e.id == rid), None)

    def _fill(self, keep: str | None = None) -> None:
        self.list.clear()
        for e in self.entries or []:
            item = QTreeWidgetItem([when_text(e.started), length_text(e.duration_s),
                                    describe_what(list(e.what)),
                                    self._state(e.state, e.interrupted),
                                    when_text(e.expires)])
            item.setData(0, Qt.ItemDataRole.UserRole, e.id)
            self.list.addTopLevelItem(item)
            if e.id == keep:
                item.setSelected(True)
        for column in range(self.COLUMNS):
            self.list.resizeColumnToContents(column)
        self._show_status()
        self._selection_changed()

    def _show_status(self) -> None:
        if self.entries is None:
            self.status.setText(tr("Loading your recordings…") if self._busy else "")
        elif not self.entries:
            self.status.setText(tr("You have no recordings on the school's server."))
        else:
            self.status.setText(tr("The school's server deletes each recording automatically "
                                   "on the date shown."))

    @staticmethod
    def _state(state: str, interrupted: bool = False) -> str:
        text = {"recording": tr("being recorded"), "converting": tr("being converted"),
                "ready": tr("ready"), "failed": tr("failed")}.get(state, state)
        if interrupted:
            # The media server was lost while it recorded: it holds what came before.
            text = tr("{state}, interrupted").format(state=text)
        return text

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.refresh.setEnabled(not busy)
        self.confirm_yes.setEnabled(not busy)
        self._show_status()
        self._selection_changed()

    def _selection_changed(self) -> None:
        entry = self._selected()
        self.delete.setEnabled(not self._busy and entry is not None and entry.state in DELETABLE)
        if entry is None or entry.state not in DELETABLE:
            self.confirm.setVisible(False)

    def _ask_to_delete(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        self.confirm_text.setText(
            tr("Delete the recording of {when} ({what}) for good? This cannot be undone.")
            .format(when=when_text(entry.started), what=describe_what(list(entry.what))))
        self.confirm.setVisible(True)
        self.confirm_no.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("My recordings — Klasse"))
        self.intro.setText(tr("Recordings of your lessons on the school's server. Only you "
                              "see them here."))
        self.list.setHeaderLabels([tr("Recorded on"), tr("Length"), tr("What was recorded"),
                                   tr("State"), tr("Deleted automatically on")])
        self.list.setAccessibleName(tr("Your recordings"))
        label_for(self.refresh, tr("&Refresh"), tr("Ask the school's server again"))
        label_for(self.delete, tr("&Delete…"), tr("Delete the selected recording"))
        label_for(self.close_button, tr("Close"))
        label_for(self.confirm_yes, tr("Delete for good"))
        label_for(self.confirm_no, tr("Keep it"))
        self._fill(self.selected_id())
        if self.confirm.isVisible():
            self._ask_to_delete()

