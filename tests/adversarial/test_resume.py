"""Finding 3: resume tokens. The token alone takes over nobody: a resume proves the
link again (PIN or session), a used token is spent, and a connection that is
displaced by the proven holder is told so."""

from __future__ import annotations

import asyncio

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from tests.server_fixtures import TestClient, join, lesson

from .conftest import ServiceMaker


async def test_someone_elses_token_takes_over_nothing(make_service: ServiceMaker) -> None:
    live = await make_service()
    url = live.service.url
    room, teacher, [(victim, vw)] = await lesson(live)
    await teacher.send(p.Chat(text="private to the lesson"))
    await victim.recv(p.ChatMessage)
    for pin in (None, "000000" if room["pin"] != "000000" else "111111"):
        thief = await TestClient.connect(url)
        await thief.send(p.Join(v=1, link=room["pupil_link"], name="Thief", pin=pin,
                                resume=vw.resume))
        err = await thief.error()
        assert err.code is ErrorCode.PIN_WRONG
        assert not any(isinstance(m, (p.Welcome, p.ChatMessage)) for m in thief.seen)
        await thief.close()
    # The victim is still in, untouched, and was never told anything.
    await victim.roundtrip()
    assert not victim.closed.is_set()
    assert not any(isinstance(m, p.Closed) for m in victim.seen)
    await teacher.send(p.End())
    for c in (teacher, victim):
        await c.recv(p.Closed)
        await c.close()


async def test_a_resume_rotates_the_token_and_tells_a_displaced_connection(
        make_service: ServiceMaker) -> None:
    live = await make_service()
    url = live.service.url
    room, teacher, [(pupil, pw)] = await lesson(live)
    # The proven holder comes back while the old connection still looks alive.
    again, w2 = await join(url, room["pupil_link"], "Pupil 0", room["pin"], resume=pw.resume)
    assert w2.participant == pw.participant and w2.state == "joined"
    assert w2.resume != pw.resume                            # the token rotated
    closed = await pupil.recv(p.Closed)
    assert closed.reason == "replaced"                       # the displaced one is told
    # The spent token is no key any more: it makes a new participant, who waits.
    third, w3 = await join(url, room["pupil_link"], "Pupil 0", room["pin"], resume=pw.resume)
    assert w3.participant != pw.participant and w3.state == "waiting"
    # After the network drops, the new token (with the PIN) resumes the seat.
    await again.ws.close()
    await asyncio.sleep(0.3)
    back, w4 = await join(url, room["pupil_link"], "Pupil 0", room["pin"], resume=w2.resume)
    assert w4.participant == pw.participant and w4.resume not in (pw.resume, w2.resume)
    await teacher.send(p.End())
    for c in (teacher, back, third):
        await c.recv(p.Closed)
        await c.close()
    await pupil.close()
