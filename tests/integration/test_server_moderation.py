"""Moderation that the server enforces, refused teacher actions, and room close."""

from __future__ import annotations

import asyncio

import pytest

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from klasse.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from klasse.server.janus_client import JanusConnection, JanusError
from tests.server_fixtures import (
    LiveService,
    Received,
    TestClient,
    lesson,
    publish,
    subscribe,
    wait_publishing,
)


async def _frames_after(got: Received, t: float) -> int:
    return sum(1 for x in got.times if x > t)


async def _until_frames_after(got: Received, t: float, n: int, timeout: float = 15.0) -> int:
    """Wait (up to `timeout`) until `n` frames arrived after `t`; the count then."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await _frames_after(got, t) < n and loop.time() < deadline:
        await asyncio.sleep(0.05)
    return await _frames_after(got, t)


async def _stalled(got: Received, window: float, timeout: float = 6.0) -> bool:
    """True once no frame has arrived for `window` seconds, within `timeout` (frames
    already in flight may still land first, later on a loaded machine)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        last = got.times[-1] if got.times else 0.0
        if loop.time() - last >= window:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_teacher_turns_pupil_camera_off_and_janus_cuts_it(live_service: LiveService) -> None:
    room, teacher, [(pupil, pw), (viewer, vw)] = await lesson(live_service, pupils=2)
    loop = asyncio.get_running_loop()
    # Audio first, then video: the service must find the video mid from the SDP.
    pc = await publish(pupil, [SyntheticAudioTrack(), SyntheticVideoTrack(160, 120, fps=15)])
    await pupil.send(p.MediaState(camera=True, mic=True))
    await wait_publishing(viewer, pw.participant)
    got = await subscribe(viewer, pw.participant)
    try:
        await asyncio.wait_for(got.first.wait(), 15)
        assert await _until_frames_after(got, loop.time(), 5) >= 5
        # The test's pupil ignores the command (a modified client): its track keeps sending.
        await teacher.roundtrip()
        for c in (teacher, pupil, viewer):
            c.drop(p.Participants)        # only lists sent from now on count
        t0 = loop.time()
        await teacher.send(p.TurnOff(participant=pw.participant, device="camera", lock=True))
        cmd = await pupil.recv(p.Moderation, timeout=1.0)
        assert (cmd.action, cmd.device, cmd.locked, cmd.by) == ("turn_off", "camera", True,
                                                                 room_teacher_id(teacher))
        assert loop.time() - t0 < 1.0
        assert await _stalled(got, 1.5), "subscriber still gets video"
        assert got.audio_frames > 0
        listed = await teacher.recv(p.Participants, lambda m: any(
            x.id == pw.participant and x.camera_locked for x in m.participants))
        assert not next(x for x in listed.participants if x.id == pw.participant).camera
        # Classmates see the camera off, not that the teacher locked it; the pupil does.
        seen = await viewer.recv(p.Participants, lambda m: any(
            x.id == pw.participant and not x.camera for x in m.participants))
        assert not next(x for x in seen.participants if x.id == pw.participant).camera_locked
        own = await pupil.recv(p.Participants, lambda m: any(
            x.id == pw.participant and x.camera_locked for x in m.participants))
        assert own.participants
        # Locked: the pupil cannot turn it on; unlocking does not turn it on either.
        await pupil.send(p.MediaState(camera=True, mic=True))
        assert (await pupil.error()).code is ErrorCode.LOCKED
        await teacher.send(p.Unlock(participant=pw.participant, device="camera"))
        assert (await pupil.recv(p.Moderation)).action == "unlock"
        t1 = loop.time()
        await asyncio.sleep(1.5)
        assert await _frames_after(got, t1) == 0, "unlock must not turn the camera on"
        # Asking is all a teacher can do; the pupil decides and turns it on.
        await teacher.send(p.AskOn(participant=pw.participant, device="camera"))
        assert (await pupil.recv(p.Moderation)).action == "ask_on"
        t2 = loop.time()
        await pupil.send(p.MediaState(camera=True, mic=True))
        assert await _until_frames_after(got, t2, 3) >= 3, \
            "video did not come back after the pupil's own on"
    finally:
        await got.close()
        await pc.close()
        await teacher.send(p.End())
        for c in (teacher, pupil, viewer):
            await c.recv(p.Closed)
            await c.close()


