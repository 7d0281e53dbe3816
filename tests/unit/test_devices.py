"""Device discovery reads names only and parses what the kernel reports."""

from __future__ import annotations

from pathlib import Path

from klasse.app.devices import list_cameras, list_microphones


def test_cameras_from_sysfs(tmp_path: Path) -> None:
    for name, label in (("video10", "Virtual"), ("video0", "Integrated Camera")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "name").write_text(label + "\n")
    cams = list_cameras(tmp_path)
    assert [(c.id, c.label) for c in cams] == [("v4l2:/dev/video0", "Integrated Camera"),
                                               ("v4l2:/dev/video10", "Virtual")]


def test_microphones_only_capture_devices(tmp_path: Path) -> None:
    pcm = tmp_path / "pcm"
    pcm.write_text("00-00: ALC257 Analog : ALC257 Analog : playback 1 : capture 1\n"
                   "00-03: HDMI 0 : HDMI 0 : playback 1\n"
                   "01-00: USB Audio : USB Audio : capture 1\n")
    mics = list_microphones(pcm)
    assert [(m.id, m.label) for m in mics] == [("alsa:hw:0,0", "ALC257 Analog"),
                                               ("alsa:hw:1,0", "USB Audio")]
    assert list_microphones(tmp_path / "absent") == []
