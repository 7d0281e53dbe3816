"""What the sending side answers: PLI with a keyframe at once, NACK with retransmission.

Two aiortc peer connections, no Janus in between (so any retransmission came from
our sender), the receiver with the loss-resilient path (media/rtp_receive.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame

from klasse.media.rtp_receive import ResilientReceive, plug
from klasse.media.synthetic import SyntheticVideoTrack

FRAME_TS = 90000 // 15


class RecordingVp8Encoder(Vp8Encoder):
    """aiortc's VP8 encoder, noting for each frame whether it was forced to a keyframe."""

    def __init__(self) -> None:
        super().__init__()
        self.forced: list[bool] = []

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        self.forced.append(force_keyframe)
        return super().encode(frame, force_keyframe)


class Pair:
    def __init__(self) -> None:
        cfg = RTCConfiguration(iceServers=[])
        self.send, self.recv = RTCPeerConnection(cfg), RTCPeerConnection(cfg)
        self.path: ResilientReceive | None = None
        self.frames = 0
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        sender = self.send.addTrack(SyntheticVideoTrack(320, 240, 15))
        # aiortc makes its encoder on the first frame unless one is there already.
        self.encoder = RecordingVp8Encoder()
        sender._RTCRtpSender__encoder = self.encoder  # type: ignore[attr-defined]
        self.requests: list[int] = []     # frames encoded when a PLI reached the sender
        answer = sender._send_keyframe

        def on_request() -> None:
            self.requests.append(len(self.encoder.forced))
            answer()
        sender._send_keyframe = on_request  # type: ignore[method-assign]

        @self.recv.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            for t in self.recv.getTransceivers():
                if t.receiver.track is track:
                    self.path = plug(t.receiver)
            self._pump = asyncio.ensure_future(self._drain(track))

        await self.send.setLocalDescription(await self.send.createOffer())
        await self.recv.setRemoteDescription(self.send.localDescription)
        await self.recv.setLocalDescription(await self.recv.createAnswer())
        await self.send.setRemoteDescription(self.recv.localDescription)

    async def _drain(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                self.frames += 1

    async def wait_frames(self, n: int, timeout: float = 20.0) -> None:
        async def _wait() -> None:
            while self.frames < n:
                await asyncio.sleep(0.02)
        await asyncio.wait_for(_wait(), timeout)

    async def close(self) -> None:
        await self.send.close()
        await self.recv.close()
        if self._pump is not None:
            await self._pump


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    p = Pair()
    await p.start()
    yield p
    await p.close()


async def test_a_pli_is_answered_by_the_next_frame_being_a_keyframe(pair: Pair) -> None:
    await pair.wait_frames(15)
    path = pair.path
    assert path is not None and path.video is not None
    for _ in range(3):
        await asyncio.sleep(0.5)
        newest = path.video.newest_timestamp
        assert newest is not None
        await path._receiver._send_rtcp_pli(path._ssrc)

        async def keyframe_after(ts: int) -> int:
            while True:
                later = [k for k in path.video.keyframe_timestamps if k > ts]  # type: ignore[union-attr]
                if later:
                    return later[0]
                await asyncio.sleep(0.01)
        await asyncio.wait_for(keyframe_after(newest), 5.0)
    # Each request reached the sender, and the next frame it encoded was forced to a
    # keyframe; only a frame already on its way to the encoder (read from the camera
    # before the request came) may go out as it was: within one frame interval.
    assert len(pair.requests) == 3
    for n in pair.requests:
        assert True in pair.encoder.forced[n:n + 2], (n, pair.encoder.forced[n - 2:n + 3])
    # Without requests the encoder makes no keyframes of its own (gop 3000): the
    # receiver got the first one and one per request.
    assert path.video.stats.keyframes == 4
    assert sum(pair.encoder.forced) == 3


async def test_lost_packets_are_retransmitted_by_the_sender(pair: Pair) -> None:
    await pair.wait_frames(15)
    path = pair.path
    assert path is not None and path.video is not None
    subprocess.run(["nft", "flush", "ruleset"], check=True)
    try:
        for cmd in (["add", "table", "inet", "loss"],
                    ["add", "chain", "inet", "loss", "c", "{ type filter hook input priority 0; }"],
                    ["add", "rule", "inet", "loss", "c", "meta", "l4proto", "udp", "numgen",
                     "random", "mod", "100", "<", "10", "drop"]):
            subprocess.run(["nft", *cmd], check=True)
        before = pair.frames
        await asyncio.sleep(4.0)
    finally:
        subprocess.run(["nft", "flush", "ruleset"], check=True)
    stats = path.video.stats
    assert stats.nacks_sent > 0
    assert stats.recovered > 0, stats       # only the sender could have resent them
    assert pair.frames - before >= 4 * 15 * 0.5, stats
