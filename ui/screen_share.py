"""Screen sharing in the desktop client: the picker, the bar while sharing, the stage.

- `SharePicker`: what can be shared (screens, then windows), each with a live
  thumbnail refreshed every second, so the sharer sees what others will see
  before anything is sent. Listing and thumbnails come from app/screen_targets.py.
- `ShareBar`: a red bar across the lesson while this user shares, naming what is
  shared, with a Stop button (and the shortcut).
- `ShareStage`: the shared screen, large; a pupil (or anyone) can put it full screen.
- `exclude_from_capture`: the client's own window out of a whole-screen share (Windows).
"""

from __future__ import annotations

import sys

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from klasse.app.screen_targets import ScreenUnavailable, ShareTarget, targets, thumbnail
from klasse.ui.base import Translatable, label_for
from klasse.ui.i18n import tr

SHARE_SHORTCUT = "Ctrl+Alt+S"   # start (picker) or stop sharing
THUMB = QSize(240, 135)


def exclude_from_capture(window: QWidget, on: bool) -> bool:
    """Keep the client's own window out of a whole-screen share where the OS allows
    it: Windows 10 2004+ (SetWindowDisplayAffinity, WDA_EXCLUDEFROMCAPTURE). X11 has
    no such control and macOS needs AppKit; there it returns False. Not tested on
    Windows here (no Windows machine)."""
    if sys.platform != "win32":
        return False
    import ctypes

    affinity = 0x11 if on else 0x0   # WDA_EXCLUDEFROMCAPTURE / WDA_NONE
    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    return bool(user32.SetWindowDisplayAffinity(int(window.winId()), affinity))


def _pixmap(rgb: np.ndarray) -> QPixmap:
    h, w = rgb.shape[:2]
    img = QImage(np.ascontiguousarray(rgb).data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(img.copy())


class SharePicker(Translatable, QDialog):
    """Choose a screen or a window; `chosen` is its spec once accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sharePicker")
        self.chosen: ShareTarget | None = None
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.list = QListWidget(self)
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setSpacing(10)
        self.list.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _: self._accept())
        self.list.currentItemChanged.connect(lambda *_: self._enable())
        layout = QVBoxLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        layout.addWidget(self.problem)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.resize(860, 560)
        self._targets: list[ShareTarget] = []
        self._timer = QTimer(self)
        self._timer.setInterval(1000)   # live thumbnails
        self._timer.timeout.connect(self.refresh_thumbnails)
        self.load()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Share your screen"))
        self.intro.setText(tr("Choose what everyone in the lesson will see. The pictures "
                              "below are live: this is exactly what will be shared."))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Share"))

    def load(self) -> None:
        try:
            self._targets = targets()
        except ScreenUnavailable as exc:
            self._targets = []
            self.problem.setText(str(exc))
            self.problem.show()
        self.list.clear()
        for t in self._targets:
            label = t.title if t.kind == "window" else tr("Whole screen {n}").format(n=t.id)
            item = QListWidgetItem(f"{label}\n{t.width}x{t.height}")
            item.setData(Qt.ItemDataRole.UserRole, t)
            item.setSizeHint(QSize(THUMB.width() + 20, THUMB.height() + 56))
            self.list.addItem(item)
        if self._targets:
            self.list.setCurrentRow(0)
        self.refresh_thumbnails()
        self._timer.start()
        self._enable()

    def refresh_thumbnails(self) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            target: ShareTarget = item.data(Qt.ItemDataRole.UserRole)
            try:
                rgb = thumbnail(target.spec, THUMB.width())
            except Exception:   # a window closed meanwhile: it simply has no picture
                rgb = None
            item.setIcon(QIcon(_pixmap(rgb)) if rgb is not None else QIcon())

    def _enable(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            self.list.currentItem() is not None)

    def _accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self._timer.stop()
        self.accept()

    def done(self, result: int) -> None:
        self._timer.stop()
        super().done(result)


class ShareBar(Translatable, QFrame):
    """Shown while this user shares: cannot be missed, stops at one click."""

    stop = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shareBar")
        self.setStyleSheet("#shareBar { background: #b00020; border-radius: 4px; }"
                           "#shareBar QLabel { color: white; font-weight: bold; }")
        self.what = ""
        self.text = QLabel(self)
        self.button = QPushButton(self)
        self.button.setObjectName("stopSharing")
        self.button.clicked.connect(self.stop)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.hide()
        self.retranslate()

    def set_sharing(self, on: bool, what: str = "") -> None:
        self.what = what
        self.setVisible(on)
        self.retranslate()

    def retranslate(self) -> None:
        key = QKeySequence(SHARE_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
        self.text.setText(tr("You are sharing {what}: everyone in the lesson sees it.")
                          .format(what=self.what or tr("your screen")))
        label_for(self.button, tr("Stop sharing ({key})").format(key=key),
                  tr("Stop sharing your screen now"))


class ShareStage(Translatable, QWidget):
    """The shared screen, as large as the lesson allows; full screen on request."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shareStage")
        self.sharer = ""
        self.name = ""
        self.frame: np.ndarray | None = None
        self.caption = QLabel(self)
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.picture.setStyleSheet("background: #202124;")
        self.picture.setMinimumSize(160, 90)
        self.full = QPushButton(self)
        self.full.setObjectName("shareFullScreen")
        self.full.setCheckable(True)
        self.full.toggled.connect(self._full_screen)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.full)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.picture, 1)
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self,
                                 activated=lambda: self.full.setChecked(False))
        self.hide()
        self.retranslate()

    def set_sharer(self, sharer: str, name: str) -> None:
        if sharer != self.sharer:
            self.frame = None
            self.picture.clear()
        self.sharer, self.name = sharer, name
        self.setVisible(bool(sharer))
        if not sharer:
            self.full.setChecked(False)
        self.retranslate()

    def show_frame(self, frame: np.ndarray) -> None:
        self.frame = frame
        self._draw()

    def _draw(self) -> None:
        if self.frame is None:
            return
        pix = _pixmap(self.frame)
        self.picture.setPixmap(pix.scaled(self.picture.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._draw()

    def _full_screen(self, on: bool) -> None:
        if on:
            self.setWindowFlag(Qt.WindowType.Window, True)
            self.showFullScreen()
        else:
            self.setWindowFlag(Qt.WindowType.Window, False)
            self.showNormal()
            self.setVisible(bool(self.sharer))
        self.retranslate()

    def retranslate(self) -> None:
        self.caption.setText(tr("{name} is sharing their screen").format(name=self.name)
                             if self.name else "")
        label_for(self.full, tr("Exit full screen (Esc)") if self.full.isChecked()
                  else tr("Full screen"), tr("Show the shared screen on the whole display"))
        self.setAccessibleName(tr("Shared screen"))
