"""Background-blur benchmark: prints figures, asserts nothing.

    .venv/bin/python bench/blur.py                 # speed per mode + mask IoU
    taskset -c 1 .venv/bin/python bench/blur.py    # pinned to one core
    .venv/bin/python bench/blur.py --landscape     # the 256x144 model instead
    .venv/bin/python bench/blur.py --legibility    # OCR vs blur kernel (default strength)
    .venv/bin/python bench/blur.py --edge          # background kept near the outline

Speed: ms per processed frame (BGR in, BGR out; no codec, no frame conversion), median,
p95 and mean of wall time, and mean CPU time of the thread (robust to other processes
sharing the core), on a moving scene (the astronaut photo swaying +-40 px at 720p over 2 s in
front of a wall of 24 px words). OpenCV and LiteRT run on one thread. IoU: the mask
actually used per frame (temporal smoothing, and reuse at cadence 2) against the
model's own output for that very frame (same edge refinement, no smoothing, no reuse),
at model resolution. The load of the machine (others' CPU use) is printed alongside.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from av import VideoFrame  # noqa: E402

from klasse.media.blur import (  # noqa: E402
    BlurMode,
    BlurProcessor,
    blur_quarter,
    quarter,
    to_video_frame,
)
from klasse.media.blur_model import GENERAL, LANDSCAPE, model_path  # noqa: E402
from tests.unit.blur_scenes import (  # noqa: E402
    astronaut_on_wall,
    outline_band,
    photo,
    readable_words,
    sharpness,
    synthetic_scene,
    text_wall,
)

FPS = 30


def moving_scene(width: int, height: int, frames: int) -> list[np.ndarray]:
    wall = text_wall(width, height, max(8, round(24 * height / 720)))
    side = height
    person = cv2.resize(photo("astronaut.png"), (side, side), interpolation=cv2.INTER_AREA)
    out = []
    for i in range(frames):
        shift = int(40 * height / 720 * math.sin(2 * math.pi * i / (2 * FPS)))
        img = wall.copy()
        x = (width - side) // 2 + shift
        img[:, max(0, x):x + side] = person[:, max(0, -x):width - x]
        out.append(img)
    return out


def timed(proc: BlurProcessor, frames: list[np.ndarray], rounds: int) -> tuple[np.ndarray, float]:
    """Wall ms per frame, and mean CPU ms per frame of this thread (which other
    processes on a shared core do not inflate the way they inflate wall time)."""
    times = []
    cpu0 = 0.0
    for r in range(rounds):
        if r == 1:
            cpu0 = time.thread_time()
        for img in frames:
            t = time.perf_counter()
            proc.process(img)
            times.append(time.perf_counter() - t)
    cpu = (time.thread_time() - cpu0) / (len(frames) * max(1, rounds - 1))
    return np.array(times[len(frames):]) * 1000, cpu * 1000  # first round is warm-up


def track_path(frames: list[np.ndarray], model: Path, rounds: int) -> tuple[np.ndarray, float]:
    """BlurTrack's per-frame work without the event loop: a camera's yuv420p frame to
    BGR, the processor, and back to yuv420p for the encoder."""
    proc = BlurProcessor(BlurMode.BLUR, model)
    camera = [VideoFrame.from_ndarray(f, format="bgr24").reformat(format="yuv420p") for f in frames]
    times = []
    cpu0 = 0.0
    for r in range(rounds):
        if r == 1:
            cpu0 = time.thread_time()
        for frame in camera:
            t = time.perf_counter()
            to_video_frame(proc.process(frame.to_ndarray(format="bgr24")))
            times.append(time.perf_counter() - t)
    cpu = (time.thread_time() - cpu0) / (len(frames) * max(1, rounds - 1))
    return np.array(times[len(frames):]) * 1000, cpu * 1000


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 1.0


def mask_agreement(frames: list[np.ndarray], cadence: int, model: Path) -> float:
    used = BlurProcessor(BlurMode.BLUR, model, cadence=cadence)
    ref = BlurProcessor(BlurMode.BLUR, model, cadence=1, smoothing=False)
    scores = []
    for img in frames:
        used.process(img)
        ref.process(img)
        assert used.last_alpha is not None and ref.last_alpha is not None
        scores.append(iou(used.last_alpha >= 128, ref.last_alpha >= 128))
    return float(np.mean(scores[1:])), float(np.min(scores[1:]))


def speed(args: argparse.Namespace) -> None:
    model = model_path(LANDSCAPE if args.landscape else GENERAL)
    print(f"model {model.name}; affinity {sorted(os.sched_getaffinity(0))}; "
          f"cv2 threads {cv2.getNumThreads()}")
    psutil.cpu_percent(percpu=True)
    own = psutil.Process()
    own.cpu_percent()
    t0 = time.monotonic()
    for width, height in ((640, 480), (1280, 720)):
        frames = moving_scene(width, height, args.frames)
        print(f"\n{width}x{height}  ({len(frames)} frames x {args.rounds} rounds)")
        print(f"  {'mode':<18}{'median ms':>10}{'p95 ms':>9}{'mean ms':>9}{'CPU ms':>8}   stats")
        configs = [("off", BlurMode.OFF, None), ("full", BlurMode.FULL, None),
                   ("replace", BlurMode.REPLACE, None), ("blur cadence 1", BlurMode.BLUR, 1),
                   ("blur cadence 2", BlurMode.BLUR, 2), ("blur adaptive", BlurMode.BLUR, None)]
        for name, mode, cadence in configs:
            proc = BlurProcessor(mode, model, cadence=cadence)
            ms, cpu = timed(proc, frames, args.rounds)
            st = proc.stats
            print(f"  {name:<18}{np.median(ms):>10.2f}{np.percentile(ms, 95):>9.2f}"
                  f"{ms.mean():>9.2f}{cpu:>8.2f}   "
                  f"segmented {st.segmented} reused {st.reused} cadence {st.cadence}")
        ms, cpu = track_path(frames, model, args.rounds)
        print(f"  {'blur adaptive+yuv':<18}{np.median(ms):>10.2f}{np.percentile(ms, 95):>9.2f}"
              f"{ms.mean():>9.2f}{cpu:>8.2f}   as BlurTrack does it: yuv420p in, BGR, yuv420p out")
        for cadence in (1, 2):
            mean, worst = mask_agreement(frames, cadence, model)
            print(f"  mask IoU vs the model's per-frame output, cadence {cadence}: "
                  f"mean {mean:.3f}, worst frame {worst:.3f}")
    wall = time.monotonic() - t0
    per_cpu = psutil.cpu_percent(percpu=True)
    mine = own.cpu_percent() / 100
    print(f"\nload: all CPUs {per_cpu} %, this process {mine:.2f} cores, "
          f"others ~{sum(per_cpu) / 100 - mine:.2f} cores of {psutil.cpu_count()} "
          f"over {wall:.0f} s; loadavg {os.getloadavg()}")


def legibility(_: argparse.Namespace) -> None:
    """Which quarter-scale blur kernel defeats OCR on 24 px text at 720p."""
    wall = text_wall(1280, 720, 24)
    print(f"unblurred: tesseract reads {len(readable_words(wall))} distinct words")
    small = quarter(wall)
    for k in (3, 5, 7, 9, 11, 13, 15, 19):
        out = blur_quarter(small, (1280, 720), k * 4 / 720)
        print(f"quarter-scale stackBlur k={k:>2} (~{4 * k} px at 720p): "
              f"tesseract reads {sorted(readable_words(out))}")


def edge(_: argparse.Namespace) -> None:
    """Background kept sharp near the outline, for both models and several edge ramps."""
    img, person = synthetic_scene(1280, 720)
    ast = astronaut_on_wall(1280, 720)
    x0 = (1280 - 720) // 2
    flag = np.zeros(ast.shape[:2], bool)
    flag[0:330, x0:x0 + 50] = True
    bands = ((0, 6), (6, 12), (12, 24), (24, 48))
    print("figure: share of background kept sharp in bands outside the true outline; "
          "person lost; astronaut: flag kept / flag edge energy left")
    configs = [(spec, ramp, refine) for spec in (LANDSCAPE, GENERAL)
               for ramp in ((0.3, 0.7), (0.5, 0.8), (0.6, 0.9), (0.7, 0.95))
               for refine in (False, True)]
    for spec, ramp, refine in configs:
        proc = BlurProcessor(BlurMode.BLUR, model_path(spec), edge=ramp, refine=refine)
        proc.process(img)
        assert proc.last_alpha is not None
        kept = cv2.resize(proc.last_alpha, (1280, 720)) >= 128
        halo = " ".join(f"{a}-{b}px {kept[outline_band(person, a, b)].mean():.3f}"
                        for a, b in bands)
        lost = (~kept & (person > 0)).sum() / (person > 0).sum()
        proc = BlurProcessor(BlurMode.BLUR, model_path(spec), edge=ramp, refine=refine)
        out = proc.process(ast)
        assert proc.last_alpha is not None
        kept = cv2.resize(proc.last_alpha, (1280, 720)) >= 128
        print(f"{spec.filename:<38} edge {ramp} guided {refine:d}: {halo}; lost {lost:.3f}; flag kept "
              f"{kept[flag].mean():.3f}, sharpness {sharpness(out, flag) / sharpness(ast, flag):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--legibility", action="store_true")
    parser.add_argument("--edge", action="store_true")
    parser.add_argument("--landscape", action="store_true",
                        help="use the 256x144 landscape model instead of the default general one")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    if args.legibility:
        legibility(args)
    elif args.edge:
        edge(args)
    else:
        speed(args)


if __name__ == "__main__":
    main()
