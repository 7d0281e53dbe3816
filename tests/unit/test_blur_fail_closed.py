"""Blur fails closed: without a usable mask a frame goes out blurred whole, never raw.

The model cases use real files (absent, damaged, truncated). Inference failures are
injected by wrapping the real segmenter, since the real model does not fail on demand.
"""

from __future__ import annotations

import asyncio
import fractions
import random
import shutil
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamTrack
from av import VideoFrame
from hypothesis import given, settings
from hypothesis import strategies as st

from klasse.media.blur import BlurMode, BlurProcessor, BlurTrack, full_blur, to_video_frame
from klasse.media.blur_model import (
    DEFAULT,
    ModelCorruptError,
    ModelMissingError,
    load_verified,
    model_path,
)
from klasse.media.segmentation import load_segmenter

from .blur_scenes import readable_words, synthetic_scene

REAL_MODEL = model_path()  # before any test points KLASSE_MODEL_DIR elsewhere


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    return synthetic_scene(640, 360)[0]


@pytest.fixture(scope="module")
def scene720() -> np.ndarray:
    img = synthetic_scene(1280, 720)[0]
    assert len(readable_words(img)) >= 8
    return img


class FlakySegmenter:
    """The real segmenter, with failures injected per call: 'raise', 'nan', 'shape', 'slow'."""

    def __init__(self, plan: list[str | None], delay: float = 0.3) -> None:
        self._real = load_segmenter()
        self.width, self.height, self.backend = self._real.width, self._real.height, "flaky"
        self.plan = plan
        self.delay = delay
        self.calls = 0

    def infer(self, rgb: np.ndarray) -> np.ndarray:
        action = self.plan[self.calls] if self.calls < len(self.plan) else None
        self.calls += 1
        if action == "raise":
            raise RuntimeError("interpreter crashed")
        out = self._real.infer(rgb)
        if action == "nan":
            out = out.copy()
            out[10, 10] = np.nan
        elif action == "shape":
            out = out[:-1]
        elif action == "slow":
            time.sleep(self.delay)
        return out


