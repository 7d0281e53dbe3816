"""Floods against a running lesson: the service's memory and CPU, and what a
legitimate pupil and the teacher notice (issue 14).

Run inside the private network namespace:

    scripts/netns-run .venv/bin/python bench/abuse.py [--seconds 8] [--only logins,pins]

The floods that need no admitted pupil run in a child process, so that their clients
do not share the probes' event loop. It starts `klasse-server run` (which spawns its
own Janus) as a separate process,
makes a teacher account and a room with the CLI, and starts a lesson: the teacher
and two admitted pupils, one of them publishing synthetic audio and 160x120 video
that the teacher receives. Then, one after the other, each flood runs for
`--seconds` while a probe measures, every 0.5 s, the teacher's chat round trip (chat
sent until the teacher's own line comes back) and, every second, a legitimate
pupil's join (connect + join with link and PIN until `welcome`, or the refusal).
A sampler reads the service process's RSS and CPU every 0.2 s.

Goals: a legitimate join <= 1 s and a chat <= 200 ms during any flood; RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import psutil
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from klasse.app import protocol as p
from klasse.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack

CLI = [sys.executable, "-m", "klasse.server.cli"]
TEACHER, PASSWORD = "bench.teacher", "bench password 1234"
DEEP = '{"type":"chat","text":' + "[" * 1000 + "]" * 1000 + "}"
BAD_UTF8 = b'{"type":"chat","text":"\xff\xfe"}'


class Peer:
    """A protocol client that keeps every message it gets."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.inbox: asyncio.Queue[p.ServerMessage] = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str) -> Peer:
        return cls(await connect(url, max_size=p.MAX_SERVER_MESSAGE_BYTES,
                                 open_timeout=30))

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                await self.inbox.put(p.decode_server(raw))

    async def send(self, msg: p.ClientMessage | str | bytes) -> None:
        await self.ws.send(msg if isinstance(msg, (str, bytes)) else p.encode(msg).decode())

    async def wait(self, pred: Callable[[p.ServerMessage], bool], timeout: float = 30
                   ) -> p.ServerMessage:
        async def _w() -> p.ServerMessage:
            while True:
                m = await self.inbox.get()
                if pred(m):
                    return m
        return await asyncio.wait_for(_w(), timeout)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)
        self.reader.cancel()


def _pc() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


