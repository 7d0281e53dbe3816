"""Sound in the desktop client: the output picker, the test sound, the pre-join
microphone meter (moving only while the mic is on) and a volume per participant."""

from __future__ import annotations

from klasse.app.devices import DeviceInfo, DeviceLists
from klasse.app.events import LevelsMeasured

from .conftest import open_and_join
from .driver import Room, link


def test_output_picker_test_sound_and_mic_meter(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    win.open_link(link("pupil"))
    pj = win.prejoin
    pj.name.setText("Mila K.")
    # No output device listed: the system default and "no sound" are still offered.
    assert [pj.speaker_device.itemData(i) for i in range(pj.speaker_device.count())] == [
        "", "synthetic"]
    # Hot-plug: a headset appears in the pickers while the pre-join screen is open.
    headset = DeviceInfo("pulse:headset", "USB headset")
    pj.set_devices([], [headset], [headset])
    assert pj.speaker_device.findData("pulse:headset") >= 0
    assert pj.mic_device.findData("pulse:headset") >= 0
    pj.speaker_device.setCurrentIndex(pj.speaker_device.findData("pulse:headset"))
    pj.speaker_device.activated.emit(pj.speaker_device.currentIndex())
    assert win.prefs.speaker_device == "pulse:headset"

    pj.test_sound.click()                      # makes the preview call, plays on it
    qtbot.waitUntil(lambda: bool(room.made) and ("play_test_sound",) in room.made[0].commands,
                    timeout=3000)
    (call,) = room.made
    assert call.request.speaker_device == "pulse:headset"
    assert call.opened() == []                 # the test sound opened no microphone

    # The meter is empty while the mic is off, whatever arrives.
    pj.set_levels(LevelsMeasured(played=None, captured=-20.0))
    assert pj.mic_level.value() == 0 and not pj.mic_level.isEnabled()
    pj.mic.click()
    qtbot.waitUntil(lambda: win.controller.local.mic, timeout=3000)
    call.sink(LevelsMeasured(played=None, captured=-20.0))
    qtbot.waitUntil(lambda: pj.mic_level.value() == 40, timeout=3000)
    pj.mic.click()                             # off: the meter empties with it
    qtbot.waitUntil(lambda: not win.controller.local.mic, timeout=3000)
    assert pj.mic_level.value() == 0 and not pj.mic_level.isEnabled()


def test_volume_per_participant_from_the_tile_menu(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    teacher = make_window(room)
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Mila K.")
    tcall = next(c for c in room.made if c.me.name == "Ms Weber")
    pcall = next(c for c in room.made if c.me.name == "Mila K.")
    qtbot.waitUntil(lambda: pcall.id in teacher.lesson.gallery.tiles, timeout=3000)
    assert teacher.lesson.gallery.tiles[tcall.id].volume_menu() is None   # not for oneself
    menu = teacher.lesson.gallery.tiles[pcall.id].volume_menu()
    assert menu is not None
    half = next(a for a in menu.actions() if a.data() == 0.5)
    half.trigger()
    qtbot.waitUntil(lambda: ("set_volume", pcall.id, 0.5) in tcall.commands, timeout=3000)
    assert "volume 50 %" in teacher.lesson.gallery.tiles[pcall.id].accessibleDescription()


def test_device_lists_compare_by_content() -> None:
    a = DeviceLists((), (DeviceInfo("pulse:mic", "Mic"),), ())
    assert a == DeviceLists((), (DeviceInfo("pulse:mic", "Mic"),), ())
    assert a != DeviceLists((), (), ())


def test_a_failed_or_lost_speaker_has_its_own_words(qtbot, make_window) -> None:
    from klasse.app import events as ev
    from klasse.ui.i18n import set_language

    room = Room(waiting_room=False)
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Mila K.")
    (call,) = room.made
    text = pupil.messages.text.text
    call.sink(ev.ErrorRaised("device_failed", "cannot play sound on pulse:x", "speaker"))
    qtbot.waitUntil(lambda: "chosen speaker" in text(), timeout=3000)
    assert "camera" not in text().lower() and "microphone" not in text().lower()
    call.sink(ev.ErrorRaised("device_lost", "the speaker pulse:x was disconnected", "speaker"))
    qtbot.waitUntil(lambda: "speaker was disconnected" in text(), timeout=3000)
    call.sink(ev.ErrorRaised("device_failed", "microphone: not connected", "mic"))
    qtbot.waitUntil(lambda: "camera or microphone could not be opened" in text(), timeout=3000)
    set_language("de")
    try:
        call.sink(ev.ErrorRaised("device_failed", "cannot play sound", "speaker"))
        qtbot.waitUntil(lambda: "gewählten Lautsprecher" in text(), timeout=3000)
    finally:
        set_language("en")
