"""Lesson chat: a read-only history and one line to write. Text is shown as plain
text (never as HTML), so a message cannot inject links or images."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from klasse.app.events import ChatReceived
from klasse.app.protocol import MAX_CHAT_CHARS
from klasse.ui.base import Translatable, button, label_for
from klasse.ui.i18n import tr


class ChatPanel(Translatable, QWidget):
    send = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = QTextBrowser(self)
        self.history.setOpenLinks(False)
        self.history.setObjectName("chatHistory")
        self.entry = QLineEdit(self)
        self.entry.setMaxLength(MAX_CHAT_CHARS)
        self.entry.setObjectName("chatEntry")
        self.send_button = button(self, object_name="chatSend")
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.history, 1)
        layout.addLayout(row)
        self.entry.returnPressed.connect(self._send)
        self.send_button.clicked.connect(self._send)
        self.messages: list[ChatReceived] = []
        self.retranslate()

    def retranslate(self) -> None:
        label_for(self.send_button, tr("Send"), tr("Send the message to everyone (Enter)"))
        self.entry.setPlaceholderText(tr("Write to everyone…"))
        self.entry.setAccessibleName(tr("Chat message"))
        self.history.setAccessibleName(tr("Chat messages"))

    def _send(self) -> None:
        text = self.entry.text().strip()
        if text:
            self.send.emit(text)
            self.entry.clear()

    def add(self, message: ChatReceived) -> None:
        self.messages.append(message)
        self.history.append(f"<b>{html.escape(message.name)}</b>: {html.escape(message.text)}")

    def clear(self) -> None:
        self.messages.clear()
        self.history.clear()
