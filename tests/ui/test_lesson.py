"""The lesson: teacher moderation seen from the pupil's window, chat, hand, leave."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .conftest import open_and_join
from .driver import Room, link


def _activate(qtbot, window) -> None:
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    window.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def _lesson(qtbot, make_window):
    room = Room(waiting_room=False)
    teacher = make_window(room)
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Jonas")
    return room, teacher, pupil


def test_teacher_turns_pupil_camera_off_and_locks_it(qtbot, make_window) -> None:
    room, teacher, pupil = _lesson(qtbot, make_window)
    pupil.lesson.camera.click()
    pid = pupil.controller.participant
    qtbot.waitUntil(lambda: teacher.lesson.gallery.tiles[pid].camera, timeout=3000)
    room.send_frames()
    qtbot.waitUntil(lambda: teacher.lesson.gallery.tiles[pid].image is not None, timeout=3000)
    panel = teacher.lesson.teacher
    qtbot.waitUntil(lambda: panel.pupil_rows[pid].camera_off.isEnabled(), timeout=3000)
    row = panel.pupil_rows[pid]
    assert row.lock.accessibleName() == "Turn Jonas's camera and microphone off and keep them off"
    row.lock.click()
    # The pupil's window: camera off, toggle locked, and told why.
    qtbot.waitUntil(lambda: not pupil.lesson.camera.isEnabled(), timeout=3000)
    assert not pupil.lesson.camera.isChecked()
    assert pupil.lesson.camera.accessibleName() == "Camera locked"
    assert "Your teacher turned your camera off." in pupil.messages.text.text()
    assert "stays off until your teacher unlocks it" in pupil.messages.text.text()
    assert pupil.lesson.gallery.tiles[pid].image is None
    # The shortcut cannot turn it back on either.
    commands = len(room.members[pid].commands)
    _activate(qtbot, pupil)
    qtbot.keyClick(pupil.lesson, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(50)
    assert room.members[pid].commands[commands:] == []
    assert not pupil.lesson.camera.isChecked()
    # The teacher sees the pupil locked; unlocking gives the pupil the choice back.
    qtbot.waitUntil(lambda: "locked" in panel.pupil_rows[pid].state.text(), timeout=3000)
    assert teacher.lesson.gallery.tiles[pid].image is None
    panel.pupil_rows[pid].lock.click()
    qtbot.waitUntil(lambda: pupil.lesson.camera.isEnabled(), timeout=3000)
    assert not pupil.lesson.camera.isChecked()   # unlocked, but still off: the pupil decides
    assert "unlocked your camera" in pupil.messages.text.text()


def test_all_cameras_off_mic_off_and_remove(qtbot, make_window) -> None:
    room, teacher, pupil = _lesson(qtbot, make_window)
    pupil.lesson.camera.click()
    pupil.lesson.mic.click()
    pid = pupil.controller.participant
    panel = teacher.lesson.teacher
    qtbot.waitUntil(lambda: panel.pupil_rows[pid].mic_off.isEnabled(), timeout=3000)
    panel.pupil_rows[pid].mic_off.click()
    qtbot.waitUntil(lambda: not pupil.lesson.mic.isChecked(), timeout=3000)
    assert pupil.lesson.mic.isEnabled()          # off, not locked
    panel.all_cameras_off.click()
    qtbot.waitUntil(lambda: not pupil.lesson.camera.isChecked(), timeout=3000)
    assert ("turn_off", None, "camera", False) in room.made[0].commands
    panel.pupil_rows[pid].remove.click()
    qtbot.waitUntil(lambda: pupil.stack.currentWidget() is pupil.left_page, timeout=3000)
    assert pupil.left_page.headline.text() == "The teacher removed you from the lesson."


def test_pupil_cannot_see_teacher_controls(qtbot, make_window) -> None:
    room, teacher, pupil = _lesson(qtbot, make_window)
    assert pupil.lesson.tabs.indexOf(pupil.lesson.teacher) == -1
    assert teacher.lesson.tabs.indexOf(teacher.lesson.teacher) == 0


def test_chat_hand_shortcuts_and_active_speaker(qtbot, make_window) -> None:
    from klasse.app.events import MediaFlow

    room, teacher, pupil = _lesson(qtbot, make_window)
    pupil.lesson.chat.entry.setText("<b>hi</b> & hello")
    qtbot.keyClick(pupil.lesson.chat.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(teacher.lesson.chat.messages) == 1, timeout=3000)
    assert teacher.lesson.chat.messages[0].text == "<b>hi</b> & hello"
    assert "<b>hi</b> & hello" in teacher.lesson.chat.history.toPlainText()  # shown as text
    pid = pupil.controller.participant
    _activate(qtbot, pupil)
    qtbot.keyClick(pupil.lesson, Qt.Key.Key_H,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: teacher.lesson.gallery.tiles[pid].hand, timeout=3000)
    assert not teacher.lesson.teacher.pupil_rows[pid].hand.isHidden()
    assert pupil.lesson.hand.accessibleName() == "Lower hand"
    qtbot.keyClick(pupil.lesson, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: pupil.lesson.mic.isChecked(), timeout=3000)
    teacher.lesson.teacher.lower_hands.click()
    qtbot.waitUntil(lambda: not teacher.lesson.gallery.tiles[pid].hand, timeout=3000)
    gallery = teacher.lesson.gallery
    qtbot.waitUntil(lambda: gallery.tiles[pid].mic, timeout=3000)
    gallery.on_media_flow(MediaFlow(kind="audio", sender=pid, frames=50, level=-80.0))
    assert gallery.active_speaker is None               # audio, but silence
    gallery.on_media_flow(MediaFlow(kind="audio", sender=pid, frames=75, level=-24.0))
    assert gallery.active_speaker == pid and gallery.tiles[pid].speaking
    assert "speaking" in gallery.tiles[pid].accessibleDescription()


def test_leaving_confirms_local_data_deleted(qtbot, make_window) -> None:
    room, teacher, pupil = _lesson(qtbot, make_window)
    pupil.lesson.leave_button.click()
    qtbot.waitUntil(lambda: pupil.stack.currentWidget() is pupil.left_page, timeout=3000)
    assert pupil.left_page.wiped.text() == "✔ The call's data on this computer has been deleted."
    assert pupil.lesson.chat.messages == [] and pupil.lesson.gallery.tiles == {}


def test_end_lesson_for_everyone_needs_confirmation(qtbot, make_window) -> None:
    room, teacher, pupil = _lesson(qtbot, make_window)
    panel = teacher.lesson.teacher
    panel.end_button.click()
    assert panel.confirm.isVisible() and ("end",) not in room.made[0].commands
    panel.confirm_yes.click()
    qtbot.waitUntil(lambda: pupil.stack.currentWidget() is pupil.left_page, timeout=3000)
    assert pupil.left_page.headline.text() == "The teacher ended the lesson."


def test_reconnecting_is_shown_and_cleared(qtbot, make_window) -> None:
    from klasse.app.events import StateChanged

    room, teacher, pupil = _lesson(qtbot, make_window)
    call = room.members[pupil.controller.participant]
    call.sink(StateChanged("reconnecting"))
    qtbot.waitUntil(lambda: "Reconnecting" in pupil.messages.text.text(), timeout=3000)
    assert pupil.stack.currentWidget() is pupil.lesson
    call.sink(StateChanged("joined"))
    qtbot.waitUntil(lambda: not pupil.messages.isVisible(), timeout=3000)


def test_preferences_hold_nothing_personal(qtbot, make_window, settings) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    win.open_link(link("pupil"))
    win.prejoin.name.setText("Jonas Zylinski")
    win.prejoin.pin.setText("918273")
    win.prejoin.join.click()
    qtbot.waitUntil(lambda: win.notice_pending is not None, timeout=3000)
    win.notice.accept_button.click()
    settings.sync()
    stored = open(settings.fileName(), encoding="utf-8").read()
    assert "notice_version" in stored
    for secret in ("Jonas", "Zylinski", "918273", "klasse://", "pupil-demo"):
        assert secret not in stored


def test_media_reconnecting_is_shown_and_no_frozen_picture_stays(qtbot, make_window) -> None:
    from klasse.app import events as ev

    room, teacher, pupil = _lesson(qtbot, make_window)
    pupil.lesson.camera.click()
    pid = pupil.controller.participant
    room.update(pid, publishing=True)
    qtbot.waitUntil(lambda: teacher.lesson.gallery.tiles[pid].camera, timeout=3000)
    room.send_frames()
    tile = teacher.lesson.gallery.tiles[pid]
    qtbot.waitUntil(lambda: tile.image is not None, timeout=3000)
    # The media server was lost: the engine says so and nobody publishes any more.
    call = room.members[teacher.controller.participant]
    call.sink(ev.MediaReconnecting(True, "media_server_lost"))
    room.update(pid, publishing=False)
    qtbot.waitUntil(lambda: "Media reconnecting" in teacher.messages.text.text(), timeout=3000)
    qtbot.waitUntil(lambda: tile.image is None, timeout=3000)
    assert tile.camera            # the camera is still on: only its picture is not live
    # Back: the message goes; the picture comes back with the next frames.
    call.sink(ev.MediaReconnecting(False))
    qtbot.waitUntil(lambda: "Media reconnecting" not in teacher.messages.text.text(),
                    timeout=3000)
    room.update(pid, publishing=True)
    room.send_frames()
    qtbot.waitUntil(lambda: tile.image is not None, timeout=3000)
