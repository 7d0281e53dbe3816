"""Mouth-to-ear latency through Janus, and the CPU the audio path costs per participant.

    scripts/netns-run .venv/bin/python bench/audio_latency.py [--seconds 20]

A private PulseAudio (no sound card) gives the teacher a microphone `tmic` (fed
through the sink `tmicfeed`) and the pupil a speaker `spk`. Both are headless
participants in their own processes (`klasse join --headless`), in a room of the
real room service and Janus. Short 1 kHz bursts, one a second, are played into the
teacher's microphone; the bench records what goes into the microphone
(`tmicfeed.monitor`, the mouth) and what the pupil's speaker plays (`spk.monitor`,
the ear), and takes each burst's onset in both. That covers capture (PortAudio),
the audio processing module, Opus, RTP through Janus, the receive jitter buffer,
decoding, the mixer and playout (PortAudio). The two recordings start within a few
milliseconds of each other; that is the error of each figure.

CPU: each process's CPU during the measurement, with the camera off, so it is the
audio path (capture + processing + encode for the teacher, receive + decode + mix +
playback for the pupil) plus the call's signalling. Goal: median <= 100 ms.

--stages runs both participants through bench/audio_trace.py (the same CLI, with
each audio stage noting when a burst passes it) and prints, per stage, the median
time since the burst left the mouth: where the delay goes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from call_stack import percentile, service_stack

from tests.integration.call_helpers import Headless, is_event, participant_id
from tests.pulse_server import RATE, PulseServer

BURST_S = 0.05


def bursts(seconds: int) -> np.ndarray:
    out = np.zeros(seconds * RATE, np.int16)
    t = np.arange(int(BURST_S * RATE)) / RATE
    burst = (0.3 * 32767 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    for k in range(seconds):
        out[k * RATE:k * RATE + burst.size] = burst
    return out


def onsets(samples: np.ndarray, seconds: int) -> list[float | None]:
    """Each burst's onset (seconds from the recording's start): where the 5 ms
    envelope first rises to 20 dB under the loudest burst, bursts >= 0.5 s apart."""
    found: list[float | None] = []
    blk = RATE // 200
    env = np.sqrt(np.convolve(samples.astype(np.float64) ** 2, np.ones(blk) / blk, "same"))
    peak = env.max() if env.size else 0.0
    if peak <= 0:
        return [None] * seconds
    above = np.nonzero(env > peak * 0.1)[0]
    # Group crossings into bursts at least 0.5 s apart.
    last = -RATE
    for i in above:
        if i - last > RATE // 2:
            found.append(i / RATE)
        last = i
    return found


async def start(link: str, name: str, pin: str, runtime: Path, trace: Path | None,
                *extra: str) -> Headless:
    """`klasse join --headless`, through bench/audio_trace.py when tracing."""
    if trace is None:
        return await Headless.start(link, name, pin, runtime, *extra)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__).resolve().parent / "audio_trace.py"), str(trace),
        "join", link, "--headless", "--name", name, "--pin", pin, *extra,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
    return Headless(proc)


STAGES = ("mic_cb", "mic_out", "enc_in", "enc_out", "rtp_in", "decoded", "mixer_in", "speaker")


def stage_delays(traces: tuple[Path, Path], mouth_at: list[float]) -> dict[str, list[float]]:
    """Per stage, each burst's delay (ms) after it left the mouth (monotonic times)."""
    out: dict[str, list[float]] = {}
    for path in traces:
        for line in path.read_text().splitlines():
            stage, at, *_ = line.split()
            t = float(at)
            before = [m for m in mouth_at if 0 <= t - m < 0.8]
            if before:
                out.setdefault(stage, []).append(1000 * (t - max(before)))
    return out


