"""Recording in the desktop client against the real stack (`klasse-server run` on the
run's shared Janus): a teacher starts and stops it from the teacher panel, the
pupil's window shows the announcement, the recording and its end; a server that
forbids recording says so; under `record_pupils` a pupil declines and stays off."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import pytest

from klasse.app.policy import Policy
from klasse.ui.main_window import REC_PREFIX, MainWindow

from .test_real_stack import _prepare, _until, _window, serve

pytestmark = pytest.mark.skipif(
    os.environ.get("KLASSE_NETNS") != "1",
    reason="needs the private network namespace (run through scripts/netns-run)")


def _server(janus, tmp_path: Path, recording: str) -> contextlib.AbstractContextManager[dict]:
    """`klasse-server run` with this recording config, and one room's links and PIN."""
    return serve(janus, tmp_path, recording, title="Art 6c")


async def _join(win: MainWindow, link: str, name: str, pin: str) -> None:
    _prepare(win, link, name, pin)
    win.prejoin.join.click()
    await _until(lambda: win.notice_pending is not None, f"{name} welcomed")
    win.notice.accept_button.click()


async def _lesson(teacher: MainWindow, pupil: MainWindow, room: dict) -> str:
    await _join(teacher, room["teacher_link"], "Ms Weber", room["pin"])
    await _until(lambda: teacher.stack.currentWidget() is teacher.lesson, "teacher in")
    await _join(pupil, room["pupil_link"], "Jonas", room["pin"])
    panel = teacher.lesson.teacher
    await _until(lambda: len(panel.waiting_rows) == 1, "pupil waiting")
    next(iter(panel.waiting_rows.values())).admit.click()
    await _until(lambda: pupil.stack.currentWidget() is pupil.lesson, "pupil admitted")
    return pupil.controller.participant


async def _end(teacher: MainWindow) -> None:
    teacher.lesson.teacher.end_button.click()
    teacher.lesson.teacher.confirm_yes.click()
    await _until(lambda: teacher.stack.currentWidget() is teacher.left_page, "ended", 30)


def test_teacher_records_and_the_pupil_sees_it_announced_running_and_gone(
        qtbot, qloop, janus, tmp_path: Path) -> None:
    teacher = _window(qtbot, tmp_path, "teacher", Policy(recording_allowed=True))
    pupil = _window(qtbot, tmp_path, "pupil", Policy())
    banner = pupil.banner

    async def flow(room: dict) -> None:
        await _lesson(teacher, pupil, room)
        assert not pupil.lesson.teacher.record_button.isVisible()   # pupils have no panel
        record = teacher.lesson.teacher.record_button
        assert record.isVisible() and record.accessibleName() == "Start recording"
        record.click()
        await _until(lambda: banner.isVisible(), "announcement at the pupil")
        text = banner.text.text()
        assert "Recording starts in" in text and "the teacher's camera and microphone" in text
        assert pupil.windowTitle().startswith(REC_PREFIX)
        assert not banner.agree.isVisible()                 # no consent asked here
        await _until(lambda: "Recording starts in 1 s" in banner.text.text()
                     or "REC:" in banner.text.text(), "countdown runs")
        await _until(lambda: "this lesson is being recorded" in banner.text.text(), "active")
        assert "the teacher's camera and microphone" in banner.text.text()
        assert pupil.windowTitle().startswith(REC_PREFIX)
        await _until(lambda: record.accessibleName() == "Stop recording", "teacher can stop")
        record.click()
        await _until(lambda: not banner.isVisible(), "banner gone after the stop")
        assert not pupil.windowTitle().startswith(REC_PREFIX)
        assert not teacher.windowTitle().startswith(REC_PREFIX)
        await _end(teacher)

    with _server(janus, tmp_path, 'recording_allowed = true\n[recording]\nannounce_s = 3') as room:
        qloop.run_until_complete(asyncio.wait_for(flow(room), 120))


def test_a_server_that_forbids_recording_says_so(qtbot, qloop, janus, tmp_path: Path) -> None:
    teacher = _window(qtbot, tmp_path, "teacher", Policy(recording_allowed=True))

    async def flow(room: dict) -> None:
        await _join(teacher, room["teacher_link"], "Ms Weber", room["pin"])
        await _until(lambda: teacher.stack.currentWidget() is teacher.lesson, "teacher in")
        teacher.lesson.teacher.record_button.click()
        await _until(lambda: "refused to record" in teacher.messages.text.text(), "refusal")
        assert "not allowed on this server" in teacher.messages.text.text()
        assert not teacher.banner.isVisible()
        await _end(teacher)

    with _server(janus, tmp_path, "") as room:
        qloop.run_until_complete(asyncio.wait_for(flow(room), 60))


def test_pupil_declines_consent_and_stays_off(qtbot, qloop, janus, tmp_path: Path) -> None:
    teacher = _window(qtbot, tmp_path, "teacher", Policy(recording_allowed=True))
    pupil = _window(qtbot, tmp_path, "pupil", Policy())
    banner, lesson = pupil.banner, pupil.lesson

    async def flow(room: dict) -> None:
        await _lesson(teacher, pupil, room)
        lesson.mic.click()
        await _until(lambda: lesson.mic.isChecked(), "pupil's mic on")
        teacher.lesson.teacher.record_button.click()
        await _until(lambda: banner.agree.isVisible() and banner.decline.isVisible(),
                     "consent offered")
        assert not teacher.banner.agree.isVisible()          # the teacher is not asked
        await _until(lambda: not lesson.mic.isChecked() and not lesson.mic.isEnabled(),
                     "mic off and locked")
        assert "needs your consent" in pupil.messages.text.text() \
            or "agree to be recorded" in pupil.messages.text.text()
        banner.decline.click()
        assert "You are not recorded" in banner.text.text()
        await _until(lambda: "being recorded" in banner.text.text(), "recording active")
        assert not lesson.mic.isEnabled() and not lesson.camera.isEnabled()
        teacher.lesson.teacher.record_button.click()
        await _until(lambda: not banner.isVisible(), "recording over")
        await _until(lambda: lesson.mic.isEnabled(), "mic free again")
        assert not lesson.mic.isChecked()                    # nothing turns on by itself
        await _end(teacher)

    with _server(janus, tmp_path, 'recording_allowed = true\n[recording]\n'
                 'announce_s = 2\nrecord_pupils = true') as room:
        qloop.run_until_complete(asyncio.wait_for(flow(room), 120))
