"""Helpers for call-engine integration tests: in-process sessions and headless processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from klasse.app.call_session import CallSession
from klasse.app.events import Event
from klasse.app.protocol import parse_link


class Recorder:
    """Collects a session's events and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    def json(self) -> list[dict[str, Any]]:
        return [e.as_json() for e in self.events]

    async def wait(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 20.0,
                   after: int = 0) -> dict[str, Any]:
        async def _wait() -> dict[str, Any]:
            while True:
                for ev in self.json()[after:]:
                    if pred(ev):
                        return ev
                self._changed.clear()
                await self._changed.wait()
        return await asyncio.wait_for(_wait(), timeout)


def session(link: str, name: str, pin: str, rec: Recorder, cache_root: Path,
            **kw: Any) -> CallSession:
    kw.setdefault("camera", "synthetic")
    kw.setdefault("mic", "synthetic")
    kw.setdefault("blur", "off")
    return CallSession(parse_link(link), name, rec, pin=pin, cache_root=cache_root, **kw)


Running = list[tuple[CallSession, "asyncio.Future[None]"]]


def start(s: CallSession, running: Running) -> None:
    running.append((s, asyncio.ensure_future(s.run())))


async def leave_all(running: Running) -> None:
    for s, _ in running:
        await s.leave()
    await asyncio.gather(*(t for _, t in running), return_exceptions=True)


async def teacher_and_pupil(room: dict[str, Any], names: tuple[str, str], cache_root: Path,
                            running: Running
                            ) -> tuple[CallSession, Recorder, CallSession, Recorder]:
    """A teacher and an admitted pupil in `room`, both cameras on; both go to
    `running` (the caller ends them with `leave_all`)."""
    trec, prec = Recorder(), Recorder()
    teacher = session(room["teacher_link"], names[0], room["pin"], trec, cache_root)
    pupil = session(room["pupil_link"], names[1], room["pin"], prec, cache_root)
    start(teacher, running)
    await trec.wait(is_event("state", state="joined"))
    start(pupil, running)
    await prec.wait(is_event("state", state="waiting"))
    await teacher.admit_all()
    await prec.wait(is_event("state", state="joined"))
    await pupil.set_camera(True)
    await teacher.set_camera(True)
    return teacher, trec, pupil, prec


class Headless:
    """`klasse join LINK --headless` as a child process (the real console entry)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.events: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, link: str, name: str, pin: str | None, runtime_dir: Path,
                    *extra: str) -> Headless:
        env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime_dir))
        args = [sys.executable, "-m", "klasse.app.cli", "join", link, "--headless",
                "--name", name, *extra]
        if pin is not None:
            args += ["--pin", pin]
        proc = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
        return cls(proc)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for line in self.proc.stdout:
            self.events.append(json.loads(line))
            self._changed.set()
        self._changed.set()

    async def send(self, cmd: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd).encode() + b"\n")
        await self.proc.stdin.drain()

    async def send_raw(self, line: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + b"\n")
        await self.proc.stdin.drain()

    async def wait(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 20.0,
                   after: int = 0) -> dict[str, Any]:
        async def _wait() -> dict[str, Any]:
            while True:
                for ev in self.events[after:]:
                    if pred(ev):
                        return ev
                if self._reader.done():
                    raise EOFError(f"headless participant ended; events: {self.events[-5:]}")
                self._changed.clear()
                await self._changed.wait()
        return await asyncio.wait_for(_wait(), timeout)

    def frames(self, sender: str, kind: str = "video") -> int:
        counts = [e["frames"] for e in self.events if e["event"] == kind and e["from"] == sender]
        return counts[-1] if counts else 0

    async def finish(self, timeout: float = 15.0) -> int:
        rc = await asyncio.wait_for(self.proc.wait(), timeout)
        await self._reader
        return rc

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        await self.proc.wait()
        self._reader.cancel()


def is_event(name: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["event"] == name and all(e.get(k) == v for k, v in fields.items())


def make_clip(path: Path, frames: int = 30, size: tuple[int, int] = (160, 120)) -> Path:
    """A short video file (counter-stamped frames) to use as a `file:` camera."""
    import av
    import numpy as np

    from klasse.media.synthetic import stamp_counter

    w, h = size
    with av.open(str(path), "w") as out:
        v = out.add_stream("mpeg4", rate=15)
        v.width, v.height, v.pix_fmt = w, h, "yuv420p"
        for i in range(frames):
            img = np.full((h, w, 3), (i * 7) % 255, np.uint8)
            stamp_counter(img, i)
            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            frame.pts = i
            for pkt in v.encode(frame):
                out.mux(pkt)
        for pkt in v.encode():
            out.mux(pkt)
    return path


def open_paths(pid: int) -> set[str]:
    """The files a process holds open right now (from /proc)."""
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):
            out.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
    return out


def participant_id(events: list[dict[str, Any]], name: str) -> str:
    for ev in reversed(events):
        if ev["event"] == "participants":
            for x in ev["participants"]:
                if x["name"] == name:
                    return str(x["id"])
    raise LookupError(name)


class CutProxy:
    """A TCP relay between a client and the room service that a test can cut.

    `cut()` aborts every relayed connection (as a dropped network does);
    `freeze()` stops relaying without closing anything (a dead link that sends no
    FIN, only a keepalive notices); `refuse` makes new connections fail.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.refuse = False
        self.frozen = False
        self.connections = 0
        self._pairs: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self._server: asyncio.Server | None = None

    async def start(self, host: str) -> int:
        self._server = await asyncio.start_server(self._handle, host, 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refuse:
            writer.transport.abort()
            return
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        pair = (writer, up_writer)
        self._pairs.append(pair)

        async def relay(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await src.read(65536):
                    if self.frozen:
                        continue   # swallowed: the link is dead but nobody says so
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(relay(reader, up_writer), relay(up_reader, writer))
        with contextlib.suppress(ValueError):
            self._pairs.remove(pair)

    def cut(self) -> None:
        for a, b in self._pairs:
            a.transport.abort()
            b.transport.abort()

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


def via_port(link: str, port: int) -> str:
    """The same klasse:// link pointing at another port (the proxy)."""
    from klasse.app.protocol import Link, parse_link

    ln = parse_link(link)
    return str(Link(host=ln.host, port=port, token=ln.token, tls=ln.tls))
