"""A whole lesson, long: does media keep flowing, and do memory and fds stay flat?

    scripts/netns-run .venv/bin/python bench/soak.py [--minutes 45] [--window 300]

`klasse-server run` (with its own Janus, at Janus's real 60 s session timeout unless
KLASSE_JANUS_SESSION_TIMEOUT says otherwise) and six headless clients, each its own
`klasse join --headless` process: a teacher and pupil 1 with a synthetic camera
(160x120) and microphone, pupils 2-5 with a microphone only. Now and then a pupil
chats or raises a hand and the teacher lowers hands; pupil 5 leaves and a new
process joins under its name every --rejoin-every seconds.

With --events DIR, each client's events go to DIR/<name>.jsonl (each with `t`,
seconds since the start, and the client's pid) and its log to DIR/<name>.log.

Every --window seconds it prints, per feed (sender and kind), the frames all
receivers got in that window and the fewest any one receiver got; the stalls (a
feed that flowed and then sent nothing for over 2 s to a receiver that should get
it, or a feed that never started within 10 s); and RSS, CPU and open fds of the
service and of Janus. The last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_stack import Stack, service_stack

CLIENT = [sys.executable, "-m", "klasse.app.cli", "join", "--headless", "--blur", "off"]
STALL_S = 2.0          # a feed silent this long, while its sender has the device on, stalls
START_S = 10.0         # a feed that should flow but has not within this long counts too
TICK_S = 0.5


@dataclass
class Flow:
    frames: int = 0
    changed: float = 0.0
    stalled_since: float | None = None


@dataclass
class Peer:
    name: str
    role: str
    video: bool
    proc: asyncio.subprocess.Process | None = None
    pid: str = ""                 # participant id in the room
    state: str = "connecting"
    participants: list[dict[str, Any]] = field(default_factory=list)
    flows: dict[tuple[str, str], Flow] = field(default_factory=dict)  # (sender id, kind)
    expected_since: dict[tuple[str, str], float] = field(default_factory=dict)
    never_started: set[tuple[str, str]] = field(default_factory=set)
    reader: asyncio.Task[None] | None = None
    errors: list[str] = field(default_factory=list)

    async def send(self, cmd: dict[str, Any]) -> None:
        if self.proc is None or self.proc.stdin is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(ConnectionError):
            self.proc.stdin.write((json.dumps(cmd) + "\n").encode())
            await self.proc.stdin.drain()


class Soak:
    def __init__(self, stack: Stack, args: argparse.Namespace) -> None:
        self.stack, self.args = stack, args
        self.room = stack.new_room("soak")
        self.peers: dict[str, Peer] = {}
        self.departing: set[str] = set()     # participant ids leaving on purpose
        self.names: dict[str, str] = {}      # participant id -> name
        self.window_frames: dict[tuple[str, str, str], int] = defaultdict(int)  # recv, sender, kind
        self.window_stalls: list[str] = []
        self.all_stalls: list[str] = []
        self.samples: list[dict[str, Any]] = []
        self.rejoins = 0
        self._ps: dict[int, psutil.Process] = {}
        self.chats = 0
        self.hands = 0
        self.started = time.monotonic()
        self.resubs: dict[tuple[str, str], int] = {}   # (receiver, feed) -> resubscribed
        self.window_resubs = 0
        self.all_resubs = 0

    # ------------------------------------------------------------ clients
    async def start_peer(self, name: str, role: str, video: bool) -> Peer:
        link = self.room["teacher_link"] if role == "teacher" else self.room["pupil_link"]
        peer = Peer(name, role, video)
        err = self.stderr_for(name)
        peer.proc = await asyncio.create_subprocess_exec(
            *CLIENT, link, "--pin", self.room["pin"], "--name", name,
            "--camera", "synthetic" if video else "off", "--mic", "synthetic",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=err, limit=2**20)
        if err is not asyncio.subprocess.DEVNULL:
            err.close()   # the child has its own copy
        peer.reader = asyncio.create_task(self.read(peer))
        self.peers[name] = peer
        return peer

    def stderr_for(self, name: str) -> Any:
        """With --events, each client's log goes beside its events."""
        if not self.args.events:
            return asyncio.subprocess.DEVNULL
        return open(Path(self.args.events) / f"{name}.log", "ab")

    async def read(self, peer: Peer) -> None:
        assert peer.proc is not None and peer.proc.stdout is not None
        async for raw in peer.proc.stdout:
            try:
                ev = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(ev, dict):
                continue
            if self.args.events:
                # Each event with the seconds since the soak began, to line them up.
                line = {"t": round(time.monotonic() - self.started, 2), "pid": peer.proc.pid, **ev}
                with open(Path(self.args.events) / f"{peer.name}.jsonl", "a") as f:
                    f.write(json.dumps(line, separators=(",", ":")) + "\n")
            await self.on_event(peer, ev)

    async def on_event(self, peer: Peer, ev: dict[str, Any]) -> None:
        kind = ev.get("event")
        now = time.monotonic()
        if kind == "welcome":
            peer.pid = ev["participant"]
        elif kind == "state":
            peer.state = ev["state"]
            if peer.state == "joined":
                await peer.send({"cmd": "mic", "on": True})
                if peer.video:
                    await peer.send({"cmd": "camera", "on": True})
        elif kind == "participants":
            peer.participants = ev["participants"]
            for x in peer.participants:
                self.names[x["id"]] = x["name"]
            if peer.role == "teacher" and any(x["state"] == "waiting" for x in peer.participants):
                await peer.send({"cmd": "admit_all"})
        elif kind in ("video", "audio"):
            key = (ev["from"], kind)
            flow = peer.flows.setdefault(key, Flow(changed=now))
            if ev["frames"] > flow.frames:
                self.window_frames[(peer.name, self.names.get(ev["from"], "?"), kind)] += (
                    ev["frames"] - flow.frames)
                flow.frames, flow.changed = ev["frames"], now
                if flow.stalled_since is not None:
                    print(f"    stall over: {peer.name} <- {self.names.get(ev['from'], '?')} "
                          f"{kind} after {now - flow.stalled_since:.1f} s", flush=True)
                    flow.stalled_since = None
        elif kind == "stats":
            # The client's own way out of a silent feed (app/feed_watch.py), counted.
            for fs in ev.get("feeds", []):
                key = (peer.name, fs["feed"])
                n = fs.get("resubscribed", 0)
                if n > self.resubs.get(key, 0):
                    self.window_resubs += n - self.resubs.get(key, 0)
                    self.resubs[key] = n
        elif kind == "error":
            peer.errors.append(f"{ev.get('code')}: {ev.get('message')}")
            print(f"  ! {peer.name} error {ev.get('code')}: {ev.get('message')}", flush=True)

    def stall(self, text: str) -> None:
        self.window_stalls.append(text)
        self.all_stalls.append(text)
        print(f"  ! stall: {text}", flush=True)

    def expected(self, peer: Peer) -> set[tuple[str, str]]:
        want: set[tuple[str, str]] = set()
        for x in peer.participants:
            if x["id"] in (peer.pid, *self.departing) or x["state"] != "joined" \
                    or not x.get("publishing"):
                continue
            if x.get("camera"):
                want.add((x["id"], "video"))
            if x.get("mic"):
                want.add((x["id"], "audio"))
        return want

    async def watch_stalls(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            for peer in list(self.peers.values()):
                if peer.state != "joined":
                    continue
                want = self.expected(peer)
                for key in list(peer.expected_since):
                    if key not in want:
                        del peer.expected_since[key]
                        if key in peer.flows:
                            peer.flows[key].stalled_since = None
                for key in want:
                    since = peer.expected_since.setdefault(key, now)
                    flow = peer.flows.get(key)
                    who = f"{peer.name} <- {self.names.get(key[0], '?')} {key[1]}"
                    if flow is None or flow.frames == 0:
                        if now - since > START_S and key not in peer.never_started:
                            peer.never_started.add(key)
                            self.stall(f"{who}: no frames {START_S:.0f} s after it was published")
                        continue
                    if (flow.stalled_since is None and now - flow.changed > STALL_S
                            and now - since > STALL_S):
                        flow.stalled_since = flow.changed
                        self.stall(f"{who}: no frames for {STALL_S:.0f} s")

    async def stop_peer(self, peer: Peer) -> None:
        self.departing.add(peer.pid)
        await peer.send({"cmd": "leave"})
        assert peer.proc is not None
        try:
            await asyncio.wait_for(peer.proc.wait(), 15)
        except TimeoutError:
            peer.proc.kill()
            await peer.proc.wait()
        if peer.reader is not None:
            peer.reader.cancel()
        self.peers.pop(peer.name, None)

    # ------------------------------------------------------------ lesson life
    async def classroom(self) -> None:
        """Chat, hands, and pupil 5 leaving and coming back, now and then."""
        rnd = random.Random(10)
        next_rejoin = time.monotonic() + self.args.rejoin_every
        while True:
            await asyncio.sleep(rnd.uniform(10, 30))
            pupils = [p for p in self.peers.values() if p.role == "pupil" and p.state == "joined"]
            teacher = self.peers.get("Teacher")
            if pupils:
                who = rnd.choice(pupils)
                if rnd.random() < 0.6:
                    await who.send({"cmd": "chat", "text": f"question {self.chats}"})
                    self.chats += 1
                else:
                    await who.send({"cmd": "hand", "up": True})
                    self.hands += 1
            if teacher is not None and rnd.random() < 0.3:
                await teacher.send({"cmd": "lower_hands"})
                await teacher.send({"cmd": "chat", "text": "carry on"})
                self.chats += 1
            if time.monotonic() >= next_rejoin and "Pupil 5" in self.peers:
                next_rejoin = time.monotonic() + self.args.rejoin_every
                await self.stop_peer(self.peers["Pupil 5"])
                await asyncio.sleep(2)
                await self.start_peer("Pupil 5", "pupil", False)
                self.rejoins += 1

    # ------------------------------------------------------------ figures
    def usage(self, proc: psutil.Process, last: tuple[float, float] | None
              ) -> tuple[dict[str, Any], tuple[float, float]]:
        t = proc.cpu_times()
        cpu = t.user + t.system
        now = time.monotonic()
        pct = 100.0 * (cpu - last[0]) / (now - last[1]) if last else 0.0
        return ({"rss_mb": round(proc.memory_info().rss / 2**20, 1), "cpu_pct": round(pct, 1),
                 "fds": proc.num_fds()}, (cpu, now))

    def client_cpu(self) -> float:
        """CPU % of the client processes since the last call (all of them together)."""
        total = 0.0
        for peer in self.peers.values():
            if peer.proc is None or peer.proc.returncode is not None:
                continue
            try:
                proc = self._ps.setdefault(peer.proc.pid, psutil.Process(peer.proc.pid))
                total += proc.cpu_percent(None)
            except psutil.Error:
                continue
        return total

    def report(self, n: int, minutes: float, svc: dict[str, Any], jan: dict[str, Any]) -> None:
        feeds: dict[tuple[str, str], list[int]] = defaultdict(list)
        for (_recv, sender, kind), frames in self.window_frames.items():
            feeds[(sender, kind)].append(frames)
        print(f"== window {n} ({minutes:.0f} min): stalls {len(self.window_stalls)}, "
              f"resubscribed {self.window_resubs}, "
              f"service rss {svc['rss_mb']} MB cpu {svc['cpu_pct']} % fds {svc['fds']}, "
              f"janus rss {jan['rss_mb']} MB cpu {jan['cpu_pct']} % fds {jan['fds']}, "
              f"load {psutil.getloadavg()[0]:.1f}", flush=True)
        for (sender, kind), per_recv in sorted(feeds.items()):
            print(f"   {sender:>9} {kind:5}: {sum(per_recv):7d} frames to {len(per_recv)} "
                  f"receivers (fewest {min(per_recv)})", flush=True)
        # Feeds a receiver should get now but got nothing of in this whole window.
        lost = sorted(f"{peer.name} <- {self.names.get(sender, '?')} {kind}"
                      for peer in self.peers.values() if peer.state == "joined"
                      for sender, kind in self.expected(peer)
                      if not self.window_frames.get((peer.name, self.names.get(sender, "?"),
                                                     kind)))
        if lost:
            print(f"   nothing all window: {', '.join(lost)}", flush=True)
        clients = self.client_cpu()
        print(f"   clients: cpu {clients:.0f} % in all (of {100 * psutil.cpu_count():.0f} %)",
              flush=True)
        self.samples.append({"window": n, "minutes": round(minutes, 1), "service": svc,
                             "janus": jan, "stalls": len(self.window_stalls),
                             "resubscribed": self.window_resubs,
                             "feeds": {f"{s} {k}": sum(v) for (s, k), v in feeds.items()}})
        self.window_frames.clear()
        self.window_stalls.clear()
        self.all_resubs += self.window_resubs
        self.window_resubs = 0

    async def run(self) -> dict[str, Any]:
        await self.start_peer("Teacher", "teacher", True)
        await asyncio.sleep(2)
        for i in range(1, 6):
            await self.start_peer(f"Pupil {i}", "pupil", i == 1)
        tasks = [asyncio.create_task(self.watch_stalls()), asyncio.create_task(self.classroom())]
        _, svc_last = self.usage(self.stack.service, None)
        _, jan_last = self.usage(self.stack.janus, None)
        start = time.monotonic()
        end = start + self.args.minutes * 60
        n = 0
        try:
            while time.monotonic() < end - 1:
                await asyncio.sleep(min(self.args.window, end - time.monotonic()))
                n += 1
                svc, svc_last = self.usage(self.stack.service, svc_last)
                jan, jan_last = self.usage(self.stack.janus, jan_last)
                self.report(n, (time.monotonic() - start) / 60, svc, jan)
        finally:
            for t in tasks:
                t.cancel()
            for peer in list(self.peers.values()):
                await self.stop_peer(peer)
        return self.summary()

    def summary(self) -> dict[str, Any]:
        first, last = self.samples[0], self.samples[-1]

        def growth(part: str) -> float:
            return round(100.0 * (last[part]["rss_mb"] / first[part]["rss_mb"] - 1), 1)
        return {"minutes": self.args.minutes, "windows": len(self.samples),
                "stalls": len(self.all_stalls), "resubscribed": self.all_resubs,
                "rejoins": self.rejoins, "chats": self.chats,
                "hands": self.hands,
                "service_rss_growth_pct": growth("service"), "janus_rss_growth_pct": growth("janus"),
                "service_fds": [first["service"]["fds"], last["service"]["fds"]],
                "janus_fds": [first["janus"]["fds"], last["janus"]["fds"]],
                "samples": self.samples}


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=45.0)
    ap.add_argument("--window", type=float, default=300.0, help="seconds per report")
    ap.add_argument("--rejoin-every", type=float, default=180.0)
    ap.add_argument("--events", default="", help="folder: keep every client's events there")
    args = ap.parse_args()
    # SIGTERM ends it as Ctrl-C does: every client leaves and the service stops.
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    with service_stack() as stack:
        print(f"soak: {args.minutes:g} min, a report every {args.window:g} s; service pid "
              f"{stack.service.pid}, janus pid {stack.janus.pid}", flush=True)
        result = await Soak(stack, args).run()
    print(json.dumps(result), flush=True)
    ok = (result["stalls"] == 0 and result["service_rss_growth_pct"] < 10
          and result["janus_rss_growth_pct"] < 10)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
