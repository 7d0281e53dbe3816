"""Sessions outlive Janus's session timeout (5 s in tests): keepalives are answered.

Janus answers a keepalive with a bare `ack`. These tests wait well past the timeout,
so a keepalive that is not sent, not resolved or given up shows as a dead session.
"""

from __future__ import annotations

import asyncio
import secrets

import pytest

from klasse.app import protocol as p
from klasse.media.synthetic import SyntheticVideoTrack
from klasse.server.janus_client import JanusConnection, JanusError
from klasse.server.janus_process import JanusProcess
from tests.server_fixtures import LiveService, join, lesson, publish, subscribe, wait_publishing


async def test_janus_reports_the_short_test_timeout(janus: JanusProcess) -> None:
    conn = await JanusConnection.open(janus.settings.api_url, janus.settings.api_secret)
    try:
        assert conn.session_timeout_s == janus.settings.session_timeout_s <= 10
        assert conn.keepalive_s < conn.session_timeout_s / 2
    finally:
        await conn.close()


async def test_a_session_lives_past_the_timeout_and_a_forgotten_one_dies(
        janus: JanusProcess) -> None:
    s = janus.settings
    admin = await JanusConnection.open_admin(s.admin_url, s.admin_secret)
    conn = await JanusConnection.open(s.api_url, s.api_secret)
    token = secrets.token_urlsafe(16)
    await admin.add_token(token)
    try:
        kept = await conn.create_session(token)
        forgotten = await conn.create_session(token)
        forgotten.stop_keepalive()          # what the old client did after its first keepalive
        await asyncio.sleep(s.session_timeout_s * 3)
        assert kept.keepalives >= 3 and not kept.lost.is_set()
        handle = await kept.attach()        # the session is still there
        data, _ = await handle.message({"request": "list", "admin_key": s.admin_secret})
        assert data["videoroom"] == "success"
        # Janus dropped the forgotten one and said so: the client marked it lost.
        assert forgotten.lost.is_set()
        with pytest.raises(JanusError) as err:
            await forgotten.attach()
        assert err.value.code == 458        # no such session
        await kept.destroy()
    finally:
        await admin.remove_token(token)
        await conn.close()
        await admin.close()


async def test_media_flows_and_a_late_pupil_is_seen_well_past_the_timeout(
        live_service: LiveService, janus: JanusProcess) -> None:
    timeout = janus.settings.session_timeout_s
    log_from = len(live_service.log.lines)
    room, teacher, [(pupil, pw)] = await lesson(live_service)
    pc = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=10)])
    await wait_publishing(teacher, pw.participant)
    got = await subscribe(teacher, pw.participant)
    await asyncio.wait_for(got.first.wait(), 15)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.sleep(timeout * 3 + 2)
    # The pupil's video kept reaching the teacher the whole time, without a gap.
    span = [t for t in got.times if t >= start]
    assert span and span[-1] > loop.time() - 1.0, "video stopped reaching the teacher"
    gaps = [b - a for a, b in zip(span, span[1:], strict=False)]
    assert max(gaps) < 1.5, f"video stalled for {max(gaps):.1f} s"
    # A late pupil joins: the room, the control handle and every session still work.
    late, lw = await join(live_service.service.url, room["pupil_link"], "Late", room["pin"])
    await teacher.send(p.Admit(participant=lw.participant))
    await late.recv(p.Admitted)
    late_pc = await publish(late, [SyntheticVideoTrack(160, 120, fps=10)])
    await wait_publishing(teacher, lw.participant)
    seen_by_teacher = await subscribe(teacher, lw.participant)
    late_sees = await subscribe(late, pw.participant)
    await asyncio.wait_for(seen_by_teacher.first.wait(), 15)
    await asyncio.wait_for(late_sees.first.wait(), 15)
    # Moderation goes through the service's own control session.
    await teacher.send(p.TurnOff(participant=lw.participant, device="camera"))
    await late.recv(p.Moderation, lambda m: m.action == "turn_off")
    await teacher.roundtrip()
    assert not [m for m in teacher.inbox if isinstance(m, p.Error)]
    assert not any("session was lost" in line for line in live_service.log.lines[log_from:])
    for r in (got, seen_by_teacher, late_sees):
        await r.close()
    for c in (pc, late_pc):
        await c.close()
    await teacher.send(p.End())
    for c in (teacher, pupil, late):
        await c.recv(p.Closed)
        await c.close()
