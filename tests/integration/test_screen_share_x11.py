"""A teacher shares a real X11 window; the pupil's decoded frames are read back with
OCR; the share follows the window when it moves; closing the window ends the share."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import numpy as np
import pytest

from tests.integration.call_helpers import Recorder, is_event, session
from tests.integration.x11_helpers import TextWindow, ocr_words, xvfb
from tests.server_fixtures import LiveService

# Letters tesseract does not confuse with others in DejaVu Sans (no i/l/j/o/r).
LETTERS = "abcdefghkmnpqstuvwxyz"


def _random_words(n: int = 3) -> list[str]:
    """Words that are in no code: made up for this run."""
    return ["".join(secrets.choice(LETTERS) for _ in range(6)) for _ in range(n)]


async def _read_when_refined(latest: dict[str, np.ndarray], key: str, words: list[str]) -> None:
    """Every word is read from the pupil's frame within 10 s. The first frames of a
    share (or after a repaint) are coarse and the encoder refines a still picture
    frame by frame: one run read 'qpeqnp' as 'qpegnp' from an early frame."""
    read: list[str] = []
    for _ in range(10):
        read = ocr_words(latest[key])
        if all(w in read for w in words):
            return
        await asyncio.sleep(1.0)
    raise AssertionError((words, read))


async def test_shared_window_is_readable_at_the_pupil_and_closing_it_ends_the_share(
        live_service: LiveService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    words = _random_words()
    async with xvfb() as display:
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
        window = await TextWindow.start(display, " ".join(words), "--size", "40",
                                        "--geometry", "900x200+30+40")
        room = live_service.new_room()
        trec, prec = Recorder(), Recorder()
        latest: dict[str, np.ndarray] = {}

        def sink(key: str, rgb: np.ndarray) -> None:
            latest[key] = rgb

        teacher = session(room["teacher_link"], "Ms T", room["pin"], trec, tmp_path,
                          camera="off", mic="off")
        pupil = session(room["pupil_link"], "Ann", room["pin"], prec, tmp_path,
                        camera="off", mic="off", video=sink)
        tasks = [asyncio.ensure_future(teacher.run())]
        try:
            await trec.wait(is_event("state", state="joined"))
            tasks.append(asyncio.ensure_future(pupil.run()))
            await prec.wait(is_event("state", state="waiting"))
            await teacher.admit(pupil.machine.me)  # type: ignore[arg-type]
            await prec.wait(is_event("state", state="joined"))
            tid = teacher.machine.me
            await prec.wait(lambda e: e["event"] == "participants" and any(
                x["id"] == tid and x["publishing"] for x in e["participants"]))

            await teacher.share(True, source=f"window:{window.id:#x}")
            await prec.wait(is_event("share", sharer=tid, mine=False))
            await prec.wait(lambda e: e["event"] == "screen" and e["from"] == tid
                            and e["frames"] >= 8)
            frame = latest[f"{tid}:screen"]
            assert frame.shape[:2] == (200, 900)   # the window's own size, not the screen's
            await _read_when_refined(latest, f"{tid}:screen", words)

            # The window moves: the share follows it (still the window, still readable).
            await window.command("move 300 420")
            await asyncio.sleep(1.0)
            source = teacher.screen.source
            assert source is not None and source._grabber.rect["left"] == 300  # type: ignore[attr-defined]
            count = pupil.frames_from(tid, "screen")
            await prec.wait(lambda e: e["event"] == "screen" and e["from"] == tid
                            and e["frames"] >= count + 5)
            # The move repaints the window (an exposed, half-drawn picture may go out
            # meanwhile); the encoder then refines it again within a few frames.
            await _read_when_refined(latest, f"{tid}:screen", words)

            # The window closes: sharing stops with a message, for everyone.
            n = len(trec.events)
            await window.close()
            err = await trec.wait(is_event("error", code="share_ended"), after=n)
            assert "closed" in err["message"]
            await trec.wait(is_event("share", sharer=None), after=n)
            await prec.wait(is_event("share", sharer=None))
            assert not teacher.screen.is_on
            settled = pupil.frames_from(tid, "screen")
            await asyncio.sleep(1.5)
            assert pupil.frames_from(tid, "screen") <= settled + 1
        finally:
            await window.close()
            await pupil.leave()
            await teacher.end()
            await asyncio.wait_for(asyncio.gather(*tasks), 20)
