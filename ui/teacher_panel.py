"""Teacher controls: the waiting list and the pupils in the lesson.

Every button forwards one CallControl command through signals; the panel keeps no
state of its own beyond what the last participant list said.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from klasse.app.protocol import Participant
from klasse.ui.base import Translatable, button, label_for, plain_label
from klasse.ui.i18n import tr


class WaitingRow(Translatable, QFrame):
    def __init__(self, panel: TeacherPanel, pupil: Participant) -> None:
        super().__init__(panel)
        self.pupil = pupil
        self.name = plain_label(self, pupil.name)
        self.admit = button(self, object_name=f"admit:{pupil.id}")
        self.deny = button(self, object_name=f"deny:{pupil.id}")
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.name, 1)
        row.addWidget(self.admit)
        row.addWidget(self.deny)
        self.admit.clicked.connect(lambda: panel.admit.emit(pupil.id))
        self.deny.clicked.connect(lambda: panel.deny.emit(pupil.id))
        self.retranslate()

    def retranslate(self) -> None:
        n = self.pupil.name
        label_for(self.admit, tr("Admit"), tr("Let {name} into the lesson").format(name=n))
        self.admit.setAccessibleName(tr("Admit {name}").format(name=n))
        label_for(self.deny, tr("Deny"), tr("Do not let {name} in").format(name=n))
        self.deny.setAccessibleName(tr("Deny {name}").format(name=n))


class PupilRow(Translatable, QFrame):
    def __init__(self, panel: TeacherPanel, pupil: Participant) -> None:
        super().__init__(panel)
        self.pupil = pupil
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = plain_label(self)
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.hand = plain_label(self)
        self.hand.setStyleSheet("background: #f2b400; color: black; border-radius: 8px; "
                                "padding: 1px 8px;")
        self.state = plain_label(self)
        self.state.setWordWrap(True)
        self.camera_off = button(self, object_name=f"cameraOff:{pupil.id}")
        self.mic_off = button(self, object_name=f"micOff:{pupil.id}")
        self.lock = button(self, checkable=True, object_name=f"lock:{pupil.id}")
        self.remove = button(self, object_name=f"remove:{pupil.id}")
        self.may_share = button(self, checkable=True, object_name=f"mayShare:{pupil.id}")
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        head = QHBoxLayout()
        head.addWidget(self.name)
        head.addWidget(self.hand)
        head.addStretch(1)
        grid.addLayout(head, 0, 0, 1, 4)
        grid.addWidget(self.state, 1, 0, 1, 4)
        for col, b in enumerate((self.camera_off, self.mic_off, self.lock, self.remove)):
            b.setMinimumWidth(60)
            grid.addWidget(b, 2, col)
        grid.addWidget(self.may_share, 3, 0, 1, 4)
        pid = pupil.id
        self.camera_off.clicked.connect(lambda: panel.turnOff.emit(pid, "camera", False))
        self.mic_off.clicked.connect(lambda: panel.turnOff.emit(pid, "mic", False))
        self.lock.clicked.connect(self._lock_clicked)
        self.remove.clicked.connect(lambda: panel.kick.emit(pid))
        self.may_share.clicked.connect(lambda on: panel.sharePermission.emit(pid, on))
        self._panel = panel
        self.update_pupil(pupil)

    def _lock_clicked(self, checked: bool) -> None:
        pid = self.pupil.id
        for device in ("camera", "mic"):
            if checked:
                self._panel.turnOff.emit(pid, device, True)
            else:
                self._panel.unlock.emit(pid, device)

    def update_pupil(self, pupil: Participant) -> None:
        self.pupil = pupil
        self.lock.setChecked(pupil.camera_locked or pupil.mic_locked)
        self.may_share.setChecked(pupil.may_share)
        self.camera_off.setEnabled(pupil.camera)
        self.mic_off.setEnabled(pupil.mic)
        self.retranslate()

    def retranslate(self) -> None:
        p = self.pupil
        self.name.setText(p.name)
        self.hand.setText(tr("Hand raised"))
        self.hand.setVisible(p.hand)
        bits = [tr("mic on") if p.mic else tr("mic off"),
                tr("camera on") if p.camera else tr("camera off")]
        if p.camera_locked or p.mic_locked:
            bits.append(tr("locked"))
        if p.hand:
            bits.append(tr("hand raised"))
        if p.sharing:
            bits.append(tr("sharing the screen"))
        self.state.setText(", ".join(bits))
        self.setAccessibleName(f"{p.name}: {', '.join(bits)}")
        n = p.name
        label_for(self.camera_off, tr("Camera off"),
                  tr("Turn {name}'s camera off").format(name=n))
        self.camera_off.setAccessibleName(tr("Turn {name}'s camera off").format(name=n))
        label_for(self.mic_off, tr("Mic off"), tr("Turn {name}'s microphone off").format(name=n))
        self.mic_off.setAccessibleName(tr("Turn {name}'s microphone off").format(name=n))
        lock_text = tr("Unlock") if self.lock.isChecked() else tr("Lock")
        lock_tip = (tr("Let {name} turn camera and microphone on again") if self.lock.isChecked()
                    else tr("Turn {name}'s camera and microphone off and keep them off"))
        label_for(self.lock, lock_text, lock_tip.format(name=n))
        self.lock.setAccessibleName(lock_tip.format(name=n))
        label_for(self.remove, tr("Remove"), tr("Remove {name} from the lesson").format(name=n))
        share_tip = (tr("Take back {name}'s permission to share the screen") if p.may_share
                     else tr("Let {name} share their screen (for a presentation)"))
        label_for(self.may_share, tr("May share screen") if p.may_share
                  else tr("Let share screen"), share_tip.format(name=n))
        self.may_share.setAccessibleName(share_tip.format(name=n))
        self.remove.setAccessibleName(tr("Remove {name} from the lesson").format(name=n))


class TeacherPanel(Translatable, QWidget):
    admit = Signal(str)
    admitAll = Signal()
    deny = Signal(str)
    denyAll = Signal()
    lockRoom = Signal(bool)                # lock (True) or unlock the room for new pupils
    turnOff = Signal(object, str, bool)   # participant id or None (everyone), device, lock
    unlock = Signal(str, str)
    kick = Signal(str)
    lowerHands = Signal()
    endLesson = Signal()
    record = Signal(bool)
    sharePermission = Signal(str, bool)   # pupil id, allowed

    def __init__(self, recording_allowed: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recording_allowed = recording_allowed
        self.recording_state = "off"
        self.waiting_title = plain_label(self)
        self.waiting_title.setObjectName("waitingTitle")
        self.admit_all = button(self, object_name="admitAll")
        self.deny_all = button(self, object_name="denyAll")
        self.lock_room = button(self, checkable=True, object_name="lockRoom")
        self.waiting_box = QVBoxLayout()
        self.pupils_title = plain_label(self)
        self.pupils_box = QVBoxLayout()
        self.all_cameras_off = button(self, object_name="allCamerasOff")
        self.lower_hands = button(self, object_name="lowerHands")
        self.record_button = button(self, object_name="record")
        self.record_button.setVisible(recording_allowed)
        self.end_button = button(self, object_name="endLesson")
        self.end_button.setStyleSheet("QPushButton { color: #b00020; font-weight: bold; }")
        self.confirm = QFrame(self)
        self.confirm_text = plain_label(self.confirm)
        self.confirm_text.setWordWrap(True)
        self.confirm_yes = button(self.confirm, object_name="endConfirm")
        self.confirm_no = button(self.confirm, object_name="endCancel")
        confirm_row = QHBoxLayout(self.confirm)
        confirm_row.addWidget(self.confirm_text, 1)
        confirm_row.addWidget(self.confirm_yes)
        confirm_row.addWidget(self.confirm_no)
        self.confirm.setVisible(False)

        inner = QWidget(self)
        col = QVBoxLayout(inner)
        head = QHBoxLayout()
        head.addWidget(self.waiting_title, 1)
        head.addWidget(self.admit_all)
        head.addWidget(self.deny_all)
        head.addWidget(self.lock_room)
        col.addLayout(head)
        col.addLayout(self.waiting_box)
        col.addWidget(self.pupils_title)
        col.addLayout(self.pupils_box)
        col.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        actions = QGridLayout()
        actions.addWidget(self.all_cameras_off, 0, 0)
        actions.addWidget(self.lower_hands, 0, 1)
        actions.addWidget(self.record_button, 1, 0)
        actions.addWidget(self.end_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(actions)
        layout.addWidget(self.confirm)

        self.waiting_rows: dict[str, WaitingRow] = {}
        self.pupil_rows: dict[str, PupilRow] = {}
        self.admit_all.clicked.connect(self.admitAll)
        self.deny_all.clicked.connect(self.denyAll)
        # The button shows what the service confirmed (set_locked), not the click.
        self.lock_room.clicked.connect(lambda checked: (self.lock_room.setChecked(not checked),
                                                        self.lockRoom.emit(checked)))
        self.all_cameras_off.clicked.connect(lambda: self.turnOff.emit(None, "camera", False))
        self.lower_hands.clicked.connect(self.lowerHands)
        self.record_button.clicked.connect(
            lambda: self.record.emit(self.recording_state == "off"))
        self.end_button.clicked.connect(lambda: self.confirm.setVisible(True))
        self.confirm_no.clicked.connect(lambda: self.confirm.setVisible(False))
        self.confirm_yes.clicked.connect(self._end)
        self.retranslate()

    def _end(self) -> None:
        self.confirm.setVisible(False)
        self.endLesson.emit()

    def set_participants(self, participants: tuple[Participant, ...]) -> None:
        waiting = [p for p in participants if p.state == "waiting"]
        pupils = [p for p in participants if p.state == "joined" and p.role == "pupil"]
        self._sync(self.waiting_rows, self.waiting_box, waiting, WaitingRow)
        self._sync(self.pupil_rows, self.pupils_box, pupils, PupilRow)
        self.retranslate()

    def _sync(self, rows: dict, box: QVBoxLayout, people: list[Participant], cls: type) -> None:
        ids = {p.id for p in people}
        for pid in list(rows):
            if pid not in ids:
                row = rows.pop(pid)
                box.removeWidget(row)
                row.deleteLater()
        for p in people:
            if p.id in rows:
                if isinstance(rows[p.id], PupilRow):
                    rows[p.id].update_pupil(p)
            else:
                rows[p.id] = cls(self, p)
                box.addWidget(rows[p.id])

    def set_locked(self, locked: bool) -> None:
        self.lock_room.setChecked(locked)
        self.retranslate()

    def set_recording(self, state: str) -> None:
        self.recording_state = state
        self.retranslate()

    def retranslate(self) -> None:
        self.waiting_title.setText(tr("Waiting room ({count})").format(
            count=len(self.waiting_rows)))
        self.pupils_title.setText(tr("Pupils in the lesson ({count})").format(
            count=len(self.pupil_rows)))
        label_for(self.admit_all, tr("Admit all"), tr("Let everyone waiting into the lesson"))
        self.admit_all.setEnabled(bool(self.waiting_rows))
        label_for(self.deny_all, tr("Deny all"), tr("Send everyone waiting away"))
        self.deny_all.setEnabled(bool(self.waiting_rows))
        if self.lock_room.isChecked():
            label_for(self.lock_room, tr("Unlock lesson"),
                      tr("Let new pupils join with the link again"))
        else:
            label_for(self.lock_room, tr("Lock lesson"),
                      tr("Nobody new can join with the pupil link until you unlock"))
        label_for(self.all_cameras_off, tr("All cameras off"),
                  tr("Turn every pupil's camera off"))
        label_for(self.lower_hands, tr("Lower all hands"))
        if self.recording_state == "off":
            label_for(self.record_button, tr("Start recording"),
                      tr("Announce and start recording your camera and microphone"))
        else:
            label_for(self.record_button, tr("Stop recording"))
        label_for(self.end_button, tr("End lesson for everyone"))
        self.confirm_text.setText(tr("End the lesson for everyone? All pupils will leave."))
        label_for(self.confirm_yes, tr("End now"))
        label_for(self.confirm_no, tr("Cancel"))
        self.setAccessibleName(tr("Teacher controls"))
        for row in list(self.waiting_rows.values()) + list(self.pupil_rows.values()):
            row.retranslate()

