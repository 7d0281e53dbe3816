"""Start screen: paste or open a klasse:// link."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from klasse.app.protocol import Link, ProtocolError, parse_link
from klasse.ui.account_box import AccountBox
from klasse.ui.base import Translatable, button, label_for, plain_label
from klasse.ui.i18n import tr

LANGUAGE_NAMES = {"": None, "en": "English", "de": "Deutsch", "nl": "Nederlands"}


class StartPage(Translatable, QWidget):
    linkChosen = Signal(object)          # protocol.Link
    languageChosen = Signal(str)         # "" = system language

    def __init__(self, language_locked: bool = False, server: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.account = AccountBox(server, self)
        self.title = plain_label(self)
        font = QFont(self.font())
        font.setPointSize(font.pointSize() + 8)
        font.setBold(True)
        self.title.setFont(font)
        self.intro = plain_label(self)
        self.intro.setWordWrap(True)
        self.link = QLineEdit(self)
        self.link.setObjectName("linkEntry")
        self.link.setPlaceholderText("klasse://…")
        self.paste = button(self, object_name="paste")
        self.open = button(self, object_name="openLink")
        self.open.setDefault(True)
        self.error = plain_label(self)
        self.error.setObjectName("linkError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.language = QComboBox(self)
        self.language.setObjectName("language")
        self.language.setEnabled(not language_locked)
        self.language_label = plain_label(self)
        self.language_label.setBuddy(self.language)
        row = QHBoxLayout()
        row.addWidget(self.link, 1)
        row.addWidget(self.paste)
        row.addWidget(self.open)
        form = QFormLayout()
        form.addRow(self.language_label, self.language)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.intro)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addSpacing(24)
        layout.addWidget(self.account)
        layout.addStretch(2)
        layout.addLayout(form)
        layout.setContentsMargins(60, 30, 60, 30)
        self.paste.clicked.connect(self._paste)
        self.open.clicked.connect(self._open)
        self.link.returnPressed.connect(self._open)
        self.link.textChanged.connect(lambda: self.error.clear())
        self.language.activated.connect(
            lambda i: self.languageChosen.emit(self.language.itemData(i)))
        self.retranslate()

    def set_language(self, code: str) -> None:
        i = self.language.findData(code)
        if i >= 0:
            self.language.setCurrentIndex(i)

    def _paste(self) -> None:
        self.link.setText(QGuiApplication.clipboard().text().strip())
        self._open()

    def _open(self) -> None:
        try:
            link: Link = parse_link(self.link.text())
        except ProtocolError as exc:
            self.error.setText(tr("This is not a lesson link: {reason}").format(
                reason=exc.message))
            return
        self.error.clear()
        self.linkChosen.emit(link)

    def retranslate(self) -> None:
        self.title.setText(tr("Join a lesson"))
        self.intro.setText(tr("Open the lesson link your teacher sent you, or paste it here."))
        self.link.setAccessibleName(tr("Lesson link"))
        label_for(self.paste, tr("&Paste"), tr("Paste the link from the clipboard"))
        label_for(self.open, tr("&Open"), tr("Open the lesson link"))
        self.language_label.setText(tr("&Language:"))
        self.language.setAccessibleName(tr("Language"))
        current = self.language.currentData()
        self.language.clear()
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name or tr("System language"), code)
        self.set_language(current or "")