async def measure(stack, pulse: PulseServer, seconds: int,  # type: ignore[no-untyped-def]
                  stages: bool = False) -> None:
    room = stack.new_room("audio latency")
    tmp = Path(tempfile.mkdtemp(prefix="klasse-bench-audio-"))
    for d in ("t", "p"):
        (tmp / d).mkdir(mode=0o700)
    pulse.add_mic("tmic")
    traces = (tmp / "t.trace", tmp / "p.trace") if stages else None
    teacher = await start(room["teacher_link"], "T", room["pin"], tmp / "t",
                          traces[0] if traces else None,
                          "--mic", "pulse:tmic", "--noise-suppression", "off", "--blur", "off")
    pupil = await start(room["pupil_link"], "P", room["pin"], tmp / "p",
                        traces[1] if traces else None,
                        "--speaker", "pulse:spk", "--blur", "off")
    await teacher.wait(is_event("state", state="joined"))
    await teacher.wait(lambda e: e["event"] == "participants" and any(
        x["name"] == "P" for x in e["participants"]))
    await teacher.send({"cmd": "admit", "participant": participant_id(teacher.events, "P")})
    await pupil.wait(is_event("state", state="joined"))
    await teacher.send({"cmd": "mic", "on": True})
    await teacher.wait(is_event("local_media", mic=True))
    await pupil.wait(lambda e: e["event"] == "participants" and any(
        x["name"] == "T" for x in e["participants"]))
    tid = participant_id(pupil.events, "T")
    player = pulse.play(bursts(seconds + 3), "tmicfeed")
    await pupil.wait(lambda e: e["event"] == "audio" and e["from"] == tid, timeout=30)
    await asyncio.sleep(1.0)
    procs = [psutil.Process(teacher.proc.pid), psutil.Process(pupil.proc.pid)]
    cpu0 = [p.cpu_times() for p in procs]
    mouth = pulse.record("tmicfeed.monitor")
    ear = pulse.record("spk.monitor")
    t0 = time.monotonic()
    await asyncio.sleep(seconds)
    a, b = mouth.stop(), ear.stop()
    wall = time.monotonic() - t0
    cpu1 = [p.cpu_times() for p in procs]
    player.kill()
    assert ear.first_at is not None and mouth.first_at is not None
    offset = ear.first_at - mouth.first_at   # the ear recording started this much later
    sent, heard = onsets(a, seconds), onsets(b, seconds)
    lat: list[float] = []
    for s in sent:
        if s is None:
            continue
        match = [h + offset - s for h in heard if h is not None and 0 <= h + offset - s < 0.8]
        if match:
            lat.append(1000 * min(match))
    for who in (teacher, pupil):
        await who.send({"cmd": "leave"})
        await who.finish()
    load = psutil.getloadavg()[0]
    print(f"audio latency bench: {seconds} s, load average {load:.1f} on {psutil.cpu_count()} cores")
    if lat:
        print(f"  mouth-to-ear: {len(lat)} of {len(sent)} bursts heard; median "
              f"{statistics.median(lat):.0f} ms, p95 {percentile(lat, 0.95):.0f} ms, "
              f"min {min(lat):.0f} ms, max {max(lat):.0f} ms")
    else:
        print(f"  mouth-to-ear: none of {len(sent)} bursts heard")
    if traces is not None:
        assert mouth.first_at is not None
        delays = stage_delays(traces, [mouth.first_at + s for s in sent if s is not None])
        print("  stages, delay after the mouth (median / p95 ms; a stage's time is when the "
              "block holding the onset passed it):")
        for stage in STAGES:
            d = delays.get(stage, [])
            if d:
                print(f"    {stage:9s} {statistics.median(d):6.0f} {percentile(d, 0.95):6.0f}"
                      f"   ({len(d)} bursts)")
        if lat:
            print(f"    {'ear':9s} {statistics.median(lat):6.0f} {percentile(lat, 0.95):6.0f}")
        cores = [ln for ln in traces[1].read_text().splitlines() if ln.startswith("core")]
        if cores:
            print(f"    receive path at the end: {cores[-1].split(maxsplit=2)[2]}")
        for path in traces:
            extras = [ln.split(maxsplit=2)[2] for ln in path.read_text().splitlines()
                      if ln.startswith(("mic_cb", "speaker")) and len(ln.split()) > 2]
            if extras:
                print(f"    {path.stem}: {' '.join(sorted(set(extras))[:6])}")
    for name, c0, c1 in zip(("teacher (mic, APM, Opus encode)", "pupil (decode, mix, speaker)"),
                            cpu0, cpu1, strict=True):
        used = (c1.user + c1.system) - (c0.user + c0.system)
        print(f"  CPU {name}: {100 * used / wall:.1f} % of one core")


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--stages", action="store_true",
                    help="trace each audio stage (bench/audio_trace.py)")
    args = ap.parse_args()
    pulse = PulseServer()
    pulse.start()
    os.environ.update(pulse.env)
    try:
        with service_stack() as stack:
            await measure(stack, pulse, args.seconds, args.stages)
    finally:
        pulse.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
