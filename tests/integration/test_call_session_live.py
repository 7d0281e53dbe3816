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


async def test_kicked_and_denied_pupils_leave_and_wipe(live_service: LiveService,
                                                      tmp_path: Path) -> None:
    room = live_service.new_room()
    trec, krec, drec = Recorder(), Recorder(), Recorder()
    teacher = session(room["teacher_link"], "Ms T", room["pin"], trec, tmp_path)
    kicked = session(room["pupil_link"], "Kim", room["pin"], krec, tmp_path)
    denied = session(room["pupil_link"], "Dan", room["pin"], drec, tmp_path)
    tasks = [asyncio.ensure_future(teacher.run())]
    await trec.wait(is_event("state", state="joined"))
    tasks += [asyncio.ensure_future(kicked.run()), asyncio.ensure_future(denied.run())]
    await krec.wait(is_event("state", state="waiting"))
    await drec.wait(is_event("state", state="waiting"))
    await teacher.admit(kicked.machine.me)  # type: ignore[arg-type]
    await krec.wait(is_event("state", state="joined"))
    await kicked.set_camera(True)
    await teacher.deny(denied.machine.me)  # type: ignore[arg-type]
    await teacher.kick(kicked.machine.me)  # type: ignore[arg-type]
    await asyncio.wait_for(asyncio.gather(*tasks[1:]), 15)
    assert krec.json()[-1] == {"event": "left", "reason": "kicked", "wiped": True,
                               "cache_files_remaining": 0, "extra": {}}
    assert not kicked.camera_gate.is_on
    assert drec.json()[-1]["reason"] == "denied" and drec.json()[-1]["wiped"] is True
    assert any(e["event"] == "moderation" and e["action"] == "denied" for e in drec.json())
    assert [p.name for p in tmp_path.glob("call-*")] == [teacher.cache.path.name]  # type: ignore[union-attr]
    await teacher.end()
    await asyncio.wait_for(tasks[0], 15)
