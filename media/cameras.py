"""Cameras on every OS through PyAV: listed without opening one, opened at a size it offers.

- Linux: video4linux (`v4l2:/dev/videoN`), listed from sysfs (names only).
- Windows: DirectShow (`dshow:NAME`), listed by FFmpeg's dshow device lister.
- macOS: AVFoundation (`avfoundation:NAME`), listed by FFmpeg's avfoundation lister.
  The app bundle must carry NSCameraUsageDescription and NSMicrophoneUsageDescription
  (USAGE_STRINGS below; packaging copies them into Info.plist), or macOS refuses
  the device without asking.

The listers ask the OS which devices exist; none of them starts a capture (no
camera light). A camera opens at 640x480 and 15 fps where it offers that; where it
does not, the open is tried again at the other sizes in PREFERRED_MODES, and last at
whatever the device picks itself.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from klasse.media.sources import AvSource, Kind, SourceError

DEFAULT_MODE = (640, 480, 15)
PREFERRED_MODES = [(640, 480, 15), (640, 480, 30), (1280, 720, 15), (1280, 720, 30),
                   (320, 240, 15), (320, 240, 30)]
USAGE_STRINGS = {
    "NSCameraUsageDescription":
        "Klasse shows your camera picture to your class only while you turn the camera on.",
    "NSMicrophoneUsageDescription":
        "Klasse sends your voice to your class only while you turn the microphone on.",
}
CAMERA_FORMATS = {"v4l2": "v4l2", "dshow": "dshow", "avfoundation": "avfoundation"}


@dataclass(frozen=True)
class Camera:
    id: str       # v4l2:/dev/videoN, dshow:NAME, avfoundation:NAME
    label: str


# ------------------------------------------------------------------ listing
def list_cameras(sysfs: Path = Path("/sys/class/video4linux")) -> list[Camera]:
    if sys.platform.startswith("linux"):
        return _v4l2_cameras(sysfs)
    if sys.platform == "win32":
        return [Camera(f"dshow:{n}", n) for n in ffmpeg_device_names("dshow", "dummy")]
    if sys.platform == "darwin":
        return [Camera(f"avfoundation:{n}", n) for n in ffmpeg_device_names("avfoundation", "")]
    return []


def _v4l2_cameras(sysfs: Path) -> list[Camera]:
    found: list[Camera] = []
    for entry in sorted(sysfs.glob("video*"), key=lambda p: (len(p.name), p.name)):
        try:
            label = (entry / "name").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            continue
        # A UVC camera has a second node (index 1) for metadata; only index 0 captures.
        index = entry / "index"
        try:
            if index.exists() and index.read_text().strip() not in ("", "0"):
                continue
        except OSError:
            pass
        found.append(Camera(f"v4l2:/dev/{entry.name}", label or entry.name))
    return found


def ffmpeg_device_names(fmt: str, url: str) -> list[str]:
    """Video device names from FFmpeg's own lister (`list_devices`), read from its log.

    The lister only enumerates; FFmpeg then fails the open on purpose."""
    try:
        import av
        import av.logging
    except ImportError:
        return []
    lines: list[str] = []
    try:
        with av.logging.Capture(True) as logs:
            try:
                av.open(url, format=fmt, options={"list_devices": "true"})
            except (av.FFmpegError, OSError, ValueError):
                pass   # expected: listing ends in a failed open
        lines = [str(entry[2]) for entry in logs]
    except Exception:
        return []
    return parse_device_log(lines)


def parse_device_log(lines: list[str]) -> list[str]:
    """Names of video devices in dshow / avfoundation list output.

    dshow:        `"Integrated Camera" (video)` (FFmpeg >= 4.4), or after a
                  `DirectShow video devices` header: `"NAME"`.
    avfoundation: after `AVFoundation video devices:`: `[0] FaceTime HD Camera`.
    """
    names: list[str] = []
    section: str | None = None
    for raw in lines:
        line = raw.strip()
        low = line.lower()
        if "video devices" in low:
            section = "video"
            continue
        if "audio devices" in low:
            section = "audio"
            continue
        if "alternative name" in low:
            continue
        if line.startswith('"') and '"' in line[1:]:
            name = line[1:line.index('"', 1)]
            tail = line[line.index('"', 1) + 1:].strip()
            if tail == "(video)" or (tail == "" and section == "video"):
                names.append(name)
        elif section == "video" and line.startswith("[") and "]" in line:
            name = line[line.index("]") + 1:].strip()
            if name and not name.lower().startswith("capture screen"):
                names.append(name)
    return list(dict.fromkeys(names))


# ------------------------------------------------------------------ opening
class CameraSource(AvSource):
    """A camera through PyAV; `open()` tries the preferred modes in order."""

    def __init__(self, fmt: str, url: str, mode: tuple[int, int, int] = DEFAULT_MODE) -> None:
        super().__init__("video", url, fmt=fmt)
        self.mode = mode
        self.opened_mode: tuple[int, int, int] | None = None

    def _modes(self) -> list[dict[str, str]]:
        modes = [self.mode] + [m for m in PREFERRED_MODES if m != self.mode]
        out = [{"video_size": f"{w}x{h}", "framerate": str(fps)} for w, h, fps in modes]
        return out + [{}]    # last: whatever the device picks

    async def open(self) -> None:
        errors: list[str] = []
        for options in self._modes():
            self.options = dict(options)
            if self.fmt == "avfoundation":
                self.options.setdefault("pixel_format", "uyvy422")
            try:
                await super().open()
            except SourceError as exc:
                errors.append(str(exc))
                if self._missing(str(exc)):
                    break   # no such device: other sizes will not help
                continue
            if options:
                w, h = options["video_size"].split("x")
                self.opened_mode = (int(w), int(h), int(options["framerate"]))
            return
        raise SourceError(errors[-1] if errors else f"cannot open the camera {self.url}")

    @staticmethod
    def _missing(message: str) -> bool:
        low = message.lower()
        return "no such file" in low or "not found" in low or "could not find" in low


def camera_source(spec: str, mode: tuple[int, int, int] = DEFAULT_MODE) -> CameraSource:
    """The (closed) camera a spec names: default, v4l2:DEV, dshow:NAME, avfoundation:NAME."""
    if spec in ("default", "camera"):
        spec = default_camera()
    scheme, _, rest = spec.partition(":")
    if scheme not in CAMERA_FORMATS or not rest:
        raise SourceError(f"unknown camera {spec!r}: use default, v4l2:/dev/videoN, "
                          "dshow:NAME or avfoundation:NAME")
    if scheme == "dshow":
        return CameraSource("dshow", f"video={rest}", mode)
    return CameraSource(CAMERA_FORMATS[scheme], rest, mode)


def default_camera() -> str:
    if sys.platform == "win32":
        names = ffmpeg_device_names("dshow", "dummy")
        return f"dshow:{names[0]}" if names else "dshow:"
    if sys.platform == "darwin":
        return "avfoundation:default"   # AVFoundation's system default camera
    cams = _v4l2_cameras(Path("/sys/class/video4linux"))
    return cams[0].id if cams else "v4l2:/dev/video0"


def is_camera_spec(spec: str, kind: Kind) -> bool:
    scheme, _, rest = spec.partition(":")
    return kind == "video" and (spec in ("default", "camera") or
                                (scheme in CAMERA_FORMATS and bool(rest)))