def room_teacher_id(teacher) -> str:  # type: ignore[no-untyped-def]
    return next(m.participant for m in teacher.seen if isinstance(m, p.Welcome))


async def test_every_teacher_action_by_a_pupil_is_refused(live_service: LiveService) -> None:
    room, teacher, [(pupil, pw), (other, ow)] = await lesson(live_service, pupils=2)
    tid = room_teacher_id(teacher)
    actions: list[p.ClientMessage] = [
        p.Admit(participant=ow.participant), p.AdmitAll(), p.Deny(participant=ow.participant),
        p.TurnOff(participant=ow.participant, device="camera", lock=True),
        p.TurnOff(participant=None, device="mic"), p.Unlock(participant=pw.participant,
                                                            device="camera"),
        p.AskOn(participant=ow.participant, device="mic"), p.Kick(participant=tid),
        p.LowerHands(), p.End(), p.Record(start=True)]
    for i, msg in enumerate(actions):
        await pupil.send(msg.__class__(**{**{f: getattr(msg, f) for f in msg.__struct_fields__},
                                          "rid": i}))
        err = await pupil.error()
        assert (err.code, err.rid, err.ref) == (ErrorCode.NOT_ALLOWED, i,
                                                msg.__struct_config__.tag)
    # Nothing happened: the lesson, the other pupil and the teacher are untouched.
    await other.roundtrip()
    assert not any(isinstance(m, (p.Moderation, p.Closed)) for m in other.seen)
    await teacher.send(p.Chat(text="still here"))
    assert (await other.recv(p.ChatMessage)).text == "still here"
    assert set(live_service.service.rooms[room_id(room)].members) == {
        tid, pw.participant, ow.participant}
    await teacher.send(p.End())
    for c in (teacher, pupil, other):
        await c.recv(p.Closed)
        await c.close()


def room_id(room: dict) -> str:  # type: ignore[type-arg]
    import base64
    import json

    from klasse.server.links import LinkSigner  # noqa: F401 - the grant names the room
    token = room["pupil_link"].split("/join/")[1].split("?")[0].split(".")[0]
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["r"]


async def test_end_for_all_destroys_janus_room_and_all_room_data(live_service: LiveService) -> None:
    svc = live_service.service
    room, teacher, [(pupil, pw)] = await lesson(live_service)
    rid = room_id(room)
    pc = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=15)])
    await wait_publishing(teacher, pw.participant)
    got = await subscribe(teacher, pw.participant)
    await asyncio.wait_for(got.first.wait(), 15)
    await pupil.send(p.Chat(text="secret homework answer"))
    await pupil.send(p.Hand(up=True))
    janus_room = svc.janus[svc.rooms[rid]]
    node = janus_room.node
    assert janus_room.id in await node.list_rooms()
    load_before = node.load
    pupil_member = svc.rooms[rid].members[pw.participant]
    pupil_token = svc.peers[pupil_member].token
    await teacher.send(p.End())
    for c in (teacher, pupil):
        assert (await c.recv(p.Closed)).reason == "ended"
    # Janus lists no room, and the service holds nothing of it but the ended id.
    assert janus_room.id not in await node.list_rooms()
    assert rid not in svc.rooms
    assert all(m.room.id != rid for m in svc.resumes.values())
    assert node.load == load_before - 2
    assert set(svc.ended) >= {rid}
    held = repr(svc.rooms) + repr(svc.resumes)
    assert "secret homework answer" not in held and "Pupil 0" not in held
    # The data folder holds only accounts and the key: nothing of the lesson on disk.
    assert sorted(f.name for f in svc.config.data.iterdir()) == ["accounts.json", "link.key"]
    # The pupil's Janus token is revoked: with the Janus address alone (no API secret)
    # neither it nor a made-up token opens a Janus session.
    bare = await JanusConnection.open(node.instance.url, None)
    try:
        for token in (pupil_token, "made-up-token"):
            with pytest.raises(JanusError) as refused:
                await bare.create_session(token)
            assert refused.value.code == 403
    finally:
        await bare.close()
    # The old links cannot reopen the lesson.
    late = await TestClient.connect(svc.url)
    await late.send(p.Join(v=1, link=room["pupil_link"], name="Late", pin=room["pin"]))
    assert (await late.error()).code is ErrorCode.ROOM_CLOSED
    assert rid not in svc.rooms
    await late.close()
    await got.close()
    await pc.close()
    for c in (teacher, pupil):
        await c.close()
