"""The camera seam: gate -> blur stage -> preview + sender; blur fails closed."""

from __future__ import annotations

import numpy as np
import pytest

from klasse.app import camera_pipeline
from klasse.app.camera_pipeline import CameraPipeline, WholeFrameBlurTrack
from klasse.media.privacy_gate import GatedTrack
from klasse.media.sources import SyntheticSource
from klasse.media.synthetic import read_counter


async def _frames(mode: str, n: int = 3) -> tuple[CameraPipeline, list[np.ndarray], list[np.ndarray]]:
    gate = GatedTrack("video", SyntheticSource("video", 160, 120, 30))
    previews: list[np.ndarray] = []
    pipe = CameraPipeline(gate, mode, previews.append)
    sender = pipe.sender_track()
    await gate.turn_on()
    pipe.start()
    sent = [(await sender.recv()).to_ndarray(format="rgb24") for _ in range(n)]
    await pipe.stop()
    return pipe, sent, previews


def _sharpest_edge(img: np.ndarray) -> int:
    """The largest step between neighbouring pixels in the stamped counter's rows.

    The synthetic camera stamps its frame counter as black/white 8 px blocks: a raw
    frame has 255-steps there (from frame 1 on); any real blur smooths them.
    """
    rows = img[0:8].astype(np.int16)
    return int(np.abs(np.diff(rows, axis=1)).max())


async def test_blur_off_sends_the_camera_picture() -> None:
    pipe, sent, previews = await _frames("off")
    # The sender keeps only the newest frame, so a loaded machine may skip some:
    # what is sent is the camera's own picture, in order, and the preview showed it.
    counters = [read_counter(f) for f in sent]
    assert counters == sorted(set(counters))
    assert all(_sharpest_edge(f) == 255 for f in sent if read_counter(f) > 0)
    assert all(any(np.array_equal(s, p) for p in previews) for s in sent)


async def test_blur_on_never_sends_the_raw_picture() -> None:
    _, raw, _ = await _frames("off", 3)
    pipe, sent, previews = await _frames("blur", 3)
    assert pipe.degraded is None or "whole picture" in pipe.degraded
    for r, s in zip(raw[1:], sent[1:], strict=True):
        assert _sharpest_edge(r) == 255
        assert _sharpest_edge(s) < 128
    # The sender keeps only the newest frame (a loaded machine skips some): every sent
    # frame is one the preview showed, not necessarily the first three.
    assert all(any(np.array_equal(s, p) for p in previews) for s in sent)


async def test_broken_blur_stage_blurs_the_whole_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(mode: str) -> None:
        raise RuntimeError("no runtime")
    monkeypatch.setattr(camera_pipeline, "BlurProcessor", broken)
    pipe, sent, _ = await _frames("blur", 3)
    assert isinstance(pipe.stage, WholeFrameBlurTrack)
    assert pipe.degraded is not None and "whole picture" in pipe.degraded
    for s in sent[1:]:
        assert _sharpest_edge(s) < 128


async def test_mode_can_change_during_the_call() -> None:
    gate = GatedTrack("video", SyntheticSource("video", 160, 120, 30))
    pipe = CameraPipeline(gate, "off")
    sender = pipe.sender_track()
    await gate.turn_on()
    pipe.start()
    await sender.recv()
    sharp = (await sender.recv()).to_ndarray(format="rgb24")
    assert _sharpest_edge(sharp) == 255
    pipe.set_mode("full")
    for _ in range(2):   # a frame already queued may still be the old mode's
        blurred = (await sender.recv()).to_ndarray(format="rgb24")
    assert _sharpest_edge(blurred) < 128
    await pipe.stop()
