"""The share source and track without a display: pacing by change, size limits, a
hidden window sends nothing, a closed one ends the share with its reason."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from klasse.media.screen_capture import ShareEnded, fit_size, to_i420
from klasse.media.screen_source import (
    IDLE_FPS,
    MOVING_FPS,
    POLL_FPS,
    STILL_AFTER_S,
    STILL_FPS,
    ScreenSource,
)
from klasse.media.screen_track import ScreenTrack


class FakeGrabber:
    """A picture that changes on every grab (`moving`) or never; `hidden`/`gone` on demand."""

    def __init__(self, moving: bool, size: tuple[int, int] = (192, 108)) -> None:
        self.moving, self.size = moving, size
        self.n = 0
        self.hidden = False
        self.gone = False
        self.closed = False

    def grab(self) -> np.ndarray | None:
        if self.gone:
            raise ShareEnded("the shared window was closed")
        if self.hidden:
            return None
        self.n += 1
        w, h = self.size
        img = np.full((h, w, 4), 200, np.uint8)
        if self.moving:
            img[0, 0, 0] = self.n % 250
        return img

    def close(self) -> None:
        self.closed = True


async def _rate(src: ScreenSource, seconds: float) -> float:
    t0, n = time.monotonic(), 0
    while time.monotonic() - t0 < seconds:
        await src.read()
        n += 1
    return n / seconds


async def test_still_pictures_go_at_the_idle_rate_moving_ones_faster() -> None:
    grabber = FakeGrabber(moving=False)
    still = ScreenSource("x", grabber=grabber)
    await still.open()
    await _rate(still, 1.1)             # the first picture counts as a change
    idle = await _rate(still, 0.8)      # 1.1 s to 1.9 s: refining at the idle rate
    await asyncio.sleep(0.3)
    looked = grabber.n
    settled = await _rate(still, 3.0)   # still for over STILL_AFTER_S: sent rarely...
    assert STILL_AFTER_S < 2.3
    assert grabber.n - looked >= 3 * POLL_FPS * 0.6   # ...but looked at often
    moving = ScreenSource("x", grabber=FakeGrabber(moving=True))
    await moving.open()
    fast = await _rate(moving, 2.0)
    assert IDLE_FPS / 2 <= idle <= IDLE_FPS + 1.5, idle
    assert settled <= STILL_FPS + 0.7, settled
    assert 2 * IDLE_FPS < fast <= MOVING_FPS + 2, fast
    assert still.changes == 1            # an unchanged picture is not converted again
    await still.close()
    await moving.close()


async def test_hidden_sends_nothing_and_closed_ends_the_share() -> None:
    grabber = FakeGrabber(moving=False)
    ended: list[str] = []
    track = ScreenTrack(on_ended=ended.append)
    await track.share(ScreenSource("x", grabber=grabber))
    await track.recv()
    grabber.hidden = True
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(track.recv(), 0.8)   # no black, no stale frame
    grabber.hidden = False
    grabber.gone = True
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(track.recv(), 0.8)
    assert ended == ["the shared window was closed"]
    assert not track.is_on and track.source is None and grabber.closed
    track.stop()


def test_sizes_are_even_and_within_1920x1080() -> None:
    assert fit_size(2560, 1440) == (1920, 1080)
    assert fit_size(3840, 1600) == (1920, 800)
    assert fit_size(1001, 501) == (1000, 500)
    assert fit_size(800, 600) == (800, 600)          # never scaled up
    i420 = to_i420(np.zeros((1440, 2560, 4), np.uint8))
    assert i420.shape == (1080 * 3 // 2, 1920)


def test_wayland_is_refused_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    from klasse.media.screen_capture import ScreenUnavailable, open_grabber

    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    with pytest.raises(ScreenUnavailable, match="Wayland"):
        open_grabber("screen")
