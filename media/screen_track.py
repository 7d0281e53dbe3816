"""The shared screen as an aiortc track: gated like the camera, never blurred.

Off means no source is open and `recv()` waits, so the sender transmits nothing.
`share(source)` opens a share (replacing one that runs); when the source ends by
itself (the shared window was closed, the display went away) the track turns off
and calls `on_ended` with the reason, so the call can stop the share and say why.
Frames are restamped on the track's own 90 kHz clock so that stops, starts and
source changes look like one continuous stream to the encoder.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame

from klasse.media.sources import CaptureSource, SourceClosed, SourceError, restamp

VIDEO_CLOCK = 90_000
# Bits per second for the screen's VP8 encoder: what kept 12 pt text readable at
# 1920x1080 (bench/screen_share.py); aiortc caps its encoder at 1.5 Mbit/s.
SCREEN_BITRATE = 1_500_000


class ScreenTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, on_ended: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.source: CaptureSource | None = None
        self.on_ended = on_ended
        self._on = asyncio.Event()
        self._t0 = time.monotonic()
        self._last_pts = -1
        self.frames_out = 0

    @property
    def is_on(self) -> bool:
        return self._on.is_set() and self.readyState == "live"

    async def share(self, source: CaptureSource) -> None:
        """Open `source` and send it; raises SourceError if it cannot be opened (the
        previous share, if any, keeps running then)."""
        await source.open()
        old, self.source = self.source, source
        if old is not None and old is not source:
            await old.close()
        self._on.set()

    async def unshare(self) -> None:
        """Stop sending and release the source; returns once it is closed."""
        self._on.clear()
        source, self.source = self.source, None
        if source is not None:
            await source.close()

    async def recv(self) -> VideoFrame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            await self._on.wait()
            source = self.source
            if source is None:
                self._on.clear()
                continue
            try:
                frame = await source.read()
            except SourceClosed:
                continue
            except SourceError as exc:
                if self.source is source:   # not replaced meanwhile: the share is over
                    await self.unshare()
                    if self.on_ended is not None:
                        self.on_ended(str(exc))
                continue
            if not self._on.is_set() or self.source is not source:
                continue
            assert isinstance(frame, VideoFrame)
            self.frames_out += 1
            pts = max(int((time.monotonic() - self._t0) * VIDEO_CLOCK), self._last_pts + 1)
            self._last_pts = pts
            return restamp(frame, pts, VIDEO_CLOCK)  # type: ignore[return-value]

    def stop(self) -> None:
        """End the track for good (the call is over)."""
        super().stop()
        self._on.set()
