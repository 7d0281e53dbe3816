"""The uplink adapter: bitrate and sending mode from scripted receiver reports."""

from __future__ import annotations

import asyncio
import fractions

import numpy as np
from av import VideoFrame

from klasse.app.uplink import (
    AUDIO_ONLY_BELOW_BPS,
    MAX_VIDEO_BPS,
    AdaptiveVp8Encoder,
    SendMode,
    ShapedTrack,
    UplinkAdapter,
    voice_opus_encoder,
)


def run(adapter: UplinkAdapter, start: float, seconds: float, loss: float,
        audio_loss: float | None = None) -> list[str]:
    """Reports every 0.5 s; the modes it went through."""
    modes = []
    t = start
    while t < start + seconds:
        d = adapter.report(t, loss, audio_loss)
        if d.changed:
            modes.append(d.mode.name)
        t += 0.5
    return modes


def test_clean_reports_grow_to_the_maximum_and_stay_full() -> None:
    a = UplinkAdapter(start_bps=300_000)
    assert run(a, 0, 20, 0.0) == []
    assert a.bitrate_bps == MAX_VIDEO_BPS and a.mode.name == "full"


def test_heavy_loss_steps_down_within_seconds_and_clean_brings_it_back_up() -> None:
    a = UplinkAdapter(start_bps=500_000)
    down = run(a, 0, 5, 0.3)            # a capped link: 30 % of packets dropped
    assert down[:2] == ["half", "half-slow"] and a.bitrate_bps < 120_000
    up = run(a, 5, 40, 0.0)
    assert up == ["half", "full"]       # one step at a time, after the rate allows it


def test_moderate_loss_holds_the_rate() -> None:
    a = UplinkAdapter(start_bps=400_000)
    run(a, 0, 10, 0.05)                 # 2-10 %: neither up nor down
    assert a.bitrate_bps == 400_000 and a.mode.name == "full"


def test_a_link_that_cannot_carry_video_falls_back_to_audio_only_and_retries() -> None:
    a = UplinkAdapter(start_bps=500_000, audio_only_after_s=3.0, retry_video_after_s=8.0)
    modes = run(a, 0, 12, 0.5)
    assert modes[-1] == "audio-only"
    assert a.bitrate_bps < AUDIO_ONLY_BELOW_BPS
    # Audio is still lossy: stay audio-only.
    assert run(a, 12, 10, 0.0, audio_loss=0.2) == []
    # Audio clean for the retry interval: video again at the lowest step.
    assert run(a, 22, 10, 0.0, audio_loss=0.0) == ["half-slow"]


def test_remb_caps_the_rate() -> None:
    a = UplinkAdapter(start_bps=500_000)
    a.remb(150_000)
    run(a, 0, 5, 0.0)
    assert a.bitrate_bps == 150_000 and a.mode.name == "half"


def test_the_encoder_takes_its_rate_from_the_adapter_not_from_remb() -> None:
    rembs: list[int] = []
    enc = AdaptiveVp8Encoder(rembs.append, 90_000)
    enc.target_bitrate = 1_000_000          # what aiortc's sender does on a REMB
    assert rembs == [1_000_000]
    assert enc.target_bitrate == 90_000     # below aiortc's own 250k floor
    enc.set_bitrate(60_000)
    frame = VideoFrame.from_ndarray(np.zeros((120, 160, 3), np.uint8), format="rgb24")
    frame.pts, frame.time_base = 0, fractions.Fraction(1, 90000)
    payloads, _ = enc.encode(frame)
    assert payloads and enc.codec is not None and enc.codec.bit_rate == 60_000


def test_voice_encoder_has_fec_on_and_a_speech_rate() -> None:
    enc = voice_opus_encoder()
    assert enc.codec.bit_rate == 32_000
    assert enc.codec.options["fec"] == "1"


class _Frames:
    kind = "video"

    def __init__(self) -> None:
        self.n = 0

    async def recv(self) -> VideoFrame:
        frame = VideoFrame.from_ndarray(np.zeros((240, 320, 3), np.uint8), format="rgb24")
        frame.pts, frame.time_base = self.n * 6000, fractions.Fraction(1, 90000)
        self.n += 1
        return frame


async def _take(track: ShapedTrack, n: int) -> list[VideoFrame]:
    return [await track.recv() for _ in range(n)]


def test_shaped_track_scales_and_thins_to_the_mode() -> None:
    mode = SendMode("full", 1.0, 1.0, 0)
    source = _Frames()
    track = ShapedTrack(source, lambda: mode, fps=15)  # type: ignore[arg-type]
    full = asyncio.run(_take(track, 4))
    assert [f.width for f in full] == [320] * 4 and source.n == 4
    mode = SendMode("half-slow", 0.5, 0.5, 0)
    half = asyncio.run(_take(track, 4))
    assert [(f.width, f.height) for f in half] == [(160, 120)] * 4
    assert source.n - 4 >= 7                        # every other frame thinned out
    assert np.diff([f.pts for f in half]).min() >= 2 * 6000


def test_stats_event_json() -> None:
    from klasse.app.events import FeedStats, StatsReported

    ev = StatsReported((FeedStats("p1", 14.5, 2, 0.61, 0.031, 4, 420),), "half", 180, 0.12, 9)
    import json
    assert json.loads(json.dumps(ev.as_json())) == {
        "event": "stats",
        "feeds": [{"feed": "p1", "fps": 14.5, "freezes": 2, "longest_freeze_s": 0.61,
                   "loss": 0.031, "rtt_ms": 4, "kbps": 420, "resubscribed": 0}],
        "uplink_mode": "half", "uplink_kbps": 180, "uplink_loss": 0.12, "uplink_rtt_ms": 9}
