"""Recording through a real Janus: only the teacher's feed, announced first, owner-only,
finalised to WebM, deleted by retention."""

from __future__ import annotations

import asyncio
import secrets
import stat
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from klasse.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from klasse.server.janus_client import JanusConnection, JanusHandle, JanusSession
from klasse.server.janus_process import JanusProcess
from klasse.server.recording.janus import ROOM_CREATE_OPTIONS
from klasse.server.recording.policy import RecordingPolicy, RoomRecordingRules
from klasse.server.recording.recorder import RecordedFeed, RoomRecorder
from klasse.server.recording.store import RecordingStore
from tests.media_facts import stream_facts
from tests.server_fixtures import sent_for

TEACHER_SIZE, PUPIL_SIZE = (160, 120), (128, 96)
TEACHER_HZ, PUPIL_HZ = 440.0, 1200.0
DAY = 86400.0


@dataclass
class Room:
    id: int
    secret: str
    session: JanusSession
    pcs: list[RTCPeerConnection]


@pytest.fixture
async def room(janus: JanusProcess) -> AsyncIterator[Room]:
    s = janus.settings
    admin = await JanusConnection.open_admin(s.admin_url, s.admin_secret)
    conn = await JanusConnection.open(s.api_url, s.api_secret)
    token = secrets.token_urlsafe(16)
    await admin.add_token(token)
    session = await conn.create_session(token)
    r = Room(secrets.randbelow(2**31), secrets.token_hex(8), session, [])
    control = await session.attach()
    await control.message({"request": "create", "room": r.id, "admin_key": s.admin_secret,
                           "secret": r.secret, "publishers": 4, "is_private": True,
                           "audiocodec": "opus", "videocodec": "vp8", "permanent": False,
                           **ROOM_CREATE_OPTIONS})
    try:
        yield r
    finally:
        for pc in r.pcs:
            await pc.close()
        await control.message({"request": "destroy", "room": r.id, "secret": r.secret})
        await session.destroy()
        await conn.close()
        await admin.remove_token(token)
        await admin.close()


