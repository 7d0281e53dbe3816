"""The privacy notice gate, shown before the lesson whenever this server's notice
version was not accepted yet on this computer. The text is ours (resources/notice,
one file per language); who is responsible, the DPO and the retention come from
the server."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QTextBrowser, QVBoxLayout, QWidget

import klasse.resources
from klasse.app.protocol import Notice
from klasse.ui.base import Translatable, button, label_for, plain_label
from klasse.ui.i18n import current_language, tr

NOTICE_DIR = Path(klasse.resources.__file__).parent / "notice"


def notice_html(notice: Notice, language: str) -> str:
    path = NOTICE_DIR / f"notice_{language}.html"
    if not path.exists():
        path = NOTICE_DIR / "notice_en.html"
    template = path.read_text(encoding="utf-8")
    # Server-provided values are text, never markup.
    return template.format(controller=html.escape(notice.controller),
                           dpo_contact=html.escape(notice.dpo_contact),
                           # the template ends the sentence itself
                           retention=html.escape(notice.retention.strip().rstrip(".")))


class PrivacyNoticePage(Translatable, QWidget):
    accepted = Signal(bool)   # True: with camera allowed; False: audio only (objection)
    declined = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice: Notice | None = None
        self.version_label = plain_label(self)
        self.body = QTextBrowser(self)
        self.body.setObjectName("noticeText")
        self.body.setOpenLinks(False)
        self.accept_button = button(self, object_name="noticeAccept")
        self.audio_only = button(self, object_name="noticeAudioOnly")
        self.leave = button(self, object_name="noticeLeave")
        row = QHBoxLayout()
        row.addWidget(self.leave)
        row.addStretch(1)
        row.addWidget(self.audio_only)
        row.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.version_label)
        layout.addLayout(row)
        self.accept_button.clicked.connect(lambda: self.accepted.emit(True))
        self.audio_only.clicked.connect(lambda: self.accepted.emit(False))
        self.leave.clicked.connect(self.declined)
        self.accept_button.setDefault(True)
        self.retranslate()

    def show_notice(self, notice: Notice) -> None:
        self.notice = notice
        self.retranslate()

    def retranslate(self) -> None:
        if self.notice is not None:
            self.body.setHtml(notice_html(self.notice, current_language()))
            self.version_label.setText(tr("Notice version {version}").format(
                version=self.notice.version))
        self.body.setAccessibleName(tr("Privacy notice"))
        label_for(self.accept_button, tr("I have read this, continue"))
        label_for(self.audio_only, tr("Continue with camera off"),
                  tr("Object to being seen: take part with sound only"))
        label_for(self.leave, tr("Leave"), tr("Do not join; talk to your teacher instead"))
