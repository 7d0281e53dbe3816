"""Finding 4: PIN guessing slows the guesser down without locking legitimate users
out, and a pupil link does not say whose lesson it is."""

from __future__ import annotations

import asyncio
import base64
import json

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode, parse_link
from tests.server_fixtures import TEACHER, TestClient, join, lesson

from .conftest import ServiceMaker


def _wrong(pin: str, i: int) -> str:
    guess = str((int(pin) + 1 + i) % 10**6).zfill(6)
    assert guess != pin
    return guess


async def test_a_guesser_cannot_lock_the_teacher_out(make_service: ServiceMaker) -> None:
    live = await make_service()
    url = live.service.url
    room = live.new_room()
    # Many connections, each guessing a few times through the pupil link.
    refused = []
    for i in range(8):
        c = await TestClient.connect(url)
        for j in range(3):
            await c.send(p.Join(v=1, link=room["pupil_link"], name="Guesser",
                                pin=_wrong(room["pin"], 3 * i + j)))
            refused.append((await c.error()).code)
        await c.close()
    assert refused.count(ErrorCode.PIN_WRONG) >= 10
    assert ErrorCode.RATE_LIMITED in refused          # the room's budget slowed them down
    # Through the pupil link a first join waits for the budget's refill: seconds.
    c, err = await TestClient.connect(url), None
    await c.send(p.Join(v=1, link=room["pupil_link"], name="Late pupil", pin=room["pin"]))
    err = await c.error()
    assert err.code is ErrorCode.RATE_LIMITED
    assert int(err.message.split("try again in ")[1].split()[0]) <= 6
    await c.close()
    # ...but the teacher's link with the right PIN always gets in, at once.
    teacher, welcome = await join(url, room["teacher_link"], "Ms Teacher", room["pin"])
    assert welcome.role == "teacher"
    await teacher.close()


async def test_pupils_of_the_lesson_get_back_in_while_someone_guesses(
        make_service: ServiceMaker) -> None:
    live = await make_service()
    url = live.service.url
    room, teacher, [(pupil, pw)] = await lesson(live)
    codes = []
    for i in range(12):     # the room's budget is used up
        c = await TestClient.connect(url)
        await c.send(p.Join(v=1, link=room["pupil_link"], name="Guesser", pin=_wrong(room["pin"], i)))
        codes.append((await c.error()).code)
        await c.close()
    assert codes[-1] is ErrorCode.RATE_LIMITED
    member = next(iter(live.service.rooms.values())).members[pw.participant]
    await pupil.ws.close()                  # the pupil's network drops
    while member.conn is not None:
        await asyncio.sleep(0.02)
    # Its resume token names its seat: the seat's own backoff, not the room's budget.
    again, w2 = await join(url, room["pupil_link"], "Pupil 0", room["pin"], resume=pw.resume)
    assert (w2.participant, w2.state) == (pw.participant, "joined")
    # A wrong PIN with a stolen token is slowed down per seat, and takes no seat.
    for i in range(4):
        thief = await TestClient.connect(url)
        await thief.send(p.Join(v=1, link=room["pupil_link"], name="Thief",
                                pin=_wrong(room["pin"], i), resume=w2.resume))
        assert (await thief.error()).code is (
            ErrorCode.PIN_WRONG if i < 3 else ErrorCode.RATE_LIMITED)
        await thief.close()
    await again.roundtrip()
    for c in (again, teacher):
        await c.close()


async def test_one_connection_backs_off(make_service: ServiceMaker) -> None:
    live = await make_service()
    room = live.new_room()
    c = await TestClient.connect(live.service.url)
    for i in range(5):   # sent at once: the service sees them within milliseconds
        await c.send(p.Join(v=1, link=room["pupil_link"], name="Eve", pin=_wrong(room["pin"], i)))
    errors = [await c.error() for _ in range(5)]
    codes, err = [e.code for e in errors], errors[-1]
    assert codes[:3] == [ErrorCode.PIN_WRONG] * 3
    assert codes[3:] == [ErrorCode.RATE_LIMITED] * 2
    assert "try again in" in err.message
    await c.close()


async def test_a_pupil_link_does_not_name_the_teacher(make_service: ServiceMaker) -> None:
    live = await make_service()
    room = live.new_room()
    token = parse_link(room["pupil_link"]).token
    body = token.split(".")[0]
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    assert TEACHER not in payload and TEACHER not in room["pupil_link"]
    assert json.loads(payload)["r"] == room["room"]       # the room's random id only
    # The teacher link still carries it (recordings are filed under the account).
    t_token = parse_link(room["teacher_link"]).token.split(".")[0]
    assert TEACHER in base64.urlsafe_b64decode(t_token + "=" * (-len(t_token) % 4)).decode()
