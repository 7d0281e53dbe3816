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
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from klasse.media.rtp_receive import ResilientReceive, plug
from klasse.media.synthetic import SyntheticVideoTrack

FRAME_TS = 90000 // 15


class Pair:
    def __init__(self) -> None:
        cfg = RTCConfiguration(iceServers=[])
        self.send, self.recv = RTCPeerConnection(cfg), RTCPeerConnection(cfg)
        self.path: ResilientReceive | None = None
        self.frames = 0
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.send.addTrack(SyntheticVideoTrack(320, 240, 15))

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
        # The frame being encoded when the PLI lands may go out as it was; the one
        # after it must be a keyframe: within one frame interval of the request.
        async def keyframe_after(ts: int) -> int:
            while True:
                later = [k for k in path.video.keyframe_timestamps if k > ts]  # type: ignore[union-attr]
                if later:
                    return later[0]
                await asyncio.sleep(0.01)
        key = await asyncio.wait_for(keyframe_after(newest), 5.0)
        assert key - newest <= 2 * FRAME_TS, f"keyframe {(key - newest) // FRAME_TS} frames later"
    # Without requests the encoder sends no keyframes of its own (gop 3000):
    # each of the three came from a PLI.
    assert path.video.stats.keyframes == 4


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
