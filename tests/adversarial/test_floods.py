"""Finding 1 (floods): a pupil-link holder cannot flood the teacher. The waiting
room has a cap, joins and device changes are rate-limited, and participant lists
are coalesced (never one full list per change), so the teacher keeps chatting."""

from __future__ import annotations

import asyncio
import time

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from tests.server_fixtures import TestClient, join, lesson

from .conftest import ServiceMaker


async def _chat_round_trip(teacher: TestClient, text: str) -> float:
    t0 = time.monotonic()
    await teacher.send(p.Chat(text=text))
    await teacher.recv(p.ChatMessage, lambda m: m.text == text)
    return time.monotonic() - t0


def _lists(c: TestClient, since: int) -> int:
    return sum(isinstance(m, p.Participants) for m in c.seen[since:])


async def test_a_media_flood_is_limited_and_coalesced(make_service: ServiceMaker) -> None:
    live = await make_service()
    _, teacher, [(flooder, _)] = await lesson(live)
    await asyncio.sleep(0.3)
    before = len(teacher.seen)
    t0 = time.monotonic()
    for i in range(300):
        await flooder.send(p.MediaState(camera=False, mic=bool(i % 2)))
    await flooder.roundtrip()
    took = time.monotonic() - t0
    limited = [m for m in flooder.inbox if isinstance(m, p.Error)]
    assert len(limited) >= 250 and all(e.code is ErrorCode.RATE_LIMITED for e in limited)
    await asyncio.sleep(0.3)
    # At most one list per 100 ms reached the teacher (plus the trailing one).
    assert _lists(teacher, before) <= took / 0.1 + 3, (_lists(teacher, before), took)
    assert not teacher.closed.is_set()
    assert await _chat_round_trip(teacher, "after the media flood") < 2.0
    await teacher.close()
    await flooder.close()


async def test_join_leave_churn_is_limited_and_coalesced(make_service: ServiceMaker) -> None:
    live = await make_service()
    room, teacher, _ = await lesson(live, pupils=0)
    url = live.service.url
    before = len(teacher.seen)
    churners = [await TestClient.connect(url) for _ in range(5)]
    t0 = time.monotonic()
    cycles = limited = 0
    while time.monotonic() - t0 < 3.0:
        for c in churners:
            await c.send(p.Join(v=1, link=room["pupil_link"], name="Churn", pin=room["pin"]))
            reply = await c.recv((p.Welcome, p.Error))  # type: ignore[arg-type]
            if isinstance(reply, p.Error):
                assert reply.code is ErrorCode.RATE_LIMITED, reply
                limited += 1
                continue
            await c.send(p.Leave())
            await c.recv(p.Closed)
            cycles += 1
    took = time.monotonic() - t0
    assert limited > 0                          # each connection was slowed down
    assert cycles <= 5 * (4 + 0.5 * took) + 1   # burst 4, then 0.5 joins/s each
    await asyncio.sleep(0.3)
    assert _lists(teacher, before) <= took / 0.1 + 3
    assert await _chat_round_trip(teacher, "after the churn") < 2.0
    for c in [teacher, *churners]:
        await c.close()


async def test_the_waiting_room_is_capped(make_service: ServiceMaker) -> None:
    live = await make_service(waiting_room_cap=5)
    room, teacher, _ = await lesson(live, pupils=0)
    url = live.service.url
    waiting = [(await join(url, room["pupil_link"], f"W{i}", room["pin"]))[0] for i in range(5)]
    extra = await TestClient.connect(url)
    await extra.send(p.Join(v=1, link=room["pupil_link"], name="One too many", pin=room["pin"]))
    assert (await extra.error()).code is ErrorCode.ROOM_FULL
    # The teacher still gets in, and admitting one makes room for the next.
    teacher2, w = await join(url, room["teacher_link"], "Co-teacher", room["pin"])
    assert w.role == "teacher"
    lst = await teacher.recv(p.Participants, lambda m: sum(x.state == "waiting"
                                                         for x in m.participants) == 5)
    first = next(x.id for x in lst.participants if x.state == "waiting")
    await teacher.send(p.Admit(participant=first))
    await asyncio.sleep(0.2)
    await extra.send(p.Join(v=1, link=room["pupil_link"], name="Next", pin=room["pin"]))
    assert (await extra.recv(p.Welcome)).state == "waiting"
    for c in [teacher, teacher2, extra, *waiting]:
        await c.close()


async def test_the_teacher_shuts_a_flood_out(make_service: ServiceMaker) -> None:
    live = await make_service()
    room, teacher, [(pupil, _)] = await lesson(live)
    url = live.service.url
    flood = [(await join(url, room["pupil_link"], f"F{i}", room["pin"]))[0] for i in range(8)]
    await teacher.recv(p.Participants, lambda m: sum(x.state == "waiting"
                                                     for x in m.participants) == 8)
    # Lock first (nobody new), then send everyone waiting away at once.
    await teacher.send(p.LockRoom(locked=True, rid=7))
    assert (await teacher.recv(p.LockState, lambda m: m.rid == 7)).locked
    await teacher.send(p.DenyAll())
    for c in flood:
        assert (await c.recv(p.Closed)).reason == "denied"
    late = await TestClient.connect(url)
    await late.send(p.Join(v=1, link=room["pupil_link"], name="Late", pin=room["pin"]))
    assert (await late.error()).code is ErrorCode.ROOM_LOCKED
    # A pupil is not allowed to lock or unlock; the admitted pupil stays in.
    await pupil.send(p.LockRoom(locked=False))
    assert (await pupil.error()).code is ErrorCode.NOT_ALLOWED
    await pupil.roundtrip()
    assert not any(isinstance(m, p.Closed) for m in pupil.seen)
    # A second teacher learns the room is locked; unlocking lets pupils in again.
    teacher2, _ = await join(url, room["teacher_link"], "Co-teacher", room["pin"])
    assert (await teacher2.recv(p.LockState)).locked
    await teacher.send(p.LockRoom(locked=False))
    assert not (await teacher2.recv(p.LockState)).locked
    await late.send(p.Join(v=1, link=room["pupil_link"], name="Late", pin=room["pin"]))
    assert (await late.recv(p.Welcome)).state == "waiting"
    for c in [teacher, teacher2, pupil, late, *flood]:
        await c.close()
