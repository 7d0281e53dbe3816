"""Fit what a client publishes to what its uplink carries.

aiortc 1.16's sender answers NACKs from a 128-packet history and PLI/FIR with a
keyframe on the next frame (tests/integration/test_send_side.py proves both), and
applies a REMB as the VP8 target bitrate, clamped to 250 kbit/s..1.5 Mbit/s. Janus
sends a publisher receiver reports (loss, RTT) but estimates no bandwidth, so a
pupil behind a 300 kbit/s uplink got no useful signal and kept sending 0.5-1 Mbit/s.

- `UplinkAdapter` (sans-I/O): a loss-based rate controller in the manner of
  libwebrtc's (over 10 % loss: cut by half the loss; under 2 %: grow 8 %; REMB
  caps), mapped onto a ladder of sending modes -- full size, half size, half size at
  half the frame rate, and audio only -- with hysteresis. In audio-only mode it
  watches the audio stream's loss and tries video again (lowest step) after a clean
  spell.
- `AdaptiveVp8Encoder`: aiortc's VP8 encoder whose REMB input goes to the adapter
  instead of straight to the codec, and whose bitrate the adapter sets (no 250k floor).
- `ShapedTrack`: scales and thins frames to the adapter's current mode.
- `voice_opus_encoder()`: Opus at 32 kbit/s with in-band FEC (aiortc's default is
  96 kbit/s without FEC), so a lost packet can be rebuilt from the next one.
- `UplinkMonitor`: the glue that reads the senders' RTCP stats twice a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiortc import RTCRtpSender
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame

MAX_VIDEO_BPS = 800_000
START_VIDEO_BPS = 500_000
MIN_VIDEO_BPS = 40_000
AUDIO_ONLY_BELOW_BPS = 50_000   # less than this cannot carry a useful picture
VOICE_BPS = 32_000


@dataclass(frozen=True)
class SendMode:
    name: str          # "full", "half", "half-slow", "audio-only"
    scale: float       # of the camera's size
    fps_factor: float  # of the camera's frame rate
    min_bps: int       # the rate this mode needs


LADDER = (
    SendMode("full", 1.0, 1.0, 300_000),
    SendMode("half", 0.5, 1.0, 120_000),
    SendMode("half-slow", 0.5, 0.5, AUDIO_ONLY_BELOW_BPS),
    SendMode("audio-only", 0.0, 0.0, 0),
)


@dataclass(frozen=True)
class UplinkDecision:
    bitrate_bps: int
    mode: SendMode
    changed: bool      # the mode changed with this decision


class UplinkAdapter:
    """Video bitrate and sending mode from loss, RTT and REMB reports."""

    def __init__(self, *, start_bps: int = START_VIDEO_BPS, max_bps: int = MAX_VIDEO_BPS,
                 up_after_s: float = 2.0, audio_only_after_s: float = 8.0,
                 retry_video_after_s: float = 8.0) -> None:
        self.max_bps = max_bps
        self.bitrate_bps = float(start_bps)
        self.remb_bps: float | None = None
        self.mode = LADDER[0]
        self.up_after_s = up_after_s
        self.audio_only_after_s = audio_only_after_s
        self.retry_video_after_s = retry_video_after_s
        self._last_update: float | None = None
        self._up_since: float | None = None     # when a higher mode first fitted
        self._starved_since: float | None = None
        self._clean_since: float | None = None  # audio-only: since audio was clean

    def remb(self, bps: float) -> None:
        self.remb_bps = bps

    def report(self, now: float, loss: float, audio_loss: float | None = None) -> UplinkDecision:
        """One receiver report's loss fraction (0..1) for the video stream (in
        audio-only mode, `audio_loss` for the audio stream)."""
        if self.mode.name == "audio-only":
            return self._audio_only(now, audio_loss if audio_loss is not None else loss)
        if loss > 0.10:
            self.bitrate_bps *= 1 - 0.5 * loss
        elif loss < 0.02 and (self._last_update is None or now - self._last_update >= 0.5):
            self.bitrate_bps = self.bitrate_bps * 1.08 + 1000
        self._last_update = now
        cap = float(self.max_bps) if self.remb_bps is None else min(self.max_bps, self.remb_bps)
        self.bitrate_bps = max(float(MIN_VIDEO_BPS), min(self.bitrate_bps, cap))
        return self._choose_mode(now)

    def _choose_mode(self, now: float) -> UplinkDecision:
        fitting = next(m for m in LADDER if self.bitrate_bps >= m.min_bps)
        current = LADDER.index(self.mode)
        target = LADDER.index(fitting)
        changed = False
        if target > current:
            if fitting.name == "audio-only":
                # Give up video only after it stayed below the floor for a while.
                self._starved_since = self._starved_since or now
                if now - self._starved_since >= self.audio_only_after_s:
                    self.mode, changed = fitting, True
                    self._clean_since = None
                elif current < LADDER.index(LADDER[2]):
                    self.mode, changed = LADDER[2], True
            else:
                self.mode, changed = fitting, True      # down at once
            self._up_since = None
        elif target < current and self.bitrate_bps >= 1.2 * LADDER[current - 1].min_bps:
            self._starved_since = None
            self._up_since = self._up_since or now
            if now - self._up_since >= self.up_after_s:
                self.mode, changed = LADDER[current - 1], True   # up one step at a time
                self._up_since = None
        else:
            self._up_since = None
            if fitting.name != "audio-only":
                self._starved_since = None
        return UplinkDecision(int(self.bitrate_bps), self.mode, changed)

    def _audio_only(self, now: float, loss: float) -> UplinkDecision:
        if loss < 0.02:
            self._clean_since = self._clean_since or now
        else:
            self._clean_since = None
        if self._clean_since is not None and now - self._clean_since >= self.retry_video_after_s:
            self.mode = LADDER[2]
            self.bitrate_bps = float(LADDER[2].min_bps) * 1.2
            self._starved_since = None
            self._clean_since = None
            return UplinkDecision(int(self.bitrate_bps), self.mode, True)
        return UplinkDecision(int(self.bitrate_bps), self.mode, False)


class AdaptiveVp8Encoder(Vp8Encoder):
    """aiortc's VP8 encoder, with its bitrate set by the adapter, not by each REMB."""

    def __init__(self, on_remb: Callable[[int], None], bitrate_bps: int) -> None:
        super().__init__()
        self._on_remb = on_remb
        self.set_bitrate(bitrate_bps)

    @property
    def target_bitrate(self) -> int:
        return int(self._Vp8Encoder__target_bitrate)  # type: ignore[attr-defined]

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        # aiortc's sender calls this for every REMB: an input to the adapter.
        self._on_remb(bitrate)

    def set_bitrate(self, bitrate_bps: int) -> None:
        self._Vp8Encoder__target_bitrate = int(bitrate_bps)  # type: ignore[attr-defined]