async def publish(room: Room, size: tuple[int, int], hz: float) -> JanusHandle:
    handle = await room.session.attach()
    await handle.message({"request": "join", "ptype": "publisher", "room": room.id})
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    room.pcs.append(pc)
    pc.addTrack(SyntheticAudioTrack(frequency=hz))
    pc.addTrack(SyntheticVideoTrack(*size, fps=15))
    await pc.setLocalDescription(await pc.createOffer())
    _, answer = await handle.message(
        {"request": "publish"},
        jsep={"type": "offer", "sdp": pc.localDescription.sdp, "trickle": False})
    assert answer is not None
    await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
    await handle.wait_event(lambda m: m.get("janus") == "webrtcup")
    return handle


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _until(cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_only_the_teachers_feed_is_recorded_after_the_announcement(
        room: Room, tmp_path: Path) -> None:
    teacher = await publish(room, TEACHER_SIZE, TEACHER_HZ)
    pupil = await publish(room, PUPIL_SIZE, PUPIL_HZ)

    # A publisher asking Janus itself, without the room secret, records nothing (lock_record).
    rogue = tmp_path / "rogue"
    rogue.mkdir()
    await pupil.message({"request": "configure", "record": True, "filename": str(rogue / "pupil")})

    policy = RecordingPolicy(allowed=True, announce_s=1.0)
    rules = RoomRecordingRules(policy)
    assert rules.check_start("pupil") is ErrorCode.NOT_ALLOWED
    assert RoomRecordingRules(RecordingPolicy()).check_start("teacher") \
        is ErrorCode.RECORDING_NOT_ALLOWED
    assert rules.check_start("teacher") is None

    store = RecordingStore(tmp_path / "recordings", policy.retention_s)
    told: list[p.RecordingState] = []

    async def broadcast(state: p.RecordingState) -> None:
        told.append(state)

    recorder = RoomRecorder(rules, store, room.secret, broadcast,
                            lambda: [RecordedFeed("teacher", teacher)])
    loop = asyncio.get_running_loop()
    await recorder.start("ms-teacher", ["audio", "video"])
    started = loop.time()
    # Announced to everyone, with what and when; nothing written yet.
    assert [t.state for t in told] == ["announced"]
    assert told[0].what == ["teacher camera", "teacher microphone"] and told[0].starts_in == 1.0
    # Nothing is written for as long as it is announced, which is the whole second
    # (watched until it turns active, however late a loaded machine gets there).
    watched = 0
    while True:
        written = (store.recordings(), list((tmp_path / "recordings").iterdir()))
        if recorder.state().state != "announced":
            break
        assert written == ([], [])
        watched += 1
        assert loop.time() - started < 10, "never turned active"
        await asyncio.sleep(0.05)
    assert watched and loop.time() - started >= 0.9

    await _until(lambda: len(told) == 2)
    assert told[1].state == "active"
    await sent_for(room.pcs[:1], 2.0)     # the teacher's
    info = await recorder.stop()
    assert info is not None and told[-1].state == "off"
    done = await recorder.finalised()
    assert done is not None and done.state == "ready", done and done.error
    assert done.files == ["teacher.webm"]

    folder = store.folder(done.id)
    # Owner-only: the store, the recording's folder and every file in it.
    assert _mode(tmp_path / "recordings") == 0o700 and _mode(folder) == 0o700
    names = sorted(f.name for f in folder.iterdir())
    assert names == ["meta.json", "teacher.webm"]  # no pupil file, no raw .mjr left
    assert all(_mode(folder / n) == 0o600 for n in names)
    assert list(rogue.iterdir()) == []

    facts = stream_facts(folder / "teacher.webm")
    assert set(facts) == {"video", "audio"}
    assert facts["video"]["codec"] == "vp8" and facts["audio"]["codec"] == "opus"
    # The teacher's picture size and tone, not the pupil's.
    assert (facts["video"]["width"], facts["video"]["height"]) == TEACHER_SIZE
    assert abs(facts["audio"]["pitch"] - TEACHER_HZ) < 20
    for kind in ("video", "audio"):
        assert 1.5 <= facts[kind]["duration"] <= 3.5, facts
    assert 1.5 <= done.duration_s <= 3.5  # type: ignore[operator]
    listed = store.get(done.id, owner="ms-teacher")
    assert listed.state == "ready" and listed.what == ["teacher camera", "teacher microphone"]

    # Retention on an injected clock: kept until 7 days after the start, then gone.
    assert store.purge_expired(now=done.started + 7 * DAY - 60) == []
    assert store.purge_expired(now=done.started + 7 * DAY + 1) == [done.id]
    assert not folder.exists() and store.recordings() == []


async def test_recording_is_finalised_when_the_teacher_leaves(room: Room, tmp_path: Path) -> None:
    teacher = await publish(room, TEACHER_SIZE, TEACHER_HZ)
    rules = RoomRecordingRules(RecordingPolicy(allowed=True, announce_s=0.2))
    store = RecordingStore(tmp_path / "recordings", DAY)
    told: list[str] = []

    async def broadcast(state: p.RecordingState) -> None:
        told.append(state.state)

    recorder = RoomRecorder(rules, store, room.secret, broadcast,
                            lambda: [RecordedFeed("teacher", teacher)])
    await recorder.start("ms-teacher", ["audio", "video"])
    await _until(lambda: told[-1] == "active")
    await sent_for(room.pcs, 1.5)
    # The teacher's peer goes away: Janus tears the publisher down and closes its files.
    await teacher.hangup()
    await teacher.detach()
    recorder.feed_gone("teacher")
    await recorder.stop()
    done = await recorder.finalised()
    assert done is not None and done.state == "ready", done and done.error
    facts = stream_facts(store.folder(done.id) / "teacher.webm")
    assert set(facts) == {"video", "audio"} and facts["video"]["duration"] >= 1.0
    assert told == ["announced", "active", "off"]


async def test_stop_during_the_announcement_writes_nothing(room: Room, tmp_path: Path) -> None:
    teacher = await publish(room, TEACHER_SIZE, TEACHER_HZ)
    rules = RoomRecordingRules(RecordingPolicy(allowed=True, announce_s=1.0))
    store = RecordingStore(tmp_path / "recordings", DAY)

    async def broadcast(state: p.RecordingState) -> None:
        pass

    recorder = RoomRecorder(rules, store, room.secret, broadcast,
                            lambda: [RecordedFeed("teacher", teacher)])
    await recorder.start("ms-teacher", ["audio", "video"])
    assert await recorder.stop() is None
    await asyncio.sleep(1.5)
    assert recorder.state().state == "off"
    assert list((tmp_path / "recordings").iterdir()) == []


async def test_an_audio_only_teacher_gives_an_opus_file(room: Room, tmp_path: Path) -> None:
    handle = await room.session.attach()
    await handle.message({"request": "join", "ptype": "publisher", "room": room.id})
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    room.pcs.append(pc)
    pc.addTrack(SyntheticAudioTrack(frequency=TEACHER_HZ))
    await pc.setLocalDescription(await pc.createOffer())
    _, answer = await handle.message(
        {"request": "publish"},
        jsep={"type": "offer", "sdp": pc.localDescription.sdp, "trickle": False})
    assert answer is not None
    await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
    await handle.wait_event(lambda m: m.get("janus") == "webrtcup")

    rules = RoomRecordingRules(RecordingPolicy(allowed=True, announce_s=0.2))
    store = RecordingStore(tmp_path / "recordings", DAY)
    told: list[p.RecordingState] = []

    async def broadcast(state: p.RecordingState) -> None:
        told.append(state)

    recorder = RoomRecorder(rules, store, room.secret, broadcast,
                            lambda: [RecordedFeed("teacher", handle)])
    await recorder.start("ms-teacher", ["audio"])
    assert told[0].what == ["teacher microphone"]
    await _until(lambda: told[-1].state == "active")
    await sent_for(room.pcs, 1.5)
    await recorder.stop()
    done = await recorder.finalised()
    assert done is not None and done.state == "ready", done and done.error
    assert done.files == ["teacher.opus"]
    facts = stream_facts(store.folder(done.id) / "teacher.opus")
    assert set(facts) == {"audio"} and facts["audio"]["codec"] == "opus"
    assert abs(facts["audio"]["pitch"] - TEACHER_HZ) < 20 and facts["audio"]["duration"] >= 1.0
