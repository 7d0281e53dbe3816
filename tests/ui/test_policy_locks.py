"""What the machine policy locks stays unchangeable in the window, whichever OS's
policy store it came from, and the user's own settings cannot undo it."""

from __future__ import annotations

import plistlib
from pathlib import Path

from klasse.app import policy_macos
from klasse.app.policy import Policy
from klasse.app.policy_windows import REG_DWORD, REG_SZ, load_registry_policy

from .driver import Room, link

SAMPLE_PROFILE = Path(__file__).resolve().parents[2] / "packaging/macos/klasse-policy.mobileconfig"


def test_locked_preferences_are_disabled_and_user_settings_cannot_undo_them(
        qtbot, make_window, settings) -> None:
    # The user had chosen no blur, German and other devices before the policy arrived.
    for key, value in (("blur", "off"), ("language", "de"), ("camera_device", "cam2"),
                       ("mic_device", "mic2")):
        settings.setValue(key, value)
    policy = load_registry_policy(lambda key: [
        ("blur", "full", REG_SZ), ("lock_blur", 1, REG_DWORD), ("lock_language", 1, REG_DWORD),
        ("lock_camera_device", 1, REG_DWORD), ("lock_mic_device", 1, REG_DWORD)])
    win = make_window(Room(), policy)
    win.open_link(link("pupil"))
    prejoin = win.prejoin
    assert not prejoin.blur.isEnabled() and prejoin.blur.currentData() == "full"
    assert not prejoin.camera_device.isEnabled() and not prejoin.mic_device.isEnabled()
    assert not win.start.language.isEnabled()
    prefs = win.prefs
    assert (prefs.blur, prefs.language, prefs.camera_device, prefs.mic_device) == \
        ("full", "", "", "")
    prefs.blur = "off"                       # a write through the API is ignored too
    assert prefs.blur == "full" and settings.value("blur") == "off"


def test_unlocked_preferences_stay_free(qtbot, make_window, settings) -> None:
    settings.setValue("blur", "off")
    win = make_window(Room(), Policy(blur="full"))
    win.open_link(link("pupil"))
    assert win.prejoin.blur.isEnabled() and win.prejoin.blur.currentData() == "off"
    assert win.prejoin.camera_device.isEnabled() and win.start.language.isEnabled()


def test_macos_sample_profile_locks_the_window(qtbot, make_window, tmp_path: Path) -> None:
    payload = plistlib.loads(SAMPLE_PROFILE.read_bytes())["PayloadContent"][0]
    (tmp_path / f"{policy_macos.BUNDLE_ID}.plist").write_bytes(plistlib.dumps(payload))
    policy = policy_macos.load_managed_policy(tmp_path, user="pupil")
    win = make_window(Room(), policy)
    win.open_link(link("pupil"))
    assert not win.prejoin.blur.isEnabled() and win.prejoin.blur.currentData() == "full"
    assert not win.start.language.isEnabled()
    assert win.prejoin.camera_device.isEnabled()         # not locked by the sample