# ------------------------------------------------------------------ lesson
class Lesson:
    def __init__(self, url: str, room: dict[str, str]) -> None:
        self.url, self.room = url, room
        self.pcs: list[RTCPeerConnection] = []
        self.frames = 0

    async def start(self) -> None:
        self.teacher = await Peer.open(self.url)
        await self.teacher.send(p.Join(v=1, link=self.room["teacher_link"], name="Teacher",
                                       pin=self.room["pin"]))
        await self.teacher.wait(lambda m: isinstance(m, p.Welcome))
        self.pupils = []
        for i in range(2):
            peer = await Peer.open(self.url)
            await peer.send(p.Join(v=1, link=self.room["pupil_link"], name=f"Pupil {i}",
                                   pin=self.room["pin"]))
            w = await peer.wait(lambda m: isinstance(m, p.Welcome))
            assert isinstance(w, p.Welcome)
            await self.teacher.send(p.Admit(participant=w.participant))
            await peer.wait(lambda m: isinstance(m, p.Admitted))
            peer.pid = w.participant  # type: ignore[attr-defined]
            self.pupils.append(peer)
        sender = self.pupils[0]
        pc = _pc()
        self.pcs.append(pc)
        pc.addTrack(SyntheticAudioTrack(440))
        pc.addTrack(SyntheticVideoTrack(160, 120, fps=10))
        await pc.setLocalDescription(await pc.createOffer())
        await sender.send(p.Publish(sdp=pc.localDescription.sdp))
        ans = await sender.wait(lambda m: isinstance(m, p.Published))
        assert isinstance(ans, p.Published)
        await pc.setRemoteDescription(RTCSessionDescription(ans.sdp, "answer"))
        pid = sender.pid  # type: ignore[attr-defined]
        await self.teacher.wait(lambda m: isinstance(m, p.Participants) and any(
            x.id == pid and x.publishing for x in m.participants))
        await self.teacher.send(p.Subscribe(feed=pid))
        offer = await self.teacher.wait(lambda m: isinstance(m, p.Subscription))
        assert isinstance(offer, p.Subscription)
        rx = _pc()
        self.pcs.append(rx)

        @rx.on("track")
        def on_track(track):  # type: ignore[no-untyped-def]
            async def pump() -> None:
                with contextlib.suppress(Exception):
                    while True:
                        await track.recv()
                        if track.kind == "video":
                            self.frames += 1
            asyncio.ensure_future(pump())

        await rx.setRemoteDescription(RTCSessionDescription(offer.sdp, "offer"))
        await rx.setLocalDescription(await rx.createAnswer())
        await self.teacher.send(p.SubscriptionAnswer(feed=pid, sdp=rx.localDescription.sdp))
        deadline = time.monotonic() + 20
        while self.frames < 10 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)

    async def admitted_pupil(self, name: str) -> Peer:
        """A pupil of the lesson (joined and admitted) for one flood."""
        peer = await Peer.open(self.url)
        await peer.send(p.Join(v=1, link=self.room["pupil_link"], name=name, pin=self.room["pin"]))
        w = await peer.wait(lambda m: isinstance(m, p.Welcome))
        assert isinstance(w, p.Welcome)
        await self.teacher.send(p.Admit(participant=w.participant))
        await peer.wait(lambda m: isinstance(m, p.Admitted))
        return peer

    async def chat_probe(self, n: int) -> float:
        text = f"probe {n} {time.monotonic()}"
        t0 = time.monotonic()
        await self.teacher.send(p.Chat(text=text))
        await self.teacher.wait(lambda m: isinstance(m, p.ChatMessage) and m.text == text, 10)
        return time.monotonic() - t0

    async def join_probe(self, n: int) -> tuple[float, str]:
        t0 = time.monotonic()
        peer = None
        try:
            peer = await Peer.open(self.url)
            try:
                await peer.send(p.Join(v=1, link=self.room["pupil_link"], name=f"Legit {n}",
                                       pin=self.room["pin"]))
            except ConnectionClosed:   # refused on arrival (busy): its error was sent first
                await asyncio.wait_for(asyncio.shield(peer.reader), 10)
            m = await peer.wait(lambda m: isinstance(m, (p.Welcome, p.Error)), 10)
            took = time.monotonic() - t0
            outcome = "welcome" if isinstance(m, p.Welcome) else str(getattr(m, "code", "?"))
            if isinstance(m, p.Welcome):
                await peer.send(p.Leave())
            return took, outcome
        except Exception as exc:
            return time.monotonic() - t0, type(exc).__name__
        finally:
            if peer is not None:
                await peer.close()

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()
        for peer in [self.teacher, *self.pupils]:
            await peer.close()


# ------------------------------------------------------------------ floods
Flood = Callable[[Lesson, float], Awaitable[int]]


async def _until(stop: float, body: Callable[[], Awaitable[int]]) -> int:
    sent = 0
    while time.monotonic() < stop:
        try:
            sent += await body()
        except Exception:
            await asyncio.sleep(0.05)
    return sent


async def _many(n: int, stop: float, make: Callable[[int], Callable[[], Awaitable[int]]]) -> int:
    return sum(await asyncio.gather(*(_until(stop, make(i)) for i in range(n))))


async def flood_none(lesson: Lesson, stop: float) -> int:
    await asyncio.sleep(stop - time.monotonic())
    return 0


async def flood_waiting_room(lesson: Lesson, stop: float) -> int:
    """Up to 150 pupils sit in the waiting room with the costliest names."""
    held: list[Peer] = []
    sent = 0
    try:
        for i in range(150):
            if time.monotonic() >= stop:
                break
            peer = await Peer.open(lesson.url)
            held.append(peer)
            name = "\x01" * 63 + str(i % 10) if i % 2 else '"' * 61 + f"{i:03}"
            await peer.send(p.Join(v=1, link=lesson.room["pupil_link"], name=name,
                                   pin=lesson.room["pin"]))
            sent += 1
        await asyncio.sleep(max(0.0, stop - time.monotonic()))
    finally:
        await asyncio.gather(*(h.close() for h in held))
    return sent


