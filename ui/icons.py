"""Icons drawn at run time (no image assets): the app icon and its recording variant."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

BLUE = QColor("#1f5fa8")
RED = QColor("#c40000")


def _draw(recording: bool, size: int = 64) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(BLUE)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(2, 2, size - 4, size - 4), size / 6, size / 6)
    p.setPen(QColor("white"))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.6))
    p.setFont(font)
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "K")
    if recording:
        r = size * 0.22
        p.setBrush(RED)
        p.setPen(QColor("white"))
        p.drawEllipse(QRectF(size - 2 * r - 1, 1, 2 * r, 2 * r))
    p.end()
    return pix


def app_icon(recording: bool = False) -> QIcon:
    icon = QIcon()
    for size in (16, 32, 64):
        icon.addPixmap(_draw(recording, size))
    return icon
