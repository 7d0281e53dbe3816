"""Accounts over the protocol, reconnect, teacher grace period, kick/deny/hands."""

from __future__ import annotations

import asyncio

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from tests.server_fixtures import (
    PUPIL_ACCOUNT,
    PUPIL_PASSWORD,
    TEACHER,
    TEACHER_PASSWORD,
    LiveService,
    TestClient,
    join,
    lesson,
)


async def _login(url: str, user: str, password: str) -> tuple[TestClient, p.Session]:
    c = await TestClient.connect(url)
    await c.send(p.Login(v=1, user=user, password=password, rid=7))
    return c, await c.recv(p.Session)


async def test_teacher_creates_room_over_protocol_and_accounts_join(
        live_service: LiveService) -> None:
    url = live_service.service.url
    bad = await TestClient.connect(url)
    await bad.send(p.Login(v=1, user=TEACHER, password="not the password"))
    assert (await bad.error()).code is ErrorCode.LOGIN_FAILED
    await bad.send(p.CreateRoom(session="made-up"))
    assert (await bad.error()).code is ErrorCode.SESSION_INVALID
    await bad.close()

    tc, ts = await _login(url, TEACHER, TEACHER_PASSWORD)
    assert (ts.user, ts.role, ts.rid) == (TEACHER, "teacher", 7)
    await tc.send(p.CreateRoom(session=ts.token, title="Biology", expires_s=600, rid=8))
    made = await tc.recv(p.RoomCreated)
    assert made.rid == 8 and len(made.pin) == 6
    pc, ps = await _login(url, PUPIL_ACCOUNT, PUPIL_PASSWORD)
    await pc.send(p.CreateRoom(session=ps.token))
    assert (await pc.error()).code is ErrorCode.NOT_ALLOWED
    # A pupil account cannot use the teacher link; the teacher account can, without PIN.
    await pc.send(p.Join(v=1, link=made.teacher_link, name="Pia", session=ps.token))
    assert (await pc.error()).code is ErrorCode.NOT_ALLOWED
    await tc.send(p.Join(v=1, link=made.teacher_link, name="Mr T", session=ts.token))
    tw = await tc.recv(p.Welcome)
    assert (tw.role, tw.state, tw.room_title) == ("teacher", "joined", "Biology")
    await pc.send(p.Join(v=1, link=made.pupil_link, name="Pia", session=ps.token))
    pw = await pc.recv(p.Welcome)
    assert pw.state == "waiting"
    seen = await tc.recv(p.Participants, lambda m: len(m.participants) == 2)
    assert next(x for x in seen.participants if x.id == pw.participant).via == "account"
    await tc.send(p.Join(v=1, link=made.pupil_link, name="again", pin=made.pin))
    assert (await tc.error()).code is ErrorCode.ALREADY_JOINED
    await tc.send(p.End())
    for c in (tc, pc):
        await c.recv(p.Closed)
        await c.close()


async def test_resume_restores_participant_and_locks(live_service: LiveService) -> None:
    room, teacher, [(pupil, pw)] = await lesson(live_service)
    await teacher.send(p.TurnOff(participant=pw.participant, device="mic", lock=True))
    await pupil.recv(p.Moderation)
    member = next(r for r in live_service.service.rooms.values()
                  if pw.participant in r.members).members[pw.participant]
    await pupil.ws.close()          # the network drops
    async def noticed() -> None:    # the service has seen the drop (no fixed delay)
        while member.conn is not None:
            await asyncio.sleep(0.02)
    await asyncio.wait_for(noticed(), 10)
    again, w2 = await join(live_service.service.url, room["pupil_link"], "Pupil 0",
                           room["pin"], resume=pw.resume)
    assert (w2.participant, w2.state, w2.mic_locked) == (pw.participant, "joined", True)
    await again.send(p.MediaState(camera=False, mic=True))
    assert (await again.error()).code is ErrorCode.LOCKED
    # A stale token is no key: it joins as a new participant, who waits.
    other, w3 = await join(live_service.service.url, room["pupil_link"], "X", room["pin"],
                           resume="not-a-token")
    assert w3.state == "waiting" and w3.participant != pw.participant
    await teacher.send(p.End())
    for c in (teacher, again, other):
        await c.recv(p.Closed)
        await c.close()


async def test_room_closes_after_last_teacher_leaves_and_grace(live_service: LiveService) -> None:
    svc = live_service.service
    room, teacher, [(pupil, pw)] = await lesson(live_service)
    janus_room = svc.janus[next(r for r in svc.rooms.values() if pw.participant in r.members)]
    assert janus_room is not None
    await teacher.send(p.Leave())
    assert (await teacher.recv(p.Closed)).reason == "left"
    await pupil.send(p.Chat(text="is anyone there?"))   # the lesson goes on during grace
    await pupil.recv(p.ChatMessage)
    closed = await pupil.recv(p.Closed, timeout=svc.config.teacher_grace_s + 5)
    assert closed.reason == "ended"
    assert janus_room.id not in await janus_room.node.list_rooms()
    for c in (teacher, pupil):
        await c.close()


