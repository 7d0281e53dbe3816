"""One participant as its own process, for measuring the client alone (bench/client_load.py).

    python bench/participant.py LINK PIN --size 640x480 [--receive] [--seconds S]

Joins, turns the synthetic camera and microphone on, prints the headless JSON
events on stdout, and leaves after --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

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
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.split("x"))
    printer = make_event_printer(lambda s: (sys.stdout.write(s), sys.stdout.flush()))
    joined = asyncio.Event()

    def sink(ev: Event) -> None:
        if isinstance(ev, StateChanged) and ev.state == "joined":
            joined.set()
        printer(ev)

    session = CallSession(parse_link(args.link), args.name, sink, pin=args.pin,
                          camera="synthetic", mic="synthetic", blur="off",
                          video_size=(w, h, args.fps), receive=not args.publish_only)
    task = asyncio.ensure_future(session.run())
    await joined.wait()
    await session.set_camera(True)
    await session.set_mic(True)
    for i in range(int(args.seconds)):
        await asyncio.sleep(1.0)
        taken, dropped = session.camera.sent()
        print(json.dumps({"event": "bench_sent", "seconds": i + 1, "camera": session.camera.frames,
                          "encoded": taken, "dropped": dropped}), flush=True)
    await session.leave()
    await task
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
