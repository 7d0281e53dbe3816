"""Camera and microphone sources that hold their device only while open.

A source is inert when made: `open()` acquires the device (or file), `read()` hands
out frames, `close()` releases it. media/privacy_gate.py decides when to open and
close; nothing else may. Kinds of source:
- synthetic: generated frames, no device at all (tests, benchmarks, demos);
- file:PATH: a video or audio file through PyAV, looped, paced at its own rate;
- cameras (v4l2 / dshow / avfoundation) through PyAV: media/cameras.py;
- microphones through PortAudio: media/microphone.py (PyAV's own ALSA cannot find
  the system's configuration, and its wheels have no PulseAudio input).
"""

from __future__ import annotations

import asyncio
import fractions
import threading
import time
from typing import Literal, Protocol

import av
import av.container
from av import AudioFrame, VideoFrame
from av.audio.resampler import AudioResampler

from klasse.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack

Kind = Literal["video", "audio"]
Frame = VideoFrame | AudioFrame
AUDIO_RATE = 48_000
AUDIO_FRAME_SAMPLES = 960   # 20 ms, what Opus is fed


class SourceError(Exception):
    """The device or file cannot be opened or read."""


class SourceClosed(Exception):
    """read() was interrupted because the source was closed."""


class CaptureSource(Protocol):
    kind: Kind
    opens: int          # how many times the device/file was opened (privacy tests)

    @property
    def is_open(self) -> bool: ...
    async def open(self) -> None: ...
    async def read(self) -> Frame: ...
    async def close(self) -> None: ...


class SyntheticSource:
    """Generated frames; `open` only starts the clock (there is no device)."""

    def __init__(self, kind: Kind, width: int = 160, height: int = 120, fps: int = 15) -> None:
        self.kind = kind
        self.size = (width, height, fps)
        self.opens = 0
        self._track: SyntheticVideoTrack | SyntheticAudioTrack | None = None

    @property
    def is_open(self) -> bool:
        return self._track is not None

    async def open(self) -> None:
        if self._track is None:
            w, h, fps = self.size
            self._track = SyntheticVideoTrack(w, h, fps) if self.kind == "video" else SyntheticAudioTrack()
            self.opens += 1

    async def read(self) -> Frame:
        track = self._track
        if track is None:
            raise SourceClosed()
        frame = await track.recv()
        if self._track is not track:
            raise SourceClosed()
        return frame  # type: ignore[return-value]

    async def close(self) -> None:
        self._track = None


class AvSource:
    """A file or capture device read through PyAV; decoding runs in a worker thread.

    Files are paced at their own timestamps and looped; devices pace themselves.
    """

    def __init__(self, kind: Kind, url: str, fmt: str | None = None,
                 options: dict[str, str] | None = None, loop: bool = False) -> None:
        self.kind = kind
        self.url, self.fmt, self.options, self.loop = url, fmt, dict(options or {}), loop
        self.opens = 0
        self._container: av.container.InputContainer | None = None
        self._frames: object = None
        self._lock = asyncio.Lock()     # read and close never overlap on the container
        self._thread_lock = threading.Lock()
        self._resampler: AudioResampler | None = None
        self._pending: list[AudioFrame] = []
        self._start: float | None = None
        self._first_pts: float | None = None
        self._offset = 0.0              # seconds added per loop of a file

    @property
    def is_open(self) -> bool:
        return self._container is not None

    async def open(self) -> None:
        async with self._lock:
            if self._container is not None:
                return
            try:
                container = await asyncio.to_thread(
                    av.open, self.url, "r", format=self.fmt, options=self.options)
            except (OSError, av.FFmpegError) as exc:
                raise SourceError(f"cannot open {self.url}: {exc}") from None
            if not (container.streams.video if self.kind == "video" else container.streams.audio):
                container.close()
                raise SourceError(f"{self.url} has no {self.kind} stream")
            self._container = container  # type: ignore[assignment]
            self.opens += 1
            self._frames = self._decode()
            self._start = None
            self._first_pts = None
            self._offset = 0.0
            if self.kind == "audio":
                self._resampler = AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE,
                                                 frame_size=AUDIO_FRAME_SAMPLES)
                self._pending = []

    def _decode(self):  # type: ignore[no-untyped-def]
        container = self._container
        assert container is not None
        while True:
            stream = container.streams.video[0] if self.kind == "video" else container.streams.audio[0]
            last = 0.0
            for frame in container.decode(stream):
                t = float(frame.pts * frame.time_base) if frame.pts is not None else last
                last = t
                yield frame, t + self._offset
            if not self.loop:
                return
            self._offset += last + 0.04
            container.seek(0)

    def _next(self) -> tuple[Frame, float] | None:
        with self._thread_lock:
            if self._frames is None:
                return None
            return next(self._frames, None)  # type: ignore[call-overload, no-any-return]

    async def read(self) -> Frame:
        while True:
            if self._pending:
                return self._pending.pop(0)
            async with self._lock:
                if self._container is None:
                    raise SourceClosed()
                try:
                    item = await asyncio.to_thread(self._next)
                except av.FFmpegError as exc:
                    raise SourceError(f"reading {self.url} failed: {exc}") from None
            if item is None:
                raise SourceError(f"{self.url} ended")
            frame, t = item
            if self.loop:   # a file: play it at its own speed
                now = time.monotonic()
                if self._start is None or self._first_pts is None:
                    self._start, self._first_pts = now, t
                delay = self._start + (t - self._first_pts) - now
                if delay > 0:
                    await asyncio.sleep(delay)
            if isinstance(frame, AudioFrame):
                assert self._resampler is not None
                frame.pts = None  # let the resampler count samples itself
                self._pending.extend(self._resampler.resample(frame))
                continue
            if self._container is None:
                raise SourceClosed()
            return frame

    async def close(self) -> None:
        async with self._lock:   # waits for an in-flight decode to finish
            container, self._container = self._container, None
            with self._thread_lock:
                self._frames = None
            self._pending = []
            if container is not None:
                container.close()


def parse_source(spec: str, kind: Kind, width: int = 160, height: int = 120,
                 fps: int = 15) -> CaptureSource | None:
    """Make the (closed) source a spec names: off, synthetic, file:PATH, v4l2:DEV,
    alsa:NAME, pulse:NAME, or camera / microphone for the system default device."""
    if spec == "off":
        return None
    if spec == "synthetic":
        return SyntheticSource(kind, width, height, fps)
    scheme, _, rest = spec.partition(":")
    if scheme == "file" and rest:
        return AvSource(kind, rest, loop=True)
    if spec == "v4l2":
        spec = "camera"
    from klasse.media.cameras import DEFAULT_MODE, camera_source, is_camera_spec

    if is_camera_spec(spec, kind):
        # The small default size is the synthetic test picture's; a real camera
        # opens at what it offers near 640x480@15 (media/cameras.py).
        return camera_source(spec, (width, height, fps) if width >= 320 else DEFAULT_MODE)
    raise SourceError(f"unknown {kind} source {spec!r}: use off, synthetic, file:PATH, "
                      + ("default, v4l2:/dev/videoN, dshow:NAME or avfoundation:NAME"
                         if kind == "video" else
                         "default, pulse:NAME or device:NAME (app/call_audio.py opens those)"))


def restamp(frame: Frame, pts: int, clock: int) -> Frame:
    frame.pts = pts
    frame.time_base = fractions.Fraction(1, clock)
    return frame