async def flood_join_leave(lesson: Lesson, stop: float) -> int:
    """20 connections: join, leave, join again, as fast as answers come."""
    def make(i: int) -> Callable[[], Awaitable[int]]:
        async def once() -> int:
            peer = await Peer.open(lesson.url)
            try:
                n = 0
                while time.monotonic() < stop:
                    await peer.send(p.Join(v=1, link=lesson.room["pupil_link"], name=f"Churn {i}",
                                           pin=lesson.room["pin"]))
                    m = await peer.wait(lambda m: isinstance(m, (p.Welcome, p.Error)), 10)
                    n += 1
                    if isinstance(m, p.Welcome):
                        await peer.send(p.Leave())
                        await peer.wait(lambda m: isinstance(m, p.Closed), 10)
                        n += 1
                    else:
                        await asyncio.sleep(0.2)
                return n
            finally:
                await peer.close()
        return once
    return await _many(20, stop, make)


async def flood_media(lesson: Lesson, stop: float) -> int:
    """An admitted pupil toggles its mic state as fast as it can send (until the
    service drops it, if it does)."""
    peer = await lesson.admitted_pupil("Media flood")
    sent = 0
    try:
        while time.monotonic() < stop:
            for _ in range(50):
                await peer.send(p.MediaState(camera=False, mic=bool(sent % 2)))
                sent += 1
            await asyncio.sleep(0)
    except Exception:
        print(f"  media flooder was disconnected after {sent} messages")
    finally:
        await peer.close()
    return sent


async def flood_hand_chat(lesson: Lesson, stop: float) -> int:
    """An admitted pupil floods chat and hand changes."""
    peer = await lesson.admitted_pupil("Chat flood")
    sent = 0
    try:
        while time.monotonic() < stop:
            for _ in range(20):
                await peer.send(p.Chat(text="spam " * 40) if sent % 2 else p.Hand(up=bool(sent % 4)))
                sent += 1
            await asyncio.sleep(0.01)
    except Exception:
        print(f"  chat flooder was disconnected after {sent} messages")
    finally:
        await peer.close()
    return sent


async def flood_logins(lesson: Lesson, stop: float) -> int:
    """40 connections try passwords for the teacher's account and for unknown names."""
    def make(i: int) -> Callable[[], Awaitable[int]]:
        async def once() -> int:
            peer = await Peer.open(lesson.url)
            try:
                user = TEACHER if i % 2 else f"nobody{i}"
                await peer.send(p.Login(v=1, user=user, password=f"guess {i} {time.time()}"))
                await peer.wait(lambda m: isinstance(m, (p.Session, p.Error)), 30)
                return 1
            finally:
                await peer.close()
        return once
    return await _many(40, stop, make)


async def flood_bad_frames(lesson: Lesson, stop: float) -> int:
    """5 connections send 1000-deep JSON and invalid UTF-8 without pause."""
    def make(i: int) -> Callable[[], Awaitable[int]]:
        async def once() -> int:
            peer = await Peer.open(lesson.url)
            try:
                n = 0
                while time.monotonic() < stop:
                    for _ in range(20):
                        await peer.send(DEEP if n % 2 else BAD_UTF8)
                        n += 1
                    await asyncio.sleep(0.01)
                return n
            finally:
                await peer.close()
        return once
    return await _many(5, stop, make)


async def flood_pins(lesson: Lesson, stop: float) -> int:
    """50 connections guess PINs through the pupil link."""
    pin = int(lesson.room["pin"])

    def make(i: int) -> Callable[[], Awaitable[int]]:
        async def once() -> int:
            peer = await Peer.open(lesson.url)
            try:
                n = 0
                for j in range(4):
                    guess = str((pin + 1 + i * 7 + j) % 10**6).zfill(6)
                    await peer.send(p.Join(v=1, link=lesson.room["pupil_link"], name="Guess",
                                           pin=guess))
                    await peer.wait(lambda m: isinstance(m, p.Error), 10)
                    n += 1
                return n
            finally:
                await peer.close()
        return once
    return await _many(50, stop, make)


