"""N simulated participants join one room; print join times and the service's load.

Run inside the private network namespace:

    scripts/netns-run .venv/bin/python bench/room_join.py -n 30

It starts `klasse-server run` (which spawns its own Janus) as a separate process,
adds a teacher account and creates a room with the CLI, lets the teacher join, then
N pupils join with the link and PIN (all at once, as a class does at the start of a
lesson), are admitted by the teacher, and publish an audio-only synthetic
microphone; the teacher subscribes to every pupil. Per pupil it prints the time
from connecting to Welcome, to Admitted, and until its feed is live (Janus
webrtcup seen in Participants). Then it samples CPU and memory of the service
process and its Janus for a few seconds of the running lesson.
All clients run in this one process, on the same machine as the service.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import connect

from klasse.app import protocol as p
from klasse.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack

CLI = [sys.executable, "-m", "klasse.server.cli"]


class Peer:
    def __init__(self, url: str) -> None:
        self.url = url
        self.inbox: asyncio.Queue[p.ServerMessage] = asyncio.Queue()
        self.pcs: list[RTCPeerConnection] = []

    async def open(self) -> None:
        self.ws = await connect(self.url, max_size=2**20)
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            await self.inbox.put(p.decode_server(raw))

    async def send(self, msg: p.ClientMessage) -> None:
        await self.ws.send(p.encode(msg).decode())

    async def wait(self, kind: type, pred=lambda m: True, timeout: float = 60):  # type: ignore[no-untyped-def]
        async def _w():  # type: ignore[no-untyped-def]
            while True:
                m = await self.inbox.get()
                if isinstance(m, p.Error):
                    raise RuntimeError(f"service error {m.code}: {m.message}")
                if isinstance(m, kind) and pred(m):
                    return m
        return await asyncio.wait_for(_w(), timeout)

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()
        await self.ws.close()
        self.reader.cancel()


def _pc() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


async def pupil_joins(url: str, room: dict[str, str], i: int, teacher: Peer,
                      admit_queue: asyncio.Queue[str], video_fps: int
                      ) -> tuple[Peer, dict[str, float]]:
    peer = Peer(url)
    t0 = time.monotonic()
    await peer.open()
    await peer.send(p.Join(v=1, link=room["pupil_link"], name=f"Pupil {i}", pin=room["pin"]))
    welcome = await peer.wait(p.Welcome)
    t_welcome = time.monotonic()
    await admit_queue.put(welcome.participant)
    await peer.wait(p.Admitted)
    t_admitted = time.monotonic()
    pc = _pc()
    peer.pcs.append(pc)
    pc.addTrack(SyntheticAudioTrack(440 + i))
    if video_fps:
        pc.addTrack(SyntheticVideoTrack(160, 120, fps=video_fps))
    await pc.setLocalDescription(await pc.createOffer())
    await peer.send(p.Publish(sdp=pc.localDescription.sdp))
    answer = await peer.wait(p.Published)
    await pc.setRemoteDescription(RTCSessionDescription(answer.sdp, "answer"))
    await peer.wait(p.Participants, lambda m: any(x.id == welcome.participant and x.publishing
                                                  for x in m.participants))
    t_live = time.monotonic()
    peer.pid = welcome.participant  # type: ignore[attr-defined]
    return peer, {"welcome": t_welcome - t0, "admitted": t_admitted - t0, "live": t_live - t0}


async def teacher_subscribes(teacher: Peer, feed: str) -> None:
    await teacher.send(p.Subscribe(feed=feed))
    offer = await teacher.wait(p.Subscription, lambda m: m.feed == feed)
    pc = _pc()
    teacher.pcs.append(pc)
    await pc.setRemoteDescription(RTCSessionDescription(offer.sdp, "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    await teacher.send(p.SubscriptionAnswer(feed=feed, sdp=pc.localDescription.sdp))


def sample(procs: dict[str, psutil.Process], seconds: float) -> dict[str, tuple[float, float]]:
    for proc in procs.values():
        proc.cpu_percent(None)
    time.sleep(seconds)
    return {name: (proc.cpu_percent(None), proc.memory_info().rss / 2**20)
            for name, proc in procs.items()}


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=30, help="participants (pupils)")
    ap.add_argument("--steady", type=float, default=10.0, help="seconds of steady-state sampling")
    ap.add_argument("--video-fps", type=int, default=0,
                    help="also publish 160x120 synthetic video at this rate (default: audio only)")
    args = ap.parse_args()
    if os.environ.get("KLASSE_NETNS") != "1":
        print("run me through scripts/netns-run", file=sys.stderr)
        return 2
    addr = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")
    with socket.socket() as s:
        s.bind((addr, 0))
        port = s.getsockname()[1]
    data = Path(tempfile.mkdtemp(prefix="klasse-bench-"))
    listen = f"{addr}:{port}"
    subprocess.run([*CLI, "user", "add", "bench.teacher", "--role", "teacher", "--data",
                    str(data)], input="bench password 1234\n", text=True, check=True,
                   capture_output=True)
    room = json.loads(subprocess.run(
        [*CLI, "room", "create", "--teacher", "bench.teacher", "--json", "--data", str(data),
         "--listen", listen], capture_output=True, text=True, check=True).stdout)
    server = subprocess.Popen([*CLI, "run", "--listen", listen, "--data", str(data)],
                              stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        while "ready on" not in (line := server.stderr.readline()):
            if not line:
                raise SystemExit("the service did not start")
        svc = psutil.Process(server.pid)
        janus = next(c for c in svc.children(recursive=True) if c.name() == "janus")
        procs = {"service": svc, "janus": janus}
        idle = sample(procs, 2.0)
        url = p.parse_link(room["pupil_link"]).service_url

        teacher = Peer(url)
        await teacher.open()
        await teacher.send(p.Join(v=1, link=room["teacher_link"], name="T", pin=room["pin"]))
        await teacher.wait(p.Welcome)
        admit_queue: asyncio.Queue[str] = asyncio.Queue()

        async def admitter() -> None:
            while True:
                await teacher.send(p.Admit(participant=await admit_queue.get()))

        admit_task = asyncio.create_task(admitter())
        svc.cpu_percent(None)
        janus.cpu_percent(None)
        t_start = time.monotonic()
        results = await asyncio.gather(*(pupil_joins(url, room, i, teacher, admit_queue, args.video_fps)
                                         for i in range(args.n)))
        join_wall = time.monotonic() - t_start
        join_cpu = {"service": svc.cpu_percent(None), "janus": janus.cpu_percent(None)}
        for peer, _ in results:
            await teacher_subscribes(teacher, peer.pid)  # type: ignore[attr-defined]
        steady = await asyncio.to_thread(sample, procs, args.steady)

        media = (f"audio + 160x120 video at {args.video_fps} fps" if args.video_fps
                 else "audio-only synthetic microphone")
        print(f"room_join: {args.n} pupils ({media}) + 1 teacher "
              f"subscribed to all; service and clients on one shared 2-core machine")
        print(f"{'pupil':>5} {'welcome_ms':>10} {'admitted_ms':>11} {'live_ms':>8}")
        for i, (_, t) in enumerate(results):
            print(f"{i:>5} {t['welcome'] * 1000:>10.0f} {t['admitted'] * 1000:>11.0f} "
                  f"{t['live'] * 1000:>8.0f}")
        live = sorted(t["live"] for _, t in results)
        print(f"live: median {statistics.median(live) * 1000:.0f} ms, "
              f"p90 {live[int(0.9 * (len(live) - 1))] * 1000:.0f} ms, "
              f"max {live[-1] * 1000:.0f} ms; all {args.n} joined in {join_wall:.2f} s")
        for name in procs:
            print(f"{name}: idle {idle[name][0]:.1f} % CPU {idle[name][1]:.0f} MB; "
                  f"during joins {join_cpu[name]:.1f} % CPU; "
                  f"steady lesson {steady[name][0]:.1f} % CPU {steady[name][1]:.0f} MB RSS")
        admit_task.cancel()
        for peer, _ in results:
            await peer.close()
        await teacher.close()
    finally:
        server.terminate()
        server.wait(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
