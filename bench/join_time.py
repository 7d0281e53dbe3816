"""Join time: from the join command to the first remote video frame on screen.

    scripts/netns-run .venv/bin/python bench/join_time.py [-n 5]

Per round: a new room; a teacher is in it with the synthetic camera on; a pupil's
CallSession starts (the join command), waits, is admitted by the teacher as soon as
the teacher sees it waiting, publishes, subscribes to the teacher, and the first
decoded frame of the teacher's camera reaches the pupil's video sink. Prints the
time to Welcome (waiting room), to admission, and to the first frame. All sessions
run in this process; the room service and Janus are separate processes on the
same (shared, 2-core) machine. The occasional 1.2 s join of earlier runs was a lost
DTLS ClientHello resent after 1 s (app/dtls_role.py).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_stack import service_stack

from klasse.app.call_session import CallSession
from klasse.app.events import Event, ParticipantsChanged, StateChanged
from klasse.app.protocol import parse_link


async def one_round(room: dict[str, str], cache: Path, size: tuple[int, int, int]) -> dict[str, float]:
    teacher_ready = asyncio.Event()
    admitted: set[str] = set()
    teacher: CallSession

    def on_teacher(ev: Event) -> None:
        if isinstance(ev, StateChanged) and ev.state == "joined":
            teacher_ready.set()
        if isinstance(ev, ParticipantsChanged):
            for x in ev.participants:
                if x.state == "waiting" and x.id not in admitted:
                    admitted.add(x.id)
                    asyncio.ensure_future(teacher.admit(x.id))

    teacher = CallSession(parse_link(room["teacher_link"]), "T", on_teacher, pin=room["pin"],
                          camera="synthetic", blur="off", video_size=size, cache_root=cache)
    t_task = asyncio.ensure_future(teacher.run())
    await teacher_ready.wait()
    await teacher.set_camera(True)
    await asyncio.sleep(1.0)   # the teacher's feed is live before the pupil comes

    marks: dict[str, float] = {}
    first = asyncio.Event()

    def on_pupil(ev: Event) -> None:
        if isinstance(ev, StateChanged) and ev.state in ("waiting", "joined"):
            marks.setdefault(ev.state, time.monotonic())

    def on_frame(who: str, rgb: object) -> None:
        if who != "local" and not first.is_set():
            marks["frame"] = time.monotonic()
            first.set()

    pupil = CallSession(parse_link(room["pupil_link"]), "P", on_pupil, pin=room["pin"],
                        video=on_frame, cache_root=cache)
    t0 = time.monotonic()
    p_task = asyncio.ensure_future(pupil.run())
    await asyncio.wait_for(first.wait(), 30)
    await pupil.leave()
    await teacher.end()
    await asyncio.gather(t_task, p_task)
    return {k: (v - t0) * 1000 for k, v in marks.items()}


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--size", default="640x480", help="teacher camera WxH (15 fps)")
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.split("x"))
    cache = Path(tempfile.mkdtemp(prefix="klasse-bench-cache-"))
    rounds = []
    with service_stack() as stack:
        for i in range(args.n):
            r = await one_round(stack.new_room(f"join {i}"), cache, (w, h, 15))
            rounds.append(r)
            print(f"round {i + 1}: welcome {r['waiting']:.1f} ms, admitted {r['joined']:.1f} ms, "
                  f"first remote frame {r['frame']:.0f} ms")
    for key, label in (("waiting", "join -> welcome (waiting room)"),
                       ("joined", "join -> admitted"),
                       ("frame", "join -> first remote video frame")):
        vals = sorted(r[key] for r in rounds)
        p95 = vals[min(len(vals) - 1, math.ceil(0.95 * len(vals)) - 1)]
        print(f"{label}: median {statistics.median(vals):.0f} ms, p95 {p95:.0f}, "
              f"min {min(vals):.0f}, max {max(vals):.0f} (n={len(vals)})")
    frames = [r["frame"] - r["joined"] for r in rounds]
    print(f"admitted -> first remote video frame: median {statistics.median(frames):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
