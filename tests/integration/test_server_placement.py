"""One service, two Janus instances: each new room goes to the least-loaded one."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from klasse.app import protocol as p
from klasse.server.config import Config, JanusInstance
from klasse.server.janus_config import JanusSettings
from klasse.server.janus_process import JanusProcess
from klasse.server.service import RoomService
from tests.server_fixtures import join

SERVER_ADDR = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _instance(s: JanusSettings) -> JanusInstance:
    return JanusInstance(s.api_url, s.api_secret, s.admin_url, s.admin_secret, s.admin_secret)


async def test_rooms_go_to_the_least_loaded_janus(janus: JanusProcess, tmp_path: Path) -> None:
    second = JanusProcess(JanusSettings(ice_address=SERVER_ADDR, api_port=_free_port(),
                                        admin_port=_free_port()))
    await second.start()
    service = RoomService(Config(listen=SERVER_ADDR, port=0, data=tmp_path,
                                 janus=(_instance(janus.settings), _instance(second.settings))))
    await service.start()
    clients = []
    try:
        async def room_with(n: int) -> str:
            made = service.create_links("t", "", 600)
            for i in range(n):
                c, _ = await join(service.url, made["teacher_link"], f"T{i}", made["pin"])
                clients.append(c)
            rid = p.parse_link(made["pupil_link"]).token
            return next(j.node.name for r, j in service.janus.items()
                        if r.id in service.signer.verify(rid).room)
        first = await room_with(3)       # both empty: the first node
        other = await room_with(1)       # the other node has 0 participants
        assert first != other
        third = await room_with(1)       # loads 3 vs 1: the second again
        assert third == other
        loads = sorted(n.load for n in service.nodes)
        assert loads == [2, 3]
        # Each node really holds its rooms.
        for node in service.nodes:
            listed = await node.list_rooms()
            mine = [j.id for j in service.janus.values() if j.node is node]
            assert set(mine) <= set(listed) and mine
    finally:
        for c in clients:
            await c.close()
        await service.stop()
        await second.stop()