def _damaged(tmp_path: Path, how: str) -> Path:
    path = tmp_path / DEFAULT.filename
    data = bytearray(REAL_MODEL.read_bytes())
    if how == "flip":
        data[len(data) // 2] ^= 0xFF
    else:
        data = data[: len(data) // 2]
    path.write_bytes(bytes(data))
    return path


def _assert_blurred_whole(proc: BlurProcessor, img: np.ndarray) -> None:
    out = proc.process(img)
    assert np.array_equal(out, full_blur(img))
    assert not np.array_equal(out, img)


def test_model_missing_blurs_whole_frame(tmp_path, scene720) -> None:
    proc = BlurProcessor(BlurMode.BLUR, tmp_path / DEFAULT.filename)
    assert not proc.model_ok
    err = proc.stats.model_error
    assert err and "not found" in err and "make model" in err
    out = proc.process(scene720)
    assert np.array_equal(out, full_blur(scene720))
    assert readable_words(out) == set()
    assert proc.stats.fail_closed == 1


def test_model_dir_override_is_honoured(tmp_path, monkeypatch, scene) -> None:
    monkeypatch.setenv("KLASSE_MODEL_DIR", str(tmp_path))
    assert model_path() == tmp_path / DEFAULT.filename
    proc = BlurProcessor(BlurMode.REPLACE)
    assert proc.stats.model_error and str(tmp_path) in proc.stats.model_error
    _assert_blurred_whole(proc, scene)  # replace mode without a mask: blurred, not painted
    shutil.copy(REAL_MODEL, tmp_path / DEFAULT.filename)
    assert BlurProcessor(BlurMode.BLUR).model_ok




@pytest.mark.parametrize("how", ["flip", "truncate"])
def test_model_corrupt_is_refused_and_blurs_whole_frame(tmp_path, scene, how) -> None:
    path = _damaged(tmp_path, how)
    with pytest.raises(ModelCorruptError, match="damaged"):
        load_verified(path)
    proc = BlurProcessor(BlurMode.BLUR, path)
    assert not proc.model_ok and "damaged" in (proc.stats.model_error or "")
    _assert_blurred_whole(proc, scene)


def test_model_under_unknown_name_is_refused(tmp_path, scene) -> None:
    path = tmp_path / "other.tflite"
    shutil.copy(REAL_MODEL, path)
    proc = BlurProcessor(BlurMode.BLUR, path)
    assert not proc.model_ok and "unknown" in (proc.stats.model_error or "")
    _assert_blurred_whole(proc, scene)


def test_missing_model_error_type(tmp_path) -> None:
    with pytest.raises(ModelMissingError):
        load_verified(tmp_path / DEFAULT.filename)


@pytest.mark.parametrize("failure", ["raise", "nan", "shape"])
def test_inference_failure_blurs_that_frame_and_recovers(scene, failure) -> None:
    proc = BlurProcessor(BlurMode.BLUR, segmenter=FlakySegmenter([failure, None]), cadence=1)
    _assert_blurred_whole(proc, scene)
    st = proc.stats
    assert st.fail_closed == 1 and st.segmented == 0 and st.last_error
    out = proc.process(scene)
    assert proc.stats.segmented == 1
    assert not np.array_equal(out, full_blur(scene)) and not np.array_equal(out, scene)


def test_failure_resets_the_carried_over_mask(scene) -> None:
    seg = FlakySegmenter([None, "raise"])
    ticks = iter(range(1000))    # no gap between frames, however slow a loaded machine is
    proc = BlurProcessor(BlurMode.BLUR, segmenter=seg, cadence=2,
                         clock=lambda: next(ticks) * 0.001)
    proc.process(scene)          # segmented
    proc.process(scene)          # reused
    _assert_blurred_whole(proc, scene)   # fresh inference raises
    proc.process(scene)          # must segment again, not reuse the mask from before
    st = proc.stats
    assert (st.segmented, st.reused, st.fail_closed) == (2, 1, 1)


def test_no_frame_leaves_unprocessed_under_random_failures(scene) -> None:
    rng = random.Random(5)
    plan = [rng.choice([None, None, "raise", "nan", "shape"]) for _ in range(40)]
    seg = FlakySegmenter(plan)
    proc = BlurProcessor(BlurMode.BLUR, segmenter=seg, budget_ms=0.0)
    blurred = full_blur(scene)
    for _ in plan:
        out = proc.process(scene)
        assert not np.array_equal(out, scene)
        # the frame is either blurred whole or has a blurred background far from the figure
        assert np.array_equal(out[:40, :120], blurred[:40, :120])
    assert proc.stats.fail_closed == sum(p is not None for p in plan[:seg.calls])


class StillTrack(MediaStreamTrack):
    """A camera stand-in that returns the same picture, as fast as asked."""

    kind = "video"

    def __init__(self, img: np.ndarray) -> None:
        super().__init__()
        self.img = img
        self.count = 0

    async def recv(self) -> VideoFrame:
        frame = VideoFrame.from_ndarray(self.img, format="bgr24")
        frame.pts = self.count * 3000
        frame.time_base = fractions.Fraction(1, 90_000)
        self.count += 1
        return frame


def _same(frame: VideoFrame, img: np.ndarray) -> bool:
    """`frame` is exactly `img` as BlurTrack encodes it (yuv420p)."""
    return np.array_equal(frame.to_ndarray(), to_video_frame(img).to_ndarray())


async def test_late_mask_goes_out_blurred_whole(scene) -> None:
    seg = FlakySegmenter(["slow"], delay=0.4)
    proc = BlurProcessor(BlurMode.BLUR, segmenter=seg, cadence=1)
    track = BlurTrack(StillTrack(scene), proc, deadline_s=0.05)
    blurred = full_blur(scene)
    first = await track.recv()
    assert first.format.name == "yuv420p" and _same(first, blurred)
    assert first.pts == 0
    second = await track.recv()  # the late inference is still running
    assert _same(second, blurred)
    assert track.stats.late == 2
    await asyncio.sleep(0.5)
    third = await track.recv()  # caught up: a real mask again
    assert not _same(third, blurred) and not _same(third, scene)
    assert third.pts == 2 * 3000
    track.stop()


async def test_no_mask_carried_over_past_late_frames(scene) -> None:
    seg = FlakySegmenter([None, "slow"], delay=0.3)
    ticks = iter(range(1000))  # a clock that sees no gap: only the skipped frame may stop reuse
    proc = BlurProcessor(BlurMode.BLUR, segmenter=seg, cadence=2,
                         clock=lambda: next(ticks) * 0.001)
    track = BlurTrack(StillTrack(scene), proc, deadline_s=0.2)
    await track.recv()              # segmented
    await track.recv()              # carries the mask over
    await track.recv()              # segmented, slow: sent blurred whole
    await asyncio.sleep(0.3)
    await track.recv()              # may not carry over the mask of the late frame
    st = track.stats
    assert (st.segmented, st.reused, st.late) == (3, 1, 1)
    track.stop()


async def test_track_off_passes_camera_and_on_processes(scene) -> None:
    proc = BlurProcessor(BlurMode.OFF)
    src = StillTrack(scene)
    track = BlurTrack(src, proc)
    raw = await track.recv()
    assert np.array_equal(raw.to_ndarray(format="bgr24"), scene)
    proc.mode = BlurMode.FULL
    assert _same(await track.recv(), full_blur(scene))
    proc.mode = BlurMode.BLUR
    out = await track.recv()
    assert not _same(out, scene) and not _same(out, full_blur(scene))
    assert track.stats.segmented == 1 and track.stats.frames == 2
    track.stop()
    assert src.readyState == "ended"


async def test_track_sends_black_if_even_the_fallback_fails(scene) -> None:
    proc = BlurProcessor(BlurMode.BLUR, segmenter=FlakySegmenter(["raise"]))
    proc.strength = float("nan")  # makes the whole-frame blur itself fail
    track = BlurTrack(StillTrack(scene), proc)
    out = await track.recv()
    assert _same(out, np.zeros_like(scene))
    track.stop()


@settings(max_examples=25, deadline=None)
@given(w=st.integers(2, 200), h=st.integers(2, 200), seed=st.integers(0, 2**16),
       mode=st.sampled_from([BlurMode.BLUR, BlurMode.REPLACE, BlurMode.FULL]))
def test_any_frame_size_comes_out_processed(w, h, seed, mode) -> None:
    """Every output pixel is the person's own or the background's (blurred or painted);
    nothing else, and never the whole raw frame unless the mask covers all of it."""
    img = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    proc = _shared_processor()
    proc.mode = mode
    out = proc.process(img)
    assert out.shape == img.shape and out.dtype == np.uint8
    if mode is BlurMode.FULL:
        assert np.array_equal(out, full_blur(img))
        return
    background = full_blur(img) if mode is BlurMode.BLUR else np.full_like(img, proc.replace_colour)
    is_person = (out == img).all(axis=2)
    is_background = (out == background).all(axis=2)
    assert (is_person | is_background).all()
    alpha = proc.last_alpha
    assert alpha is not None
    outside = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR) < 128
    assert np.array_equal(out[outside], background[outside])  # background never raw


_PROC: list[BlurProcessor] = []


def _shared_processor() -> BlurProcessor:
    if not _PROC:
        _PROC.append(BlurProcessor(BlurMode.BLUR))
    return _PROC[0]
