"""Screen sharing through the live service and real Janus: who may share, one share
at a time, and that the share is the publisher's second video track.

Shares here are synthetic slides (no display needed); tests/integration/
test_screen_share_x11.py shares a real X11 window and reads it back with OCR.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from klasse.app.call_session import CallSession
from tests.integration.call_helpers import Recorder, is_event, session
from tests.server_fixtures import LiveService


async def _lesson(live: LiveService, tmp: Path, names: list[tuple[str, str]],
                  **kw: Any) -> tuple[list[CallSession], list[Recorder], list[asyncio.Future[None]]]:
    """Join (role, name) participants in order; pupils are admitted; all joined."""
    room = live.new_room()
    sessions, recs, tasks = [], [], []
    teacher: CallSession | None = None
    for role, name in names:
        rec = Recorder()
        s = session(room[f"{role}_link"], name, room["pin"], rec, tmp, camera="off",
                    mic="off", screen="synthetic", **kw)
        tasks.append(asyncio.ensure_future(s.run()))
        if role == "teacher":
            await rec.wait(is_event("state", state="joined"))
            teacher = teacher or s
        else:
            await rec.wait(is_event("state", state="waiting"))
            assert teacher is not None
            await teacher.admit(s.machine.me)  # type: ignore[arg-type]
            await rec.wait(is_event("state", state="joined"))
        sessions.append(s)
        recs.append(rec)
    # Everyone publishes (the screen m-line is always offered) and sees everyone.
    for rec in recs:
        await rec.wait(lambda e: e["event"] == "participants" and len(e["participants"]) == len(names)
                       and all(x["publishing"] for x in e["participants"]))
    return sessions, recs, tasks


async def _end(sessions: list[CallSession], tasks: list[asyncio.Future[None]]) -> None:
    for s in sessions[1:]:
        await s.leave()
    await sessions[0].end()
    await asyncio.wait_for(asyncio.gather(*tasks), 20)


def _screen_frames(rec: Recorder, sender: str) -> int:
    counts = [e["frames"] for e in rec.json() if e["event"] == "screen" and e["from"] == sender]
    return counts[-1] if counts else 0


async def _grows(rec: Recorder, sender: str, by: int = 5, timeout: float = 20.0) -> None:
    start = _screen_frames(rec, sender)
    await rec.wait(lambda e: e["event"] == "screen" and e["from"] == sender
                   and e["frames"] >= start + by, timeout=timeout)


async def _stalled(rec: Recorder, sender: str, window: float = 1.5) -> bool:
    await asyncio.sleep(1.0)   # frames in flight and the half-second report land
    before = _screen_frames(rec, sender)
    await asyncio.sleep(window)
    return _screen_frames(rec, sender) == before


async def test_pupil_shares_only_while_a_teacher_allows_it(live_service: LiveService,
                                                           tmp_path: Path) -> None:
    (teacher, anna), (trec, arec), tasks = await _lesson(
        live_service, tmp_path, [("teacher", "Ms T"), ("pupil", "Anna")])
    aid = anna.machine.me
    assert aid is not None
    try:
        # Without permission: refused by the service, the source released again.
        n = len(arec.events)
        await anna.share(True)
        err = await arec.wait(is_event("error", code="not_allowed"), after=n)
        assert err["code"] == "not_allowed"
        await asyncio.sleep(0.3)
        assert not anna.screen.is_on and anna._share_source is None
        assert anna.machine.sharer is None

        # Allowed: her slide reaches the teacher as a screen, not as her camera.
        await teacher.share_permission(aid, True)
        await arec.wait(is_event("moderation", action="share_allowed"))
        await anna.share(True)
        await arec.wait(is_event("share", sharer=aid, mine=True))
        await trec.wait(is_event("share", sharer=aid, mine=False))
        await _grows(trec, aid)
        assert not [e for e in trec.json() if e["event"] == "video" and e["from"] == aid
                    and e["frames"] > 0]

        # Revoked: her share stops at once, in her client and in Janus.
        n = len(arec.events)
        await teacher.share_permission(aid, False)
        await arec.wait(is_event("moderation", action="share_off"), after=n)
        await arec.wait(is_event("share", sharer=None), after=n)
        assert await _stalled(trec, aid)
        assert not anna.screen.is_on
        n = len(arec.events)
        await anna.share(True)
        await arec.wait(is_event("error", code="not_allowed"), after=n)
    finally:
        await _end([teacher, anna], tasks)


async def test_two_teachers_one_share_at_a_time(live_service: LiveService,
                                                tmp_path: Path) -> None:
    (t1, t2, pupil), (r1, r2, rp), tasks = await _lesson(
        live_service, tmp_path, [("teacher", "Ms One"), ("teacher", "Mr Two"), ("pupil", "Ben")])
    id1, id2 = t1.machine.me, t2.machine.me
    assert id1 is not None and id2 is not None
    try:
        await t1.share(True)
        await rp.wait(is_event("share", sharer=id1))
        await _grows(rp, id1)
        # aiortc encoded it with the screen's own encoder (held at its bitrate).
        assert t1.screen_encoder is not None and t1.screen_encoder.frames >= 5
        # The second teacher is asked first (share_busy); the first share runs on.
        n = len(r2.events)
        await t2.share(True)
        await r2.wait(is_event("error", code="share_busy"), after=n)
        await _grows(rp, id1)
        assert not t2.screen.is_on
        # With replace, the share passes over: the first teacher is told and stops.
        n1 = len(r1.events)
        await t2.share(True, replace=True)
        await r1.wait(is_event("moderation", action="share_off"), after=n1)
        await rp.wait(is_event("share", sharer=id2))
        await _grows(rp, id2)
        assert await _stalled(rp, id1)
        assert not t1.screen.is_on
        # A pupil cannot share at all by default.
        n = len(rp.events)
        await pupil.share(True)
        await rp.wait(is_event("error", code="not_allowed"), after=n)
        # Stopping: nobody shares, frames stop; leaving while sharing ends the share.
        await t2.share(False)
        await rp.wait(is_event("share", sharer=None))
        assert await _stalled(rp, id2)
        await t1.share(True)
        await rp.wait(is_event("share", sharer=id1))
        n = len(rp.events)
        await t1.leave()
        await rp.wait(is_event("share", sharer=None), after=n)
    finally:
        await _end([t2, pupil], tasks[1:])
        await asyncio.wait_for(tasks[0], 10)


async def test_headless_share_commands_and_events(live_service: LiveService,
                                                  tmp_path: Path) -> None:
    """`klasse join --headless --screen synthetic`: share / share_off, `share` and
    `screen` events, and a clear error for a source that cannot be shared."""
    from tests.integration.call_helpers import Headless, participant_id

    room = live_service.new_room()
    dirs = [tmp_path / n for n in ("t", "p")]
    for d in dirs:
        d.mkdir(mode=0o700)
    teacher = await Headless.start(room["teacher_link"], "Ms T", room["pin"], dirs[0],
                                   "--screen", "synthetic", "--blur", "off")
    pupil = await Headless.start(room["pupil_link"], "Pia", room["pin"], dirs[1])
    try:
        await teacher.wait(is_event("state", state="joined"))
        await teacher.wait(lambda e: e["event"] == "participants" and any(
            x["name"] == "Pia" for x in e["participants"]))
        await teacher.send({"cmd": "admit", "participant": participant_id(teacher.events, "Pia")})
        await pupil.wait(is_event("state", state="joined"))
        await pupil.wait(lambda e: e["event"] == "participants" and all(
            x["publishing"] for x in e["participants"]) and len(e["participants"]) == 2)
        tid = participant_id(pupil.events, "Ms T")
        # A source that is not there: refused at once with a reason, nothing shared.
        n = len(teacher.events)
        await teacher.send({"cmd": "share", "source": "window:0x7fffffff"})
        err = await teacher.wait(is_event("error", code="share_failed"), after=n)
        assert err["message"]
        await teacher.send({"cmd": "share"})
        await teacher.wait(is_event("share", sharer=tid, mine=True))
        await pupil.wait(is_event("share", sharer=tid, mine=False))
        await pupil.wait(lambda e: e["event"] == "screen" and e["from"] == tid
                         and e["frames"] >= 5)
        await teacher.send({"cmd": "share_off"})
        await pupil.wait(is_event("share", sharer=None))
        for who in (pupil, teacher):
            await who.send({"cmd": "leave"})
            assert await who.finish() == 0
    finally:
        for who in (teacher, pupil):
            await who.kill()
