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

# Letters tesseract does not confuse with others in DejaVu Sans: no i/l/j/o/r, and no
# g/q (fresh-clone runs read 'qpeqnp' as 'qpegnp' and 'vubmqk' as 'vubmgk').
LETTERS = "abcdefhkmnpstuvwxyz"


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


async def test_a_still_screen_is_looked_at_again_when_something_is_drawn(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """X11 DAMAGE: a still picture is grabbed only when it is due to be sent again
    (once a second) or when something was drawn, not POLL_FPS times a second; a
    drawing wakes the share at once and the changed picture goes out."""
    from Xlib import display as xdisplay

    from klasse.media.screen_source import POLL_FPS, STILL_AFTER_S, ScreenSource
    from klasse.media.synthetic import STAMP_BITS, STAMP_BLOCK

    async with xvfb("640x480x24") as display:
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
        window = await TextWindow.start(display, "still", "--geometry", "640x480+0+0")
        src = ScreenSource("screen:1")
        await src.open()
        grabs = [0]
        grab = src._grab

        def counted(grabber: object) -> object:
            grabs[0] += 1
            return grab(grabber)  # type: ignore[arg-type]
        src._grab = counted  # type: ignore[method-assign]
        try:
            assert getattr(src._grabber, "watch", None) is not None
            await _read_for(src, STILL_AFTER_S + 1.0)   # settles into its still rate
            grabs[0] = 0
            sent = await _read_for(src, 3.0)
            # Still: about one grab per frame sent (1 a second), never POLL_FPS.
            assert grabs[0] <= sent + 2 < POLL_FPS * 3, (grabs[0], sent)

            disp = xdisplay.Display(display)
            win = disp.create_resource_object("window", window.id)
            white = win.create_gc(foreground=disp.screen().white_pixel)
            black = win.create_gc(foreground=disp.screen().black_pixel)
            win.fill_rectangle(black, 0, 0, STAMP_BITS * STAMP_BLOCK, STAMP_BLOCK)
            win.fill_rectangle(white, 0, 0, STAMP_BLOCK, STAMP_BLOCK)
            disp.sync()
            changes = src.changes
            frame = await asyncio.wait_for(src.read(), 5.0)
            assert src.changes == changes + 1
            y = frame.to_ndarray(format="rgb24")
            assert y[STAMP_BLOCK // 2, STAMP_BLOCK // 2].mean() > 200      # the white block
            assert y[STAMP_BLOCK // 2, STAMP_BLOCK + 4].mean() < 60        # black beside it
            disp.close()
        finally:
            await src.close()
            await window.close()


async def _read_for(src: object, seconds: float) -> int:
    """Frames read from `src` in `seconds`."""
    n = 0
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        try:
            await asyncio.wait_for(src.read(), left)  # type: ignore[attr-defined]
        except TimeoutError:
            break
        n += 1
    return n
