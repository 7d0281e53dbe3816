"""The privacy-notice gate and the waiting room."""

from __future__ import annotations

from msgspec.structs import replace

from .conftest import open_and_join
from .driver import NOTICE, Room, link

SERVER = "10.77.0.1:8443"     # where driver.link() points


def _ran(room: Room) -> bool:
    """Did any call of this room send its Join (with the name) to the service?"""
    return any(("run",) in call.commands for call in room.made) or bool(room.members)


def _join_with_camera_on(qtbot, win, room: Room) -> None:
    """Camera and microphone on in the pre-join screen, Join pressed: the notice shows
    (asked with the link alone) and nothing of the pupil has gone out yet."""
    win.open_link(link("pupil"))
    win.prejoin.name.setText("Jonas")
    win.prejoin.camera.click()
    win.prejoin.mic.click()
    qtbot.waitUntil(lambda: win.controller.local.camera and win.controller.local.mic, timeout=3000)
    win.prejoin.join.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.notice, timeout=3000)
    assert room.notice_asks == [link("pupil")]
    assert not _ran(room) and win.controller.state == "idle"


def test_notice_gate_comes_before_the_first_join(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    _join_with_camera_on(qtbot, win, room)
    assert not win.lesson.isVisible()
    text = win.notice.body.toPlainText()
    assert "Example School" in text and "privacy@school.example" in text
    assert "Deleted when the lesson ends" in text and "Art. 21" in text
    assert "camera off" in text           # what objecting means in practice
    win.notice.accept_button.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.lesson, timeout=3000)
    call = room.made[-1]
    assert call.commands[0] == ("run",) and call.request.name == "Jonas"
    # The devices switched on before joining go on once the call runs.
    qtbot.waitUntil(lambda: set(call.opened()) == {"set_camera", "set_mic"}, timeout=3000)
    assert win.prefs.accepted_notice(SERVER) == NOTICE.version


def test_notice_shown_again_only_when_its_version_changes(qtbot, make_window, settings) -> None:
    room = Room(waiting_room=False)
    first = make_window(room)
    open_and_join(qtbot, first, "pupil", "Jonas")
    assert first.stack.currentWidget() is first.lesson
    # Same version on a later join: asked for, but no gate.
    second = make_window(room, prefs_settings=settings)
    asks = len(room.notice_asks)
    open_and_join(qtbot, second, "pupil", "Jonas", accept_notice=False)
    assert len(room.notice_asks) == asks + 1
    assert second.notice_pending is None and second.stack.currentWidget() is second.lesson
    # The school changes its notice: shown again, before the join.
    room.notice = replace(NOTICE, version="2026-11", retention="Kept for 30 days")
    third = make_window(room, prefs_settings=settings)
    joined = len(room.members)
    open_and_join(qtbot, third, "pupil", "Jonas", accept_notice=False)
    assert third.stack.currentWidget() is third.notice
    assert "Kept for 30 days" in third.notice.body.toPlainText()
    assert third.controller.state == "idle" and len(room.members) == joined


def test_notice_accepted_for_one_server_is_asked_again_by_another(qtbot, make_window) -> None:
    from klasse.app.protocol import Link

    room = Room(waiting_room=False)
    win = make_window(room)
    open_and_join(qtbot, win, "pupil", "Jonas")
    win.lesson.leave_button.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.left_page, timeout=3000)
    # Same notice version, another school's server: its notice is shown first.
    win.open_link(Link(host="10.77.0.1", port=9443, token="pupil-other", tls=False))
    win.prejoin.name.setText("Jonas")
    win.prejoin.join.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.notice, timeout=3000)
    assert room.notice_asks[-1].port == 9443


def test_notice_changed_after_the_ask_gates_after_welcome(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    open_and_join(qtbot, win, "pupil", "Jonas")          # accepts NOTICE
    win.lesson.leave_button.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.left_page, timeout=3000)
    room.welcome_notice = replace(NOTICE, version="2026-12")
    win.open_link(link("pupil"))
    win.prejoin.name.setText("Jonas")
    win.prejoin.camera.click()
    qtbot.waitUntil(lambda: win.controller.local.camera, timeout=3000)
    win.prejoin.join.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.notice, timeout=3000)
    call = room.made[-1]
    assert ("run",) in call.commands and call.opened() == []   # devices still held back
    win.notice.accept_button.click()
    qtbot.waitUntil(lambda: call.opened() == ["set_camera"], timeout=3000)
    assert win.stack.currentWidget() is win.lesson
    assert win.prefs.accepted_notice(SERVER) == "2026-12"


def test_objecting_keeps_the_camera_off(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    _join_with_camera_on(qtbot, win, room)
    win.notice.audio_only.click()
    qtbot.waitUntil(lambda: win.controller.state == "joined", timeout=3000)
    call = room.made[-1]
    qtbot.waitUntil(lambda: call.opened() == ["set_mic"], timeout=3000)
    assert not win.lesson.camera.isEnabled()
    win.lesson.camera.click()             # disabled: nothing happens
    assert call.opened() == ["set_mic"]


def test_declining_the_notice_sends_nothing(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    _join_with_camera_on(qtbot, win, room)
    preview = room.made[-1]
    win.notice.leave.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.left_page, timeout=3000)
    assert win.left_page.headline.text() == ("You did not join. Nothing was sent to the "
                                             "school's server.")
    # The preview's devices are closed, and no call ever ran: no name left the computer.
    qtbot.waitUntil(lambda: not win.controller.local.camera and not win.controller.local.mic,
                    timeout=3000)
    assert ("set_camera", False) in preview.commands and ("set_mic", False) in preview.commands
    assert not _ran(room)
    assert win.prefs.accepted_notice(SERVER) == ""


def test_a_refused_link_never_reaches_the_join(qtbot, make_window) -> None:
    room = Room(waiting_room=False, notice_error="link_expired")
    win = make_window(room)
    win.open_link(link("pupil"))
    win.prejoin.name.setText("Jonas")
    win.prejoin.join.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.prejoin, timeout=3000)
    assert "This lesson link has expired" in win.messages.text.text()
    assert room.notice_asks and not _ran(room)
    room.notice_error = "connection_failed"
    win.prejoin.join.click()
    qtbot.waitUntil(lambda: "cannot be reached" in win.messages.text.text(), timeout=3000)
    assert win.stack.currentWidget() is win.prejoin and not _ran(room)


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
