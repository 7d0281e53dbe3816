"""Finding 7: connections that never join are closed after a short time, and a
process holds a bounded number of connections, refusing more with a clear error."""

from __future__ import annotations

import asyncio

from websockets.asyncio.client import connect

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from tests.server_fixtures import TestClient, join

from .conftest import ServiceMaker


async def test_a_connection_that_never_joins_is_closed(make_service: ServiceMaker) -> None:
    live = await make_service(join_within_s=1.5)
    url = live.service.url
    idle = await TestClient.connect(url)
    room = live.new_room()
    member, _ = await join(url, room["teacher_link"], "Ms Teacher", room["pin"])
    # Pings keep a connection alive at the WebSocket level, but not out of a room.
    for _ in range(8):
        await idle.send(p.Ping())
        await asyncio.sleep(0.5)
        if idle.closed.is_set():
            break
    assert idle.closed.is_set()
    assert idle.ws.close_code == 1008
    # One in a room stays.
    await member.roundtrip()
    assert not member.closed.is_set()
    await member.close()
    await idle.close()


async def test_connections_over_the_cap_are_refused_clearly(make_service: ServiceMaker) -> None:
    live = await make_service(max_connections=5)
    url = live.service.url
    held = [await TestClient.connect(url) for _ in range(5)]
    for c in held:
        await c.roundtrip()
    async with connect(url) as ws:
        first = p.decode_server(await asyncio.wait_for(ws.recv(), 5))
        assert isinstance(first, p.Error) and first.code is ErrorCode.BUSY
        await asyncio.wait_for(ws.wait_closed(), 5)
        assert ws.close_code == 1013
    # The ones already open are untouched; once one goes, a new one gets in.
    await held[0].close()
    await asyncio.sleep(0.2)
    again = await TestClient.connect(url)
    await again.roundtrip()
    for c in [*held[1:], again]:
        assert not c.closed.is_set()
        await c.close()
