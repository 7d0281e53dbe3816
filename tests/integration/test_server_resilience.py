"""Media that goes away and comes back; a Janus that dies takes only its lessons."""

from __future__ import annotations

import asyncio
import os

from klasse.app import protocol as p
from klasse.media.synthetic import SyntheticVideoTrack
from tests.server_fixtures import (
    LiveService,
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
