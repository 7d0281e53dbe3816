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


async def measure(stack, pulse: PulseServer, seconds: int) -> None:  # type: ignore[no-untyped-def]
    room = stack.new_room("audio latency")
    tmp = Path(tempfile.mkdtemp(prefix="klasse-bench-audio-"))
    for d in ("t", "p"):
        (tmp / d).mkdir(mode=0o700)
    pulse.add_mic("tmic")
    teacher = await Headless.start(room["teacher_link"], "T", room["pin"], tmp / "t",
                                   "--mic", "pulse:tmic", "--noise-suppression", "off",
                                   "--blur", "off")
    pupil = await Headless.start(room["pupil_link"], "P", room["pin"], tmp / "p",
                                 "--speaker", "pulse:spk", "--blur", "off")
    await teacher.wait(is_event("state", state="joined"))
    await teacher.wait(lambda e: e["event"] == "participants" and any(
        x["name"] == "P" for x in e["participants"]))
    await teacher.send({"cmd": "admit", "participant": participant_id(teacher.events, "P")})
    await pupil.wait(is_event("state", state="joined"))
    await teacher.send({"cmd": "mic", "on": True})
    await teacher.wait(is_event("local_media", mic=True))
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
    for name, c0, c1 in zip(("teacher (mic, APM, Opus encode)", "pupil (decode, mix, speaker)"),
                            cpu0, cpu1, strict=True):
        used = (c1.user + c1.system) - (c0.user + c0.system)
        print(f"  CPU {name}: {100 * used / wall:.1f} % of one core")


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args()
    pulse = PulseServer()
    pulse.start()
    os.environ.update(pulse.env)
    try:
        with service_stack() as stack:
            await measure(stack, pulse, args.seconds)
    finally:
        pulse.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
