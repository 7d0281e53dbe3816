"""Privacy defaults: camera and microphone off, and no device opened, until asked."""

from __future__ import annotations

from .conftest import open_and_join
from .driver import Room, link


def test_camera_and_mic_start_off_and_nothing_is_opened(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    win.open_link(link("pupil"))
    pj = win.prejoin
    assert not pj.camera.isChecked() and not pj.mic.isChecked()
    assert pj.camera.accessibleName() == "Camera off"
    assert pj.mic.accessibleName() == "Microphone off"
    assert room.made == [] and win.controller.call is None   # no engine, so no device
    assert pj.preview.image is None
    pj.name.setText("Mila K.")
    pj.join.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.notice, timeout=3000)
    assert room.made == [] and win.controller.call is None   # still nothing made or opened
    win.notice.accept_button.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.lesson, timeout=3000)
    (call,) = room.made
    assert call.opened() == []
    assert not win.lesson.camera.isChecked() and not win.lesson.mic.isChecked()
    me = win.lesson.gallery.tiles[call.id]
    assert (me.camera, me.mic, me.image) == (False, False, None)


def test_camera_preview_shows_processed_local_frame(qtbot, make_window) -> None:
    room = Room()
    win = make_window(room)
    win.open_link(link("pupil"))
    win.prejoin.name.setText("Mila K.")
    win.prejoin.camera.click()
    qtbot.waitUntil(lambda: win.prejoin.preview.image is not None, timeout=3000)
    (preview,) = room.made
    assert preview.opened() == ["set_camera"]
    assert win.prejoin.camera.isChecked()
    assert win.prejoin.camera.accessibleName() == "Camera on"
    win.prejoin.camera.click()           # off again: the preview frame goes away
    qtbot.waitUntil(lambda: win.prejoin.preview.image is None, timeout=3000)
    assert preview.commands[-1] == ("set_camera", False)


def test_every_control_has_an_accessible_name(qtbot, make_window) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTextEdit

    room = Room(waiting_room=False)
    teacher = make_window(room)
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    pupil = make_window(room)
    pupil.open_link(link("pupil"))
    for win in (teacher, pupil):
        unnamed = [f"{type(w).__name__}:{w.objectName()}"
                   for cls in (QAbstractButton, QComboBox, QLineEdit, QTextEdit)
                   for w in win.findChildren(cls)
                   if not w.accessibleName()
                   and not w.objectName().startswith("qt_")]
        assert unnamed == []


def test_sign_in_needs_a_server_from_the_machine_policy(qtbot, make_window) -> None:
    win = make_window(Room())
    acc = win.start.account
    assert not acc.user.isEnabled() and not acc.sign_in.isEnabled()
    assert "school IT sets on this computer" in acc.note.text()
