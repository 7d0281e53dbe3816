"""A pupil's video and audio under packet loss, an outage and a bandwidth cap.

    scripts/netns-run .venv/bin/python bench/loss.py [--seconds 20] [--only 5%,outage]

One lesson through `klasse-server run` and its Janus in the private namespace: a
pupil publishes the synthetic camera (640x480@15, blur off, its frame counter stamped
in the pixels) and the synthetic mic; the teacher receives both in-process. nft drops
UDP in the namespace's input hook, which every packet crosses once, so both legs
(pupil -> Janus, Janus -> teacher) lose, as in the Chromium comparison of issue 12:

    clean, 2 %, 5 %, 10 %   numgen random mod 100 < N drop, for --seconds each
    outage                  all UDP dropped for 3 s, then clean
    cap                     limit rate over 37 kbytes/second (300 kbit/s), then lifted

For each it prints the teacher's received fps, the longest freeze (largest gap
between frames drawn), freezes over 500 ms per minute, time to recover (outage: from
its end to the next frame), audio frames concealed (PLC + FEC, %), and glass-to-glass
latency (median of the first and of the last quarter: it must not grow), plus the
machine's load average, which other work on a shared machine affects.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_stack import service_stack

from klasse.app.call_session import CallSession
from klasse.app.events import Event, ParticipantsChanged, StateChanged, UplinkChanged
from klasse.app.protocol import parse_link
from klasse.media.sources import SyntheticSource
from klasse.media.synthetic import read_counter

SIZE = tuple(int(x) for x in os.environ.get("LOSS_SIZE", "640x480x15").split("x"))
FREEZE_S = 0.5


def nft(*rules: str) -> None:
    """Replace the namespace's loss rules (none: clean)."""
    subprocess.run(["nft", "flush", "ruleset"], check=True)
    if not rules:
        return
    subprocess.run(["nft", "add", "table", "inet", "loss"], check=True)
    subprocess.run(["nft", "add", "chain", "inet", "loss", "c",
                    "{ type filter hook input priority 0; }"], check=True)
    for rule in rules:
        subprocess.run(["nft", "add", "rule", "inet", "loss", "c", *rule.split()], check=True)


def loss_rule(percent: int) -> str:
    return f"meta l4proto udp numgen random mod 100 < {percent} drop"


@dataclass
class Call:
    teacher: CallSession
    pupil: CallSession
    tasks: list[asyncio.Task[None]]
    frames: list[tuple[float, int]] = field(default_factory=list)   # (arrival, counter)
    uplink: list[tuple[float, str, int]] = field(default_factory=list)  # pupil's modes

    def audio_stats(self) -> tuple[int, int, int]:
        """Audio frames played, concealed (PLC) and recovered from FEC, so far."""
        paths = [p.audio for ps in self.teacher._receive_paths.values() for p in ps if p.audio]
        return (sum(a.stats.frames_out for a in paths), sum(a.stats.concealed for a in paths),
                sum(a.stats.fec for a in paths))

    def video_stats(self) -> dict[str, int]:
        paths = [p.video for ps in self.teacher._receive_paths.values() for p in ps if p.video]
        keys = ("nacks_sent", "recovered", "frames_dropped", "plis_sent", "keyframes", "decoder_overloads",
                "decode_errors")
        return {k: sum(getattr(v.stats, k) for v in paths) for k in keys}

    def source_clock(self) -> tuple[float, int]:
        source = self.pupil.camera_gate.source
        assert isinstance(source, SyntheticSource) and source._track is not None
        start = source._track._start   # type: ignore[union-attr]
        assert start is not None
        return start, source._track.fps  # type: ignore[union-attr]


async def start_call(room: dict[str, str], cache: Path) -> Call:
    joined = asyncio.Event()
    teacher: CallSession

    def on_teacher(ev: Event) -> None:
        if isinstance(ev, StateChanged) and ev.state == "joined":
            joined.set()
        if isinstance(ev, ParticipantsChanged):
            for x in ev.participants:
                if x.state == "waiting":
                    asyncio.ensure_future(teacher.admit(x.id))

    call_frames: list[tuple[float, int]] = []

    def on_frame(who: str, rgb: np.ndarray) -> None:
        if who != "local":
            call_frames.append((time.monotonic(), read_counter(rgb)))

    pupil_joined = asyncio.Event()
    uplink: list[tuple[float, str, int]] = []

    def on_pupil(ev: Event) -> None:
        if isinstance(ev, StateChanged) and ev.state == "joined":
            pupil_joined.set()
        if isinstance(ev, UplinkChanged):
            uplink.append((time.monotonic(), ev.mode, ev.video_kbps))

    teacher = CallSession(parse_link(room["teacher_link"]), "T", on_teacher, pin=room["pin"],
                          video=on_frame, cache_root=cache)
    pupil = CallSession(parse_link(room["pupil_link"]), "P", on_pupil, pin=room["pin"],
                        camera="synthetic", mic="synthetic", blur="off", video_size=SIZE,
                        cache_root=cache)
    tasks = [asyncio.ensure_future(teacher.run())]
    await joined.wait()
    tasks.append(asyncio.ensure_future(pupil.run()))
    await pupil_joined.wait()
    await pupil.set_camera(True)
    await pupil.set_mic(True)
    call = Call(teacher, pupil, tasks, call_frames, uplink)
    while not call.frames:
        await asyncio.sleep(0.05)
    await asyncio.sleep(2.0)
    return call


