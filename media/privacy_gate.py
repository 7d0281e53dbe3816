"""The privacy gate: the only way from a capture device to a published track.

A `GatedTrack` is what the call publishes. While the user has the device off, its
source is closed (the device released, not paused) and `recv()` simply waits: the
sender transmits nothing at all, not even black frames or silence. `turn_on()`
opens the device; `turn_off()` closes it and returns only once it is closed. Frames
are re-timestamped on the gate's own clock so that off/on gaps and source changes
look like one continuous track to the encoder.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from klasse.media.sources import (
    AUDIO_RATE,
    CaptureSource,
    Frame,
    SourceClosed,
    SourceError,
    restamp,
)

VIDEO_CLOCK = 90_000


class GatedTrack(MediaStreamTrack):
    """A published track fed by `source` only while the gate is on."""

    def __init__(self, kind: str, source: CaptureSource | None) -> None:
        super().__init__()
        self.kind = kind
        self.source = source
        self._on = asyncio.Event()
        self._t0 = time.monotonic()
        self._last_pts = -1
        self._samples = 0
        self.frames_out = 0      # frames that left the gate (tests, diagnostics)
        self.failure: str | None = None
        # Told (on the event loop) when the open source fails while on, e.g. a
        # microphone unplugged: the gate is then off, and the call must say so.
        self.on_failure: Callable[[str], None] | None = None

    @property
    def is_on(self) -> bool:
        # stop() sets the event only to wake a waiting recv, not to turn anything on
        return self._on.is_set() and self.readyState == "live"

    async def turn_on(self) -> None:
        """Open the device; raises SourceError if there is none or it fails."""
        if self.source is None:
            raise SourceError(f"no {self.kind} source is configured")
        await self.source.open()
        self._on.set()

    async def turn_off(self) -> None:
        """Stop sending and close the device; returns once it is released."""
        self._on.clear()
        if self.source is not None:
            await self.source.close()

    async def recv(self) -> Frame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError  # the sender stops on an ended track
            await self._on.wait()
            source = self.source
            if source is None:
                self._on.clear()
                continue
            try:
                frame = await source.read()
            except SourceClosed:
                continue   # turned off while waiting for a frame: drop it
            except SourceError as exc:
                self.failure = str(exc)
                await self.turn_off()
                if self.on_failure is not None:
                    self.on_failure(self.failure)
                continue
            if not self._on.is_set():
                continue   # never let a frame through that was read as the gate closed
            self.frames_out += 1
            return self._stamp(frame)

    def _stamp(self, frame: Frame) -> Frame:
        if self.kind == "audio":
            pts = self._samples
            self._samples += frame.samples  # type: ignore[union-attr]
            return restamp(frame, pts, AUDIO_RATE)
        pts = max(int((time.monotonic() - self._t0) * VIDEO_CLOCK), self._last_pts + 1)
        self._last_pts = pts
        return restamp(frame, pts, VIDEO_CLOCK)

    def stop(self) -> None:
        super().stop()
        self._on.set()  # wake a waiting recv so that it sees the stop
