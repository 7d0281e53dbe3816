"""Glass-to-glass latency: a stamped frame counter from one client's camera to another's screen.

    scripts/netns-run .venv/bin/python bench/latency.py [--size 640x480] [--seconds 10]

A teacher publishes the synthetic camera (media/synthetic.py stamps each frame's
counter into its pixels, blur off so the stamp survives); a pupil subscribes through
the room service and Janus. In the pupil's video sink -- where the UI would draw --
the counter is read back from the decoded RGB frame; latency = arrival time minus
the moment the source produced that frame (same process, same monotonic clock). So
it covers capture pacing, privacy gate, encode (VP8), RTP through Janus, jitter
buffer, decode and conversion to RGB. Prints median, p95, max and lost frames.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_stack import percentile, service_stack

from klasse.app.call_session import CallSession
from klasse.app.events import Event, ParticipantsChanged, StateChanged
from klasse.app.protocol import parse_link
from klasse.media.sources import SyntheticSource
from klasse.media.synthetic import read_counter


async def measure(room: dict[str, str], size: tuple[int, int, int], seconds: float,
                  cache: Path) -> None:
    ready = asyncio.Event()
    teacher: CallSession

    def on_teacher(ev: Event) -> None:
        if isinstance(ev, StateChanged) and ev.state == "joined":
            ready.set()
        if isinstance(ev, ParticipantsChanged):
            for x in ev.participants:
                if x.state == "waiting":
                    asyncio.ensure_future(teacher.admit(x.id))

    teacher = CallSession(parse_link(room["teacher_link"]), "T", on_teacher, pin=room["pin"],
                          camera="synthetic", blur="off", video_size=size, cache_root=cache)
    arrivals: list[tuple[int, float]] = []

    def on_frame(who: str, rgb: np.ndarray) -> None:
        if who != "local":
            arrivals.append((read_counter(rgb), time.monotonic()))

    pupil = CallSession(parse_link(room["pupil_link"]), "P", lambda ev: None, pin=room["pin"],
                        video=on_frame, cache_root=cache)
    tasks = [asyncio.ensure_future(teacher.run())]
    await ready.wait()
    await teacher.set_camera(True)
    tasks.append(asyncio.ensure_future(pupil.run()))
    while not arrivals:
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)        # warm-up: first keyframe, jitter buffer settles
    arrivals.clear()
    await asyncio.sleep(seconds)
    got = list(arrivals)
    source = teacher.camera_gate.source
    assert isinstance(source, SyntheticSource) and source._track is not None
    start, fps = source._track._start, source._track.fps  # type: ignore[union-attr]
    assert start is not None
    lat = [(t - (start + n / fps)) * 1000 for n, t in got]
    counters = [n for n, _ in got]
    expected = counters[-1] - counters[0] + 1
    await pupil.leave()
    await teacher.end()
    await asyncio.gather(*tasks)
    w, h, f = size
    print(f"{w}x{h} @ {f} fps, {seconds:.0f} s: {len(got)} frames received, "
          f"{expected - len(set(counters))} lost of {expected}")
    print(f"glass-to-glass latency: median {statistics.median(lat):.1f} ms, "
          f"p95 {percentile(lat, 0.95):.1f} ms, max {max(lat):.1f} ms, min {min(lat):.1f} ms")


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", action="append", default=None,
                    help="WxH (repeatable); default 160x120 and 640x480")
    ap.add_argument("--fps", type=int, default=15)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    sizes = args.size or ["160x120", "640x480"]
    cache = Path(tempfile.mkdtemp(prefix="klasse-bench-cache-"))
    with service_stack() as stack:
        for size in sizes:
            w, h = (int(x) for x in size.split("x"))
            await measure(stack.new_room(size), (w, h, args.fps), args.seconds, cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
