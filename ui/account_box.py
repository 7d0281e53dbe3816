"""Signing in with a school account (start screen): user name and password go to
the school's server from the machine policy; a teacher can then create a lesson
and hand its pupil link and PIN to the class, and list and delete their own
recordings (ui/recordings_dialog.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from klasse.app.protocol import RoomCreated, Session
from klasse.ui.base import Translatable, button, label_for, plain_label
from klasse.ui.i18n import tr
from klasse.ui.recordings_dialog import RecordingsDialog


class AccountBox(Translatable, QFrame):
    signIn = Signal(str, str)        # user, password
    createLesson = Signal(str)       # title
    startLesson = Signal()
    signOut = Signal()
    showRecordings = Signal()        # the window answers with open_recordings(url)

    def __init__(self, server: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.server = server
        self.session: Session | None = None
        self.room: RoomCreated | None = None
        self.recordings: RecordingsDialog | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.heading = plain_label(self)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.note = plain_label(self)
        self.note.setWordWrap(True)
        self.note.setObjectName("accountNote")
        self.user = QLineEdit(self)
        self.user.setObjectName("accountUser")
        self.password = QLineEdit(self)
        self.password.setObjectName("accountPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.user_label, self.password_label = plain_label(self), plain_label(self)
        self.user_label.setBuddy(self.user)
        self.password_label.setBuddy(self.password)
        self.sign_in = button(self, object_name="signIn")
        self.sign_out = button(self, object_name="signOut")
        self.title = QLineEdit(self)
        self.title.setObjectName("lessonTitle")
        self.title.setMaxLength(200)
        self.title_label = plain_label(self)
        self.title_label.setBuddy(self.title)
        self.create = button(self, object_name="createLesson")
        self.my_recordings = button(self, object_name="myRecordings")
        self.created = plain_label(self)
        self.created.setObjectName("createdLesson")
        self.created.setWordWrap(True)
        self.created.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy = button(self, object_name="copyPupilLink")
        self.start = button(self, object_name="startLesson")
        self.error = plain_label(self)
        self.error.setObjectName("accountError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.user_label, self.user)
        form.addRow(self.password_label, self.password)
        form.addRow(self.title_label, self.title)
        row = QHBoxLayout()
        row.addStretch(1)
        for b in (self.sign_out, self.sign_in, self.my_recordings, self.create):
            row.addWidget(b)
        lesson_row = QHBoxLayout()
        lesson_row.addWidget(self.created, 1)
        lesson_row.addWidget(self.copy)
        lesson_row.addWidget(self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addLayout(lesson_row)
        layout.addWidget(self.error)

        self.sign_in.clicked.connect(self._sign_in)
        self.password.returnPressed.connect(self._sign_in)
        self.sign_out.clicked.connect(self.signOut)
        self.create.clicked.connect(lambda: self.createLesson.emit(self.title.text().strip()))
        self.start.clicked.connect(self.startLesson)
        self.my_recordings.clicked.connect(self.showRecordings)
        self.copy.clicked.connect(self._copy)
        self.retranslate()

    def _sign_in(self) -> None:
        if self.user.text().strip() and self.password.text():
            self.error.clear()
            self.sign_in.setEnabled(False)
            self.signIn.emit(self.user.text().strip(), self.password.text())

    def _copy(self) -> None:
        if self.room is not None:
            QGuiApplication.clipboard().setText(
                tr("Lesson link: {link}\nPIN: {pin}").format(link=self.room.pupil_link,
                                                            pin=self.room.pin))

    def open_recordings(self, url: str) -> RecordingsDialog | None:
        """Show the signed-in teacher's recordings (a fresh list from the server)."""
        if self.session is None or self.session.role != "teacher":
            return None
        self._close_recordings()
        self.recordings = RecordingsDialog(url, self.session.token, self)
        self.recordings.show()
        return self.recordings

    def _close_recordings(self) -> None:
        if self.recordings is not None:
            self.recordings.close()     # drops its request under way and its token
            self.recordings.deleteLater()
            self.recordings = None

    def set_session(self, session: Session | None) -> None:
        if session is None or self.session is None or session.token != self.session.token:
            self._close_recordings()    # a dialog never outlives the session it asks with
        self.session, self.room = session, None
        self.password.clear()           # never kept in a widget longer than needed
        self.sign_in.setEnabled(True)
        self.retranslate()

    def set_room(self, room: RoomCreated) -> None:
        self.room = room
        self.retranslate()

    def show_error(self, text: str) -> None:
        self.sign_in.setEnabled(True)
        self.error.setText(text)

    def retranslate(self) -> None:
        s, teacher = self.session, bool(self.session and self.session.role == "teacher")
        self.heading.setText(tr("Or sign in with your school account"))
        if self.server is None:
            self.note.setText(tr("Signing in needs your school's server address, which school "
                                 "IT sets on this computer. You can still join with a link."))
        elif s is None:
            self.note.setText(tr("Server: {server}").format(server=self.server))
        elif teacher:
            self.note.setText(tr("Signed in as {user} (teacher). Create a lesson, then give "
                                 "your pupils its link and PIN.").format(user=s.user))
        else:
            self.note.setText(tr("Signed in as {user}. Open your lesson's link above; you need "
                                 "no PIN.").format(user=s.user))
        signed_in = s is not None
        for w in (self.user, self.password, self.user_label, self.password_label,
                  self.sign_in):
            w.setVisible(not signed_in)
            w.setEnabled(self.server is not None)
        for w in (self.title, self.title_label, self.create, self.my_recordings):
            w.setVisible(teacher)
        self.sign_out.setVisible(signed_in)
        has_room = teacher and self.room is not None
        for w in (self.created, self.copy, self.start):
            w.setVisible(has_room)
        if self.room is not None:
            self.created.setText(tr("Pupil link: {link}\nPIN: {pin}").format(
                link=self.room.pupil_link, pin=self.room.pin))
        self.user_label.setText(tr("&User name:"))
        self.user.setAccessibleName(tr("User name"))
        self.password_label.setText(tr("Pass&word:"))
        self.password.setAccessibleName(tr("Password"))
        self.title_label.setText(tr("Lesson &title:"))
        self.title.setAccessibleName(tr("Lesson title"))
        label_for(self.sign_in, tr("&Sign in"))
        label_for(self.sign_out, tr("Sign out"))
        label_for(self.create, tr("Create a lesson"))
        label_for(self.my_recordings, tr("My recordings"),
                  tr("List and delete your recordings on the school's server"))
        label_for(self.copy, tr("Copy for pupils"), tr("Copy the pupil link and PIN"))
        label_for(self.start, tr("Start the lesson"), tr("Join your new lesson as its teacher"))