async def flood_connections(lesson: Lesson, stop: float) -> int:
    """600 connections that never join (more than the service's cap of 500)."""
    held: list[ClientConnection] = []
    try:
        for _ in range(600):
            if time.monotonic() >= stop:
                break
            with contextlib.suppress(Exception):
                held.append(await connect(lesson.url, open_timeout=10))
        await asyncio.sleep(max(0.0, stop - time.monotonic()))
    finally:
        await asyncio.gather(*(c.close() for c in held), return_exceptions=True)
    return len(held)


FLOODS: dict[str, Flood] = {
    "none": flood_none, "waiting_room": flood_waiting_room, "join_leave": flood_join_leave,
    "media": flood_media, "chat_hand": flood_hand_chat, "logins": flood_logins,
    "bad_frames": flood_bad_frames, "connections": flood_connections,
    "pins": flood_pins,   # last: its guesses use up the room's PIN budget for a minute
}


# Floods that need no admitted pupil run in a child process of their own, so their
# clients do not slow down the probes' event loop (the latencies are the service's).
IN_CHILD = frozenset({"waiting_room", "join_leave", "logins", "bad_frames", "connections",
                      "pins"})


class _Target:
    """What a flood in the child process knows of the lesson: where and which room."""

    def __init__(self, url: str, room: dict[str, str]) -> None:
        self.url, self.room = url, room


async def _child(name: str, url: str, room: dict[str, str], seconds: float) -> int:
    sent = await FLOODS[name](_Target(url, room), time.monotonic() + seconds)  # type: ignore[arg-type]
    print(json.dumps({"sent": sent}))
    return 0


async def _flood_in_child(name: str, lesson: Lesson, stop: float) -> int:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child", name, "--url", lesson.url,
        "--room", json.dumps(lesson.room), "--seconds", str(stop - time.monotonic()),
        stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    try:
        return int(json.loads(out.decode().strip().splitlines()[-1])["sent"])
    except (ValueError, IndexError, KeyError):
        return -1


# ---------------------------------------------------------------- measuring
async def run_flood(name: str, flood: Flood, lesson: Lesson, svc: psutil.Process,
                    seconds: float) -> dict[str, object]:
    stop = time.monotonic() + seconds
    rss: list[float] = []
    cpu_start = sum(svc.cpu_times()[:2])
    t_start = time.monotonic()
    chats: list[float] = []
    joins: list[tuple[float, str]] = []
    frames_before = lesson.frames

    async def sampler() -> None:
        while time.monotonic() < stop:
            rss.append(svc.memory_info().rss / 2**20)
            await asyncio.sleep(0.2)

    async def chat_probe() -> None:
        n = 0
        while time.monotonic() < stop:
            try:
                chats.append(await lesson.chat_probe(n))
            except TimeoutError:
                chats.append(float("inf"))
            n += 1
            await asyncio.sleep(0.5)

    async def join_probe() -> None:
        n = 0
        await asyncio.sleep(0.5)
        while time.monotonic() < stop:
            joins.append(await lesson.join_probe(n))
            n += 1
            await asyncio.sleep(1.0)

    flooding = _flood_in_child(name, lesson, stop) if name in IN_CHILD else flood(lesson, stop)
    results = await asyncio.gather(flooding, sampler(), chat_probe(), join_probe())
    wall = time.monotonic() - t_start
    cpu = (sum(svc.cpu_times()[:2]) - cpu_start) / wall * 100
    outcomes: dict[str, int] = {}
    for _, o in joins:
        outcomes[o] = outcomes.get(o, 0) + 1
    return {"flood": name, "sent": results[0], "rss_max": max(rss, default=0.0),
            "cpu": cpu, "chat": chats, "join": [t for t, _ in joins], "outcomes": outcomes,
            "video_fps": (lesson.frames - frames_before) / wall}


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    return (f"{statistics.median(values) * 1000:.0f}/{max(values) * 1000:.0f}"
            if all(v != float("inf") for v in values) else "timeout")


