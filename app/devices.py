"""Which cameras, microphones and speakers this computer has, found without opening any.

Cameras: media/cameras.py (sysfs on Linux, FFmpeg's dshow / avfoundation listers on
Windows and macOS). Microphones and speakers: media/audio_devices.py (the sound
server on Linux, PortAudio's system list elsewhere); on a Linux box without a
sound server, ALSA capture devices from /proc/asound. A device is opened by the
media engine when, and only when, the user turns it on (the speaker: from join).
Device ids: "" the system default, "synthetic" a generated test pattern/tone,
"v4l2:/dev/videoN", "dshow:NAME", "avfoundation:NAME", "pulse:NAME",
"device:NAME", "alsa:hw:CARD,DEV".
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from klasse.media import cameras
from klasse.media.audio_devices import list_audio_devices

SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    label: str


def list_cameras(sysfs: Path = Path("/sys/class/video4linux")) -> list[DeviceInfo]:
    return [DeviceInfo(c.id, c.label) for c in cameras.list_cameras(sysfs)]


def list_microphones(pcm: Path = Path("/proc/asound/pcm")) -> list[DeviceInfo]:
    """The sound server's microphones (default first); ALSA's where there is none."""
    found = [DeviceInfo(d.id, d.label) for d in list_audio_devices("input")]
    if found or not sys.platform.startswith("linux"):
        return found
    return _alsa_capture_devices(pcm)


def list_speakers() -> list[DeviceInfo]:
    return [DeviceInfo(d.id, d.label) for d in list_audio_devices("output")]


def _alsa_capture_devices(pcm: Path) -> list[DeviceInfo]:
    # Lines look like "00-00: ALC257 Analog : ALC257 Analog : playback 1 : capture 1"
    found: list[DeviceInfo] = []
    try:
        lines = pcm.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return found
    for line in lines:
        fields = [f.strip() for f in line.split(":")]
        if len(fields) < 3 or not any(f.startswith("capture") for f in fields[3:]):
            continue
        card, _, dev = fields[0].partition("-")
        if card.isdigit() and dev.isdigit():
            found.append(DeviceInfo(f"alsa:hw:{int(card)},{int(dev)}", fields[1]))
    return found


@dataclass(frozen=True)
class DeviceLists:
    """One look at every kind of device; compare two to see what was plugged in or out."""
    cameras: tuple[DeviceInfo, ...]
    microphones: tuple[DeviceInfo, ...]
    speakers: tuple[DeviceInfo, ...]

    @classmethod
    def now(cls) -> DeviceLists:
        """Lists only (no device opened); takes a few ms (one `pactl` on Linux)."""
        return cls(tuple(list_cameras()), tuple(list_microphones()), tuple(list_speakers()))
