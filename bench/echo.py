"""Echo cancellation through a real PulseAudio loop: ERLE over time and double-talk.

A private PulseAudio (no sound card) plays the far end's speech on the speaker
`spk`; a loopback (40 ms) carries it into the microphone `mic`, as a laptop's
speakers reach its microphone. The participant's own audio engine (mixer ->
speaker -> echo canceller <- microphone, media/audio_engine.py) runs on those
devices exactly as in a call. What the raw microphone hears (parec on `mic`) is
compared with what leaves the canceller:

  ERLE = level(raw microphone) - level(processed), over 0-1 s, 1-3 s and 3-11 s
  of far-end speech; then near-end speech alone (4 s) and near + far together
  (double talk, 4 s): the near end's attenuation = its gain alone - its gain in
  double talk.

  scripts/netns-run .venv/bin/python bench/echo.py [--config default|aec|aec+ns|aec+ns+agc]
                                                   [--runs N]

`default` is the product's setting (the engine as a call makes it: echo canceller +
noise suppression, no gain control); `aec` the canceller alone (the figure that
isolates cancellation); `aec+ns+agc` adds WebRTC's automatic gain control.
Goal: ERLE >= 35 dB after convergence.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from klasse.media.audio_engine import AudioEngine
from klasse.media.audio_processing import AudioProcessor
from tests.pulse_server import RATE, PulseServer, level_db, speechlike

VERBOSE = False
FAR_S = 16.0     # 11 s measured from the echo's onset, which the rig may delay (<= 5 s)
NEAR_S = 4.0


def window(samples: np.ndarray, start: float, end: float) -> np.ndarray:
    return samples[int(start * RATE):int(end * RATE)]


async def one_run(config: str, seed: int) -> dict[str, float]:
    pulse = PulseServer()
    pulse.start()
    import os
    os.environ.update(pulse.env)
    try:
        pulse.echo_on(40)
        engine = AudioEngine("pulse:spk")
        if config != "default":
            engine.processor = AudioProcessor(noise_suppression="+ns" in config,
                                              auto_gain="+agc" in config)
        engine.start()
        mic = engine.mic_source("pulse:mic")
        assert mic is not None
        await mic.open()
        raw = pulse.record("mic")
        out: list[np.ndarray] = []
        # Start the clock once the speaker plays and both recordings run, and count
        # every recording from there (opening streams takes a while on a busy box).
        while engine.speaker.blocks < 20 or raw.samples().size == 0:
            await asyncio.sleep(0.01)
        raw_skip = raw.samples().size
        proc = psutil.Process()
        cpu0 = proc.cpu_times()

        async def collect() -> None:
            while True:
                frame = await mic.read()
                out.append(frame.to_ndarray().reshape(-1))

        collector = asyncio.ensure_future(collect())
        while not out:
            await asyncio.sleep(0.005)
        out.clear()
        raw_skip = raw.samples().size
        t0 = time.monotonic()
        far = speechlike(FAR_S + NEAR_S, seed=seed)
        near = speechlike(2 * NEAR_S, seed=seed + 100, dbfs=-26.0)
        # far end alone for FAR_S, then near alone for NEAR_S, then both for NEAR_S
        schedule = np.concatenate([far[:int(FAR_S * RATE)], np.zeros(int(NEAR_S * RATE), np.int16),
                                   far[int(FAR_S * RATE):]])
        player = None
        chunk = RATE // 50
        for i in range(0, schedule.size, chunk):
            due = t0 + i / RATE
            if player is None and i >= int(FAR_S * RATE):
                player = pulse.play(near, "micfeed")
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            engine.mixer.push("far", schedule[i:i + chunk])
        await asyncio.sleep(0.5)
        collector.cancel()
        cpu1 = proc.cpu_times()
        wall = time.monotonic() - t0
        heard = raw.stop()[raw_skip:]
        await mic.close()
        engine.stop()
        if player is not None:
            player.kill()
        done = np.concatenate(out) if out else np.zeros(0, np.int16)
        # Both recordings start at t0 within a few ms; windows are long.
        # The windows count from the echo's onset at the raw microphone (a busy sound
        # server can take a second or two to carry the loopback).
        blk = RATE // 100
        loud = [k for k in range(0, int(5 * RATE), blk) if level_db(heard[k:k + blk]) > -45]
        onset = (loud[0] / RATE) if loud else 0.0
        res: dict[str, float] = {"echo onset after far-end start (s)": onset}
        for name, (a, b) in {"0-1s": (0.0, 1.0), "1-3s": (1.0, 3.0), "3-11s": (3.0, 11.0)}.items():
            a, b = a + onset, b + onset
            res[f"erle {name}"] = level_db(window(heard, a, b)) - level_db(window(done, a, b))
        n0, n1 = FAR_S + 0.5, FAR_S + NEAR_S
        d0, d1 = FAR_S + NEAR_S + 0.5, FAR_S + 2 * NEAR_S
        near_alone_gain = level_db(window(done, n0, n1)) - level_db(window(heard, n0, n1))
        # In double talk the raw microphone holds echo + near; the near end's own raw
        # level is the same as when it spoke alone (same signal level, same path).
        double_gain = level_db(window(done, d0, d1)) - level_db(window(heard, n0, n1))
        if VERBOSE:
            print("per second raw/processed:", " ".join(
                f"{level_db(window(heard, k, k + 1)):.0f}/{level_db(window(done, k, k + 1)):.0f}"
                for k in range(int(FAR_S + 2 * NEAR_S))))
        if VERBOSE:
            a = schedule[:int(6 * RATE)].astype(np.float64)
            b = heard[:int(6 * RATE)].astype(np.float64)
            n = 1 << (a.size + b.size).bit_length()
            xc = np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)
            lag = int(np.argmax(xc[: RATE * 3]))
            lags = []
            for k in range(0, int(FAR_S) - 1):
                seg_a = schedule[k * RATE:(k + 1) * RATE].astype(np.float64)
                seg_b = heard[k * RATE:(k + 1) * RATE + RATE // 2].astype(np.float64)
                m = 1 << (seg_a.size + seg_b.size).bit_length()
                c = np.fft.irfft(np.fft.rfft(seg_b, m) * np.conj(np.fft.rfft(seg_a, m)), m)
                lags.append(int(np.argmax(c[: RATE // 2])) // 48)
            print("echo delay per second (ms):", lags)
            print(f"speaker latency {engine.speaker.latency_s * 1000:.0f} ms, mic latency "
                  f"{mic.latency_s * 1000:.0f} ms, far->raw mic delay {lag / 48:.0f} ms")  # type: ignore[attr-defined]
        res["speaker underruns"] = engine.speaker.underruns
        res["speaker buffer at the end (ms)"] = 1000 * engine.speaker.buffer_s
        res["mic overflows"] = mic.overflows  # type: ignore[attr-defined]
        res["near gain alone"] = near_alone_gain
        res["near attenuation in double talk"] = near_alone_gain - double_gain
        res["cpu % of one core (engine+mic+speaker+pulse client)"] = \
            100 * ((cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)) / wall
        return res
    finally:
        pulse.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", choices=("default", "aec", "aec+ns", "aec+ns+agc"),
                        default="default")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--verbose", action="store_true", help="levels second by second")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    results = [asyncio.run(one_run(args.config, seed)) for seed in range(1, args.runs + 1)]
    print(f"echo bench, config={args.config}, {args.runs} runs, "
          f"load average {psutil.getloadavg()[0]:.1f} on {psutil.cpu_count()} cores")
    for key in results[0]:
        vals = [r[key] for r in results]
        print(f"  {key:52s} median {statistics.median(vals):6.1f}   "
              f"runs {' '.join(f'{v:.1f}' for v in vals)}")


if __name__ == "__main__":
    main()
