"""The client tries a refused publish again, and asks again for a refused subscription.

Janus itself refuses (the room's pin, or its private-id rule, changed under the
service for a moment, as while a room moves to another Janus): the service answers
`media_failed`, and the client keeps the lesson going without the user's help.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from klasse.server.janus_adapter import JanusRoom
from tests.integration.call_helpers import Recorder, Running, is_event, leave_all, session, start
from tests.server_fixtures import LiveService


def _video_from(who: str, more_than: int):  # type: ignore[no-untyped-def]
    return lambda e: e["event"] == "video" and e["from"] == who and e["frames"] > more_than


async def _edit(room: JanusRoom, **change: Any) -> None:
    await room.node.control.message({"request": "edit", "room": room.id,
                                     "secret": room.secret, **change})


async def _teacher_in(live_service: LiveService, title: str, tmp_path: Path,
                      running: Running) -> tuple[dict[str, Any], Any, Recorder, JanusRoom]:
    room = live_service.new_room(title)
    trec = Recorder()
    teacher = session(room["teacher_link"], "Mr R", room["pin"], trec, tmp_path)
    start(teacher, running)
    await trec.wait(is_event("state", state="joined"))
    await teacher.set_camera(True)
    await trec.wait(lambda e: e["event"] == "participants" and any(
        x["publishing"] for x in e["participants"]))
    lesson = next(r for r in live_service.service.rooms.values() if teacher.machine.me in r.members)
    return room, teacher, trec, live_service.service.janus[lesson]


async def _pupil_joins(room: dict[str, Any], teacher: Any, tmp_path: Path, running: Running
                       ) -> tuple[Any, Recorder]:
    prec = Recorder()
    pupil = session(room["pupil_link"], "Eli", room["pin"], prec, tmp_path)
    start(pupil, running)
    await prec.wait(is_event("state", state="waiting"))
    await teacher.admit_all()
    await prec.wait(is_event("state", state="joined"))
    await pupil.set_camera(True)
    return pupil, prec


async def test_a_publish_janus_refuses_is_tried_again(live_service: LiveService,
                                                      tmp_path: Path) -> None:
    running: Running = []
    try:
        room, teacher, trec, jroom = await _teacher_in(live_service, "Art", tmp_path, running)
        # Janus refuses whoever joins now (the service still has the old pin).
        await _edit(jroom, new_pin="not-the-service-pin")
        pupil, prec = await _pupil_joins(room, teacher, tmp_path, running)
        failed = await prec.wait(lambda e: e["event"] == "error" and e["code"] == "media_failed"
                                 and "publishing failed" in e["message"], timeout=20)
        assert failed
        await asyncio.sleep(2.5)   # at least one more try, refused as well
        tries = [e for e in prec.json() if e["event"] == "error"
                 and "publishing failed" in e.get("message", "")]
        assert len(tries) >= 2, "the client gave up after the first refusal"
        await _edit(jroom, new_pin=jroom.pin)
        # The next try goes through: the teacher sees the pupil, with no user action.
        pid = pupil.machine.me
        assert pid
        await trec.wait(_video_from(pid, 5), timeout=30)
    finally:
        await leave_all(running)


async def test_a_subscription_janus_refuses_is_asked_for_again(live_service: LiveService,
                                                               tmp_path: Path) -> None:
    running: Running = []
    try:
        room, teacher, trec, jroom = await _teacher_in(live_service, "Music", tmp_path, running)
        # Publishing still works; subscribing needs a publisher's private id now.
        await _edit(jroom, new_require_pvtid=True)
        pupil, prec = await _pupil_joins(room, teacher, tmp_path, running)
        tid, pid = teacher.machine.me, pupil.machine.me
        assert tid and pid
        await trec.wait(lambda e: e["event"] == "participants" and any(
            x["id"] == pid and x["publishing"] for x in e["participants"]))
        await trec.wait(is_event("error", code="media_failed"), timeout=20)
        n = len(trec.events)
        # Asked again (about once a second), refused again: still no picture.
        await trec.wait(is_event("error", code="media_failed"), after=n, timeout=10)
        assert teacher.frames_from(pid) == 0
        await _edit(jroom, new_require_pvtid=False)
        await trec.wait(_video_from(pid, 5), timeout=30)
        await prec.wait(_video_from(tid, 5), timeout=30)
    finally:
        await leave_all(running)
