"""How long a lesson's media is gone when its Janus is SIGKILLed (goal: under 5 s).

    scripts/netns-run .venv/bin/python bench/janus_crash.py [--kills 5]

A room service that spawns its own Janus, a teacher and two pupils (in-process
CallSessions, synthetic 160x120 camera and microphone), all three publishing. Each
round SIGKILLs the Janus and measures, from the kill: when every client was told
(`media_reconnecting`), when Janus answered again (respawned), and when video flowed
again in every direction that flowed before (teacher <- each pupil, each pupil <-
teacher). Prints each round and the median and worst.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from klasse.app.call_session import CallSession
from klasse.app.events import Event
from klasse.app.protocol import parse_link
from klasse.server.config import Config
from klasse.server.janus_adapter import JanusNode
from klasse.server.service import RoomService


class Events:
    def __init__(self) -> None:
        self.seen: list[tuple[float, dict[str, Any]]] = []
        self.changed = asyncio.Event()

    def __call__(self, event: Event) -> None:
        self.seen.append((time.monotonic(), event.as_json()))
        self.changed.set()

    async def first(self, pred: Any, since: float, timeout: float = 30.0) -> float:
        """Arrival time of the first event after `since` for which pred(e) holds."""
        async def wait() -> float:
            while True:
                for t, e in self.seen:
                    if t >= since and pred(e):
                        return t
                self.changed.clear()
                await self.changed.wait()
        return await asyncio.wait_for(wait(), timeout)


async def watch_node(node: JanusNode, times: dict[str, float]) -> None:
    """When the service noticed the loss, and when the node was up again."""
    while node.up:
        await asyncio.sleep(0.01)
    times["noticed"] = time.monotonic()
    while not node.up:
        await asyncio.sleep(0.01)
    times["back"] = time.monotonic()


def video_from(who: str, more_than: int) -> Any:
    return lambda e: e["event"] == "video" and e["from"] == who and e["frames"] > more_than


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--settle", type=float, default=5.0, help="seconds of media between kills")
    args = ap.parse_args()
    if os.environ.get("KLASSE_NETNS") != "1":
        raise SystemExit("run me through scripts/netns-run (the private test network)")
    addr = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")
    tmp = Path(tempfile.mkdtemp(prefix="klasse-crash-"))
    service = RoomService(Config(listen=addr, port=0, data=tmp / "data", teacher_grace_s=60,
                                 resume_grace_s=60))
    await service.start()
    room = service.create_links("bench.teacher", "crash", 3600)
    names = ("Teacher", "Pupil A", "Pupil B")
    evs = {n: Events() for n in names}
    sessions = {n: CallSession(parse_link(room["teacher_link" if n == "Teacher" else "pupil_link"]),
                               n, evs[n], pin=room["pin"], camera="synthetic", mic="synthetic",
                               blur="off", cache_root=tmp)
                for n in names}
    tasks = [asyncio.ensure_future(sessions["Teacher"].run())]
    rows: list[dict[str, float]] = []
    try:
        t0 = time.monotonic()
        await evs["Teacher"].first(lambda e: e == {"event": "state", "state": "joined"}, t0)
        for n in names[1:]:
            tasks.append(asyncio.ensure_future(sessions[n].run()))
            await evs[n].first(lambda e: e == {"event": "state", "state": "waiting"}, t0)
        await sessions["Teacher"].admit_all()
        for n in names:
            await evs[n].first(lambda e: e == {"event": "state", "state": "joined"}, t0)
            await sessions[n].set_camera(True)
            await sessions[n].set_mic(True)
        ids = {n: sessions[n].machine.me or "" for n in names}
        pairs = [("Teacher", "Pupil A"), ("Teacher", "Pupil B"), ("Pupil A", "Teacher"),
                 ("Pupil B", "Teacher")]   # (receiver, sender)
        for rcv, snd in pairs:
            await evs[rcv].first(video_from(ids[snd], 5), t0)
        for k in range(1, args.kills + 1):
            await asyncio.sleep(args.settle)
            node = service.nodes[0]
            assert node.process is not None and node.process.proc is not None
            seen = {(r, s): sessions[r].frames_from(ids[s]) for r, s in pairs}
            killed = time.monotonic()
            os.kill(node.process.proc.pid, signal.SIGKILL)
            times: dict[str, float] = {}
            watcher = asyncio.ensure_future(watch_node(node, times))
            told = max([await evs[n].first(
                lambda e: e.get("event") == "media_reconnecting" and e["active"], killed)
                for n in names])
            await asyncio.wait_for(watcher, 30)
            respawned = times["back"]
            back = [await evs[r].first(video_from(ids[s], seen[(r, s)] + 2), respawned)
                    for r, s in pairs]
            row = {"noticed_s": times["noticed"] - killed, "told_s": told - killed,
                   "janus_back_s": respawned - killed,
                   "media_back_s": max(back) - killed, "first_feed_s": min(back) - killed}
            rows.append(row)
            print(f"kill {k}: noticed {row['noticed_s']:.2f} s, clients told "
                  f"{row['told_s']:.2f} s, janus back "
                  f"{row['janus_back_s']:.2f} s, first feed back {row['first_feed_s']:.2f} s, "
                  f"all feeds back {row['media_back_s']:.2f} s (load {os.getloadavg()[0]:.1f})",
                  flush=True)
    finally:
        for s in sessions.values():
            await s.leave()
        await asyncio.gather(*tasks, return_exceptions=True)
        await service.stop()
    if rows:
        back = [r["media_back_s"] for r in rows]
        print(f"media back after a SIGKILL: median {statistics.median(back):.2f} s, worst "
              f"{max(back):.2f} s over {len(rows)} kills (goal < 5 s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
