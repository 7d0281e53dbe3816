"""The share source and track without a display: pacing by change, size limits, a
hidden window sends nothing, a closed one ends the share with its reason."""

from __future__ import annotations

import asyncio
import fractions
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


def test_a_shared_screen_plays_a_changed_page_when_it_completes() -> None:
    """Still pages are a few packets, a changed one many: its later arrival reads as
    jitter, and a camera's receive core would hold the next frames for it."""
    from klasse.media.rtp_receive import VideoPacket, VideoReceiveCore
    from klasse.media.screen_track import screen_playout

    def frame(seq: int, ts: int, n: int, key: bool = False) -> list[VideoPacket]:
        tag = b"\x00" if key else b"\x01"
        return [VideoPacket(seq + i, ts, i == n - 1, i == 0, key and i == 0,
                            (tag if i == 0 else b"") + b"xx") for i in range(n)]

    def held(core: VideoReceiveCore) -> list[float]:
        """How long each frame waited after it was complete (one frame a second)."""
        waits, seq = [], 0
        for i in range(12):
            big = i % 3 == 1                   # a changed page: 40 ms more in transit
            arrival = i + (0.045 if big else 0.005)
            for p in frame(seq, i * 90_000, 40 if big else 2, key=i == 0):
                core.add(p, arrival)
            seq += 40 if big else 2
            t = arrival
            while not core.poll(t).frames:
                t += 0.001
            waits.append(t - arrival)
        return waits

    camera = held(VideoReceiveCore())
    assert max(camera[6:]) > 0.02           # what the share suffered before
    screen = VideoReceiveCore()
    screen_playout(screen)
    assert max(held(screen)) < 0.0015


def test_the_screen_encoder_starts_at_its_rate_and_ignores_remb() -> None:
    """aiortc has no public setter: the encoder goes into a private slot of its
    sender. If aiortc drops or renames that slot, this fails (not the text)."""
    import av
    from aiortc import RTCPeerConnection

    from klasse.media.screen_track import SCREEN_BITRATE, ScreenEncoder, install_screen_encoder

    async def sender_slot() -> None:
        pc = RTCPeerConnection()
        try:
            sender = pc.addTransceiver(ScreenTrack(), direction="sendonly").sender
            encoder = install_screen_encoder(sender)
            assert sender._RTCRtpSender__encoder is encoder  # type: ignore[attr-defined]
            with pytest.raises(RuntimeError, match="encoder slot"):
                install_screen_encoder(sender)     # never silently replaced
            del sender._RTCRtpSender__encoder  # type: ignore[attr-defined]
            with pytest.raises(RuntimeError, match="RTCRtpSender changed"):
                install_screen_encoder(sender)
        finally:
            await pc.close()
    asyncio.run(sender_slot())

    enc = ScreenEncoder()
    img = np.zeros((108, 192, 3), np.uint8)
    frame = av.VideoFrame.from_ndarray(img, format="rgb24")
    frame.pts, frame.time_base = 0, fractions.Fraction(1, 90_000)
    enc.encode(frame)
    codec = enc.codec
    assert codec is not None and codec.bit_rate == SCREEN_BITRATE
    enc.target_bitrate = 300_000            # what aiortc does with a REMB
    assert enc.remb == 300_000 and enc.target_bitrate == SCREEN_BITRATE
    frame.pts = 9000
    enc.encode(frame)
    assert enc.codec is codec and enc.frames == 2   # not made anew: no extra keyframe