def _profile(folder: str, name: str, pid: int) -> subprocess.Popen[bytes] | None:
    """py-spy (from the same venv) sampling the service, or None without --profile."""
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen([str(spy), "record", "-p", str(pid), "-r", "200", "--format",
                             "raw", "-o", f"{folder}/{name}.txt", "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=8.0, help="length of each flood")
    ap.add_argument("--only", default="", help="comma-separated floods (default: all)")
    ap.add_argument("--profile", default="", help="folder: py-spy samples the service "
                    "during each flood into FLOOD.txt (collapsed stacks)")
    ap.add_argument("--child", default="", help=argparse.SUPPRESS)
    ap.add_argument("--url", default="", help=argparse.SUPPRESS)
    ap.add_argument("--room", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return await _child(args.child, args.url, json.loads(args.room), args.seconds)
    if os.environ.get("KLASSE_NETNS") != "1":
        print("run me through scripts/netns-run", file=sys.stderr)
        return 2
    names = [n for n in args.only.split(",") if n] or list(FLOODS)
    addr = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")
    with socket.socket() as s:
        s.bind((addr, 0))
        port = s.getsockname()[1]
    data = Path(tempfile.mkdtemp(prefix="klasse-abuse-"))
    listen = f"{addr}:{port}"
    subprocess.run([*CLI, "user", "add", TEACHER, "--role", "teacher", "--data", str(data)],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    room = json.loads(subprocess.run(
        [*CLI, "room", "create", "--teacher", TEACHER, "--json", "--data", str(data),
         "--listen", listen], capture_output=True, text=True, check=True).stdout)
    server = subprocess.Popen([*CLI, "run", "--listen", listen, "--data", str(data)],
                              stderr=subprocess.PIPE, text=True)
    log_lines = 0
    try:
        assert server.stderr is not None
        while "ready on" not in (line := server.stderr.readline()):
            if not line:
                raise SystemExit("the service did not start")

        async def drain_log() -> None:
            nonlocal log_lines
            assert server.stderr is not None
            while await asyncio.to_thread(server.stderr.readline):
                log_lines += 1
        drainer = asyncio.create_task(drain_log())
        svc = psutil.Process(server.pid)
        url = p.parse_link(room["pupil_link"]).service_url
        lesson = Lesson(url, room)
        await lesson.start()
        load = os.getloadavg()
        print(f"abuse: {args.seconds:.0f} s per flood while a lesson runs (teacher + 2 pupils, "
              f"one sending 160x120 video at 10 fps); service, Janus and all clients on this "
              f"machine ({psutil.cpu_count()} cores, load {load[0]:.1f} at start)")
        print(f"{'flood':<13} {'sent':>6} {'RSS max MB':>10} {'CPU %':>6} "
              f"{'join ms p50/max':>16} {'chat ms p50/max':>16} {'video fps':>9}  join outcomes")
        for name in names:
            lines_before = log_lines
            spy = _profile(args.profile, name, server.pid)
            r = await run_flood(name, FLOODS[name], lesson, svc, args.seconds)
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                await asyncio.to_thread(spy.wait, 30)
            print(f"{name:<13} {r['sent']:>6} {r['rss_max']:>10.0f} {r['cpu']:>6.0f} "
                  f"{_ms(r['join']):>16} {_ms(r['chat']):>16} {r['video_fps']:>9.1f}  "
                  f"{r['outcomes']} log+{log_lines - lines_before}")
            if lesson.teacher.reader.done():
                print("  the teacher's connection is gone: stopping")
                break
            await asyncio.sleep(2.0)
        print(f"goals: join <= 1000 ms, chat <= 200 ms, RSS <= 150 MB; "
              f"load at end {os.getloadavg()[0]:.1f}")
        await lesson.close()
        drainer.cancel()
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
