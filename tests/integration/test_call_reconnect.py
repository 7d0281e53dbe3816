"""Reconnect after the connection to the room service is cut; locks survive it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from klasse.app.events import Left
from tests.integration.call_helpers import CutProxy, Recorder, is_event, session, via_port
from tests.server_fixtures import SERVER_ADDR, LiveService


async def _lesson_with_proxied_pupil(live: LiveService, tmp_path: Path, **pupil_kw: object):  # type: ignore[no-untyped-def]
    room = live.new_room("History")
    proxy = CutProxy(SERVER_ADDR, live.service.port)
    port = await proxy.start(SERVER_ADDR)
    trec, prec = Recorder(), Recorder()
    teacher = session(room["teacher_link"], "Mr T", room["pin"], trec, tmp_path)
    pupil = session(via_port(room["pupil_link"], port), "Cleo", room["pin"], prec, tmp_path,
                    **pupil_kw)
    tasks = [asyncio.ensure_future(teacher.run())]
    await trec.wait(is_event("state", state="joined"))
    tasks.append(asyncio.ensure_future(pupil.run()))
    await prec.wait(is_event("state", state="waiting"))
    await teacher.admit_all()
    await prec.wait(is_event("state", state="joined"))
    return proxy, teacher, pupil, trec, prec, tasks


async def test_reconnect_after_cut_keeps_seat_locks_and_media(live_service: LiveService,
                                                            tmp_path: Path) -> None:
    proxy, teacher, pupil, trec, prec, tasks = await _lesson_with_proxied_pupil(live_service, tmp_path)
    try:
        await teacher.set_camera(True)
        await pupil.set_camera(True)
        await pupil.set_mic(True)
        pid, tid = pupil.machine.me, teacher.machine.me
        assert pid is not None and tid is not None
        await trec.wait(lambda e: e["event"] == "video" and e["from"] == pid and e["frames"] > 5)
        await prec.wait(lambda e: e["event"] == "video" and e["from"] == tid and e["frames"] > 5)
        await teacher.turn_off(pid, "mic", lock=True)
        await prec.wait(is_event("local_media", mic=False, mic_locked=True))

        n = len(prec.events)
        proxy.cut()
        await prec.wait(is_event("state", state="reconnecting"), after=n)
        # While disconnected nobody can vouch for the recording state.
        assert (await prec.wait(is_event("recording"), after=n))["state"] == "unknown"
        await prec.wait(is_event("state", state="joined"), after=n, timeout=20)
        assert proxy.connections == 2
        assert pupil.machine.me == pid                 # the same seat
        assert not [e for e in prec.json()[n:] if e["event"] == "welcome"]
        recs = [e["state"] for e in prec.json()[n:] if e["event"] == "recording"]
        assert recs == ["unknown", "off"]   # confirmed again by the resumed service
        # Media are published and subscribed anew: both directions flow again.
        seen_t = teacher.frames_from(pid)
        seen_p = pupil.frames_from(tid)
        await trec.wait(lambda e: e["event"] == "video" and e["from"] == pid
                        and e["frames"] > seen_t + 10, timeout=20)
        await prec.wait(lambda e: e["event"] == "video" and e["from"] == tid
                        and e["frames"] > seen_p + 10, timeout=20)
        # The lock survived the reconnect.
        m = len(prec.events)
        await pupil.set_mic(True)
        assert (await prec.wait(is_event("error"), after=m))["code"] == "locked"
        assert not pupil.mic_gate.is_on

        await pupil.leave()
        await teacher.end()
        await asyncio.wait_for(asyncio.gather(*tasks), 15)
        assert prec.events[-1] == Left("left", True, 0)
    finally:
        await proxy.close()
        for t in tasks:
            t.cancel()


async def test_silent_dead_link_is_noticed_by_keepalive(live_service: LiveService,
                                                        tmp_path: Path) -> None:
    proxy, teacher, pupil, trec, prec, tasks = await _lesson_with_proxied_pupil(
        live_service, tmp_path, ping_interval_s=0.3)
    try:
        n = len(prec.events)
        proxy.frozen = True        # no FIN, no RST: packets just vanish
        await prec.wait(is_event("state", state="reconnecting"), after=n, timeout=20)
        proxy.frozen = False
        await prec.wait(is_event("state", state="joined"), after=n, timeout=20)
        await pupil.leave()
        await teacher.end()
        await asyncio.wait_for(asyncio.gather(*tasks), 15)
    finally:
        await proxy.close()
        for t in tasks:
            t.cancel()


async def test_gives_up_when_the_service_stays_unreachable(live_service: LiveService,
                                                         tmp_path: Path) -> None:
    proxy, teacher, pupil, trec, prec, tasks = await _lesson_with_proxied_pupil(
        live_service, tmp_path, reconnect_for_s=1.5)
    try:
        await pupil.set_camera(True)
        n = len(prec.events)
        proxy.refuse = True
        proxy.cut()
        await prec.wait(is_event("state", state="reconnecting"), after=n)
        left = await prec.wait(is_event("left"), after=n, timeout=15)
        assert left == {"event": "left", "reason": "connection_lost", "wiped": True,
                        "cache_files_remaining": 0, "extra": {}}
        assert not pupil.camera_gate.is_on                # the camera was closed
        assert list(tmp_path.glob("call-*")) == [teacher.cache.path]  # type: ignore[union-attr]
        await teacher.end()
        await asyncio.wait_for(asyncio.gather(*tasks), 15)
    finally:
        await proxy.close()
        for t in tasks:
            t.cancel()
