"""Screen sharing in the window: the teacher's bar and stop, the pupil's stage with the
gallery as a strip, full screen, the teacher's permission for a pupil, and the
picker's live thumbnails of a real (Xvfb) screen and window."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from klasse.ui.screen_share import SharePicker

from .conftest import open_and_join
from .driver import Room


def _lesson(qtbot, make_window):
    room = Room(waiting_room=False)
    teacher = make_window(room)
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Jonas")
    return room, teacher, pupil


def _slide() -> np.ndarray:
    img = np.full((1080, 1920, 3), 240, np.uint8)
    img[100:200, 100:1800] = 20
    return img


def test_teacher_shares_pupil_sees_the_stage(qtbot, make_window) -> None:
    room, teacher, pupil = _lesson(qtbot, make_window)
    tid = teacher.controller.participant
    assert teacher.lesson.share.isVisible() and not pupil.lesson.share.isVisible()
    assert not pupil.lesson.stage.isVisible()
    teacher.share_what = "Worksheet"
    asyncio.ensure_future(room.members[tid].share(True, "window:0x1", False))
    # The sharer: the red bar naming what is shared; never their own stage.
    qtbot.waitUntil(lambda: teacher.lesson.share_bar.isVisible(), timeout=3000)
    assert "Worksheet" in teacher.lesson.share_bar.text.text()
    assert teacher.lesson.share.isChecked() and not teacher.lesson.stage.isVisible()
    # The pupil: the share is the main stage, the gallery a strip below it.
    qtbot.waitUntil(lambda: pupil.lesson.stage.isVisible(), timeout=3000)
    assert "Ms Weber" in pupil.lesson.stage.caption.text()
    assert pupil.lesson.gallery.maximumHeight() <= 180
    room.send_screen(_slide())
    qtbot.waitUntil(lambda: pupil.lesson.stage.frame is not None, timeout=3000)
    assert pupil.lesson.stage.picture.pixmap() is not None
    assert pupil.lesson.stage.height() > pupil.lesson.gallery.height()
    # Full screen and back.
    pupil.lesson.stage.full.click()
    qtbot.waitUntil(lambda: pupil.lesson.stage.isFullScreen(), timeout=3000)
    pupil.lesson.stage.full.click()
    qtbot.waitUntil(lambda: not pupil.lesson.stage.isFullScreen(), timeout=3000)
    assert pupil.lesson.stage.isVisible()
    # Stop from the bar: both sides go back to the gallery.
    teacher.lesson.share_bar.button.click()
    qtbot.waitUntil(lambda: not pupil.lesson.stage.isVisible(), timeout=3000)
    assert ("share", False, None, False) in room.members[tid].commands
    assert not teacher.lesson.share_bar.isVisible()


def test_stop_from_the_bar_and_pupil_permission(qtbot, make_window) -> None:
    room, teacher, pupil = _lesson(qtbot, make_window)
    tid, pid = teacher.controller.participant, pupil.controller.participant
    asyncio.ensure_future(room.members[tid].share(True, "screen:1", False))
    qtbot.waitUntil(lambda: pupil.lesson.stage.isVisible(), timeout=3000)
    asyncio.ensure_future(room.members[tid].share(False))
    qtbot.waitUntil(lambda: not pupil.lesson.stage.isVisible(), timeout=3000)
    assert not teacher.lesson.share_bar.isVisible()
    assert pupil.lesson.gallery.maximumHeight() > 1000
    # The teacher lets the pupil share: the pupil gets a share button.
    row = teacher.lesson.teacher.pupil_rows[pid]
    assert row.may_share.text() == "Let share screen"
    row.may_share.click()
    qtbot.waitUntil(lambda: pupil.lesson.share.isVisible(), timeout=3000)
    assert ("share_permission", pid, True) in room.members[tid].commands
    row.may_share.click()
    qtbot.waitUntil(lambda: not pupil.lesson.share.isVisible(), timeout=3000)


@pytest.mark.timeout(120)
def test_picker_shows_live_thumbnails_of_a_real_screen_and_window(qtbot, qloop, monkeypatch) -> None:
    from tests.integration.x11_helpers import TextWindow, xvfb

    async def scenario() -> None:
        async with xvfb() as display:
            monkeypatch.setenv("DISPLAY", display)
            monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
            monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
            window = await TextWindow.start(display, "thumbnail text", "--title", "Worksheet")
            try:
                picker = SharePicker()
                qtbot.addWidget(picker)
                titles = [picker.list.item(i).text() for i in range(picker.list.count())]
                assert titles[0].startswith("Whole screen 1")
                assert any(t.startswith("Worksheet") for t in titles), titles
                assert all(not picker.list.item(i).icon().isNull()
                           for i in range(picker.list.count()))
                picker.list.setCurrentRow(titles.index(next(t for t in titles
                                                            if t.startswith("Worksheet"))))
                picker._accept()
                assert picker.chosen is not None and picker.chosen.spec == f"window:{window.id:#x}"
                # A program's own windows are left out of its list (the client's own).
                from klasse.media.screen_capture import list_targets
                assert not [t for t in list_targets(exclude_pid=window.proc.pid)
                            if t.kind == "window"]
            finally:
                await window.close()

    qloop.run_until_complete(scenario())


def test_picker_says_why_without_a_display(qtbot, monkeypatch) -> None:
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    picker = SharePicker()
    qtbot.addWidget(picker)
    assert picker.list.count() == 0
    assert "Wayland" in picker.problem.text()
    assert not picker.buttons.buttons()[0].isEnabled() or picker.list.currentItem() is None
