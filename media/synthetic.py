"""Synthetic camera and microphone: no device is ever touched.

The video source stamps its frame counter into the pixels (a row of black/white
blocks, 32 bits) so that a receiver can read back which frame it got; benchmarks
use that for glass-to-glass latency and loss.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time

import numpy as np
from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame, VideoFrame

VIDEO_CLOCK = 90_000
AUDIO_RATE = 48_000
STAMP_BITS = 20  # 160 px wide: fits the smallest test frame; 19 h at 15 fps
STAMP_BLOCK = 8  # pixels per bit, survives VP8 at low bitrates


def stamp_counter(img: np.ndarray, counter: int) -> None:
    """Write `counter` as STAMP_BITS blocks along the top-left edge of a BGR/RGB image."""
    for bit in range(STAMP_BITS):
        value = 255 if (counter >> bit) & 1 else 0
        x = bit * STAMP_BLOCK
        img[0:STAMP_BLOCK, x:x + STAMP_BLOCK] = value


def read_counter(img: np.ndarray) -> int:
    """Inverse of stamp_counter, tolerant of codec noise (threshold at mid-grey)."""
    counter = 0
    half = STAMP_BLOCK // 2
    for bit in range(STAMP_BITS):
        x = bit * STAMP_BLOCK + half
        if int(img[half, x].mean()) > 127:
            counter |= 1 << bit
    return counter


class SyntheticVideoTrack(MediaStreamTrack):
    """A moving colour pattern with a frame counter, paced at `fps`."""

    kind = "video"

    def __init__(self, width: int = 320, height: int = 240, fps: int = 15) -> None:
        super().__init__()
        self.width, self.height, self.fps = width, height, fps
        self._count = 0
        self._start: float | None = None
        yy, xx = np.mgrid[0:height, 0:width]
        self._base = ((xx * 255 // max(width - 1, 1)) ^ (yy * 255 // max(height - 1, 1))).astype(np.uint8)

    @property
    def sent_s(self) -> float:
        """Seconds of video handed out so far (media time, not wall time)."""
        return self._count / self.fps

    async def recv(self) -> VideoFrame:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._count / self.fps
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        img = np.empty((self.height, self.width, 3), np.uint8)
        shift = (self._count * 4) % 256
        img[..., 0] = self._base + shift
        img[..., 1] = self._base[::-1] + shift // 2
        img[..., 2] = 128
        stamp_counter(img, self._count)
        frame = VideoFrame.from_ndarray(img, format="bgr24")
        frame.pts = int(self._count * VIDEO_CLOCK / self.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self._count += 1
        return frame


class SyntheticAudioTrack(MediaStreamTrack):
    """A quiet 440 Hz tone in 20 ms frames."""

    kind = "audio"

    def __init__(self, frequency: float = 440.0) -> None:
        super().__init__()
        self._samples = AUDIO_RATE // 50
        self._pts = 0
        self._start: float | None = None
        self._step = 2 * math.pi * frequency / AUDIO_RATE

    @property
    def sent_s(self) -> float:
        """Seconds of audio handed out so far (media time, not wall time)."""
        return self._pts / AUDIO_RATE

    async def recv(self) -> AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._pts / AUDIO_RATE
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        t = np.arange(self._pts, self._pts + self._samples)
        pcm = (np.sin(t * self._step) * 3000).astype(np.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._pts += self._samples
        return frame