@dataclass
class Figures:
    name: str
    fps: float
    longest_freeze_s: float
    freezes_per_min: float
    recover_s: float | None
    concealed_pct: float
    fec_pct: float
    latency_ms: tuple[float, float]
    video: dict[str, int]
    uplink: str = ""

    def line(self, clean_fps: float | None) -> str:
        rel = f" ({100 * self.fps / clean_fps:.0f} % of clean)" if clean_fps else ""
        rec = f"{self.recover_s:.2f} s" if self.recover_s is not None else "-"
        return (f"{self.name:>8}: {self.fps:5.1f} fps{rel}, longest freeze "
                f"{self.longest_freeze_s:.2f} s, freezes>{FREEZE_S}s {self.freezes_per_min:.1f}/min, "
                f"recovery {rec}, audio concealed {self.concealed_pct:.1f} % "
                f"(+{self.fec_pct:.1f} % from FEC), latency "
                f"{self.latency_ms[0]:.0f} -> {self.latency_ms[1]:.0f} ms\n{'':10}receive path: "
                + ", ".join(f"{k} {v}" for k, v in self.video.items())
                + (f"\n{'':10}pupil's uplink: {self.uplink}" if self.uplink else ""))


async def measure(call: Call, name: str, seconds: float, *, rules: tuple[str, ...] = (),
                  outage_s: float = 0.0, cap_then_lift: bool = False) -> Figures:
    audio0, video0 = call.audio_stats(), call.video_stats()
    first = len(call.frames)
    t0 = time.monotonic()
    recover = None
    if outage_s:
        nft("meta l4proto udp drop")
        await asyncio.sleep(outage_s)
        nft()
        lifted = time.monotonic()
        while time.monotonic() - lifted < 10 and not [f for f in call.frames if f[0] > lifted]:
            await asyncio.sleep(0.01)
        after = [f for f in call.frames if f[0] > lifted]
        recover = after[0][0] - lifted if after else float("inf")
        await asyncio.sleep(max(0.0, seconds - (time.monotonic() - t0)))
    elif cap_then_lift:
        nft(*rules)
        await asyncio.sleep(seconds / 2)
        nft()
        await asyncio.sleep(seconds / 2)
    else:
        nft(*rules)
        await asyncio.sleep(seconds)
        nft()
    t1 = time.monotonic()
    got = call.frames[first:]
    times = [t0] + [t for t, _ in got] + [t1]
    gaps = np.diff(times)
    audio1, video1 = call.audio_stats(), call.video_stats()
    out, plc, fec = (b - a for a, b in zip(audio0, audio1, strict=True))
    start, fps = call.source_clock()
    lat = [(t - (start + n / fps)) * 1000 for t, n in got]
    q = max(1, len(lat) // 4)
    latency = (statistics.median(lat[:q]), statistics.median(lat[-q:])) if lat else (0.0, 0.0)
    fig = Figures(name, len(got) / (t1 - t0), float(gaps.max()),
                  float((gaps > FREEZE_S).sum()) * 60 / (t1 - t0), recover,
                  100 * plc / out if out else 0.0, 100 * fec / out if out else 0.0, latency,
                  {k: video1[k] - video0[k] for k in video1})
    fig.uplink = ", ".join(f"{t - t0:+.1f}s {mode} {kbps} kbit/s" for t, mode, kbps in call.uplink
                           if t >= t0)
    await asyncio.sleep(2.0)   # settle before the next condition
    return fig


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--only", default="clean,2%,5%,10%,outage,cap")
    args = ap.parse_args()
    wanted = args.only.split(",")
    cache = Path(tempfile.mkdtemp(prefix="klasse-bench-cache-"))
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    results: list[Figures] = []
    with service_stack() as stack:
        call = await start_call(stack.new_room("loss"), cache)
        clean_fps = None
        for name in wanted:
            if name == "clean":
                fig = await measure(call, name, args.seconds)
                clean_fps = fig.fps
            elif name.endswith("%"):
                fig = await measure(call, name, args.seconds, rules=(loss_rule(int(name[:-1])),))
            elif name == "outage":
                fig = await measure(call, name, args.seconds, outage_s=3.0)
            elif name == "cap":
                fig = await measure(call, name, args.seconds, cap_then_lift=True,
                                    rules=("meta l4proto udp limit rate over 37 kbytes/second drop",))
            else:
                raise SystemExit(f"unknown condition {name}")
            results.append(fig)
            print(fig.line(clean_fps), f"[load {os.getloadavg()[0]:.2f}]", flush=True)
        await call.pupil.leave()
        await call.teacher.end()
        await asyncio.gather(*call.tasks, return_exceptions=True)
    nft()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
