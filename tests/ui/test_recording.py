"""The recording indicator: announced, running, unknown; it cannot be dismissed."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage

from klasse.app.policy import Policy
from klasse.app.protocol import RecordingState
from klasse.ui.icons import app_icon

from .conftest import open_and_join
from .driver import Room

ACTIVE = RecordingState(state="active", what=["teacher camera", "teacher microphone"])


def _icon_image(icon) -> QImage:
    return icon.pixmap(32, 32).toImage()


def _banner_on_top(win) -> bool:
    """Nothing else in the window is drawn where the banner is."""
    b = win.banner
    if not b.isVisible() or b.height() == 0:
        return False
    for x in (2, b.width() // 2, b.width() - 3):
        for y in (1, b.height() // 2, b.height() - 2):
            hit = win.childAt(b.mapTo(win, QPoint(x, y)))
            if hit is not b and not b.isAncestorOf(hit):
                return False
    return True


def test_banner_for_announcement_and_recording(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    teacher = make_window(room, policy=Policy(recording_allowed=True))
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Jonas")
    assert not pupil.banner.isVisible() and not pupil.windowTitle().startswith("● REC")
    plain_icon = _icon_image(pupil.tray.icon())

    record = teacher.lesson.teacher.record_button
    assert record.isVisible() and record.accessibleName() == "Start recording"
    record.click()
    qtbot.waitUntil(lambda: pupil.banner.isVisible(), timeout=3000)
    text = pupil.banner.text.text()
    assert "Recording starts in 10 s" in text
    assert "the teacher's camera and microphone" in text
    assert pupil.windowTitle().startswith("● REC")
    assert _banner_on_top(pupil)
    assert _icon_image(pupil.tray.icon()) == _icon_image(app_icon(recording=True))
    assert _icon_image(pupil.tray.icon()) != plain_icon
    assert pupil.chimes.played == []          # announced: not yet recording

    # It cannot be dismissed: no close button, and hiding it does nothing.
    pupil.banner.hide()
    pupil.banner.close()
    pupil.banner.setVisible(False)
    assert pupil.banner.isVisible()
    assert [b for b in pupil.banner.findChildren(type(record)) if b.isVisible()] == []

    room.set_recording(ACTIVE)
    qtbot.waitUntil(lambda: "this lesson is being recorded" in pupil.banner.text.text(),
                    timeout=3000)
    assert "the teacher's camera and microphone" in pupil.banner.text.text()
    assert pupil.windowTitle().startswith("● REC") and _banner_on_top(pupil)
    assert pupil.chimes.played == ["start"] and teacher.chimes.played == ["start"]
    assert teacher.lesson.teacher.record_button.accessibleName() == "Stop recording"

    # A message from the teacher shows too, but below the banner, never over it.
    teacher.lesson.teacher.all_cameras_off.click()
    pupil.messages.show_message("x " * 200)
    assert _banner_on_top(pupil)

    teacher.lesson.teacher.record_button.click()
    qtbot.waitUntil(lambda: not pupil.banner.isVisible(), timeout=3000)
    assert not pupil.windowTitle().startswith("● REC")
    assert pupil.chimes.played == ["start", "stop"]
    assert _icon_image(pupil.tray.icon()) == plain_icon


def test_lost_contact_shows_recording_state_unknown(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Jonas")
    room.set_recording(ACTIVE)
    qtbot.waitUntil(lambda: pupil.banner.isVisible(), timeout=3000)
    room.set_recording(ACTIVE, unknown=True)
    qtbot.waitUntil(lambda: "Recording state unknown" in pupil.banner.text.text(), timeout=3000)
    assert pupil.banner.isVisible() and pupil.windowTitle().startswith("● REC")
    # Even an "off" that cannot be confirmed keeps the banner up.
    room.set_recording(RecordingState(), unknown=True)
    qtbot.waitUntil(lambda: pupil.banner.event_.recording.state == "off", timeout=3000)
    assert pupil.banner.isVisible() and "unknown" in pupil.banner.text.text()
    room.set_recording(RecordingState())
    qtbot.waitUntil(lambda: not pupil.banner.isVisible(), timeout=3000)


def test_record_button_only_where_policy_allows(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    teacher = make_window(room, policy=Policy(recording_allowed=False))
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    assert not teacher.lesson.teacher.record_button.isVisible()


def test_consent_buttons_when_consent_is_required(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Jonas")
    room.set_recording(RecordingState(state="announced", what=["teacher camera"],
                                      starts_in=30, consent_required=True))
    qtbot.waitUntil(lambda: pupil.banner.agree.isVisible(), timeout=3000)
    pupil.banner.decline.click()
    call = room.made[-1]
    qtbot.waitUntil(lambda: ("consent", False) in call.commands, timeout=3000)


def test_chime_is_a_short_wav() -> None:
    import io
    import wave

    from klasse.ui.sound import RATE, chime, wav_bytes

    for kind in ("start", "stop"):
        samples = chime(kind)
        assert 0.2 < len(samples) / RATE < 0.6
        assert 5000 < abs(samples).max() < 32767
        with wave.open(io.BytesIO(wav_bytes(samples))) as w:
            assert (w.getframerate(), w.getnchannels(), w.getnframes()) == (RATE, 1, len(samples))
    assert not (chime("start") == chime("stop")).all()


def test_alsa_playback_without_a_sound_device_does_not_raise() -> None:
    from klasse.ui.sound import RATE, _play_alsa, chime

    _play_alsa(chime("stop"), RATE)     # this machine has no sound card: logged, not raised


def test_announcement_counts_down(qtbot) -> None:
    from klasse.app.events import RecordingChanged
    from klasse.ui.recording_banner import RecordingBanner

    banner = RecordingBanner()
    qtbot.addWidget(banner)
    banner.set_state(RecordingChanged(RecordingState(state="announced", what=["teacher camera"],
                                                     starts_in=5.0)))
    assert "starts in 5 s" in banner.text.text()
    assert "the teacher's camera" in banner.text.text()
    qtbot.waitUntil(lambda: "starts in 3 s" in banner.text.text(), timeout=4000)