async def test_kick_deny_and_hands(live_service: LiveService) -> None:
    url = live_service.service.url
    room, teacher, [(a, aw), (b, bw)] = await lesson(live_service, pupils=2)
    waiting, ww = await join(url, room["pupil_link"], "Waiting Wil", room["pin"])
    await teacher.send(p.Deny(participant=ww.participant))
    assert (await waiting.recv(p.Denied)).reason
    assert (await waiting.recv(p.Closed)).reason == "denied"
    await a.send(p.Hand(up=True))
    await teacher.recv(p.Participants, lambda m: any(x.hand for x in m.participants))
    await teacher.send(p.LowerHands())
    assert (await a.recv(p.Moderation)).action == "lower_hand"
    await a.roundtrip()
    a.drop(p.Participants)            # only lists sent from now on count
    await teacher.send(p.Kick(participant=bw.participant))
    assert (await b.recv(p.Closed)).reason == "kicked"
    listed = await a.recv(p.Participants, lambda m: all(x.id != bw.participant
                                                       for x in m.participants))
    assert not any(x.hand for x in listed.participants)
    await teacher.send(p.Kick(participant=bw.participant))
    assert (await teacher.error()).code is ErrorCode.NO_SUCH_PARTICIPANT
    await teacher.send(p.Admit(participant=aw.participant))
    assert (await teacher.error()).code is ErrorCode.OUT_OF_ORDER
    await teacher.send(p.End())
    for c in (teacher, a):
        await c.recv(p.Closed)
    for c in (teacher, a, b, waiting):
        await c.close()


async def test_empty_room_frees_janus_but_its_link_still_works(live_service: LiveService) -> None:
    svc = live_service.service
    made = live_service.new_room()
    teacher, tw = await join(svc.url, made["teacher_link"], "T", made["pin"])
    room = next(r for r in svc.rooms.values() if tw.participant in r.members)
    janus_room = svc.janus[room]
    assert janus_room is not None
    await teacher.send(p.Leave())
    await teacher.recv(p.Closed)
    await teacher.roundtrip()
    assert room.id not in svc.rooms and room.id not in svc.ended
    assert janus_room.id not in await janus_room.node.list_rooms()
    await teacher.send(p.Join(v=1, link=made["teacher_link"], name="T", pin=made["pin"]))
    assert (await teacher.recv(p.Welcome)).state == "joined"
    await teacher.send(p.End())
    await teacher.recv(p.Closed)
    assert room.id in svc.ended
    await teacher.close()


async def test_chat_flood_is_rate_limited(live_service: LiveService) -> None:
    room, teacher, [(pupil, _)] = await lesson(live_service)
    for i in range(25):
        await pupil.send(p.Chat(text=f"spam {i}", rid=i))
    await pupil.roundtrip()
    limited = [m for m in pupil.seen if isinstance(m, p.Error)]
    assert limited and all(e.code is ErrorCode.RATE_LIMITED and e.ref == "chat" for e in limited)
    assert len(limited) == 5          # 20 lines per 10 s went through
    await teacher.send(p.End())
    for c in (teacher, pupil):
        await c.recv(p.Closed)
        await c.close()


async def test_a_failing_handler_answers_internal_and_harms_nothing(
        live_service: LiveService) -> None:
    from klasse.server.rules import Action
    from klasse.server.service import RoomService

    room, teacher, [(pupil, pw)] = await lesson(live_service)
    original = RoomService._handlers[Action.HAND]

    async def broken(self, client, msg):  # type: ignore[no-untyped-def]
        raise KeyError("a bug")

    RoomService._handlers[Action.HAND] = broken
    try:
        await pupil.send(p.Hand(up=True, rid=5))
        err = await pupil.error()
        assert (err.code, err.ref, err.rid) == (ErrorCode.INTERNAL, "hand", 5)
    finally:
        RoomService._handlers[Action.HAND] = original
    # The same connection, its room and the service work on.
    await pupil.send(p.Hand(up=True))
    await teacher.recv(p.Participants, lambda m: any(x.id == pw.participant and x.hand
                                                     for x in m.participants))
    await teacher.send(p.End())
    for c in (teacher, pupil):
        await c.recv(p.Closed)
        await c.close()


async def test_room_without_waiting_room_admits_pupils_at_once(live_service: LiveService) -> None:
    url = live_service.service.url
    tc, ts = await _login(url, TEACHER, TEACHER_PASSWORD)
    await tc.send(p.CreateRoom(session=ts.token, waiting_room=False))
    made = await tc.recv(p.RoomCreated)
    await tc.send(p.Join(v=1, link=made.teacher_link, name="T", session=ts.token))
    await tc.recv(p.Welcome)
    pupil, pw = await join(url, made.pupil_link, "Quick", made.pin)
    assert pw.state == "joined"
    assert {x.id for x in (await pupil.recv(p.Participants)).participants} >= {pw.participant}
    await tc.send(p.End())
    for c in (tc, pupil):
        await c.recv(p.Closed)
        await c.close()


async def test_teacher_who_reconnects_in_time_keeps_the_lesson(live_service: LiveService) -> None:
    from klasse.server.rules import RoomState

    svc = live_service.service
    room, teacher, [(pupil, pw)] = await lesson(live_service)
    tw = next(m for m in teacher.seen if isinstance(m, p.Welcome))
    lesson_room = next(r for r in svc.rooms.values() if pw.participant in r.members)
    await teacher.ws.close()                      # the teacher's network drops
    for _ in range(50):
        if lesson_room.state is RoomState.CLOSING:
            break
        await asyncio.sleep(0.05)
    assert lesson_room.state is RoomState.CLOSING
    back, w = await join(svc.url, room["teacher_link"], "Ms Teacher", room["pin"],
                         resume=tw.resume)
    assert (w.participant, w.role, w.state) == (tw.participant, "teacher", "joined")
    assert lesson_room.state is RoomState.OPEN
    await asyncio.sleep(svc.config.teacher_grace_s + 0.5)   # past the grace period
    await pupil.roundtrip()
    assert not any(isinstance(m, p.Closed) for m in pupil.seen)
    await back.send(p.End())
    for c in (back, pupil):
        await c.recv(p.Closed)
        await c.close()
