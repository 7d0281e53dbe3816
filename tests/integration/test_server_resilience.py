"""Media that goes away and comes back; a Janus that dies takes only its lessons."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

from klasse.app import protocol as p
from klasse.media.synthetic import SyntheticVideoTrack
from klasse.server.config import Config, JanusInstance
from klasse.server.janus_config import JanusSettings
from klasse.server.janus_process import JanusProcess
from klasse.server.service import RoomService
from tests.server_fixtures import (
    LiveService,
    join,
    lesson,
    publish,
    subscribe,
    wait_publishing,
)

SERVER_ADDR = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")


async def test_publisher_hangup_then_publish_again(live_service: LiveService) -> None:
    room, teacher, [(pupil, pw)] = await lesson(live_service)
    pc = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=15)])
    await wait_publishing(teacher, pw.participant)
    teacher.drop(p.Participants)   # only lists sent from now on count
    await pc.close()          # the pupil's media connection ends (client restart, network)
    await teacher.recv(p.Participants, lambda m: any(
        x.id == pw.participant and not x.publishing for x in m.participants), timeout=15)
    await pupil.roundtrip()
    pc2 = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=15)])
    await wait_publishing(teacher, pw.participant)
    got = await subscribe(teacher, pw.participant)
    await asyncio.wait_for(got.first.wait(), 15)
    await got.close()
    await pc2.close()
    await teacher.send(p.End())
    for c in (teacher, pupil):
        await c.recv(p.Closed)
        await c.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_lost_janus_closes_its_rooms_and_the_service_lives_on(
        janus: JanusProcess, tmp_path: Path) -> None:
    doomed = JanusProcess(JanusSettings(ice_address=SERVER_ADDR, api_port=_free_port(),
                                       admin_port=_free_port()))
    await doomed.start()
    ds, ss = doomed.settings, janus.settings
    service = RoomService(Config(listen=SERVER_ADDR, port=0, data=tmp_path, janus=(
        JanusInstance(ds.api_url, ds.api_secret, ds.admin_url, ds.admin_secret, ds.admin_secret),
        JanusInstance(ss.api_url, ss.api_secret, ss.admin_url, ss.admin_secret,
                      ss.admin_secret))))
    await service.start()
    try:
        a = service.create_links("t", "", 600)
        ta, _ = await join(service.url, a["teacher_link"], "A", a["pin"])
        assert next(iter(service.rooms.values())).janus.node.name == "janus1"  # type: ignore[union-attr]
        await doomed.stop()
        assert (await ta.recv(p.Closed, timeout=10)).reason == "ended"
        assert not service.rooms
        # The other node still serves new lessons.
        b = service.create_links("t", "", 600)
        tb, wb = await join(service.url, b["teacher_link"], "B", b["pin"])
        assert wb.state == "joined"
        assert next(iter(service.rooms.values())).janus.node.name == "janus2"  # type: ignore[union-attr]
        for c in (ta, tb):
            await c.close()
    finally:
        await service.stop()
        await doomed.stop()
