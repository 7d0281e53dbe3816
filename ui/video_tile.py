"""One participant's tile: the latest video frame (or initials), name, devices, hand."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QActionGroup,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from klasse.ui.base import plain_tip
from klasse.ui.i18n import tr

HIGHLIGHT = QColor("#f2b400")
QUALITY_COLORS = {"good": QColor("#3ecf5a"), "weak": QColor("#f2b400"), "bad": QColor("#e0413a")}
QUALITY_BARS = {"good": 3, "weak": 2, "bad": 1}
VOLUMES = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)   # in the own speaker; 1 = as received


def to_qimage(frame: np.ndarray) -> QImage:
    """RGB uint8 (H, W, 3) -> a QImage that owns its pixels."""
    frame = np.ascontiguousarray(frame[:, :, :3], dtype=np.uint8)
    h, w, _ = frame.shape
    return QImage(frame.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


class VideoTile(QWidget):
    volumeChosen = Signal(str, float)    # participant id, volume

    def __init__(self, participant: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.participant = participant
        self.volume = 1.0
        self.name = ""
        self.camera = False
        self.mic = False
        self.hand = False
        self.speaking = False
        self.is_self = False
        self.role = "pupil"
        self.image: QImage | None = None
        # Connection quality (app/connection_quality.py decides; drawn here)
        self.quality: str | None = None        # "good", "weak", "bad"; None: not known
        self.quality_figures: tuple[float, int, float | None] | None = None  # loss, RTT, fps
        self.setMinimumSize(QSize(200, 150))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        # Right click or the menu key: how loud this participant is on this computer.
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._volume_menu)

    def volume_menu(self) -> QMenu | None:
        """The per-participant volume menu (none for the own tile)."""
        if self.is_self:
            return None
        menu = QMenu(self)
        menu.setObjectName("volumeMenu")
        menu.setTitle(tr("Volume of {name}").format(name=self.name))
        group = QActionGroup(menu)
        for v in VOLUMES:
            act = menu.addAction(tr("Muted for me") if v == 0 else f"{round(v * 100)} %")
            act.setCheckable(True)
            act.setChecked(abs(v - self.volume) < 1e-6)
            act.setData(v)
            group.addAction(act)
            act.triggered.connect(lambda _=False, v=v: self.set_volume(v))
        return menu

    def _volume_menu(self, pos: QPoint) -> None:
        menu = self.volume_menu()
        if menu is not None:
            menu.exec(self.mapToGlobal(pos))

    def set_volume(self, volume: float) -> None:
        self.volume = volume
        self._describe()
        self.volumeChosen.emit(self.participant, volume)

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

    def set_quality(self, level: str | None,
                    figures: tuple[float, int, float | None] | None = None) -> None:
        """The connection indicator: a level, and (for a received feed) its loss
        fraction, round trip in ms and frames per second (None: camera off)."""
        if (level, figures) != (self.quality, self.quality_figures):
            self.quality, self.quality_figures = level, figures
            self._describe()
            self.update()

    def quality_text(self) -> str:
        if self.quality is None:
            return ""
        if self.is_self:
            return {"good": tr("your connection is good"), "weak": tr("your connection is weak"),
                    "bad": tr("your connection is bad")}[self.quality]
        level = {"good": tr("connection good"), "weak": tr("connection weak"),
                 "bad": tr("connection bad")}[self.quality]
        return f"{level} ({self.figures_text()})" if self.quality_figures else level

    def figures_text(self) -> str:
        if self.quality_figures is None:
            return ""
        loss, rtt, fps = self.quality_figures
        bits = [tr("{percent} % loss").format(percent=round(loss * 100)),
                tr("{ms} ms").format(ms=rtt)]
        if fps is not None:
            bits.append(tr("{fps} fps").format(fps=round(fps)))
        return " · ".join(bits)

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
        if not self.is_self and self.volume != 1.0:
            bits.append(tr("volume {percent} %").format(percent=round(self.volume * 100)))
        if self.quality is not None:
            bits.append(self.quality_text())
        return ", ".join(bits)

    def _describe(self) -> None:
        self.setAccessibleName(self.display_name())
        self.setAccessibleDescription(self.status_text())
        self.setToolTip(plain_tip(f"{self.display_name()}: {self.status_text()}"))

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
        if self.quality is not None:
            self._paint_quality(p, rect)
        if self.speaking:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(HIGHLIGHT, 4))
            p.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 8, 8)
        if self.hasFocus():
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor("#66aaff"), 2, Qt.PenStyle.DashLine))
            p.drawRoundedRect(rect, 8, 8)
        p.end()

    def _paint_quality(self, p: QPainter, rect: QRectF) -> None:
        """Signal bars in the top right corner; when not good, the figures beside them."""
        assert self.quality is not None
        color = QUALITY_COLORS[self.quality]
        font = QFont(self.font())
        font.setPixelSize(12)
        p.setFont(font)
        text = self.figures_text() if self.quality != "good" else ""
        text_w = QFontMetrics(font).horizontalAdvance(text) + 10 if text else 0
        box = QRectF(rect.right() - 8 - 30 - text_w, rect.top() + 8, 30 + text_w, 22)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(box, 6, 6)
        lit = QUALITY_BARS[self.quality]
        for i in range(3):
            h = 5 + 4 * i
            bar = QRectF(box.right() - 26 + i * 7, box.bottom() - 4 - h, 5, h)
            p.setBrush(color if i < lit else QColor(255, 255, 255, 60))
            p.drawRect(bar)
        if text:
            p.setPen(QColor("white"))
            p.drawText(QRectF(box.left() + 6, box.top(), text_w, box.height()),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
