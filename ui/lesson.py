"""The lesson: gallery, chat, own controls and, for teachers, the teacher panel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QTabWidget, QVBoxLayout, QWidget

from klasse.app.events import LocalMediaChanged
from klasse.app.protocol import Participant
from klasse.ui.base import Translatable, button, label_for, toggle
from klasse.ui.chat import ChatPanel
from klasse.ui.gallery import Gallery
from klasse.ui.i18n import tr
from klasse.ui.prejoin import CAMERA_SHORTCUT, MIC_SHORTCUT
from klasse.ui.screen_share import SHARE_SHORTCUT, ShareBar, ShareStage
from klasse.ui.teacher_panel import TeacherPanel

HAND_SHORTCUT = "Ctrl+Alt+H"   # QKeySequence is built only once Qt runs
CHAT_SHORTCUT = "Ctrl+Alt+C"   # QKeySequence is built only once Qt runs
LEAVE_SHORTCUT = "Ctrl+Shift+L"   # QKeySequence is built only once Qt runs


def _key(seq: str) -> str:
    return QKeySequence(seq).toString(QKeySequence.SequenceFormat.NativeText)


class LessonPage(Translatable, QWidget):
    cameraToggled = Signal(bool)
    micToggled = Signal(bool)
    handToggled = Signal(bool)
    leave = Signal()
    shareRequested = Signal()   # open the picker
    shareStop = Signal()

    def __init__(self, recording_allowed: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = "pupil"
        self.audio_only = False
        self.local = LocalMediaChanged(camera=False, mic=False)
        self.participants: tuple[Participant, ...] = ()
        self.me = ""
        self.gallery = Gallery(self)
        self.chat = ChatPanel(self)
        self.teacher = TeacherPanel(recording_allowed, self)
        self.teacher.hide()          # only ever shown inside the tabs, and only to teachers
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("sideTabs")
        self.tabs.addTab(self.chat, "")
        self.mic = toggle(self, object_name="lessonMic")
        self.camera = toggle(self, object_name="lessonCamera")
        self.hand = toggle(self, object_name="hand")
        self.share = toggle(self, object_name="share")
        self.share.hide()            # teachers, and pupils a teacher allowed
        self.sharing = False         # this user's screen is being sent
        self.sharer = ""             # whose share is on the stage
        self.share_bar = ShareBar(self)
        self.stage = ShareStage(self)
        self.leave_button = button(self, object_name="leave")
        self.leave_button.setStyleSheet("QPushButton { background: #b00020; color: white; "
                                        "padding: 4px 14px; font-weight: bold; }")
        bar = QHBoxLayout()
        bar.addStretch(1)
        for b in (self.mic, self.camera, self.hand, self.share):
            b.setMinimumWidth(150)
            bar.addWidget(b)
        bar.addSpacing(24)
        bar.addWidget(self.leave_button)
        bar.addStretch(1)
        # The shared screen becomes the main stage; the gallery a strip below it.
        main = QWidget(self)
        column = QVBoxLayout(main)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.share_bar)
        column.addWidget(self.stage, 4)
        column.addWidget(self.gallery, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(main)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.tabs.setMinimumWidth(380)
        split.setSizes([660, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split, 1)
        layout.addLayout(bar)
        self.mic.clicked.connect(self.micToggled)
        self.camera.clicked.connect(self._camera_clicked)
        self.hand.clicked.connect(self.handToggled)
        self.leave_button.clicked.connect(self.leave)
        self.share.clicked.connect(self._share_clicked)
        self.share_bar.stop.connect(self.shareStop)
        QShortcut(QKeySequence(CHAT_SHORTCUT), self, activated=self._focus_chat)
        self.retranslate()

    def _focus_chat(self) -> None:
        self.tabs.setCurrentWidget(self.chat)
        self.chat.entry.setFocus()

    def _share_clicked(self, on: bool) -> None:
        self.share.setChecked(self.sharing)   # follows the service's word, not the click
        if not on and self.sharing:
            self.shareStop.emit()
        elif on and not self.sharing and self.share.isVisible():
            self.shareRequested.emit()

    def set_share(self, sharer: str | None, mine: bool, what: str = "") -> None:
        """Who shares (the service decides): the stage for others, the bar for the sharer."""
        self.sharing = mine
        self.sharer = sharer or ""
        self.share.setChecked(mine)
        self.share_bar.set_sharing(mine, what)
        name = next((p.name for p in self.participants if p.id == sharer), "")
        self.stage.set_sharer("" if mine else self.sharer, name)
        # With a share on stage, the gallery is a strip below it.
        strip = self.stage.isVisibleTo(self)
        self.gallery.set_strip(strip)
        self.gallery.setMaximumHeight(180 if strip else 16777215)
        self.retranslate()

    def show_screen(self, key: str, frame) -> None:  # type: ignore[no-untyped-def]
        if self.sharer and key == f"{self.sharer}:screen":
            self.stage.show_frame(frame)

    def _camera_clicked(self, on: bool) -> None:
        if self.audio_only and on:
            self.camera.setChecked(False)
            return
        self.cameraToggled.emit(on)

    def set_role(self, role: str) -> None:
        self.role = role
        self.share.setVisible(role == "teacher")
        has_tab = self.tabs.indexOf(self.teacher) >= 0
        if role == "teacher" and not has_tab:
            self.tabs.insertTab(0, self.teacher, "")
            self.tabs.setCurrentIndex(0)
        elif role != "teacher" and has_tab:
            self.tabs.removeTab(self.tabs.indexOf(self.teacher))
            self.teacher.hide()
        self.retranslate()

    def set_local(self, state: LocalMediaChanged) -> None:
        self.local = state
        self.camera.setChecked(state.camera)
        self.mic.setChecked(state.mic)
        self.camera.setEnabled(not state.camera_locked and not self.audio_only)
        self.mic.setEnabled(not state.mic_locked)
        self.gallery.set_local(state.camera, state.mic)
        self.retranslate()

    def set_audio_only(self, audio_only: bool) -> None:
        self.audio_only = audio_only
        self.set_local(self.local)

    def set_participants(self, participants: tuple[Participant, ...], me: str) -> None:
        self.participants, self.me = participants, me
        self.gallery.set_participants(participants, me, self.local.camera, self.local.mic)
        mine = next((p for p in participants if p.id == me), None)
        if mine is not None:
            self.hand.setChecked(mine.hand)
        self.share.setVisible(self.role == "teacher" or (mine is not None and mine.may_share))
        if self.role == "teacher":
            self.teacher.set_participants(participants)
        self.retranslate()

    def retranslate(self) -> None:
        s = self.local
        if s.camera_locked:
            cam, cam_tip = tr("Camera locked"), tr("Your teacher turned your camera off and "
                                                   "locked it")
        elif self.audio_only:
            cam, cam_tip = tr("Camera off"), tr("You chose to take part with sound only")
        else:
            cam = tr("Camera on") if s.camera else tr("Camera off")
            cam_tip = tr("Turn the camera on or off ({key})").format(key=_key(CAMERA_SHORTCUT))
        if s.mic_locked:
            mic, mic_tip = tr("Microphone locked"), tr("Your teacher turned your microphone "
                                                       "off and locked it")
        else:
            mic = tr("Microphone on") if s.mic else tr("Microphone off")
            mic_tip = tr("Turn the microphone on or off ({key})").format(key=_key(MIC_SHORTCUT))
        label_for(self.camera, cam, cam_tip, CAMERA_SHORTCUT)
        label_for(self.mic, mic, mic_tip, MIC_SHORTCUT)
        label_for(self.hand, tr("Lower hand") if self.hand.isChecked() else tr("Raise hand"),
                  tr("Raise or lower your hand ({key})").format(key=_key(HAND_SHORTCUT)),
                  HAND_SHORTCUT)
        label_for(self.share, tr("Stop sharing") if self.sharing else tr("Share screen"),
                  tr("Share your screen or a window, or stop sharing ({key})").format(
                      key=_key(SHARE_SHORTCUT)), SHARE_SHORTCUT)
        label_for(self.leave_button, tr("Leave"),
                  tr("Leave the lesson ({key})").format(key=_key(LEAVE_SHORTCUT)),
                  LEAVE_SHORTCUT)
        self.tabs.setTabText(self.tabs.indexOf(self.chat), tr("Chat"))
        if self.tabs.indexOf(self.teacher) >= 0:
            waiting = len(self.teacher.waiting_rows)
            self.tabs.setTabText(self.tabs.indexOf(self.teacher),
                                 tr("Class ({count} waiting)").format(count=waiting)
                                 if waiting else tr("Class"))
        self.tabs.setAccessibleName(tr("Chat and class"))
