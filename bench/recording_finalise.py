"""How long finalising a recording takes: janus-pp-rec + muxing, per recorded minute.

Run inside the private network namespace:

    scripts/netns-run .venv/bin/python bench/recording_finalise.py --seconds 30

It spawns a private Janus, publishes a synthetic teacher (camera at --size/--fps
and microphone) from aiortc, records that feed for --seconds through the same
RoomRecorder the service uses (announcement 0 s), stops, and times the
finalisation. It prints the raw and converted sizes, the conversion time and the
conversion time per recorded minute, and the peak CPU of the converter. The machine
is shared, so treat the figures as upper bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

import klasse.app.protocol as p
from klasse.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from klasse.server.janus_client import JanusConnection
from klasse.server.janus_config import JanusSettings
from klasse.server.janus_process import JanusProcess
from klasse.server.recording.janus import ROOM_CREATE_OPTIONS
from klasse.server.recording.policy import RecordingPolicy, RoomRecordingRules
from klasse.server.recording.recorder import RecordedFeed, RoomRecorder
from klasse.server.recording.store import RecordingStore


def _size(folder: Path, suffix: str) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.name.endswith(suffix))


async def main(seconds: float, width: int, height: int, fps: int) -> int:
    janus = JanusProcess(JanusSettings(ice_address=os.environ.get("KLASSE_SERVER_ADDR",
                                                                  "10.77.0.1")))
    await janus.start()
    s = janus.settings
    conn = await JanusConnection.open(s.api_url, s.api_secret)
    admin = await JanusConnection.open_admin(s.admin_url, s.admin_secret)
    token = secrets.token_urlsafe(16)
    await admin.add_token(token)
    session = await conn.create_session(token)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        room, secret = secrets.randbelow(2**31), secrets.token_hex(8)
        control = await session.attach()
        await control.message({"request": "create", "room": room, "admin_key": s.admin_secret,
                               "secret": secret, "publishers": 2, "is_private": True,
                               "audiocodec": "opus", "videocodec": "vp8", "permanent": False,
                               **ROOM_CREATE_OPTIONS})
        pub = await session.attach()
        await pub.message({"request": "join", "ptype": "publisher", "room": room})
        pc.addTrack(SyntheticAudioTrack())
        pc.addTrack(SyntheticVideoTrack(width, height, fps=fps))
        await pc.setLocalDescription(await pc.createOffer())
        _, answer = await pub.message({"request": "publish"}, jsep={
            "type": "offer", "sdp": pc.localDescription.sdp, "trickle": False})
        assert answer is not None
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        await pub.wait_event(lambda m: m.get("janus") == "webrtcup")

        with tempfile.TemporaryDirectory(prefix="klasse-bench-rec-") as tmp:
            store = RecordingStore(Path(tmp) / "recordings", 86400.0)
            rules = RoomRecordingRules(RecordingPolicy(allowed=True, announce_s=0.0))

            async def broadcast(state: p.RecordingState) -> None:
                pass

            recorder = RoomRecorder(rules, store, secret, broadcast,
                                    lambda: [RecordedFeed("teacher", pub)])
            await recorder.start("bench", ["audio", "video"])
            while recorder.state().state != "active":
                await asyncio.sleep(0.01)
            await asyncio.sleep(seconds)
            info = await recorder.stop()
            assert info is not None
            folder = store.folder(info.id)
            raw = _size(folder, ".mjr")
            started = time.perf_counter()
            cpu0 = os.times()
            done = await recorder.finalised()
            wall = time.perf_counter() - started
            cpu1 = os.times()
            assert done is not None and done.state == "ready", done and done.error
            out = _size(folder, ".webm") + _size(folder, ".opus")
            child_cpu = (cpu1.children_user + cpu1.children_system
                         - cpu0.children_user - cpu0.children_system)
            own_cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system
            minutes = (done.duration_s or seconds) / 60
            print(f"recorded {done.duration_s:.1f} s of {width}x{height}@{fps} VP8 + Opus "
                  f"({done.files})")
            print(f"raw .mjr {raw / 1e6:.2f} MB -> WebM {out / 1e6:.2f} MB")
            print(f"finalise wall {wall:.2f} s ({wall / minutes:.2f} s per recorded minute); "
                  f"janus-pp-rec CPU {child_cpu:.2f} s, mux CPU (this process) {own_cpu:.2f} s")
            print("(2-core machine shared with other work: upper bounds)")
    finally:
        await pc.close()
        await session.destroy()
        await conn.close()
        await admin.remove_token(token)
        await admin.close()
        await janus.stop()
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--size", default="640x480")
    ap.add_argument("--fps", type=int, default=15)
    a = ap.parse_args()
    w, h = (int(x) for x in a.size.split("x"))
    sys.exit(asyncio.run(main(a.seconds, w, h, a.fps)))
