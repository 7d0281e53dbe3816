"""No device or file is opened before the user turns it on; off closes it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import av
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from klasse.media.privacy_gate import GatedTrack
from klasse.media.sources import AvSource, SourceError, SyntheticSource, parse_source
from klasse.media.synthetic import read_counter, stamp_counter


def _open_paths() -> set[str]:
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return out


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1 s 160x120 video with a tone, frame counters stamped in the pixels."""
    path = tmp_path_factory.mktemp("media") / "clip.mkv"
    with av.open(str(path), "w") as out:
        v = out.add_stream("mpeg4", rate=15)
        v.width, v.height, v.pix_fmt = 160, 120, "yuv420p"
        a = out.add_stream("pcm_s16le", rate=48000, layout="mono")
        for i in range(15):
            img = np.full((120, 160, 3), 90, np.uint8)
            stamp_counter(img, i)
            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            frame.pts = i
            for pkt in v.encode(frame):
                out.mux(pkt)
        for pkt in v.encode():
            out.mux(pkt)
        for i in range(10):
            pcm = (np.sin(np.arange(4800) / 10) * 2000).astype(np.int16).reshape(1, -1)
            af = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
            af.sample_rate, af.pts = 48000, i * 4800
            for pkt in a.encode(af):
                out.mux(pkt)
        for pkt in a.encode():
            out.mux(pkt)
    return path


async def _no_frame_within(track: GatedTrack, seconds: float) -> bool:
    task = asyncio.ensure_future(track.recv())
    await asyncio.sleep(seconds)
    done = task.done()
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, MediaStreamError):
        pass
    return not done


async def test_file_camera_is_opened_only_when_turned_on(clip: Path) -> None:
    source = parse_source(f"file:{clip}", "video")
    assert isinstance(source, AvSource)
    gate = GatedTrack("video", source)
    # Asked for frames (as the RTP sender does at once), the gate gives none and
    # has not touched the file.
    assert await _no_frame_within(gate, 0.3)
    assert source.opens == 0 and str(clip) not in _open_paths()

    await gate.turn_on()
    assert source.opens == 1 and str(clip) in _open_paths()
    counters = [read_counter((await gate.recv()).to_ndarray(format="bgr24")) for _ in range(20)]
    assert counters[:15] == list(range(15))  # then it loops
    assert counters[15:] == list(range(5))

    await gate.turn_off()
    assert str(clip) not in _open_paths()   # closed, not paused
    assert not source.is_open
    assert await _no_frame_within(gate, 0.3)
    await gate.turn_on()
    assert source.opens == 2
    await gate.recv()
    await gate.turn_off()
    gate.stop()


async def test_file_mic_gives_20ms_frames_only_when_on(clip: Path) -> None:
    source = parse_source(f"file:{clip}", "audio")
    assert source is not None
    gate = GatedTrack("audio", source)
    assert await _no_frame_within(gate, 0.2)
    assert source.opens == 0 and str(clip) not in _open_paths()
    await gate.turn_on()
    frames = [await gate.recv() for _ in range(5)]
    assert {f.samples for f in frames} == {960} and {f.sample_rate for f in frames} == {48000}
    assert [f.pts for f in frames] == [0, 960, 1920, 2880, 3840]
    await gate.turn_off()
    assert str(clip) not in _open_paths()
    gate.stop()


async def test_turn_off_during_a_pending_read_lets_nothing_through() -> None:
    source = SyntheticSource("video", fps=2)   # slow: the read is pending for 0.5 s
    gate = GatedTrack("video", source)
    await gate.turn_on()
    await gate.recv()
    pending = asyncio.ensure_future(gate.recv())
    await asyncio.sleep(0.05)
    await gate.turn_off()
    await asyncio.sleep(0.7)
    assert not pending.done()
    assert gate.frames_out == 1
    gate.stop()
    with pytest.raises(MediaStreamError):
        await pending


async def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    gate = GatedTrack("video", parse_source(f"file:{tmp_path / 'nope.mp4'}", "video"))
    with pytest.raises(SourceError):
        await gate.turn_on()
    assert not gate.is_on


async def test_off_source_cannot_be_turned_on() -> None:
    gate = GatedTrack("audio", parse_source("off", "audio"))
    with pytest.raises(SourceError):
        await gate.turn_on()


def test_source_specs() -> None:
    assert isinstance(parse_source("synthetic", "video"), SyntheticSource)
    cam = parse_source("v4l2:/dev/video7", "video")
    assert isinstance(cam, AvSource) and cam.fmt == "v4l2" and cam.opens == 0
    with pytest.raises(SourceError, match="call_audio"):
        parse_source("pulse:default", "audio")   # device mics: app/call_audio.py
    with pytest.raises(SourceError):
        parse_source("http://example.org/x", "video")


async def test_real_camera_path_reports_missing_device() -> None:
    # No camera on this machine: the v4l2 path runs and fails with a clear error.
    gate = GatedTrack("video", parse_source("v4l2:/dev/video-does-not-exist", "video"))
    with pytest.raises(SourceError, match="cannot open"):
        await gate.turn_on()
