"""Device discovery reads names only and parses what the kernel reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from klasse.app.devices import list_cameras, list_microphones
from klasse.media.cameras import CameraSource, camera_source, parse_device_log


def test_cameras_from_sysfs(tmp_path: Path) -> None:
    for name, label in (("video10", "Virtual"), ("video0", "Integrated Camera")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "name").write_text(label + "\n")
    cams = list_cameras(tmp_path)
    assert [(c.id, c.label) for c in cams] == [("v4l2:/dev/video0", "Integrated Camera"),
                                               ("v4l2:/dev/video10", "Virtual")]


def test_cameras_skip_metadata_nodes(tmp_path: Path) -> None:
    for name, index in (("video0", "0"), ("video1", "1")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "name").write_text("UVC Camera\n")
        (tmp_path / name / "index").write_text(index + "\n")
    assert [c.id for c in list_cameras(tmp_path)] == ["v4l2:/dev/video0"]


def test_dshow_and_avfoundation_listings() -> None:
    # FFmpeg's log messages as av.logging.Capture hands them (no "[dshow @ 0x..]" prefix)
    dshow = ['"Integrated Camera" (video)\n', '  Alternative name "@device_pnp_\\\\?\\usb#vid"\n',
             '"Microphone Array (Realtek)" (audio)', '"OBS Virtual Camera" (video)']
    assert parse_device_log(dshow) == ["Integrated Camera", "OBS Virtual Camera"]
    old_dshow = ["DirectShow video devices", '"Logitech C920"', "DirectShow audio devices",
                 '"Headset"']
    assert parse_device_log(old_dshow) == ["Logitech C920"]
    avf = ["AVFoundation video devices:", "[0] FaceTime HD Camera", "[1] Capture screen 0",
           "AVFoundation audio devices:", "[0] MacBook Air Microphone"]
    assert parse_device_log(avf) == ["FaceTime HD Camera"]


def test_camera_specs_per_os() -> None:
    win = camera_source("dshow:Integrated Camera")
    assert isinstance(win, CameraSource) and win.fmt == "dshow"
    assert win.url == "video=Integrated Camera" and win.mode == (640, 480, 15)
    mac = camera_source("avfoundation:FaceTime HD Camera")
    assert mac.fmt == "avfoundation" and mac.url == "FaceTime HD Camera"
    assert camera_source("v4l2:/dev/video2").url == "/dev/video2"
    from klasse.media.sources import SourceError
    with pytest.raises(SourceError):
        camera_source("usb:cam")


def test_microphones_only_capture_devices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))   # no pactl: no sound server to ask
    pcm = tmp_path / "pcm"
    pcm.write_text("00-00: ALC257 Analog : ALC257 Analog : playback 1 : capture 1\n"
                   "00-03: HDMI 0 : HDMI 0 : playback 1\n"
                   "01-00: USB Audio : USB Audio : capture 1\n")
    mics = list_microphones(pcm)
    assert [(m.id, m.label) for m in mics] == [("alsa:hw:0,0", "ALC257 Analog"),
                                               ("alsa:hw:1,0", "USB Audio")]
    assert list_microphones(tmp_path / "absent") == []
