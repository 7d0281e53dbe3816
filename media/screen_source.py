"""What a share sends: frames of a screen, a window, a file or a synthetic slide,
paced for detail rather than motion.

15 frames a second while the picture changes (and for a second after the last
change), 5 while it stands still, 1 once it has stood still for 2 s. A picture
that is not moving is looked at again the moment something is drawn where the
display says so (X11's DAMAGE extension: a change goes out within a few ms, and
a still screen costs one grab a second), else 5 times a second (a change goes out
within 200 ms). At most 1920x1080, larger pictures scaled down.
The grab runs in a worker thread. An unchanged picture is not converted again.
A window that is hidden sends nothing (never a black or stale picture); a window
that is closed ends the read with ShareEnded.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import time

import numpy as np
from av import VideoFrame

from klasse.media.screen_capture import MAX_SIZE, DamageWatch, Grabber, open_grabber, to_i420
from klasse.media.sources import AvSource, SourceClosed, SourceError
from klasse.media.synthetic import stamp_counter

IDLE_FPS = 5
MOVING_FPS = 15
MOVING_HOLD_S = 1.0      # stay at the moving rate this long after the last change
# A picture still for this long has been refined by the encoder; from then on it is
# still looked at POLL_FPS times a second (a change goes out at once) but sent only
# STILL_FPS times: encoding an unchanged 1080p frame costs ~20 ms of CPU.
STILL_AFTER_S = 2.0
STILL_FPS = 1
# How often a picture that is not moving is looked at for a change (grab + compare
# ~7 ms of CPU each) where no damage watch tells us (Windows, macOS, an X server
# without DAMAGE). 10 was tried: on the loaded 2-core test machine the bench's one
# process (teacher and pupil) then fell behind and lost changes.
POLL_FPS = 5
HIDDEN_POLL_S = 0.2      # how often a hidden window is looked at again
# A receiver's jitter buffer lets a frame go only when the next one starts arriving:
# after a change, the next frame follows at once so the change shows without
# waiting a whole frame interval.
FLUSH_AFTER_CHANGE_S = 0.02
VIDEO_CLOCK = 90_000


class ScreenSource:
    """A CaptureSource (kind video) over a share spec: screen, screen:N, window:ID,
    synthetic (a text slide whose page changes every 3 s) or file:PATH."""

    kind = "video"

    def __init__(self, spec: str, limit: tuple[int, int] = MAX_SIZE,
                 grabber: Grabber | None = None) -> None:
        self.spec = spec
        self.limit = limit
        self.opens = 0
        self.frames = 0          # frames handed out
        self.changes = 0         # of which with a changed picture
        self.grab_s = 0.0        # seconds spent grabbing and converting (worker thread)
        self._given = grabber
        self._grabber: Grabber | None = None
        self._file: AvSource | None = None
        self._lock = asyncio.Lock()
        self._last_raw: np.ndarray | None = None
        self._last_i420: np.ndarray | None = None
        self._last_change = 0.0
        self._next_due = 0.0
        self._still = False      # the last frame handed out showed no change
        self._last_sent = 0.0
        self._keep_copies = False
        self._drawn = asyncio.Event()   # set when the damage watch saw drawing

    @property
    def is_open(self) -> bool:
        return self._grabber is not None or self._file is not None

    async def open(self) -> None:
        async with self._lock:
            if self.is_open:
                return
            if self.spec.startswith("file:"):
                src = AvSource("video", self.spec[5:], loop=True)
                await src.open()
                self._file = src
            elif self._given is not None:
                self._grabber = self._given
            elif self.spec == "synthetic":
                self._grabber = SlideGrabber()
            else:
                self._grabber = await asyncio.to_thread(open_grabber, self.spec)
            self.opens += 1
            self._last_raw = None
            self._last_i420 = None
            self._next_due = time.monotonic()

    async def read(self) -> VideoFrame:
        if self._file is not None:
            frame = await self._file.read()
            assert isinstance(frame, VideoFrame)
            return self._from_array(await asyncio.to_thread(
                lambda: to_i420(frame.to_ndarray(format="bgra"), self.limit)))
        while True:
            watch = getattr(self._grabber, "watch", None)
            if watch is not None and self._still:
                # A still picture with a damage watch: look again as soon as something
                # is drawn, or when the still picture is due to be sent again.
                await self._wait_for_drawing(watch, self._resend_due() - time.monotonic())
            else:
                delay = self._next_due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            async with self._lock:
                grabber = self._grabber
                if grabber is None:
                    raise SourceClosed()
                if watch is not None:
                    watch.take()   # re-armed before the grab: later drawing wakes us
                t0 = time.perf_counter()
                changes = self.changes
                i420 = await asyncio.to_thread(self._grab, grabber)
                self.grab_s += time.perf_counter() - t0
            now = time.monotonic()
            if i420 is None:
                self._next_due = now + HIDDEN_POLL_S
                continue
            changed = self.changes != changes
            moving = now - self._last_change < MOVING_HOLD_S
            if changed and self._still:   # the first change after a still picture
                self._next_due = now + FLUSH_AFTER_CHANGE_S
            else:
                rate = MOVING_FPS if moving else POLL_FPS
                self._next_due = max(self._next_due + 1 / rate, now)
            self._still = not changed and not moving
            if self._still and now < self._resend_due():
                continue   # looked at, unchanged: not due to be sent again yet
            self._last_sent = now
            return self._from_array(i420)

    def _resend_due(self) -> float:
        """When a still picture is next sent (IDLE_FPS, then STILL_FPS once settled)."""
        settled = time.monotonic() - self._last_change > STILL_AFTER_S
        return self._last_sent + 1 / (STILL_FPS if settled else IDLE_FPS) - 0.01

    async def _wait_for_drawing(self, watch: DamageWatch, timeout: float) -> None:
        if timeout <= 0:
            return
        loop = asyncio.get_running_loop()
        drawn = self._drawn = asyncio.Event()
        loop.add_reader(watch.fileno(), drawn.set)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(drawn.wait(), timeout)
        finally:
            loop.remove_reader(watch.fileno())

    def _grab(self, grabber: Grabber) -> np.ndarray | None:
        img = grabber.grab()
        if img is None:
            self._last_raw = None
            return None
        last = self._last_raw
        if last is not None and img is not last and np.shares_memory(img, last):
            self._keep_copies = True   # this grabber reuses its buffer
        if last is not None and self._last_i420 is not None and (
                img is last or (img.shape == last.shape and np.array_equal(img, last))):
            return self._last_i420
        # mss hands out a new buffer per grab: keeping it costs no copy.
        self._last_raw = img.copy() if self._keep_copies else img
        self._last_i420 = to_i420(img, self.limit)
        self._last_change = time.monotonic()
        self.changes += 1
        return self._last_i420

    def _from_array(self, i420: np.ndarray) -> VideoFrame:
        frame = VideoFrame.from_ndarray(i420, format="yuv420p")
        frame.pts = int(time.monotonic() * VIDEO_CLOCK)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self.frames += 1
        return frame

    async def close(self) -> None:
        watch = getattr(self._grabber, "watch", None)
        if watch is not None:   # no longer watched before its connection closes
            asyncio.get_running_loop().remove_reader(watch.fileno())
            self._drawn.set()
        async with self._lock:
            grabber, self._grabber = self._grabber, None
            src, self._file = self._file, None
            self._last_raw = self._last_i420 = None
        if grabber is not None:
            await asyncio.to_thread(grabber.close)
        if src is not None:
            await src.close()


SLIDE_LINES = (
    "Synthetic slide {page}",
    "Klasse shares this picture as a second video track.",
    "Small text must stay readable at the pupil's side.",
    "The page number changes every three seconds.",
)


class SlideGrabber:
    """A generated 1920x1080 text slide (no display needed); the page number, also
    stamped in the top-left blocks, changes every `period_s`."""

    def __init__(self, size: tuple[int, int] = (1920, 1080), period_s: float = 3.0) -> None:
        self.size = size
        self.period_s = period_s
        self._t0 = time.monotonic()
        self._page = -1
        self._img: np.ndarray | None = None

    def grab(self) -> np.ndarray:
        page = int((time.monotonic() - self._t0) / self.period_s)
        if page != self._page or self._img is None:
            self._page = page
            self._img = render_text_page([s.format(page=page + 1) for s in SLIDE_LINES],
                                         self.size)
            stamp_counter(self._img, page + 1)
        return self._img

    def close(self) -> None:
        self._img = None


def render_text_page(lines: list[str], size: tuple[int, int] = (1920, 1080),
                     scale: float = 1.2, top: int = 80) -> np.ndarray:
    """Black text on white as BGRA (OpenCV's Hershey font; 1.2 is about 12 pt at 96 dpi)."""
    import cv2

    w, h = size
    img = np.full((h, w, 4), 255, np.uint8)
    step = int(48 * scale)
    for i, line in enumerate(lines):
        cv2.putText(img, line, (60, top + i * step), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (0, 0, 0, 255), 2, cv2.LINE_AA)
    return img


__all__ = ["ScreenSource", "SlideGrabber", "SourceError", "render_text_page"]
