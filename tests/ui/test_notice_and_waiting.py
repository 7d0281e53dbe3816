"""The privacy-notice gate and the waiting room."""

from __future__ import annotations

from msgspec.structs import replace

from .conftest import open_and_join
from .driver import NOTICE, Room, link


def _join_with_camera_on(qtbot, win) -> None:
    win.open_link(link("pupil"))
    win.prejoin.name.setText("Jonas")
    win.prejoin.camera.click()
    win.prejoin.mic.click()
    qtbot.waitUntil(lambda: win.controller.local.camera and win.controller.local.mic, timeout=3000)
    win.prejoin.join.click()
    qtbot.waitUntil(lambda: win.controller.state == "joined", timeout=3000)


def test_notice_gate_before_first_join_holds_devices_back(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    _join_with_camera_on(qtbot, win)
    call = room.made[-1]
    # The gate is up: nothing of the lesson shows, and nothing was switched on yet.
    assert win.stack.currentWidget() is win.notice
    assert not win.lesson.isVisible()
    assert call.opened() == []
    text = win.notice.body.toPlainText()
    assert "Example School" in text and "privacy@school.example" in text
    assert "Deleted when the lesson ends" in text and "Art. 21" in text
    assert "camera off" in text           # what objecting means in practice
    win.notice.accept_button.click()
    assert win.stack.currentWidget() is win.lesson
    qtbot.waitUntil(lambda: set(call.opened()) == {"set_camera", "set_mic"}, timeout=3000)
    assert win.prefs.notice_version == NOTICE.version


def test_notice_shown_again_only_when_its_version_changes(qtbot, make_window, settings) -> None:
    room = Room(waiting_room=False)
    first = make_window(room)
    open_and_join(qtbot, first, "pupil", "Jonas")
    assert first.stack.currentWidget() is first.lesson
    # Same version on a later join: no gate.
    second = make_window(room, prefs_settings=settings)
    open_and_join(qtbot, second, "pupil", "Jonas", accept_notice=False)
    assert second.notice_pending is None and second.stack.currentWidget() is second.lesson
    # The school changes its notice: shown again.
    room.notice = replace(NOTICE, version="2026-11", retention="Kept for 30 days")
    third = make_window(room, prefs_settings=settings)
    open_and_join(qtbot, third, "pupil", "Jonas", accept_notice=False)
    assert third.stack.currentWidget() is third.notice
    assert "Kept for 30 days" in third.notice.body.toPlainText()


def test_objecting_keeps_the_camera_off(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    _join_with_camera_on(qtbot, win)
    call = room.made[-1]
    win.notice.audio_only.click()
    qtbot.waitUntil(lambda: call.opened() == ["set_mic"], timeout=3000)
    assert not win.lesson.camera.isEnabled()
    win.lesson.camera.click()             # disabled: nothing happens
    assert call.opened() == ["set_mic"]


def test_declining_the_notice_leaves(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    open_and_join(qtbot, win, "pupil", "Jonas", accept_notice=False)
    win.notice.leave.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.left_page, timeout=3000)
    assert ("leave",) in room.made[-1].commands
    assert win.prefs.notice_version == ""


def test_waiting_screen_shows_nothing_of_the_lesson(qtbot, make_window) -> None:
    room = Room(waiting_room=True)
    teacher = make_window(room)
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    teacher.lesson.chat.entry.setText("Good morning")
    teacher.lesson.chat.send_button.click()
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Jonas")
    assert pupil.stack.currentWidget() is pupil.waiting
    assert pupil.waiting.headline.text() == "Your teacher will let you in."
    assert "Maths 7b" in pupil.waiting.detail.text()
    assert not pupil.lesson.isVisible()
    assert pupil.lesson.gallery.tiles == {} and pupil.lesson.chat.messages == []
    # The teacher sees the pupil waiting and admits them.
    qtbot.waitUntil(lambda: len(teacher.lesson.teacher.waiting_rows) == 1, timeout=3000)
    assert teacher.lesson.tabs.tabText(0) == "Class (1 waiting)"
    (row,) = teacher.lesson.teacher.waiting_rows.values()
    assert row.admit.accessibleName() == "Admit Jonas"
    row.admit.click()
    qtbot.waitUntil(lambda: pupil.stack.currentWidget() is pupil.lesson, timeout=3000)
    assert len(pupil.lesson.gallery.tiles) == 2


def test_teacher_denies_and_admits_all(qtbot, make_window) -> None:
    room = Room(waiting_room=True)
    teacher = make_window(room)
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    pupils = [make_window(room) for _ in range(3)]
    for i, win in enumerate(pupils):
        open_and_join(qtbot, win, "pupil", f"Pupil {i}")
    panel = teacher.lesson.teacher
    qtbot.waitUntil(lambda: len(panel.waiting_rows) == 3, timeout=3000)
    first = next(iter(panel.waiting_rows.values()))
    first.deny.click()
    qtbot.waitUntil(lambda: pupils[0].stack.currentWidget() is pupils[0].left_page, timeout=3000)
    assert pupils[0].left_page.headline.text() == "The teacher did not let you in."
    panel.admit_all.click()
    qtbot.waitUntil(lambda: all(w.stack.currentWidget() is w.lesson for w in pupils[1:]),
                    timeout=3000)
    assert len(panel.pupil_rows) == 2 and not panel.waiting_rows


def test_server_values_in_the_notice_are_text_not_markup() -> None:
    from klasse.app.protocol import Notice
    from klasse.ui.privacy_notice import notice_html

    page = notice_html(Notice(version="1", controller='<img src="http://x.example/t.png">School',
                              dpo_contact="<a href='http://evil.example'>dpo</a>",
                              retention="<script>x</script>"), "en")
    assert "<img" not in page and "<a href" not in page and "<script>" not in page
    assert "&lt;img" in page


def test_retention_sentence_ends_once() -> None:
    from klasse.app.protocol import Notice
    from klasse.ui.privacy_notice import notice_html

    page = notice_html(Notice(version="1", controller="S", dpo_contact="d",
                              retention="Deleted when the lesson ends."), "en")
    assert "Deleted when the lesson ends. When you leave" in page
