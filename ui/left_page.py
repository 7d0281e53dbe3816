"""After the call: why it ended, and that this computer's call data was deleted."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from klasse.app.events import Left
from klasse.ui.base import Translatable, button, label_for, plain_label
from klasse.ui.i18n import tr


class LeftPage(Translatable, QWidget):
    again = Signal()
    quit = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.event_: Left | None = None
        self.headline = plain_label(self)
        font = QFont(self.font())
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline.setWordWrap(True)
        self.wiped = plain_label(self)
        self.wiped.setObjectName("wipedText")
        self.wiped.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.wiped.setWordWrap(True)
        self.again_button = button(self, object_name="joinAgain")
        self.quit_button = button(self, object_name="quit")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.again_button)
        row.addWidget(self.quit_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.headline)
        layout.addWidget(self.wiped)
        layout.addSpacing(20)
        layout.addLayout(row)
        layout.addStretch(1)
        self.again_button.clicked.connect(self.again)
        self.quit_button.clicked.connect(self.quit)
        self.retranslate()

    def show_left(self, event: Left) -> None:
        self.event_ = event
        self.retranslate()

    def retranslate(self) -> None:
        e = self.event_
        reasons = {"ended": tr("The teacher ended the lesson."),
                   "kicked": tr("The teacher removed you from the lesson."),
                   "denied": tr("The teacher did not let you in."),
                   "expired": tr("The lesson link has expired."),
                   "server_shutdown": tr("The school's server closed the lesson."),
                   "replaced": tr("You are in this lesson on another connection now."),
                   "left": tr("You left the lesson."),
                   "declined": tr("You did not join. Nothing was sent to the school's "
                                  "server.")}
        self.headline.setText(reasons.get(e.reason, tr("The call has ended.")) if e else "")
        if e is None:
            self.wiped.setText("")
        elif e.wiped:
            self.wiped.setText(tr("✔ The call's data on this computer has been deleted."))
            self.wiped.setStyleSheet("color: #1b7f2a; font-weight: bold;")
        else:
            self.wiped.setText(tr("Some of the call's data could not be deleted from this "
                                  "computer ({count} files left). Please tell your school's IT.")
                               .format(count=e.cache_files_remaining))
            self.wiped.setStyleSheet("color: #b00020; font-weight: bold;")
        self.wiped.setAccessibleName(self.wiped.text())
        label_for(self.again_button, tr("Join another lesson"))
        label_for(self.quit_button, tr("&Quit"))
