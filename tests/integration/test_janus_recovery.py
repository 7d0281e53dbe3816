"""A Janus that dies costs the lesson only a few seconds of media.

The service notices at once, respawns its own Janus (or moves rooms to another
listed one), and the clients publish and subscribe again by themselves. Members,
locks, chat and the waiting room live in the service and survive; a recording in
progress is stopped and marked interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
from pathlib import Path

import pytest

from klasse.app import protocol as p
from klasse.media.synthetic import SyntheticVideoTrack
from klasse.server.config import Config, JanusInstance
from klasse.server.janus_config import JanusSettings
from klasse.server.janus_process import JanusProcess
from klasse.server.recording.policy import RecordingPolicy
from klasse.server.service import RoomService
from tests.integration.call_helpers import (
    Recorder,
    Running,
    is_event,
    leave_all,
    session,
    teacher_and_pupil,
)
from tests.server_fixtures import (
    SERVER_ADDR,
    LiveService,
    answer_subscription,
    join,
    lesson,
    publish,
    subscribe,
    wait_publishing,
)


def _video_from(who: str, more_than: int):  # type: ignore[no-untyped-def]
    return lambda e: e["event"] == "video" and e["from"] == who and e["frames"] > more_than


async def test_sigkill_of_the_spawned_janus_mid_lesson(tmp_path: Path) -> None:
    cfg = Config(listen=SERVER_ADDR, port=0, data=tmp_path / "data", teacher_grace_s=10.0,
                 resume_grace_s=10.0, recording_allowed=True,
                 recording=RecordingPolicy(announce_s=1.0))
    service = RoomService(cfg)      # no [[janus]]: it spawns its own
    await service.start()
    tasks: list[asyncio.Future[None]] = []
    try:
        room = service.create_links("teacher.one", "Maths", 600)
        trec, arec, brec = Recorder(), Recorder(), Recorder()
        teacher = session(room["teacher_link"], "Ms T", room["pin"], trec, tmp_path)
        ann = session(room["pupil_link"], "Ann", room["pin"], arec, tmp_path)
        ben = session(room["pupil_link"], "Ben", room["pin"], brec, tmp_path)
        tasks.append(asyncio.ensure_future(teacher.run()))
        await trec.wait(is_event("state", state="joined"))
        for s, rec in ((ann, arec), (ben, brec)):
            tasks.append(asyncio.ensure_future(s.run()))
            await rec.wait(is_event("state", state="waiting"))
        await teacher.admit_all()
        for s, rec in ((ann, arec), (ben, brec)):
            await rec.wait(is_event("state", state="joined"))
            await s.set_camera(True)
        await teacher.set_camera(True)
        tid, aid, bid = teacher.machine.me, ann.machine.me, ben.machine.me
        assert tid and aid and bid
        await trec.wait(_video_from(aid, 5))
        await arec.wait(_video_from(tid, 5))
        # Ben's camera is turned off and locked; a chat line and a raised hand.
        await teacher.turn_off(bid, "camera", lock=True)
        await brec.wait(is_event("local_media", camera=False, camera_locked=True))
        await ann.chat("before the crash")
        await ann.hand(True)
        await trec.wait(is_event("chat", text="before the crash"))
        # A recording runs.
        await teacher.record(True)
        await arec.wait(lambda e: e["event"] == "recording" and e["state"] == "active")
        store = service.recording.store
        assert store is not None
        [info] = store.recordings()
        for _ in range(100):     # Janus has written some of the teacher's media
            if sum(f.stat().st_size for f in store.folder(info.id).glob("*.mjr")) > 20000:
                break
            await asyncio.sleep(0.1)

        node = service.nodes[0]
        assert node.process is not None and node.process.proc is not None
        old_pid = node.process.proc.pid
        marks = [len(r.events) for r in (trec, arec, brec)]
        seen_a, seen_t = teacher.frames_from(aid), ann.frames_from(tid)
        os.kill(old_pid, signal.SIGKILL)
        killed = time.monotonic()

        # Every client is told at once, and shows the recording as unknown, then off.
        for rec, n in zip((trec, arec, brec), marks, strict=True):
            await rec.wait(is_event("media_reconnecting", active=True), after=n, timeout=5)
        await arec.wait(is_event("recording", state="off"), after=marks[1], timeout=10)
        states = [e["state"] for e in arec.json()[marks[1]:] if e["event"] == "recording"]
        assert states[0] == "unknown" and states[-1] == "off"
        # Media flows again both ways, without anyone doing anything.
        await trec.wait(_video_from(aid, seen_a + 3), after=marks[0], timeout=15)
        await arec.wait(_video_from(tid, seen_t + 3), after=marks[1], timeout=15)
        back_s = time.monotonic() - killed
        print(f"media back {back_s:.1f} s after the SIGKILL (load {os.getloadavg()[0]:.1f})")
        await trec.wait(is_event("media_reconnecting", active=False), after=marks[0], timeout=10)
        assert node.process is not None and node.process.proc is not None
        assert node.process.proc.pid != old_pid and node.up

        # The lesson itself is untouched: members, the lock, chat, the hand.
        lesson = next(iter(service.rooms.values()))
        assert set(lesson.members) == {tid, aid, bid}
        assert lesson.members[bid].devices["camera"].locked
        assert [c.text for c in lesson.chat] == ["before the crash"]
        assert lesson.members[aid].hand
        await ben.set_camera(True)          # still refused: the lock holds
        assert not ben.machine.devices["camera"].on
        assert not lesson.members[bid].devices["camera"].on
        # The recording was stopped, kept and marked interrupted.
        infos = store.recordings()
        assert [i.id for i in infos] == [info.id] and infos[0].interrupted

        # A new lesson starts on the respawned Janus.
        room2 = service.create_links("teacher.one", "Art", 600)
        t2, w2 = await join(service.url, room2["teacher_link"], "Mr A", room2["pin"])
        p2, pw2 = await join(service.url, room2["pupil_link"], "Cat", room2["pin"])
        await t2.send(p.Admit(participant=pw2.participant))
        await p2.recv(p.Admitted)
        pc = await publish(p2, [SyntheticVideoTrack(160, 120, fps=10)])
        await wait_publishing(t2, pw2.participant)
        got = await subscribe(t2, pw2.participant)
        await asyncio.wait_for(got.first.wait(), 15)
        await got.close()
        await pc.close()
        for c in (t2, p2):
            await c.close()
    finally:
        for s in (teacher, ann, ben):
            await s.leave()
        await asyncio.gather(*tasks, return_exceptions=True)
        await service.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _instance(j: JanusProcess) -> JanusInstance:
    s = j.settings
    return JanusInstance(s.api_url, s.api_secret, s.admin_url, s.admin_secret, s.admin_secret)


async def test_rooms_of_a_killed_listed_janus_move_to_the_other(
        janus: JanusProcess, tmp_path: Path) -> None:
    doomed = JanusProcess(JanusSettings(ice_address=SERVER_ADDR, api_port=_free_port(),
                                       admin_port=_free_port()))
    await doomed.start()
    service = RoomService(Config(listen=SERVER_ADDR, port=0, data=tmp_path,
                                 janus=(_instance(doomed), _instance(janus))))
    await service.start()
    try:
        a = service.create_links("t", "", 600)
        teacher, _ = await join(service.url, a["teacher_link"], "A", a["pin"])
        pupil, pw = await join(service.url, a["pupil_link"], "B", a["pin"])
        await teacher.send(p.Admit(participant=pw.participant))
        await pupil.recv(p.Admitted)
        lesson = next(iter(service.rooms.values()))
        assert service.janus[lesson].node.name == "janus1"
        pc = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=10)])
        await wait_publishing(teacher, pw.participant)

        assert doomed.proc is not None
        os.kill(doomed.proc.pid, signal.SIGKILL)
        for c in (teacher, pupil):
            assert (await c.recv(p.MediaReconnect, timeout=5)).reason == "media_server_lost"
        # The room lives on, on the other node, with the same members.
        await pc.close()
        pc = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=10)])
        assert service.janus[lesson].node.name == "janus2"
        assert service.rooms[lesson.id] is lesson and len(lesson.members) == 2
        await wait_publishing(teacher, pw.participant)
        got = await subscribe(teacher, pw.participant)
        await asyncio.wait_for(got.first.wait(), 15)
        assert not [m for m in teacher.seen + pupil.seen if isinstance(m, p.Closed)]
        await got.close()
        await pc.close()
        await teacher.send(p.End())
        for c in (teacher, pupil):
            await c.recv(p.Closed)
            await c.close()
    finally:
        await service.stop()
        await doomed.stop()


async def test_a_session_janus_drops_costs_only_that_participant_a_reconnect(
        live_service: LiveService, tmp_path: Path) -> None:
    running: Running = []
    try:
        teacher, trec, pupil, prec = await teacher_and_pupil(
            live_service.new_room("History"), ("Mr T", "Cleo"), tmp_path, running)
        tid, pid = teacher.machine.me, pupil.machine.me
        assert tid and pid
        await trec.wait(_video_from(pid, 5))
        member = live_service.service.rooms[next(
            r for r, x in live_service.service.rooms.items() if pid in x.members)].members[pid]
        peer = live_service.service.peers[member]
        node, lost_id = peer.node, peer.session.id
        tn, pn = len(trec.events), len(prec.events)
        seen = teacher.frames_from(pid)
        # Janus forgets the pupil's session (as after a missed keepalive).
        assert node.admin is not None
        await node.admin.request({"janus": "destroy_session", "session_id": lost_id})
        await prec.wait(is_event("media_reconnecting", active=True,
                                 reason="media_session_lost"), after=pn, timeout=10)
        await trec.wait(_video_from(pid, seen + 3), after=tn, timeout=20)
        await prec.wait(is_event("media_reconnecting", active=False), after=pn, timeout=10)
        # Only the pupil reconnected; the teacher's own media never stopped.
        assert not [e for e in trec.json()[tn:] if e["event"] == "media_reconnecting"]
        assert live_service.service.peers[member].session.id != lost_id
    finally:
        await leave_all(running)


async def test_a_subscription_janus_hangs_up_is_offered_again(live_service: LiveService) -> None:
    room, teacher, [(pupil, pw)] = await lesson(live_service)
    pc = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=10)])
    await wait_publishing(teacher, pw.participant)
    got = await subscribe(teacher, pw.participant)
    await asyncio.wait_for(got.first.wait(), 15)
    # The teacher's receiving connection dies without a word to the service (a crashed
    # media stack, a network change): Janus hangs it up.
    await got.close()
    offer = await teacher.recv(p.Subscription, lambda m: m.feed == pw.participant, timeout=15)
    again = await answer_subscription(teacher, offer)
    await asyncio.wait_for(again.first.wait(), 15)
    await again.close()
    await pc.close()
    await teacher.send(p.End())
    for c in (teacher, pupil):
        await c.recv(p.Closed)
        await c.close()


async def test_a_janus_that_stops_answering_is_replaced(tmp_path: Path) -> None:
    service = RoomService(Config(listen=SERVER_ADDR, port=0, data=tmp_path / "data"))
    await service.start()
    node = service.nodes[0]
    assert node.process is not None and node.process.proc is not None
    hung = node.process.proc.pid
    try:
        room = service.create_links("t", "Maths", 600)
        teacher, _ = await join(service.url, room["teacher_link"], "T", room["pin"])
        os.kill(hung, signal.SIGSTOP)       # alive, but answers nothing
        # Unanswered keepalives give it away; the service kills it and spawns another.
        assert (await teacher.recv(p.MediaReconnect, timeout=30)).reason == "media_server_lost"
        for _ in range(100):
            if node.up and node.process is not None and node.process.proc is not None:
                break
            await asyncio.sleep(0.2)
        assert node.up and node.process is not None and node.process.proc is not None
        assert node.process.proc.pid != hung
        with pytest.raises(ProcessLookupError):
            os.kill(hung, 0)                # the hung one is gone
        pc = await publish(teacher, [SyntheticVideoTrack(160, 120, fps=10)])
        await pc.close()
        await teacher.close()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(hung, signal.SIGKILL)
        await service.stop()
