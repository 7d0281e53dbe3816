"""Client CPU and memory in a call: one publisher at 640x480 and 8 subscribed feeds.

    scripts/netns-run .venv/bin/python bench/client_load.py [--feeds 8] [--seconds 15]
        [--per-process N]

The measured client is its own process (bench/participant.py: the call engine with
a synthetic 640x480 15 fps camera and a microphone, blur off, no UI) and receives
every other participant. The other
participants are --feeds publish-only sessions (synthetic 320x240 15 fps camera +
microphone, receiving nothing), --per-process of them sharing a process (a class of
29: `--feeds 29 --per-process 10`), started first.
After a warm-up the measured process is sampled with psutil: CPU (100 % = one
core), RSS and USS, and the frames it received per feed. All run on this shared
2-core machine next to the room service, Janus and the other publishers, so the
CPU figure includes contention.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_stack import service_stack

HERE = Path(__file__).resolve().parent


def spawn(link: str, pin: str, name: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(HERE / "participant.py"), link, pin,
                             "--name", name, *extra], stdout=subprocess.PIPE, text=True)


def wait_event(proc: subprocess.Popen[str], pred, timeout: float = 60) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert proc.stdout is not None
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"participant {proc.pid} ended early")
        ev = json.loads(line)
        if pred(ev):
            return ev  # type: ignore[no-any-return]
    raise SystemExit("timed out")


class LastSent:
    """Keeps reading a publisher's output; remembers its latest bench_sent line."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.last: dict | None = None  # type: ignore[type-arg]
        self.first: dict | None = None  # type: ignore[type-arg]
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            ev = json.loads(line)
            if ev["event"] == "bench_sent":
                self.last = ev

    def mark(self) -> None:
        self.first = self.last

    def rate(self) -> float:
        """Frames the encoder took per second since mark()."""
        if not self.first or not self.last or self.last["seconds"] == self.first["seconds"]:
            return 0.0
        return (self.last["encoded"] - self.first["encoded"]) / (
            self.last["seconds"] - self.first["seconds"])


def _avg_cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return 100 * (t.user + t.system) / (time.time() - proc.create_time())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=8)
    ap.add_argument("--size", default="640x480", help="the measured client's camera")
    ap.add_argument("--feed-size", default="320x240")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--per-process", type=int, default=1, help="publishers per process")
    args = ap.parse_args()
    total = args.seconds + 40
    with service_stack() as stack:
        room = stack.new_room("load")
        counts = [min(args.per_process, args.feeds - i)
                  for i in range(0, args.feeds, max(1, args.per_process))]
        others = [spawn(room["teacher_link"], room["pin"], f"pub{i}", "--publish-only",
                        "--size", args.feed_size, "--seconds", str(total), "--count", str(n))
                  for i, n in enumerate(counts)]
        for proc in others:
            wait_event(proc, lambda e: e["event"] == "state" and e["state"] == "joined",
                       timeout=120)
        watchers = [LastSent(proc) for proc in others]
        # Drain their output in the background (they print little: no receiving).
        me = spawn(room["teacher_link"], room["pin"], "measured", "--size", args.size,
                   "--seconds", str(total))
        frames: dict[str, int] = {}
        assert me.stdout is not None
        t0 = time.monotonic()
        while len([f for f in frames.values() if f > 30]) < args.feeds:
            line = me.stdout.readline()
            if not line:
                raise SystemExit("the measured client ended early")
            ev = json.loads(line)
            if ev["event"] == "video":
                frames[ev["from"]] = ev["frames"]
            if time.monotonic() - t0 > 120:
                raise SystemExit(f"only {len(frames)} feeds arrived: {frames}")
        print(f"all {args.feeds} feeds arriving {time.monotonic() - t0:.1f} s after start")
        proc = psutil.Process(me.pid)
        pubs = [psutil.Process(o.pid) for o in others]
        start_frames = dict(frames)
        proc.cpu_percent(None)
        for pp in pubs:
            pp.cpu_percent(None)
        for w in watchers:
            w.mark()
        samples = []
        t_start = time.monotonic()
        own: list[dict] = []  # type: ignore[type-arg]

        def drain() -> None:
            for line in me.stdout:  # type: ignore[union-attr]
                ev = json.loads(line)
                if ev["event"] == "video":
                    frames[ev["from"]] = ev["frames"]
                elif ev["event"] == "bench_sent":
                    own.append(ev)
        threading.Thread(target=drain, daemon=True).start()
        while time.monotonic() - t_start < args.seconds:
            time.sleep(1.0)
            mem = proc.memory_full_info()
            samples.append((proc.cpu_percent(None), mem.rss, mem.uss))
        elapsed = time.monotonic() - t_start
        pub_cpu = sum(pp.cpu_percent(None) for pp in pubs)
        cpu = [s[0] for s in samples]
        rates = [(frames[f] - start_frames.get(f, 0)) / elapsed for f in frames]
        print(f"measured client: publishes {args.size} @ 15 fps + mic, receives {len(frames)} "
              f"feeds ({args.feed_size} @ 15 fps + audio)")
        print(f"CPU: mean {sum(cpu) / len(cpu):.0f} % of one core, max {max(cpu):.0f} % "
              f"({len(cpu)} one-second samples)")
        if len(own) >= 2:
            rate = (own[-1]["encoded"] - own[0]["encoded"]) / (own[-1]["seconds"] - own[0]["seconds"])
            print(f"its own camera: the encoder took {rate:.1f} fps")
        print(f"memory: RSS {samples[-1][1] / 2**20:.0f} MiB, USS {samples[-1][2] / 2**20:.0f} MiB")
        print(f"received video per feed: {min(rates):.1f} to {max(rates):.1f} fps")
        print("publishers' encoders took " + ", ".join(
            f"{w.rate() / n:.1f}" for w, n in zip(watchers, counts, strict=True))
              + f" fps each during the sampling ({len(others)} processes)")
        print(f"the {len(others)} publishing processes together: {pub_cpu:.0f} % of one core; "
              f"room service {_avg_cpu(stack.service):.0f} %, Janus {_avg_cpu(stack.janus):.0f} %"
              " (averaged since they started)")
        print(f"machine load during the run: {psutil.getloadavg()[0]:.1f} (1 min), "
              f"{psutil.cpu_count()} cores")
        for p in [me, *others]:
            p.terminate()
        for p in [me, *others]:
            p.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
