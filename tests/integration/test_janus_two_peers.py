"""Two aiortc peers exchange video through a real Janus VideoRoom."""

from __future__ import annotations

import asyncio
import secrets

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from klasse.media.synthetic import SyntheticVideoTrack, read_counter
from klasse.server.janus_client import JanusConnection
from klasse.server.janus_process import JanusProcess


def _pc() -> RTCPeerConnection:
    # No ICE servers at all: never a public STUN server.
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


async def test_video_flows_from_publisher_to_subscriber(janus: JanusProcess) -> None:
    s = janus.settings
    admin = await JanusConnection.open_admin(s.admin_url, s.admin_secret)
    conn = await JanusConnection.open(s.api_url, s.api_secret)
    token = secrets.token_urlsafe(16)
    await admin.add_token(token)
    session = await conn.create_session(token)
    room = secrets.randbelow(2**31)
    room_secret = secrets.token_hex(8)
    pub_pc, sub_pc = _pc(), _pc()
    try:
        control = await session.attach()
        await control.message({"request": "create", "room": room, "admin_key": s.admin_secret,
                               "secret": room_secret, "publishers": 4,
                               "is_private": True, "videocodec": "vp8", "permanent": False})

        pub = await session.attach()
        joined, _ = await pub.message({"request": "join", "ptype": "publisher", "room": room})
        assert joined["videoroom"] == "joined"
        pub_pc.addTrack(SyntheticVideoTrack(160, 120, fps=15))
        await pub_pc.setLocalDescription(await pub_pc.createOffer())
        _, answer = await pub.message(
            {"request": "publish"},
            jsep={"type": "offer", "sdp": pub_pc.localDescription.sdp, "trickle": False})
        assert answer is not None and answer["type"] == "answer"
        await pub_pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        await pub.wait_event(lambda m: m.get("janus") == "webrtcup")

        sub = await session.attach()
        attached, offer = await sub.message({"request": "join", "ptype": "subscriber", "room": room,
                                             "streams": [{"feed": joined["id"]}]})
        assert attached["videoroom"] == "attached" and offer is not None
        counters: list[int] = []
        got_enough = asyncio.Event()

        @sub_pc.on("track")
        def on_track(track) -> None:  # type: ignore[no-untyped-def]
            async def pump() -> None:
                while len(counters) < 20:
                    frame = await track.recv()
                    counters.append(read_counter(frame.to_ndarray(format="bgr24")))
                got_enough.set()
            asyncio.ensure_future(pump())

        await sub_pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await sub_pc.setLocalDescription(await sub_pc.createAnswer())
        await sub.message({"request": "start"},
                          jsep={"type": "answer", "sdp": sub_pc.localDescription.sdp, "trickle": False})
        await asyncio.wait_for(got_enough.wait(), 15)
        # Frames arrive in order and carry the publisher's stamped counter.
        assert len(counters) == 20
        assert counters == sorted(counters)
        assert counters[-1] - counters[0] >= 10
        # Janus (ICE pinned to the namespace address) never saw loopback.
        assert "127.0.0.1" not in (sub_pc.remoteDescription.sdp.split("a=candidate")[1])

        await control.message({"request": "destroy", "room": room, "secret": room_secret})
        listed, _ = await control.message({"request": "list", "admin_key": s.admin_secret})
        assert room not in [r["room"] for r in listed["list"]]
    finally:
        await pub_pc.close()
        await sub_pc.close()
        await session.destroy()
        await conn.close()
        await admin.remove_token(token)
        await admin.close()


def test_spawned_janus_may_not_dump_core(janus: JanusProcess) -> None:
    # A core file would hold media, DTLS keys and room secrets of every lesson.
    assert janus.proc is not None
    limits = open(f"/proc/{janus.proc.pid}/limits").read()
    core = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
    assert core.split()[4:6] == ["0", "0"], core


async def test_session_teardown_waits_for_requests_under_way(janus: JanusProcess) -> None:
    # Janus 1.1.2 can read a freed plugin session when a handle is destroyed while one
    # of its requests is still being handled; teardown must come after the answer.
    s = janus.settings
    admin = await JanusConnection.open_admin(s.admin_url, s.admin_secret)
    conn = await JanusConnection.open(s.api_url, s.api_secret)
    token = secrets.token_urlsafe(16)
    await admin.add_token(token)
    session = await conn.create_session(token)
    room, room_secret = secrets.randbelow(2**31), secrets.token_hex(8)
    pc = _pc()
    try:
        control = await session.attach()
        await control.message({"request": "create", "room": room, "admin_key": s.admin_secret,
                               "secret": room_secret, "publishers": 2, "is_private": True})
        pub = await session.attach()
        await pub.message({"request": "join", "ptype": "publisher", "room": room})
        pc.addTrack(SyntheticVideoTrack(160, 120, fps=15))
        await pc.setLocalDescription(await pc.createOffer())
        order: list[str] = []

        async def publish() -> None:
            _, answer = await pub.message(
                {"request": "publish"},
                jsep={"type": "offer", "sdp": pc.localDescription.sdp, "trickle": False})
            order.append("answered" if answer else "no answer")

        task = asyncio.create_task(publish())
        await asyncio.sleep(0)           # the publish request is now under way
        assert session.inflight.count == 1
        await session.destroy()
        order.append("destroyed")
        await task
        assert order == ["answered", "destroyed"]
        # After teardown nothing more is sent for this session or its handles.
        try:
            await pub.message({"request": "list"})
        except ConnectionError:
            pass
        else:
            raise AssertionError("a detached handle sent a request")
        assert janus.proc is not None and janus.proc.poll() is None
    finally:
        await pc.close()
        await conn.close()
        await admin.remove_token(token)
        await admin.close()
