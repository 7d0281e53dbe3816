"""Finding 4: PIN guessing slows the guesser down without locking legitimate users
out, and a pupil link does not say whose lesson it is."""

from __future__ import annotations

import base64
import json

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode, parse_link
from tests.server_fixtures import TEACHER, TestClient, join

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
    # Through the pupil link the room now refuses even the right PIN for a while...
    c, err = await TestClient.connect(url), None
    await c.send(p.Join(v=1, link=room["pupil_link"], name="Late pupil", pin=room["pin"]))
    err = await c.error()
    assert err.code is ErrorCode.RATE_LIMITED
    await c.close()
    # ...but the teacher's link with the right PIN always gets in, at once.
    teacher, welcome = await join(url, room["teacher_link"], "Ms Teacher", room["pin"])
    assert welcome.role == "teacher"
    await teacher.close()


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
