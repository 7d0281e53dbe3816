"""Pre-join: name, devices and a look at the processed camera picture before joining.

Camera and microphone start off and no device is opened until the user turns one
on; the preview shows the frame after the background stage, never the raw camera.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from klasse.app.devices import SYNTHETIC, DeviceInfo
from klasse.app.events import LevelsMeasured, LocalMediaChanged
from klasse.app.protocol import MAX_NAME_CHARS, Link
from klasse.ui.base import Translatable, button, label_for, plain_label, toggle
from klasse.ui.i18n import tr
from klasse.ui.video_tile import VideoTile


def _key(seq: str) -> str:
    return QKeySequence(seq).toString(QKeySequence.SequenceFormat.NativeText)

BLUR_MODES = ("blur", "replace", "full", "off")
CAMERA_SHORTCUT = "Ctrl+E"   # QKeySequence is built only once Qt runs
MIC_SHORTCUT = "Ctrl+D"   # QKeySequence is built only once Qt runs


class PrejoinPage(Translatable, QWidget):
    cameraToggled = Signal(bool)
    micToggled = Signal(bool)
    blurChosen = Signal(str)
    cameraDeviceChosen = Signal(str)
    micDeviceChosen = Signal(str)
    speakerDeviceChosen = Signal(str)
    testSoundClicked = Signal()
    nameChanged = Signal(str)
    joinClicked = Signal()
    back = Signal()

    def __init__(self, cameras: list[DeviceInfo], mics: list[DeviceInfo], blur: str,
                 blur_locked: bool, parent: QWidget | None = None,
                 speakers: list[DeviceInfo] | None = None) -> None:
        super().__init__(parent)
        self.link: Link | None = None
        self._cameras, self._mics, self._speakers = cameras, mics, list(speakers or [])
        self.title = plain_label(self)
        font = QFont(self.font())
        font.setPointSize(font.pointSize() + 5)
        font.setBold(True)
        self.title.setFont(font)
        self.server = plain_label(self)
        self.server.setObjectName("serverLabel")
        self.preview = VideoTile("local", self)
        self.preview.setMinimumSize(320, 200)
        self.name = QLineEdit(self)
        self.name.setObjectName("nameEntry")
        self.name.setMaxLength(MAX_NAME_CHARS)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("pinEntry")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.camera_device = QComboBox(self)
        self.camera_device.setObjectName("cameraDevice")
        self.mic_device = QComboBox(self)
        self.mic_device.setObjectName("micDevice")
        self.speaker_device = QComboBox(self)
        self.speaker_device.setObjectName("speakerDevice")
        self.test_sound = button(self, object_name="testSound")
        # The microphone's level after echo cancelling, noise suppression and gain;
        # it moves only while the user has the microphone on (nothing opens it).
        self.mic_level = QProgressBar(self)
        self.mic_level.setObjectName("micLevel")
        self.mic_level.setRange(0, 60)
        self.mic_level.setTextVisible(False)
        self.mic_level.setMaximumHeight(10)
        self.mic_level.setEnabled(False)
        self.blur = QComboBox(self)
        self.blur.setObjectName("blurMode")
        self.blur.setEnabled(not blur_locked)
        self._blur = blur
        self.camera = toggle(self, object_name="cameraToggle")
        self.mic = toggle(self, object_name="micToggle")
        self.join = button(self, object_name="join")
        self.join.setDefault(True)
        self.join.setStyleSheet("QPushButton { background: #1f5fa8; color: white; font-weight: bold; "
                                "padding: 8px; border-radius: 3px; }"
                                "QPushButton:disabled { background: #9db3cc; }")
        self.back_button = button(self, object_name="back")
        self.hint = plain_label(self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("prejoinHint")
        self.name_label, self.pin_label = plain_label(self), plain_label(self)
        self.camera_label, self.mic_label, self.blur_label = plain_label(self), plain_label(self), plain_label(self)
        self.speaker_label, self.level_label = plain_label(self), plain_label(self)
        for lab, w in ((self.name_label, self.name), (self.pin_label, self.pin),
                       (self.camera_label, self.camera_device), (self.mic_label, self.mic_device),
                       (self.blur_label, self.blur), (self.speaker_label, self.speaker_device),
                       (self.level_label, self.mic_level)):
            lab.setBuddy(w)
        form = QFormLayout()
        form.addRow(self.name_label, self.name)
        form.addRow(self.pin_label, self.pin)
        form.addRow(self.camera_label, self.camera_device)
        form.addRow(self.mic_label, self.mic_device)
        form.addRow(self.level_label, self.mic_level)
        speaker_row = QHBoxLayout()
        speaker_row.addWidget(self.speaker_device, 1)
        speaker_row.addWidget(self.test_sound)
        form.addRow(self.speaker_label, speaker_row)
        form.addRow(self.blur_label, self.blur)
        toggles = QHBoxLayout()
        toggles.addWidget(self.mic)
        toggles.addWidget(self.camera)
        left = QVBoxLayout()
        left.addWidget(self.preview, 1)
        left.addLayout(toggles)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addSpacing(12)
        right.addWidget(self.hint)
        right.addStretch(1)
        right.addWidget(self.join)
        right.addWidget(self.back_button)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addSpacing(16)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.server)
        layout.addLayout(body, 1)
        layout.setContentsMargins(24, 16, 24, 16)

        self.camera.clicked.connect(self.cameraToggled)
        self.mic.clicked.connect(self.micToggled)
        self.join.clicked.connect(self.joinClicked)
        self.back_button.clicked.connect(self.back)
        self.name.textChanged.connect(self._name_changed)
        self.blur.activated.connect(lambda i: self.blurChosen.emit(self.blur.itemData(i)))
        self.camera_device.activated.connect(
            lambda i: self.cameraDeviceChosen.emit(self.camera_device.itemData(i)))
        self.mic_device.activated.connect(
            lambda i: self.micDeviceChosen.emit(self.mic_device.itemData(i)))
        self.speaker_device.activated.connect(
            lambda i: self.speakerDeviceChosen.emit(self.speaker_device.itemData(i)))
        self.test_sound.clicked.connect(self.testSoundClicked)
        self.set_local(LocalMediaChanged(camera=False, mic=False))
        self.retranslate()

    def _name_changed(self, text: str) -> None:
        self.join.setEnabled(bool(text.strip()))
        self.preview.set_state(text.strip(), self.preview.camera, self.preview.mic, False,
                               "pupil", True)
        self.nameChanged.emit(text.strip())

    def set_link(self, link: Link) -> None:
        self.link = link
        self.retranslate()

    def set_devices(self, cameras: list[DeviceInfo], mics: list[DeviceInfo],
                    speakers: list[DeviceInfo]) -> None:
        """New device lists (hot-plug); the choices made stay where they still exist."""
        self._cameras, self._mics, self._speakers = cameras, mics, speakers
        self.retranslate()

    def set_levels(self, levels: LevelsMeasured) -> None:
        """The microphone meter: its level while the mic is on, empty otherwise."""
        on = self.mic.isChecked() and levels.captured is not None
        self.mic_level.setEnabled(on)
        self.mic_level.setValue(int(max(0.0, 60.0 + levels.captured)) if on else 0)  # type: ignore[operator]

    def select_devices(self, camera: str, mic: str, speaker: str = "") -> None:
        for combo, value in ((self.camera_device, camera), (self.mic_device, mic),
                             (self.speaker_device, speaker)):
            i = combo.findData(value)
            combo.setCurrentIndex(max(i, 0))

    def set_local(self, state: LocalMediaChanged) -> None:
        self.camera.setChecked(state.camera)
        self.mic.setChecked(state.mic)
        if not state.mic:
            self.mic_level.setValue(0)
            self.mic_level.setEnabled(False)
        self.preview.set_state(self.name.text().strip(), state.camera, state.mic, False,
                               "pupil", True)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("Get ready"))
        self.hint.setText(tr("Your camera and microphone stay off until you turn them on. "
                             "The preview shows exactly what others will see: your "
                             "background is blurred on this computer before anything is sent."))
        if self.link is not None:
            self.server.setText(tr("Lesson on {server}").format(server=self.link.host))
        self.name_label.setText(tr("Your &name:"))
        self.name.setAccessibleName(tr("Your name"))
        self.name.setPlaceholderText(tr("First name and initial, as your teacher knows you"))
        self.pin_label.setText(tr("&PIN (if you got one):"))
        self.pin.setAccessibleName(tr("PIN"))
        self.camera_label.setText(tr("&Camera:"))
        self.camera_device.setAccessibleName(tr("Camera device"))
        self.mic_label.setText(tr("&Microphone:"))
        self.mic_device.setAccessibleName(tr("Microphone device"))
        self.blur_label.setText(tr("&Background:"))
        self.blur.setAccessibleName(tr("Background"))
        self._fill(self.camera_device, self._cameras, tr("Test picture (no camera)"))
        self._fill(self.mic_device, self._mics, tr("Test tone (no microphone)"))
        self._fill(self.speaker_device, self._speakers, tr("No sound (levels only)"),
                   always_default=True)
        self.speaker_label.setText(tr("&Speaker:"))
        self.speaker_device.setAccessibleName(tr("Speaker device"))
        self.level_label.setText(tr("Microphone level:"))
        self.mic_level.setAccessibleName(tr("Microphone level"))
        label_for(self.test_sound, tr("Play &test sound"))
        current = self.blur.currentData() or self._blur
        self.blur.clear()
        texts = (tr("Blur my background"), tr("Replace my background with a picture"),
                 tr("Hide everything but me"), tr("Show my background"))
        for mode, text in zip(BLUR_MODES, texts, strict=True):
            self.blur.addItem(text, mode)
        self.blur.setCurrentIndex(max(0, self.blur.findData(current)))
        cam = tr("Camera on") if self.camera.isChecked() else tr("Camera off")
        mic = tr("Microphone on") if self.mic.isChecked() else tr("Microphone off")
        label_for(self.camera, cam, tr("Turn the camera on or off ({key})").format(
            key=_key(CAMERA_SHORTCUT)), CAMERA_SHORTCUT)
        label_for(self.mic, mic, tr("Turn the microphone on or off ({key})").format(
            key=_key(MIC_SHORTCUT)), MIC_SHORTCUT)
        label_for(self.join, tr("&Join lesson"))
        label_for(self.back_button, tr("Back"))
        self.join.setEnabled(bool(self.name.text().strip()))
        self.preview.retranslate()

    @staticmethod
    def _fill(combo: QComboBox, devices: list[DeviceInfo], synthetic: str,
              always_default: bool = False) -> None:
        current = combo.currentData()
        combo.clear()
        if devices or always_default:
            combo.addItem(tr("System default"), "")
        for d in devices:
            combo.addItem(d.label, d.id)
        combo.addItem(synthetic, SYNTHETIC)
        i = combo.findData(current) if current is not None else -1
        combo.setCurrentIndex(max(i, 0))


