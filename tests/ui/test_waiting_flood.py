"""The teacher's tools against a waiting-room flood: deny everyone waiting, and lock
the lesson against new pupils (the button shows what the service confirmed)."""

from __future__ import annotations

from .conftest import open_and_join
from .driver import Room


def test_deny_all_and_lock_the_lesson(qtbot, make_window) -> None:
    room = Room()
    teacher = make_window(room)
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    pupils = [make_window(room) for _ in range(3)]
    for i, w in enumerate(pupils):
        open_and_join(qtbot, w, "pupil", f"Flood {i}")
    panel = teacher.lesson.teacher
    qtbot.waitUntil(lambda: len(panel.waiting_rows) == 3, timeout=3000)
    assert panel.deny_all.isEnabled() and panel.deny_all.text() == "Deny all"
    panel.deny_all.click()
    for w in pupils:
        qtbot.waitUntil(lambda w=w: w.stack.currentWidget() is w.left_page, timeout=3000)
        assert w.left_page.headline.text() == "The teacher did not let you in."
    qtbot.waitUntil(lambda: not panel.waiting_rows, timeout=3000)
    assert not panel.deny_all.isEnabled()
    # Lock: the button turns checked only once the service says so.
    assert not panel.lock_room.isChecked() and panel.lock_room.text() == "Lock lesson"
    panel.lock_room.click()
    qtbot.waitUntil(lambda: panel.lock_room.isChecked(), timeout=3000)
    assert panel.lock_room.text() == "Unlock lesson"
    assert ("lock_room", True) in room.made[0].commands
    panel.lock_room.click()
    qtbot.waitUntil(lambda: not panel.lock_room.isChecked(), timeout=3000)
    assert ("lock_room", False) in room.made[0].commands
