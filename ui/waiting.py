"""Waiting room (and connecting) screen: nothing of the lesson is visible here."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QVBoxLayout, QWidget

from klasse.ui.base import Translatable, button, label_for, plain_label
from klasse.ui.i18n import tr


class WaitingPage(Translatable, QWidget):
    leave = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = "waiting"        # or "connecting"
        self.room_title = ""
        self.headline = plain_label(self)
        self.headline.setObjectName("waitingHeadline")
        font = QFont(self.font())
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setWordWrap(True)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = plain_label(self)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.leave_button = button(self, object_name="waitingLeave")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addSpacing(20)
        layout.addWidget(self.leave_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.leave_button.clicked.connect(self.leave)
        self.retranslate()

    def set_mode(self, mode: str, room_title: str = "") -> None:
        self.mode, self.room_title = mode, room_title or self.room_title
        self.retranslate()

    def retranslate(self) -> None:
        if self.mode == "connecting":
            self.headline.setText(tr("Connecting to your school's server…"))
            self.detail.setText("")
        else:
            self.headline.setText(tr("Your teacher will let you in."))
            self.detail.setText(
                tr("You are in the waiting room of “{room}”. Nobody in the lesson can see or "
                   "hear you yet.").format(room=self.room_title) if self.room_title else
                tr("You are in the waiting room. Nobody in the lesson can see or hear you yet."))
        self.headline.setAccessibleName(self.headline.text())
        label_for(self.leave_button, tr("Leave"), tr("Leave the waiting room"))
