"""A received feed that goes quiet without any error is noticed and asked for again.

Janus stops forwarding one feed to one receiver (here told to with `configure
send: false` on that subscriber; in a long lesson it happened with nobody asking):
no hangup, no failed connection, no error anywhere. The receiving client must see
that an expected feed brings nothing, and subscribe again by itself.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.integration.call_helpers import Running, leave_all, teacher_and_pupil
from tests.server_fixtures import LiveService


def _video_from(who: str, more_than: int):  # type: ignore[no-untyped-def]
    return lambda e: e["event"] == "video" and e["from"] == who and e["frames"] > more_than


async def test_a_feed_janus_stops_forwarding_is_subscribed_again(
        live_service: LiveService, tmp_path: Path) -> None:
    running: Running = []
    try:
        teacher, trec, pupil, prec = await teacher_and_pupil(
            live_service.new_room("Biology"), ("Ms B", "Dana"), tmp_path, running)
        await pupil.set_mic(True)
        tid, pid = teacher.machine.me, pupil.machine.me
        assert tid and pid
        await trec.wait(_video_from(pid, 5))
        await prec.wait(_video_from(tid, 5))
        lesson = next(r for r in live_service.service.rooms.values() if pid in r.members)
        peer = live_service.service.peers[lesson.members[tid]]
        handle = peer.subscribers[pid]
        # Janus forwards nothing more of the pupil to the teacher, and says nothing.
        await handle.message({"request": "configure", "streams": [
            {"mid": mid, "send": False} for mid in ("0", "1", "2")]})
        await asyncio.sleep(1.0)
        stopped = teacher.frames_from(pid)
        await asyncio.sleep(1.5)
        assert teacher.frames_from(pid) <= stopped + 1, "Janus still forwards the feed"
        # The teacher's client notices within seconds and subscribes again.
        tn = len(trec.events)
        await trec.wait(_video_from(pid, stopped + 10), after=tn, timeout=20)
        assert peer.subscribers[pid] is not handle
        await trec.wait(lambda e: e["event"] == "stats" and any(
            f["feed"] == pid and f["resubscribed"] >= 1 for f in e["feeds"]), after=tn)
        # Nothing was shown as an error, and the pupil's side never stopped.
        assert not [e for e in trec.json()[tn:] if e["event"] in ("error", "media_reconnecting")]
        seen = pupil.frames_from(tid)
        await prec.wait(_video_from(tid, seen + 5), timeout=10)
    finally:
        await leave_all(running)
