"""Which cameras and microphones this computer has, found without opening any of them.

Only names are read (sysfs for video, /proc/asound for ALSA capture devices); a
device is opened by the media engine when, and only when, the user turns it on.
Device ids: "" the system default, "synthetic" a generated test pattern/tone,
"v4l2:/dev/videoN", "alsa:hw:CARD,DEV".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    label: str


def list_cameras(sysfs: Path = Path("/sys/class/video4linux")) -> list[DeviceInfo]:
    found: list[DeviceInfo] = []
    for entry in sorted(sysfs.glob("video*"), key=lambda p: (len(p.name), p.name)):
        try:
            label = (entry / "name").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            continue
        found.append(DeviceInfo(f"v4l2:/dev/{entry.name}", label or entry.name))
    return found


def list_microphones(pcm: Path = Path("/proc/asound/pcm")) -> list[DeviceInfo]:
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
