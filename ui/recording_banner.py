"""The recording indicator: a red bar above everything else in the window.

It has no close button; it lives in the window's top layout row, so no other
part of the window can cover it; it disappears only when the service says the
recording is off. When the state cannot be confirmed it says so instead.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from klasse.app.events import RecordingChanged
from klasse.ui.base import Translatable, button, label_for, plain_label
from klasse.ui.i18n import tr

_TEACHER = {"teacher camera": "camera", "teacher microphone": "microphone",
            "teacher screen": "screen"}


def describe_what(what: list[str]) -> str:
    """["teacher camera", "teacher microphone"] -> "the teacher's camera and microphone"."""
    teacher = [_TEACHER[w] for w in what if w in _TEACHER]
    other = [w for w in what if w not in _TEACHER]
    names = {"camera": tr("camera"), "microphone": tr("microphone"), "screen": tr("screen")}
    parts = []
    if teacher:
        parts.append(tr("the teacher's {devices}").format(
            devices=_join([names[t] for t in teacher])))
    parts += other
    return _join(parts) if parts else tr("nothing yet")


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return tr("{first} and {last}").format(first=", ".join(items[:-1]), last=items[-1])


class RecordingBanner(Translatable, QWidget):
    consent = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordingBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#recordingBanner { background: #b00020; }"
                           "#recordingBanner QLabel { color: white; font-weight: bold; font-size: 15px; }"
                           "#recordingBanner QPushButton { padding: 2px 10px; }")
        self.text = plain_label(self)
        self.text.setWordWrap(True)
        self.text.setObjectName("recordingText")
        self.agree = button(self, object_name="consentYes")
        self.decline = button(self, object_name="consentNo")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.agree)
        layout.addWidget(self.decline)
        self.agree.clicked.connect(lambda: self._answer(True))
        self.decline.clicked.connect(lambda: self._answer(False))
        self.event_: RecordingChanged | None = None
        self.answer: bool | None = None    # this pupil's consent to the current recording
        self.asks_consent = True           # False for a teacher: only pupils are asked
        self._since = time.monotonic()
        self._tick = QTimer(self)          # the countdown to an announced recording
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.retranslate)
        self.setVisible(False)
        self.retranslate()

    @property
    def active(self) -> bool:
        """True while the banner must be shown (announced, recording, or unknown)."""
        e = self.event_
        return e is not None and (e.unknown or e.recording.state != "off")

    def _answer(self, yes: bool) -> None:
        self.answer = yes
        self.retranslate()
        self.consent.emit(yes)

    def set_state(self, event: RecordingChanged) -> None:
        if not event.unknown and event.recording.state == "off":
            self.answer = None    # the next recording asks again
        self.event_ = event
        self._since = time.monotonic()
        counting = (not event.unknown and event.recording.state == "announced"
                    and event.recording.starts_in is not None)
        if counting:
            self._tick.start()
        else:
            self._tick.stop()
        self.retranslate()
        self.setVisible(self.active)

    def message(self) -> str:
        e = self.event_
        if e is None:
            return ""
        what = describe_what(list(e.recording.what))
        if e.unknown:
            return tr("● Recording state unknown: the connection to the school's server was "
                      "lost. Assume the recording ({what}) may still be running.").format(what=what)
        if e.recording.state == "announced":
            if e.recording.starts_in is not None:
                left = e.recording.starts_in - (time.monotonic() - self._since)
                return tr("● Recording starts in {seconds} s: {what}. You can turn your camera "
                          "and microphone off now.").format(
                              seconds=max(0, math.ceil(left)), what=what)
            return tr("● Recording will start soon: {what}. You can turn your camera and "
                      "microphone off now.").format(what=what)
        if e.recording.state == "active":
            return tr("● REC: this lesson is being recorded: {what}.").format(what=what)
        return ""

    def retranslate(self) -> None:
        msg = self.message()
        consent = bool(self.asks_consent and self.event_ and self.active
                       and self.event_.recording.consent_required and not self.event_.unknown)
        if consent and self.answer is not None:
            msg += " " + (tr("You agreed to be recorded.") if self.answer else
                          tr("You are not recorded: your camera and microphone stay off until "
                             "the recording ends."))
        self.text.setText(msg)
        self.setAccessibleName(msg or tr("Recording indicator"))
        label_for(self.agree, tr("I agree to be recorded"))
        label_for(self.decline, tr("Keep me out of the recording"))
        self.agree.setVisible(consent)
        self.decline.setVisible(consent)

    # Nothing may hide the banner while it is active.
    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible or self.active)

    def hide(self) -> None:
        self.setVisible(False)

    def close(self) -> bool:
        self.setVisible(False)
        return not self.active
