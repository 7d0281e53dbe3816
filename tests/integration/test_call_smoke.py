"""Smoke: a teacher and a pupil as in-process CallSessions through the live service."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.integration.call_helpers import Recorder, is_event, session
from tests.server_fixtures import LiveService


async def test_teacher_and_pupil_exchange_video(live_service: LiveService, tmp_path: Path) -> None:
    room = live_service.new_room()
    trec, prec = Recorder(), Recorder()
    teacher = session(room["teacher_link"], "Ms T", room["pin"], trec, tmp_path)
    pupil = session(room["pupil_link"], "Ann", room["pin"], prec, tmp_path)
    tt = asyncio.ensure_future(teacher.run())
    await trec.wait(is_event("state", state="joined"))
    pt = asyncio.ensure_future(pupil.run())
    await prec.wait(is_event("state", state="waiting"))
    waiting = await trec.wait(lambda e: e["event"] == "participants" and any(
        x["state"] == "waiting" for x in e["participants"]))
    pid = next(x["id"] for x in waiting["participants"] if x["state"] == "waiting")
    await teacher.admit(pid)
    await prec.wait(is_event("state", state="joined"))
    await teacher.set_camera(True)
    await pupil.set_camera(True)
    tid = teacher.machine.me
    await prec.wait(lambda e: e["event"] == "video" and e["from"] == tid and e["frames"] > 10)
    await trec.wait(lambda e: e["event"] == "video" and e["from"] == pid and e["frames"] > 10)
    await pupil.leave()
    await teacher.end()
    await asyncio.wait_for(asyncio.gather(tt, pt), 15)
    assert prec.json()[-1] == {"event": "left", "reason": "left", "wiped": True,
                               "cache_files_remaining": 0, "extra": {}}
    assert trec.json()[-1]["reason"] == "ended"
