"""Microphones and speakers: listed without opening any, and opened by spec.

Device specs (what the pickers store and the headless flags take):
- `default`: the operating system's default device, followed when it changes
  (PulseAudio/PipeWire move a stream without a fixed device; PortAudio's WASAPI and
  CoreAudio defaults are read again before each open).
- `pulse:NAME`: a PulseAudio/PipeWire source or sink by name (Linux).
- `device:NAME`: a PortAudio device by name (Windows WASAPI, macOS CoreAudio).
- `null` (speaker only): no device; the mix is clocked and measured but not played.

Listing never opens a device. On Linux it asks the sound server (`pactl`), because
PortAudio's ALSA enumeration opens every PCM to probe it; elsewhere it asks
PortAudio, whose WASAPI and CoreAudio enumeration only reads the system's list.
PortAudio freezes that list when it starts, so it is refreshed (re-initialised)
only while no stream of ours is open.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["input", "output"]
PACTL_TIMEOUT_S = 3.0
_PULSE_ENV = {"input": "PULSE_SOURCE", "output": "PULSE_SINK"}
_env_lock = threading.Lock()
_open_streams = 0
_count_lock = threading.Lock()


class AudioDeviceError(Exception):
    """The spec names no device, or the device cannot be used."""


@dataclass(frozen=True)
class AudioDevice:
    id: str          # a spec: "pulse:NAME", "device:NAME"
    label: str
    direction: Direction
    default: bool = False


# ------------------------------------------------------------------ listing
def list_audio_devices(direction: Direction) -> list[AudioDevice]:
    """Every microphone (`input`) or speaker (`output`), the system default first."""
    if sys.platform.startswith("linux"):
        found = _pulse_devices(direction)
        if found is not None:
            return found
        return []   # no sound server: ALSA-only boxes are listed by app/devices.py
    return _portaudio_devices(direction)


def _pactl(*args: str) -> str | None:
    exe = shutil.which("pactl")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, *args], capture_output=True, text=True,
                              timeout=PACTL_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _pulse_devices(direction: Direction) -> list[AudioDevice] | None:
    kind = "sources" if direction == "input" else "sinks"
    raw = _pactl("-f", "json", "list", kind)
    if raw is None:
        return None
    try:
        items: list[dict[str, Any]] = json.loads(raw)
    except ValueError:
        return None
    default = (_pactl("get-default-source" if direction == "input" else "get-default-sink")
               or "").strip()
    out: list[AudioDevice] = []
    for item in items:
        name = str(item.get("name", ""))
        props = item.get("properties") or {}
        if not name or (direction == "input" and props.get("device.class") == "monitor"):
            continue   # a monitor records the speakers, not a microphone
        label = str(item.get("description") or name)
        out.append(AudioDevice(f"pulse:{name}", label, direction, name == default))
    out.sort(key=lambda d: not d.default)
    return out


def _portaudio_devices(direction: Direction) -> list[AudioDevice]:
    try:
        import sounddevice as sd
    except (ImportError, OSError):
        return []
    refresh_portaudio()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except Exception:  # PortAudio errors are plain Exceptions subclasses
        return []
    preferred = {"win32": "Windows WASAPI", "darwin": "Core Audio"}.get(sys.platform)
    channels = "max_input_channels" if direction == "input" else "max_output_channels"
    default_idx = default_in if direction == "input" else default_out
    out: list[AudioDevice] = []
    for idx, dev in enumerate(devices):
        api = apis[dev["hostapi"]]["name"]
        if dev[channels] < 1 or (preferred and api != preferred):
            continue
        out.append(AudioDevice(f"device:{dev['name']}", dev["name"], direction,
                               idx == default_idx))
    out.sort(key=lambda d: not d.default)
    return out


def refresh_portaudio() -> bool:
    """Re-read PortAudio's device list (hot-plug) when none of our streams is open."""
    with _count_lock:
        if _open_streams:
            return False
        try:
            import sounddevice as sd
            sd._terminate()
            sd._initialize()
        except Exception:
            return False
        return True


# ------------------------------------------------------------------ opening
@dataclass(frozen=True)
class OpenSpec:
    """How to open a spec with sounddevice: its device argument and environment."""
    device: str | int | None
    env: dict[str, str | None]


def resolve(spec: str, direction: Direction) -> OpenSpec:
    scheme, _, name = spec.partition(":")
    env_key = _PULSE_ENV[direction]
    if spec == "default":
        if sys.platform.startswith("linux"):
            # "pulse" goes to the sound server's default and follows it; without a
            # sound server ALSA's own default is all there is.
            return OpenSpec("pulse" if _pactl("info") is not None else "default",
                            {env_key: None})
        return OpenSpec(None, {})
    if scheme == "pulse" and name:
        return OpenSpec("pulse", {env_key: name})
    if scheme == "device" and name:
        return OpenSpec(_portaudio_index(name, direction), {})
    raise AudioDeviceError(f"unknown {'microphone' if direction == 'input' else 'speaker'} "
                           f"{spec!r}: use default, pulse:NAME or device:NAME")


def _portaudio_index(name: str, direction: Direction) -> int:
    import sounddevice as sd

    refresh_portaudio()
    channels = "max_input_channels" if direction == "input" else "max_output_channels"
    candidates = [(i, d["name"]) for i, d in enumerate(sd.query_devices()) if d[channels] > 0]
    for idx, dev_name in candidates:
        if dev_name == name:
            return idx
    for idx, dev_name in candidates:
        if name.lower() in dev_name.lower():
            return idx
    raise AudioDeviceError(f"no {direction} device named {name!r}")


@contextmanager
def opening(spec: OpenSpec) -> Iterator[None]:
    """Set the spec's environment while a stream opens (libpulse reads PULSE_SOURCE /
    PULSE_SINK when the stream connects), then put the old values back."""
    with _env_lock:
        old = {k: os.environ.get(k) for k in spec.env}
        try:
            for key, value in spec.env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            yield
        finally:
            for key, value in old.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def stream_opened() -> None:
    global _open_streams
    with _count_lock:
        _open_streams += 1


def stream_closed() -> None:
    global _open_streams
    with _count_lock:
        _open_streams = max(0, _open_streams - 1)


def device_present(spec: str, direction: Direction) -> bool | None:
    """Is the device a spec names still there? None when that cannot be told (an
    ALSA name on Linux; PortAudio's list while one of our streams holds it frozen)."""
    if spec in ("default", "null"):
        return True
    scheme, _, name = spec.partition(":")
    if scheme == "pulse":
        if _pactl("info") is None:
            return False   # the sound server itself is gone
        return any(d.id == spec for d in _pulse_devices(direction) or [])
    if scheme == "device" and not sys.platform.startswith("linux"):
        listed = _portaudio_devices(direction)
        if not listed:
            return None
        return any(d.label == name or name.lower() in d.label.lower() for d in listed)
    return None
