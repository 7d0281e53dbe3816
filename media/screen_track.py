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
from typing import Any

from aiortc import RTCRtpSender
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame

from klasse.media.rtp_receive import VideoReceiveCore
from klasse.media.sources import CaptureSource, SourceClosed, SourceError, restamp

VIDEO_CLOCK = 90_000
# Bits per second for the screen's VP8 encoder: what kept 12 pt text readable at
# 1920x1080 (bench/screen_share.py); aiortc caps its encoder at 1.5 Mbit/s.
SCREEN_BITRATE = 1_500_000
_SENDER_ENCODER = "_RTCRtpSender__encoder"


class ScreenEncoder(Vp8Encoder):
    """aiortc's VP8 encoder, held at SCREEN_BITRATE from its first frame.

    aiortc's sender makes a 500 kbit/s encoder at its first frame and sets every
    REMB as its target; each change of more than 10 % makes the codec anew, which
    costs a keyframe (a share used to start with two). This one starts at the
    screen's rate and keeps it: REMBs are noted, not applied.
    """

    def __init__(self) -> None:
        super().__init__()
        Vp8Encoder.target_bitrate.fset(self, SCREEN_BITRATE)  # type: ignore[attr-defined]
        self.frames = 0
        self.remb: int | None = None   # the last estimate the receiver sent

    @property
    def target_bitrate(self) -> int:
        return SCREEN_BITRATE

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        self.remb = bitrate

    def encode(self, frame: Any, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        self.frames += 1
        return super().encode(frame, force_keyframe)


def install_screen_encoder(sender: RTCRtpSender) -> ScreenEncoder:
    """Give the screen's sender its encoder before the first frame.

    aiortc (1.16) has no public way to choose a sender's encoder or bitrate; it uses
    one that is there already. This sets that private attribute, and fails loudly
    if aiortc no longer has it rather than sending text at 500 kbit/s unnoticed
    (tests/unit/test_screen_source.py and the share tests check that it is used)."""
    if getattr(sender, _SENDER_ENCODER, ...) is not None:
        raise RuntimeError("aiortc's RTCRtpSender changed: it has no empty encoder slot to fill "
                           f"({_SENDER_ENCODER}); the screen cannot be held at its bitrate")
    encoder = ScreenEncoder()
    setattr(sender, _SENDER_ENCODER, encoder)
    return encoder


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


def screen_playout(core: VideoReceiveCore) -> None:
    """At the receiving end, play a shared screen's frames as soon as they are complete.

    The receive core holds a camera's frames for a jitter allowance (twice the
    measured jitter, up to 100 ms) and spaces frames that completed together, so
    motion stays smooth. A share's frames differ wildly in size (a changed page is
    tens of packets, a still one a few), which reads as jitter: the bench measured a
    median hold of 67 ms on every change. A screen needs no smooth motion, only the
    newest page at once.
    """
    core.max_jitter_delay_s = 0.0
    core.max_lag_s = 0.0