def voice_opus_encoder(bitrate_bps: int = VOICE_BPS, expected_loss_pct: int = 10) -> OpusEncoder:
    """aiortc's Opus encoder set for speech under loss: lower rate, in-band FEC."""
    enc = OpusEncoder()
    enc.codec.bit_rate = bitrate_bps
    enc.codec.options = {"application": "voip", "fec": "1",
                         "packet_loss": str(expected_loss_pct)}
    return enc


class ShapedTrack(MediaStreamTrack):
    """Scales and thins the camera's frames to the uplink's current mode."""

    kind = "video"

    def stop(self) -> None:
        super().stop()
        self.source.stop()   # aiortc stops only the track it was given

    def __init__(self, source: MediaStreamTrack, mode: Callable[[], SendMode],
                 fps: float) -> None:
        super().__init__()
        self.source = source
        self._mode = mode
        self.fps = fps
        self._kept_at: float | None = None
        self.thinned = 0

    async def recv(self) -> VideoFrame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            frame: VideoFrame = await self.source.recv()  # type: ignore[assignment]
            mode = self._mode()
            pts_s = float((frame.pts or 0) * (frame.time_base or fractions.Fraction(1, 90000)))
            if mode.fps_factor < 1.0 and self._kept_at is not None:
                interval = 1 / (self.fps * max(mode.fps_factor, 0.01))
                if 0 <= pts_s - self._kept_at < 0.9 * interval:
                    self.thinned += 1
                    continue
            self._kept_at = pts_s
            if mode.scale < 1.0:
                w = max(16, int(frame.width * mode.scale) // 2 * 2)
                h = max(16, int(frame.height * mode.scale) // 2 * 2)
                scaled = frame.reformat(width=w, height=h)
                scaled.pts, scaled.time_base = frame.pts, frame.time_base
                frame = scaled
            return frame


class UplinkMonitor:
    """Reads the publishing senders' RTCP twice a second and applies the adapter."""

    def __init__(self, video: RTCRtpSender, audio: RTCRtpSender | None,
                 adapter: UplinkAdapter, on_change: Callable[[UplinkDecision], None],
                 interval_s: float = 0.5) -> None:
        self.video, self.audio, self.adapter = video, audio, adapter
        self.on_change = on_change
        self.interval_s = interval_s
        self.encoder = AdaptiveVp8Encoder(adapter.remb, int(adapter.bitrate_bps))
        # aiortc makes its encoder on the first frame unless one is there already.
        video._RTCRtpSender__encoder = self.encoder  # type: ignore[attr-defined]
        if audio is not None:
            audio._RTCRtpSender__encoder = voice_opus_encoder()  # type: ignore[attr-defined]
        self._seen: dict[int, Any] = {}
        self.rtt_s: float | None = None
        self.loss: float = 0.0

    async def _remote(self, sender: RTCRtpSender) -> tuple[float, float | None] | None:
        """(loss fraction, RTT) of a new receiver report for this sender, if any."""
        stats = await sender.getStats()
        for s in stats.values():
            if s.type == "remote-inbound-rtp":
                key = id(sender)
                if self._seen.get(key) == s.timestamp:
                    return None
                self._seen[key] = s.timestamp
                return (s.fractionLost or 0) / 256, s.roundTripTime
        return None

    async def run(self, active: Callable[[], bool]) -> None:
        while active():
            await asyncio.sleep(self.interval_s)
            with contextlib.suppress(Exception):
                await self.step(time.monotonic())

    async def step(self, now: float) -> None:
        video = await self._remote(self.video)
        audio = await self._remote(self.audio) if self.audio is not None else None
        if video is None and (audio is None or self.adapter.mode.name != "audio-only"):
            return
        loss = video[0] if video is not None else (audio[0] if audio else 0.0)
        rtt = (video or audio or (0.0, None))[1]
        self.loss, self.rtt_s = loss, rtt if rtt is not None else self.rtt_s
        decision = self.adapter.report(now, loss, audio[0] if audio else None)
        if abs(decision.bitrate_bps - self.encoder.target_bitrate) > 0.15 * self.encoder.target_bitrate:
            # aiortc re-creates the VP8 codec on a >10 % change (a keyframe), so
            # change only when it is worth it.
            self.encoder.set_bitrate(decision.bitrate_bps)
        self.video._enabled = decision.mode.name != "audio-only"
        if decision.changed:
            self.on_change(decision)
