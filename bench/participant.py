"""Participants as one process, for measuring a client alone (bench/client_load.py).

    python bench/participant.py LINK PIN --size 640x480 [--publish-only] [--count N]
                                [--seconds S]

Joins (--count sessions, named NAME-i when more than one: publishers that share a
process), turns the synthetic camera and microphone on, prints the headless JSON
events on stdout, and leaves after --seconds. `bench_sent` sums the sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable

from klasse.app.call_session import CallSession, make_event_printer
from klasse.app.events import Event, StateChanged
from klasse.app.protocol import parse_link


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("link")
    ap.add_argument("pin")
    ap.add_argument("--name", default="bench")
    ap.add_argument("--size", default="640x480")
    ap.add_argument("--fps", type=int, default=15)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--publish-only", action="store_true")
    ap.add_argument("--count", type=int, default=1, help="sessions in this process")
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.split("x"))
    printer = make_event_printer(lambda s: (sys.stdout.write(s), sys.stdout.flush()))
    joined = [asyncio.Event() for _ in range(args.count)]

    def sink_for(i: int) -> Callable[[Event], None]:
        def sink(ev: Event) -> None:
            if isinstance(ev, StateChanged) and ev.state == "joined":
                joined[i].set()
                if not all(j.is_set() for j in joined):
                    return           # one `joined` line once every session is in
            printer(ev)
        return sink

    names = [args.name] if args.count == 1 else [f"{args.name}-{i}" for i in range(args.count)]
    sessions = [CallSession(parse_link(args.link), name, sink_for(i), pin=args.pin,
                            camera="synthetic", mic="synthetic", blur="off",
                            video_size=(w, h, args.fps), receive=not args.publish_only)
                for i, name in enumerate(names)]
    tasks = [asyncio.ensure_future(s.run()) for s in sessions]
    for session, ev in zip(sessions, joined, strict=True):
        await ev.wait()
        await session.set_camera(True)
        await session.set_mic(True)
    for i in range(int(args.seconds)):
        await asyncio.sleep(1.0)
        sent = [s.camera.sent() for s in sessions]
        print(json.dumps({"event": "bench_sent", "seconds": i + 1,
                          "camera": sum(s.camera.frames for s in sessions),
                          "encoded": sum(t for t, _ in sent), "dropped": sum(d for _, d in sent),
                          "sessions": len(sessions)}), flush=True)
    for session in sessions:
        await session.leave()
    await asyncio.gather(*tasks)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
