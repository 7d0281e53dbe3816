"""The call cache is gone after leaving, and after kill -9 once a new call starts."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.integration.call_helpers import Headless, is_event
from tests.server_fixtures import LiveService


def _calls(runtime: Path) -> list[Path]:
    root = runtime / "klasse"
    return sorted(root.glob("call-*")) if root.exists() else []


async def test_cache_gone_after_leave_and_after_kill(live_service: LiveService,
                                                     tmp_path: Path) -> None:
    room = live_service.new_room()
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    (tmp_path / "t").mkdir(mode=0o700)
    teacher = await Headless.start(room["teacher_link"], "T", room["pin"], tmp_path / "t")
    procs = [teacher]
    try:
        await teacher.wait(is_event("state", state="joined"))
        # 1. A pupil chats (the transcript goes to the cache) and leaves: nothing stays.
        pupil = await Headless.start(room["pupil_link"], "P1", room["pin"], runtime)
        procs.append(pupil)
        await pupil.wait(is_event("state", state="waiting"))
        await teacher.send({"cmd": "admit_all"})
        await pupil.wait(is_event("state", state="joined"))
        await pupil.send({"cmd": "chat", "text": "my address is 12 Elm Street"})
        await pupil.wait(is_event("chat"))
        [cache] = _calls(runtime)
        assert (cache / "chat.jsonl").read_text().count("Elm Street") == 1
        assert (cache.stat().st_mode & 0o777) == 0o700
        await pupil.send({"cmd": "leave"})
        assert await pupil.finish() == 0
        assert pupil.events[-1] == {"event": "left", "reason": "left", "wiped": True,
                                    "cache_files_remaining": 0, "extra": {}}
        assert _calls(runtime) == []

        # 2. A pupil is killed with SIGKILL: its folder stays behind ...
        doomed = await Headless.start(room["pupil_link"], "P2", room["pin"], runtime)
        procs.append(doomed)
        await doomed.wait(is_event("state", state="waiting"))
        await teacher.send({"cmd": "admit_all"})
        await doomed.wait(is_event("state", state="joined"))
        await doomed.send({"cmd": "chat", "text": "secret"})
        await doomed.wait(is_event("chat"))
        [left_behind] = _calls(runtime)
        doomed.proc.send_signal(signal.SIGKILL)
        assert await doomed.finish() == -signal.SIGKILL
        assert left_behind.exists() and (left_behind / "chat.jsonl").exists()
        # ... until the next call starts: the first thing it does is sweep it away.
        nxt = await Headless.start(room["pupil_link"], "P3", room["pin"], runtime)
        procs.append(nxt)
        await nxt.wait(is_event("state", state="connecting"))
        assert not left_behind.exists()
        assert len(_calls(runtime)) == 1      # only the new call's own folder
        await nxt.wait(is_event("state", state="waiting"))
        nxt.proc.send_signal(signal.SIGTERM)  # a polite kill leaves and wipes
        assert await asyncio.wait_for(nxt.finish(), 15) == 0
        assert nxt.events[-1]["wiped"] is True
        assert _calls(runtime) == []
        await teacher.send({"cmd": "end"})
        assert await teacher.finish() == 0
    finally:
        for proc in procs:
            await proc.kill()


async def test_duration_leaves_on_its_own(live_service: LiveService, tmp_path: Path) -> None:
    room = live_service.new_room()
    t = await Headless.start(room["teacher_link"], "T", room["pin"], tmp_path, "--duration", "1.5")
    try:
        await t.wait(is_event("state", state="joined"))
        assert await t.finish() == 0
        assert t.events[-1] == {"event": "left", "reason": "left", "wiped": True,
                                "cache_files_remaining": 0, "extra": {}}
        assert _calls(tmp_path) == []
    finally:
        await t.kill()
