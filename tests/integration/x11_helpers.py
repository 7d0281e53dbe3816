"""A private X server (Xvfb) and a real window with known text, for screen-share tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


@contextlib.asynccontextmanager
async def xvfb(size: str = "1280x800x24") -> AsyncIterator[str]:
    """Start Xvfb on a free display number; yields the DISPLAY value."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is not installed (make apt installs it)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size,
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as f:
            number = (await asyncio.to_thread(f.readline)).strip()
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(5)


class TextWindow:
    """scripts/text_window.py as a child process on `display`."""

    def __init__(self, proc: asyncio.subprocess.Process, window_id: int) -> None:
        self.proc = proc
        self.id = window_id

    @classmethod
    async def start(cls, display: str, text: str, *args: str) -> TextWindow:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "scripts" / "text_window.py"), "--text", text, *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        word, _, wid = line.decode().partition(" ")
        if word != "window":
            proc.kill()
            raise RuntimeError(f"the text window did not start: {line!r}")
        return cls(proc, int(wid, 16))

    async def command(self, line: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()
        await asyncio.wait_for(self.proc.stdout.readline(), 10)

    async def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        await self.proc.wait()


def ocr_words(rgb: np.ndarray) -> list[str]:
    """The words tesseract reads in an RGB picture, lower case."""
    import cv2

    ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    out = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "6"], input=png.tobytes(),
                         capture_output=True, check=True, timeout=60)
    return [w.strip(".,;:!?'\"|").lower() for w in out.stdout.decode().split()]
