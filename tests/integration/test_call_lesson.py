"""A lesson of three headless participants through the live service and real Janus.

The teacher turns a pupil's camera off (locked): the pupil's camera file is closed
in the pupil's process, the others stop receiving it, and the pupil cannot turn it
on again until the teacher unlocks it. Refused commands come back as error events;
the end of the lesson leaves no call cache behind.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.integration.call_helpers import (
    Headless,
    is_event,
    make_clip,
    open_paths,
    participant_id,
)
from tests.server_fixtures import LiveService

SYNTH = ("--camera", "synthetic", "--mic", "synthetic", "--blur", "off")


async def _frames_stalled(watchers: list[Headless], sender: str, window: float = 1.5,
                          timeout: float = 6.0) -> bool:
    """True once no watcher has got a new video frame from `sender` for `window`
    seconds, within `timeout`.

    Frames already in flight (and the half-second flow report) may still land first;
    on a loaded machine that can take longer than any fixed settling time.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    before, since = [w.frames(sender) for w in watchers], loop.time()
    while loop.time() < deadline:
        await asyncio.sleep(0.1)
        now = [w.frames(sender) for w in watchers]
        if now != before:
            before, since = now, loop.time()
        elif loop.time() - since >= window:
            return True
    return False


async def _closed(path: Path, pid: int, timeout: float = 10.0) -> bool:
    """True once process `pid` no longer has `path` open."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while str(path) in open_paths(pid):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def _frames_grow(watchers: list[Headless], sender: str, by: int = 10,
                       timeout: float = 20.0) -> None:
    start = [w.frames(sender) for w in watchers]
    for w, s in zip(watchers, start, strict=True):
        await w.wait(lambda e, s=s: e["event"] == "video" and e["from"] == sender
                     and e["frames"] >= s + by, timeout=timeout)


async def test_teacher_turns_a_pupils_camera_off(live_service: LiveService, tmp_path: Path) -> None:
    room = live_service.new_room("Biology")
    clip = make_clip(tmp_path / "anna-camera.mkv")
    dirs = {n: tmp_path / n for n in ("t", "a", "b")}
    for d in dirs.values():
        d.mkdir(mode=0o700)
    teacher = await Headless.start(room["teacher_link"], "Ms Teacher", room["pin"], dirs["t"], *SYNTH)
    anna = await Headless.start(room["pupil_link"], "Anna", room["pin"], dirs["a"],
                                "--camera", f"file:{clip}", "--mic", "synthetic", "--blur", "off")
    ben = await Headless.start(room["pupil_link"], "Ben", room["pin"], dirs["b"], *SYNTH)
    everyone = [teacher, anna, ben]
    try:
        await teacher.wait(is_event("state", state="joined"))
        for pupil in (anna, ben):
            await pupil.wait(is_event("state", state="waiting"))
        # The teacher sees both pupils waiting; pupils see nobody yet.
        await teacher.wait(lambda e: e["event"] == "participants" and sorted(
            x["name"] for x in e["participants"] if x["state"] == "waiting") == ["Anna", "Ben"])
        assert not [e for e in anna.events if e["event"] == "participants"]
        # Camera and microphone are off at join; the camera file is untouched.
        # (wait for it: her stdout is read concurrently and may lag behind the teacher's)
        first_local_media = await anna.wait(is_event("local_media"))
        assert first_local_media == {
            "event": "local_media", "camera": False, "mic": False,
            "camera_locked": False, "mic_locked": False, "recording_lock": False}
        assert str(clip) not in open_paths(anna.proc.pid)

        # A pupil cannot admit; a malformed command is an error event, not a crash.
        ben_id = participant_id(teacher.events, "Ben")
        n = len(anna.events)
        await anna.send({"cmd": "admit", "participant": ben_id})
        await anna.send_raw(b'{"cmd": "camera", "on": "yes"}')
        await anna.send_raw(b"not json")
        async def three_errors() -> list[str]:
            while len(codes := [e["code"] for e in anna.events[n:] if e["event"] == "error"]) < 3:
                await asyncio.sleep(0.05)
            return codes
        codes = await asyncio.wait_for(three_errors(), 10)
        assert sorted(codes) == ["bad_command", "bad_command", "not_allowed"]

        anna_id = participant_id(teacher.events, "Anna")
        await teacher.send({"cmd": "admit", "participant": anna_id})
        await teacher.send({"cmd": "admit", "participant": ben_id})
        for pupil in (anna, ben):
            await pupil.wait(is_event("state", state="joined"))
        for who in everyone:
            await who.send({"cmd": "camera", "on": True})
            await who.send({"cmd": "mic", "on": True})
        await anna.wait(lambda e: e["event"] == "participants" and "Ms Teacher" in [
            x["name"] for x in e["participants"]])
        teacher_id = participant_id(anna.events, "Ms Teacher")
        # Everyone receives everyone else, video and audio.
        await _frames_grow([teacher, ben], anna_id)
        await _frames_grow([anna, ben], teacher_id)
        await _frames_grow([teacher, anna], ben_id)
        await teacher.wait(lambda e: e["event"] == "audio" and e["from"] == anna_id)
        assert str(clip) in open_paths(anna.proc.pid)

        # The teacher turns Anna's camera off and locks it.
        n = len(anna.events)
        await teacher.send({"cmd": "camera_off", "participant": anna_id, "lock": True})
        mod = await anna.wait(is_event("moderation", action="turn_off"), after=n)
        assert mod["device"] == "camera" and mod["locked"] is True and mod["by"] == teacher_id
        await anna.wait(is_event("local_media", camera=False, camera_locked=True), after=n)
        assert await _closed(clip, anna.proc.pid)   # the device is closed
        assert await _frames_stalled([teacher, ben], anna_id)
        # ... while the rest of the lesson goes on.
        await _frames_grow([anna, teacher], ben_id)

        # Locked: Anna's own attempt is refused and opens nothing.
        n = len(anna.events)
        await anna.send({"cmd": "camera", "on": True})
        err = await anna.wait(is_event("error"), after=n)
        assert err["code"] == "locked"
        assert str(clip) not in open_paths(anna.proc.pid)
        assert await _frames_stalled([teacher, ben], anna_id, window=1.0)

        # Unlocking turns nothing on; Anna does, and the others see her again.
        await teacher.send({"cmd": "unlock", "participant": anna_id, "device": "camera"})
        await anna.wait(is_event("local_media", camera=False, camera_locked=False), after=n)
        assert await _frames_stalled([teacher, ben], anna_id, window=1.0)
        await anna.send({"cmd": "camera", "on": True})
        await _frames_grow([teacher, ben], anna_id)

        # Chat and hands reach everyone; the chat lives in the call cache meanwhile.
        await ben.send({"cmd": "chat", "text": "Is photosynthesis on the test?"})
        for who in everyone:
            chat = await who.wait(is_event("chat"))
            assert chat["from"] == ben_id and chat["text"] == "Is photosynthesis on the test?"
        assert [f.name for f in (dirs["a"] / "klasse").glob("call-*/chat.jsonl")] == ["chat.jsonl"]
        await ben.send({"cmd": "hand", "up": True})
        await teacher.wait(lambda e: e["event"] == "participants" and any(
            x["id"] == ben_id and x["hand"] for x in e["participants"]))
        # Recording is not allowed by this server: a typed refusal.
        n = len(teacher.events)
        await teacher.send({"cmd": "record", "start": True})
        assert (await teacher.wait(is_event("error"), after=n))["code"] == "recording_not_allowed"

        await teacher.send({"cmd": "end"})
        for who in everyone:
            assert await who.finish() == 0
            assert who.events[-1] == {"event": "left", "reason": "ended", "wiped": True,
                                      "cache_files_remaining": 0, "extra": {}}
            assert who.events[-2] == {"event": "state", "state": "left"}
        for d in dirs.values():
            assert list((d / "klasse").iterdir()) == []
    finally:
        for who in everyone:
            await who.kill()
