"""One participant's tile: the latest video frame (or initials), name, devices, hand."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from klasse.ui.i18n import tr

HIGHLIGHT = QColor("#f2b400")


def to_qimage(frame: np.ndarray) -> QImage:
    """RGB uint8 (H, W, 3) -> a QImage that owns its pixels."""
    frame = np.ascontiguousarray(frame[:, :, :3], dtype=np.uint8)
    h, w, _ = frame.shape
    return QImage(frame.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


class VideoTile(QWidget):
    def __init__(self, participant: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.participant = participant
        self.name = ""
        self.camera = False
        self.mic = False
        self.hand = False
        self.speaking = False
        self.is_self = False
        self.role = "pupil"
        self.image: QImage | None = None
        self.setMinimumSize(QSize(200, 150))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def set_state(self, name: str, camera: bool, mic: bool, hand: bool, role: str,
                  is_self: bool = False) -> None:
        self.name, self.camera, self.mic, self.hand = name, camera, mic, hand
        self.role, self.is_self = role, is_self
        if not camera:
            self.image = None   # never keep showing a frame after the camera went off
        self._describe()
        self.update()

    def clear_frame(self) -> None:
        if self.image is not None:
            self.image = None
            self.update()

    def set_speaking(self, speaking: bool) -> None:
        if speaking != self.speaking:
            self.speaking = speaking
            self._describe()
            self.update()

    def set_frame(self, frame: np.ndarray) -> None:
        if self.camera:
            self.image = to_qimage(frame)
            self.update()

    def display_name(self) -> str:
        name = self.name
        if self.is_self:
            name = tr("{name} (you)").format(name=name)
        if self.role == "teacher":
            name = tr("{name} · teacher").format(name=name)
        return name

    def status_text(self) -> str:
        bits = [tr("microphone on") if self.mic else tr("microphone off"),
                tr("camera on") if self.camera else tr("camera off")]
        if self.hand:
            bits.append(tr("hand raised"))
        if self.speaking:
            bits.append(tr("speaking"))
        return ", ".join(bits)

    def _describe(self) -> None:
        self.setAccessibleName(self.display_name())
        self.setAccessibleDescription(self.status_text())
        self.setToolTip(f"{self.display_name()}: {self.status_text()}")

    def retranslate(self) -> None:
        self._describe()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(3, 3, -3, -3)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#26292e"))
        p.drawRoundedRect(rect, 8, 8)
        if self.image is not None:
            scaled = self.image.scaled(rect.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            x = rect.x() + (rect.width() - scaled.width()) / 2
            y = rect.y() + (rect.height() - scaled.height()) / 2
            p.drawImage(int(x), int(y), scaled)
        else:
            d = min(rect.width(), rect.height()) * 0.42
            circle = QRectF(rect.center().x() - d / 2, rect.center().y() - d / 2 - 10, d, d)
            p.setBrush(QColor("#4a6fa5"))
            p.drawEllipse(circle)
            font = QFont(self.font())
            font.setPixelSize(max(12, int(d * 0.38)))
            font.setBold(True)
            p.setFont(font)
            p.setPen(QColor("white"))
            p.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(self.name))
        # name bar: name on the left (elided), one pill per device on the right
        font = QFont(self.font())
        font.setPixelSize(14)
        p.setFont(font)
        metrics = QFontMetrics(font)
        bar = QRectF(rect.left(), rect.bottom() - 30, rect.width(), 30)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawRoundedRect(bar, 6, 6)
        right = bar.right() - 6
        for on, on_text, off_text in ((self.camera, tr("Cam on"), tr("Cam off")),
                                      (self.mic, tr("Mic on"), tr("Mic off"))):
            text = on_text if on else off_text
            w = metrics.horizontalAdvance(text) + 14
            pill = QRectF(right - w, bar.top() + 5, w, bar.height() - 10)
            p.setBrush(QColor("#1b7f2a") if on else QColor("#8a1c1c"))
            p.drawRoundedRect(pill, 9, 9)
            p.setPen(QColor("white"))
            p.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
            p.setPen(Qt.PenStyle.NoPen)
            right -= w + 5
        p.setPen(QColor("white"))
        name_rect = QRectF(bar.left() + 8, bar.top(), max(0.0, right - bar.left() - 12),
                           bar.height())
        name = metrics.elidedText(self.display_name(), Qt.TextElideMode.ElideRight,
                                  int(name_rect.width()))
        p.drawText(name_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        if self.hand:
            label = tr("Hand raised")
            width = QFontMetrics(p.font()).horizontalAdvance(label) + 28
            badge = QRectF(rect.left() + 8, rect.top() + 8, width, 28)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(HIGHLIGHT)
            p.drawRoundedRect(badge, 14, 14)
            p.setPen(QColor("black"))
            p.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
        if self.speaking:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(HIGHLIGHT, 4))
            p.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 8, 8)
        if self.hasFocus():
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor("#66aaff"), 2, Qt.PenStyle.DashLine))
            p.drawRoundedRect(rect, 8, 8)
        p.end()
