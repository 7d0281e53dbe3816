"""The privacy notice before joining: `get_notice` answers with the deployment's
notice for a valid link, and leaves no room, no participant and no log line."""

from __future__ import annotations

import asyncio

import pytest

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from klasse.server.links import Grant
from tests.server_fixtures import LiveService, TestClient, join


async def test_notice_before_join_makes_no_room_or_participant(live_service: LiveService
                                                               ) -> None:
    svc = live_service.service
    room = live_service.new_room(title="Klasse 6a Ethik")
    lines_before = len(live_service.log.lines)
    c = await TestClient.connect(svc.url)
    await c.send(p.GetNotice(v=p.PROTOCOL_VERSION, link=room["pupil_link"], rid=3))
    info = await c.recv(p.NoticeInfo)
    assert info.rid == 3
    assert info.notice == svc.config.notice
    # Nothing exists for this connection or room: no room, no member, no resume token.
    assert room["room"] not in svc.rooms
    assert all(r.id != room["room"] for r in svc.rooms.values())
    assert not any(m.room.id == room["room"] for m in svc.resumes.values())
    assert live_service.log.lines[lines_before:] == []
    # It is no PIN attempt: more asks than the per-connection PIN budget (3), and the
    # same connection then joins with the right PIN, and gets the same notice.
    for _ in range(4):
        await c.send(p.GetNotice(v=p.PROTOCOL_VERSION, link=room["pupil_link"]))
        await c.recv(p.NoticeInfo)
    await c.send(p.Join(v=p.PROTOCOL_VERSION, link=room["pupil_link"], name="Mila",
                        pin=room["pin"]))
    welcome = await c.recv(p.Welcome)
    assert welcome.notice == info.notice
    # Once in a room, asking again is out of place (same class as login and join).
    await c.send(p.GetNotice(v=p.PROTOCOL_VERSION, link=room["pupil_link"]))
    err = await c.error()
    assert (err.code, err.ref) == (ErrorCode.ALREADY_JOINED, "get_notice")
    teacher, _ = await join(svc.url, room["teacher_link"], "Ms T", room["pin"])
    await teacher.send(p.End())
    await c.recv(p.Closed)
    for client in (c, teacher):
        await client.close()


async def test_notice_refuses_bad_links_like_join(live_service: LiveService) -> None:
    svc = live_service.service
    room = live_service.new_room()
    token = room["pupil_link"].split("/join/")[1].split("?")[0]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    expired = svc.signer.sign(Grant(svc.signer.new_room_id(), "pupil", 1000.0))
    ended = live_service.new_room()
    teacher, _ = await join(svc.url, ended["teacher_link"], "Ms T", ended["pin"])
    await teacher.send(p.End())
    await teacher.recv(p.Closed)
    await teacher.close()
    cases = [(forged, ErrorCode.LINK_INVALID), ("not-a-link", ErrorCode.LINK_INVALID),
             (expired, ErrorCode.LINK_EXPIRED), (ended["pupil_link"], ErrorCode.ROOM_CLOSED)]
    c = await TestClient.connect(svc.url)
    for link, code in cases:
        await c.send(p.GetNotice(v=p.PROTOCOL_VERSION, link=link))
        err = await c.error()
        assert (err.code, err.ref) == (code, "get_notice")
    await c.send(p.GetNotice(v=99, link=room["pupil_link"]))
    assert (await c.error()).code is ErrorCode.UNSUPPORTED_VERSION
    # A name has no place in the request: refused as a malformed message.
    await c.send_raw('{"type": "get_notice", "v": 1, "link": "x", "name": "Mila"}')
    assert (await c.error()).code is ErrorCode.BAD_MESSAGE
    assert room["room"] not in svc.rooms
    await c.close()


async def test_fetch_notice_uses_one_short_connection(live_service: LiveService) -> None:
    from klasse.app.notice import NoticeError, fetch_notice

    svc = live_service.service
    room = live_service.new_room()
    before = len(svc._clients)
    notice = await fetch_notice(room["pupil_link"])
    assert notice == svc.config.notice
    for _ in range(50):                  # the service sees the connection go at once
        if len(svc._clients) == before:
            break
        await asyncio.sleep(0.02)
    assert len(svc._clients) == before
    assert room["room"] not in svc.rooms
    expired = svc.signer.sign(Grant(svc.signer.new_room_id(), "pupil", 1000.0))
    link = p.parse_link(room["pupil_link"])
    with pytest.raises(NoticeError) as info:
        await fetch_notice(p.Link(host=link.host, port=link.port, token=expired, tls=link.tls))
    assert info.value.code == "link_expired"
