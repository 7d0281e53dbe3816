"""Screen sharing at 1920x1080 with text: cost, bitrate, latency and legibility.

    scripts/netns-run .venv/bin/python bench/screen_share.py [--seconds 10] [--changes 10]

Runs its own Xvfb (1920x1080) with a full-screen window of ~12 pt text (16 px
DejaVu Sans, scripts/text_window.py showing a page of docs/architecture.md).

1. Capture + encode, without network: the share source (media/screen_source.py,
   mss) feeding aiortc's VP8 encoder at the screen bitrate, as the sender would:
   process CPU per sent frame (and the encoder's part) and as % of one core, frames
   sent per second, kbit/s of encoded video -- for the static page (in its steady
   state: looked at 5 times a second, sent once a second) and for the page
   scrolling.
2. End to end, through `klasse-server run` and its Janus in the private network: a
   teacher shares the screen, a pupil receives it.
   - latency: the benchmark draws a frame counter (black/white blocks, 20 bits) on
     the shared window with X11 drawing requests every 2 s; time from the X server
     having it to the pupil's decoded RGB frame showing it (same clock);
   - where that time goes, per change (median over the changes): waiting for the
     next look at the screen, grab + convert, hand-over to the sender, encode
     (with the wait for the encoder's thread), packets to Janus and back to the
     pupil's receive path, playout hold there, decode + RGB to the frame callback;
   - kbit/s the teacher's screen sender sent while the page stood still;
   - OCR word accuracy (tesseract) of the pupil's frame and of the source screen
     (grabbed directly), against the page's words; goal: pupil >= 95 % of source.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import fractions
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_stack import percentile, service_stack  # noqa: E402

from klasse.app.call_session import CallSession  # noqa: E402
from klasse.app.events import Event, ParticipantsChanged, StateChanged  # noqa: E402
from klasse.app.protocol import parse_link  # noqa: E402
from klasse.media.screen_source import STILL_AFTER_S, ScreenSource  # noqa: E402
from klasse.media.screen_track import SCREEN_BITRATE  # noqa: E402
from klasse.media.synthetic import STAMP_BITS, STAMP_BLOCK, read_counter  # noqa: E402
from tests.integration.x11_helpers import TextWindow, xvfb  # noqa: E402


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def page_text() -> str:
    """About 40 lines of plain prose (docs/architecture.md), at most 150 characters each."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    words = re.sub(r"[`|#*\[\]()<>_]", " ", text).split()
    lines, line = [], ""
    for w in words:
        if len(line) + len(w) + 1 > 150:
            lines.append(line)
            line = ""
        line = (line + " " + w).strip()
        if len(lines) == 40:
            break
    return "\n".join(lines)


def norm_words(text: str) -> list[str]:
    return [w for w in (re.sub(r"[^\w'-]", "", x).lower() for x in text.split()) if w]


def ocr(rgb: np.ndarray) -> str:
    import cv2

    ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    out = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "6"], input=png.tobytes(),
                         capture_output=True, check=True, timeout=300)
    return out.stdout.decode(errors="replace")


def word_accuracy(reference: str, read: str) -> float:
    """Share of the reference's words that OCR read (as a multiset)."""
    want = norm_words(reference)
    got = collections.Counter(norm_words(read))
    hit = 0
    for w in want:
        if got[w] > 0:
            got[w] -= 1
            hit += 1
    return hit / max(1, len(want))


# --------------------------------------------------------------- 1: offline
async def capture_encode(seconds: float, warm_s: float) -> dict[str, float]:
    """Steady state after `warm_s` (a still page has settled into its still rate)."""
    from aiortc.codecs.vpx import Vp8Encoder

    src = ScreenSource("screen:1")
    enc = Vp8Encoder()
    enc.target_bitrate = SCREEN_BITRATE
    await src.open()
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < warm_s:   # first (key)frame, refinement
            enc.encode(await src.read())
        c0, t0, n, nbytes, enc_s = cpu_s(), time.monotonic(), 0, 0, 0.0
        while time.monotonic() - t0 < seconds:
            frame = await src.read()
            frame.time_base = fractions.Fraction(1, 90_000)
            e0 = time.thread_time()
            payloads, _ = enc.encode(frame)
            enc_s += time.thread_time() - e0
            nbytes += sum(len(x) for x in payloads)
            n += 1
        wall, cpu = time.monotonic() - t0, cpu_s() - c0
    finally:
        await src.close()
    n = max(1, n)
    return {"frames": n, "fps": n / wall, "cpu_ms_per_frame": cpu / n * 1000,
            "encode_ms_per_frame": enc_s / n * 1000,
            "core_pct": cpu / wall * 100, "kbit_s": nbytes * 8 / wall / 1000}


# --------------------------------------------------------------- stage timing
def _pts_ms(frame: object) -> int:
    """A frame's time in ms (the encoder sees it on another time base than the track)."""
    return round(float(frame.pts * frame.time_base) * 1000)  # type: ignore[attr-defined]


class StageTrace:
    """Timestamps one shared frame at every hand-over from the teacher's screen to
    the pupil's frame callback (one process, one monotonic clock).

    Bench-only instrumentation: it wraps methods of the live objects (the share's
    source, the screen track, aiortc's VP8 encoder, the pupil's receive core for the
    screen) and records when they ran; nothing about their behaviour changes.
    """

    def __init__(self) -> None:
        self.grabs: list[tuple[float, float]] = []            # changed picture: start, end
        self.handed: list[tuple[float, int]] = []             # new picture leaves the track
        self.encoded: dict[int, tuple[float, float, int, bool]] = {}   # pts: start, end, bytes, key
        self.assembled: list[tuple[float, int]] = []          # frame complete at the pupil
        self.released: dict[int, float] = {}                  # ts: handed to the decoder
        self.keyframes_sent: list[float] = []

    def install_sender(self, teacher: CallSession) -> None:
        """Before the share starts: the screen track and the encoder."""
        from aiortc.codecs.vpx import Vp8Encoder, vp8_depayload

        recv = teacher.screen.recv
        seen = [0]
        screen_pts: set[int] = set()   # the camera's encoder is the same class

        async def traced_recv() -> object:
            frame = await recv()
            screen_pts.add(_pts_ms(frame))
            changes = getattr(teacher.screen.source, "changes", 0)
            if changes != seen[0]:
                seen[0] = changes
                self.handed.append((time.monotonic(), _pts_ms(frame)))
            return frame
        teacher.screen.recv = traced_recv  # type: ignore[method-assign]

        encode = Vp8Encoder.encode
        trace = self

        def traced_encode(enc: Vp8Encoder, frame: object, force_keyframe: bool = False) -> object:
            t0 = time.monotonic()
            payloads, ts = encode(enc, frame, force_keyframe)  # type: ignore[arg-type]
            if payloads and _pts_ms(frame) in screen_pts:
                # After the payload descriptor, the VP8 frame tag: bit 0 clear = keyframe.
                data = vp8_depayload(payloads[0])
                key = len(data) > 2 and not data[0] & 1
                trace.encoded[_pts_ms(frame)] = (t0, time.monotonic(),
                                                 sum(len(x) for x in payloads), key)
                if key:
                    trace.keyframes_sent.append(time.monotonic())
            return payloads, ts
        Vp8Encoder.encode = traced_encode  # type: ignore[method-assign,assignment]

    def install_source(self, src: ScreenSource) -> None:
        """Once the share runs: its grabs that found a changed picture."""
        grab = src._grab

        def traced_grab(grabber: object) -> object:
            t0, changes = time.monotonic(), src.changes
            out = grab(grabber)  # type: ignore[arg-type]
            if src.changes != changes:
                self.grabs.append((t0, time.monotonic()))
            return out
        src._grab = traced_grab  # type: ignore[method-assign]

    def install_receiver(self, pupil: CallSession) -> None:
        paths = [p for ps in pupil._receive_paths.values() for p in ps if p.kind == "video"]
        core = paths[-1].video   # a feed's second video m-line is its screen
        assert core is not None
        schedule, poll = core._schedule, core.poll

        def traced_schedule(frame: object, arrival: float, now: float) -> None:
            self.assembled.append((now, frame.timestamp))  # type: ignore[attr-defined]
            schedule(frame, arrival, now)  # type: ignore[arg-type]

        def traced_poll(now: float) -> object:
            actions = poll(now)
            for f in actions.frames:
                self.released.setdefault(f.timestamp, time.monotonic())
            return actions
        core._schedule = traced_schedule  # type: ignore[method-assign]
        core.poll = traced_poll  # type: ignore[method-assign]

    STAGES = ("wait for a look", "grab+convert", "to the sender", "encode",
              "to Janus and back", "playout hold", "decode+RGB+callback")

    def stages(self, drawn: float, shown: float) -> list[float] | None:
        """Milliseconds per stage for the change drawn at `drawn`, shown at `shown`."""
        grab = next((g for g in self.grabs if g[1] > drawn), None)
        if grab is None:
            return None
        handed = next((h for h in self.handed if h[0] >= grab[1]), None)
        if handed is None or handed[1] not in self.encoded:
            return None
        enc = self.encoded[handed[1]]
        asm = next((a for a in self.assembled if a[0] >= enc[1]), None)
        if asm is None or asm[1] not in self.released:
            return None
        rel = self.released[asm[1]]
        marks = [drawn, max(drawn, grab[0]), grab[1], handed[0], enc[1], asm[0], rel, shown]
        return [(b - a) * 1000 for a, b in zip(marks, marks[1:], strict=False)]


# --------------------------------------------------------------- 2: end to end
class Stamper:
    """Draws a counter on the shared window with core X11 requests (no repaint of its own)."""

    def __init__(self, window_id: int) -> None:
        from Xlib import display

        self.d = display.Display()
        self.w = self.d.create_resource_object("window", window_id)
        screen = self.d.screen()
        self.black = self.w.create_gc(foreground=screen.black_pixel)
        self.white = self.w.create_gc(foreground=screen.white_pixel)

    def draw(self, counter: int) -> float:
        for bit in range(STAMP_BITS):
            gc = self.white if (counter >> bit) & 1 else self.black
            self.w.fill_rectangle(gc, bit * STAMP_BLOCK, 0, STAMP_BLOCK, STAMP_BLOCK)
        self.d.sync()   # the X server has drawn it when this returns
        return time.monotonic()


async def end_to_end(room: dict[str, str], window_id: int, changes: int, static_s: float,
                     reference: str, cache: Path) -> None:
    import mss

    teacher: CallSession
    ready = asyncio.Event()

    def on_teacher(ev: Event) -> None:
        if isinstance(ev, StateChanged) and ev.state == "joined":
            ready.set()
        if isinstance(ev, ParticipantsChanged):
            for x in ev.participants:
                if x.state == "waiting":
                    asyncio.ensure_future(teacher.admit(x.id))

    seen: dict[int, float] = {}
    latest: list[np.ndarray] = []

    def on_frame(who: str, rgb: np.ndarray) -> None:
        if who.endswith(":screen"):
            seen.setdefault(read_counter(rgb), time.monotonic())
            latest[:] = [rgb]

    teacher = CallSession(parse_link(room["teacher_link"]), "T", on_teacher, pin=room["pin"],
                          blur="off", cache_root=cache, screen="screen:1")
    pupil = CallSession(parse_link(room["pupil_link"]), "P", lambda ev: None, pin=room["pin"],
                        video=on_frame, cache_root=cache)
    tasks = [asyncio.ensure_future(teacher.run())]
    await ready.wait()
    tasks.append(asyncio.ensure_future(pupil.run()))
    while pupil.machine.state != "joined" or teacher._publisher is None:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    trace = StageTrace()
    trace.install_sender(teacher)
    await teacher.share(True)
    while teacher.screen.source is None:
        await asyncio.sleep(0.01)
    assert isinstance(teacher.screen.source, ScreenSource)
    trace.install_source(teacher.screen.source)
    stamper = Stamper(window_id)
    while not latest:
        await asyncio.sleep(0.05)
    trace.install_receiver(pupil)
    await asyncio.sleep(2.0)     # first keyframe and the page settle

    lat, stage_ms = [], []
    for i in range(changes):
        counter = 1000 + i
        drawn = await asyncio.to_thread(stamper.draw, counter)
        await asyncio.sleep(2.0)
        if counter in seen:
            lat.append((seen[counter] - drawn) * 1000)
            if (st := trace.stages(drawn, seen[counter])) is not None:
                stage_ms.append(st)
    missed = changes - len(lat)

    # Static: the page stands still; bytes the screen sender sent meanwhile.
    sender = [t.sender for t in teacher._publisher.getTransceivers()][2]  # type: ignore[union-attr]

    async def sent() -> int:
        stats = await sender.getStats()
        return sum(getattr(s, "bytesSent", 0) for s in stats.values() if s.type == "outbound-rtp")

    b0, t0 = await sent(), time.monotonic()
    await asyncio.sleep(static_s)
    static_kbit = (await sent() - b0) * 8 / (time.monotonic() - t0) / 1000

    pupil_frame = latest[0]
    with mss.MSS() as grab:
        shot = grab.grab(grab.monitors[1])
        source = np.frombuffer(shot.rgb, np.uint8).reshape(shot.height, shot.width, 3)
    await pupil.leave()
    await teacher.end()
    await asyncio.gather(*tasks)

    acc_src = word_accuracy(reference, await asyncio.to_thread(ocr, source))
    acc_pupil = word_accuracy(reference, await asyncio.to_thread(ocr, pupil_frame))
    print(f"end to end ({pupil_frame.shape[1]}x{pupil_frame.shape[0]} at the pupil):")
    if lat:
        print(f"  change on screen -> pupil's decoded frame: median {statistics.median(lat):.0f} ms, "
              f"p95 {percentile(lat, 0.95):.0f} ms, max {max(lat):.0f} ms, min {min(lat):.0f} ms "
              f"({len(lat)} changes, {missed} not seen)")
    else:
        print(f"  no change reached the pupil ({missed} missed)")
    if stage_ms:
        print(f"  where the time goes (median ms over {len(stage_ms)} changes; p95):")
        for name, col in zip(StageTrace.STAGES, zip(*stage_ms, strict=True), strict=True):
            print(f"    {name:22s} {statistics.median(col):6.1f}   {percentile(list(col), 0.95):6.1f}")
    sizes = [e[2] for e in trace.encoded.values()]
    # The share's first frame (a keyframe) left through a recv() that was already
    # waiting before the trace went in: what is counted here came after it.
    first = min((e[0] for e in trace.encoded.values()), default=0.0)
    keys = "".join(f", {t - first:.1f}" for t in trace.keyframes_sent)
    print(f"  screen frames encoded: {len(sizes) + 1}, keyframes after the first: "
          f"{len(trace.keyframes_sent)} (at s{keys}), largest {max(sizes, default=0) // 1000} kB")
    print(f"  screen sender while static: {static_kbit:.0f} kbit/s")
    print(f"  OCR word accuracy: source {acc_src * 100:.1f} %, pupil {acc_pupil * 100:.1f} % "
          f"({acc_pupil / max(acc_src, 1e-9) * 100:.1f} % of the source's)")


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="per offline measurement")
    ap.add_argument("--changes", type=int, default=10, help="screen changes timed end to end")
    ap.add_argument("--part", choices=("all", "offline", "e2e"), default="all",
                    help="run only the capture+encode part or only the end-to-end part")
    args = ap.parse_args()
    text = page_text()
    tmp = Path(tempfile.mkdtemp(prefix="klasse-bench-screen-"))
    (tmp / "page.txt").write_text(text, encoding="utf-8")
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    async with xvfb("1920x1080x24") as display:
        os.environ["DISPLAY"] = display
        os.environ.pop("WAYLAND_DISPLAY", None)
        for scroll in (False, True) if args.part != "e2e" else ():
            extra = ("--scroll",) if scroll else ()
            window = await TextWindow.start(display, "", "--file", str(tmp / "page.txt"),
                                            "--size", "16", "--geometry", "1920x1080+0+0",
                                            *extra)
            await asyncio.sleep(1.0)
            try:
                r = await capture_encode(args.seconds, 0.5 if scroll else STILL_AFTER_S + 1)
            finally:
                await window.close()
            print(f"capture+encode 1920x1080 {'scrolling' if scroll else 'static'}: "
                  f"{r['fps']:.1f} frames/s sent, {r['cpu_ms_per_frame']:.1f} ms process CPU "
                  f"per sent frame (encode {r['encode_ms_per_frame']:.1f} ms), "
                  f"{r['core_pct']:.1f} % of one core, {r['kbit_s']:.0f} kbit/s")
        if args.part == "offline":
            return 0
        window = await TextWindow.start(display, "", "--file", str(tmp / "page.txt"), "--size",
                                        "16", "--geometry", "1920x1080+0+0")
        try:
            with service_stack() as stack:
                await end_to_end(stack.new_room("screen"), window.id, args.changes,
                                 args.seconds, text, tmp)
        finally:
            await window.close()
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
