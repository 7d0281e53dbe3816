"""A lesson through the live room service: links, PIN, waiting room, media relay."""

from __future__ import annotations

import asyncio

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from klasse.media.synthetic import SyntheticVideoTrack
from tests.server_fixtures import (
    LiveService,
    TestClient,
    join,
    lesson,
    publish,
    subscribe,
    wait_publishing,
)


async def test_join_with_link_and_pin_then_waiting_room(live_service: LiveService) -> None:
    room = live_service.new_room()
    url = live_service.service.url
    teacher, tw = await join(url, room["teacher_link"], "Ms Teacher", room["pin"])
    assert tw.role == "teacher" and tw.state == "joined" and tw.room_title == "Maths 7b"
    pupil, pw = await join(url, room["pupil_link"], "Anna", room["pin"])
    assert pw.role == "pupil" and pw.state == "waiting"
    # The teacher sees who waits, with the name and how they came in.
    seen = await teacher.recv(p.Participants,
                              lambda m: any(x.id == pw.participant for x in m.participants))
    waiting = next(x for x in seen.participants if x.id == pw.participant)
    assert (waiting.name, waiting.state, waiting.via) == ("Anna", "waiting", "link")
    # A waiting pupil receives nothing of the lesson: not the chat, not the list.
    await teacher.send(p.Chat(text="welcome everyone"))
    await teacher.recv(p.ChatMessage)
    await pupil.send(p.Chat(text="hello?"))
    assert (await pupil.error()).code is ErrorCode.NOT_JOINED
    await pupil.roundtrip()
    assert [type(m) for m in pupil.seen] == [p.Welcome, p.Error, p.Pong]
    # Admitted: now the lesson arrives, including the chat so far.
    await teacher.send(p.Admit(participant=pw.participant))
    await pupil.recv(p.Admitted)
    line = await pupil.recv(p.ChatMessage)
    assert line.text == "welcome everyone" and line.sender == tw.participant
    listed = await pupil.recv(p.Participants)
    assert {x.id for x in listed.participants} == {tw.participant, pw.participant}
    await teacher.send(p.End())
    for c in (teacher, pupil):
        assert (await c.recv(p.Closed)).reason == "ended"
        await c.close()


async def test_bad_links_and_pins_get_distinct_errors(live_service: LiveService) -> None:
    svc = live_service.service
    room = live_service.new_room()
    expired = svc.create_links("teacher.one", "old", 60)
    # Forge: a valid token with a changed signature; an expired but genuine one.
    token = room["pupil_link"].split("/join/")[1].split("?")[0]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    from klasse.server.links import Grant
    expired_token = svc.signer.sign(Grant(expired["room"], "pupil", 1000.0))
    cases = [(forged, room["pin"], ErrorCode.LINK_INVALID),
             ("not-a-link", room["pin"], ErrorCode.LINK_INVALID),
             (expired_token, expired["pin"], ErrorCode.LINK_EXPIRED),
             (room["pupil_link"], "000000" if room["pin"] != "000000" else "111111",
              ErrorCode.PIN_WRONG),
             (room["pupil_link"], None, ErrorCode.PIN_WRONG)]
    for link, pin, code in cases:
        c = await TestClient.connect(svc.url)
        await c.send(p.Join(v=1, link=link, name="Eve", pin=pin))
        err = await c.error()
        assert (err.code, err.ref) == (code, "join")
        await c.close()
    # Guessing is rate-limited per connection: the 4th try is refused unseen.
    c = await TestClient.connect(svc.url)
    wrong = "123456" if room["pin"] != "123456" else "654321"
    codes = []
    for _ in range(4):
        await c.send(p.Join(v=1, link=room["pupil_link"], name="Eve", pin=wrong))
        codes.append((await c.error()).code)
    assert codes == [ErrorCode.PIN_WRONG] * 3 + [ErrorCode.RATE_LIMITED]
    await c.send(p.Join(v=1, link=room["pupil_link"], name="Eve", pin=room["pin"]))
    assert (await c.error()).code is ErrorCode.RATE_LIMITED
    await c.close()


async def test_video_relayed_from_pupil_to_teacher(live_service: LiveService) -> None:
    room, teacher, [(pupil, pw)] = await lesson(live_service)
    pc = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=15)])
    await wait_publishing(teacher, pw.participant)
    got = await subscribe(teacher, pw.participant)
    try:
        await asyncio.wait_for(got.first.wait(), 15)
        while len(got.counters) < 10:
            await asyncio.sleep(0.1)
        assert got.counters == sorted(got.counters)
        assert got.counters[-1] > got.counters[0]
        # No Janus address or secret reached the client: only SDP came through.
        assert all("secret" not in str(m) for m in teacher.seen)
    finally:
        await got.close()
        await pc.close()
        await teacher.send(p.End())
        await teacher.recv(p.Closed)
        await teacher.close()
        await pupil.close()


async def test_bad_frames_get_typed_errors(live_service: LiveService) -> None:
    svc = live_service.service
    c = await TestClient.connect(svc.url)
    cases = [
        ("{not json", ErrorCode.BAD_MESSAGE, None),
        ('{"type": "teleport"}', ErrorCode.BAD_MESSAGE, "teleport"),
        ('{"type": "chat", "text": 5}', ErrorCode.BAD_MESSAGE, "chat"),
        ('{"type": "ping", "extra": 1}', ErrorCode.BAD_MESSAGE, "ping"),
        ('{"type": "join", "v": 9, "link": "x", "name": "n"}', ErrorCode.UNSUPPORTED_VERSION,
         "join"),
        ('{"type": "chat", "text": "hi"}', ErrorCode.NOT_JOINED, "chat"),
        ('{"type": "end"}', ErrorCode.NOT_JOINED, "end"),
        ('{"type": "ping", "pad": "' + "x" * p.MAX_MESSAGE_BYTES + '"}', ErrorCode.TOO_LARGE,
         None),
    ]
    for frame, code, ref in cases:
        await c.send_raw(frame)
        err = await c.error()
        assert (err.code, err.ref) == (code, ref), frame[:40]
    await c.roundtrip()
    # Beyond twice the limit the WebSocket layer closes this one connection only.
    await c.send_raw("x" * (4 * p.MAX_MESSAGE_BYTES))
    await asyncio.wait_for(c.closed.wait(), 5)
    other = await TestClient.connect(svc.url)
    await other.roundtrip()
    await other.close()
    await c.close()
