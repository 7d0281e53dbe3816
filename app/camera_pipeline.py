"""Where the camera picture becomes what others may see: gate -> blur -> preview + send.

This is the one seam where the gated camera track is wrapped by the blur stage
(klasse.media.blur: BlurProcessor(mode) and BlurTrack(source, processor)). If the
processor cannot start, frames are blurred whole (`blur.full_blur`): with blur
requested, a raw frame never leaves. One pump pulls the processed frames and
hands each to the local preview (the same picture the others get) and to the
published track; the track keeps only the newest frame, so a slow encoder drops
frames instead of adding delay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame

from klasse.media.blur import BlurProcessor, BlurTrack, full_blur
from klasse.media.privacy_gate import GatedTrack

PreviewSink = Callable[[np.ndarray], None]


def blur_stage(source: MediaStreamTrack, mode: str) -> tuple[MediaStreamTrack, str | None]:
    """Wrap `source` in the blur stage; returns (track, why it is degraded or None)."""
    try:
        processor = BlurProcessor(mode)
    except Exception as exc:  # a broken stage must not leave the camera unblurred
        return WholeFrameBlurTrack(source, mode), (
            f"background blur failed to start ({exc}); the whole picture is blurred instead")
    why = None
    stats = getattr(processor, "stats", None)
    if mode not in ("off", "full") and getattr(stats, "model_error", None):
        why = f"no segmentation model ({stats.model_error}); the whole picture is blurred"  # type: ignore[union-attr]
    return BlurTrack(source, processor), why


def set_stage_mode(track: MediaStreamTrack, mode: str) -> None:
    if isinstance(track, WholeFrameBlurTrack):
        track.mode = mode
    else:
        track.processor.mode = mode  # type: ignore[attr-defined]


class WholeFrameBlurTrack(MediaStreamTrack):
    """The fail-closed stage: every frame blurred whole unless `mode` is "off"."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack, mode: str) -> None:
        super().__init__()
        self.source = source
        self.mode = mode

    async def recv(self) -> VideoFrame:
        frame = await self.source.recv()
        assert isinstance(frame, VideoFrame)
        if self.mode == "off":
            return frame
        out = VideoFrame.from_ndarray(full_blur(frame.to_ndarray(format="bgr24")),
                                      format="bgr24")
        out.pts, out.time_base = frame.pts, frame.time_base
        return out

    def stop(self) -> None:
        super().stop()
        self.source.stop()


class LatestFrameTrack(MediaStreamTrack):
    """What the call publishes: the newest processed frame, older ones dropped."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._queue: asyncio.Queue[VideoFrame] = asyncio.Queue(maxsize=1)
        self.taken = 0      # frames handed to the encoder
        self.dropped = 0    # frames replaced by a newer one before the encoder took them

    def put(self, frame: VideoFrame) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(frame)

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        frame = await self._queue.get()
        self.taken += 1
        return frame


class ForwardTrack(MediaStreamTrack):
    """A per-sender handle on a shared track.

    aiortc's RTP sender stops its track when its peer connection closes; a resumed
    call publishes on a new connection, so each sender gets its own handle and the
    shared gate stays alive.
    """

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self.source = source

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        return await self.source.recv()  # type: ignore[return-value]


class CameraPipeline:
    """Owns the processed camera track and the pump that feeds preview and sender."""

    def __init__(self, gate: GatedTrack, mode: str, preview: PreviewSink | None = None) -> None:
        self.gate = gate
        self.mode = mode
        self.stage, self.degraded = blur_stage(gate, mode)
        self._outputs: list[LatestFrameTrack] = []
        self.preview = preview
        self.frames = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._pump())

    def sender_track(self) -> LatestFrameTrack:
        """A new track for one RTP sender, fed with every processed frame."""
        track = LatestFrameTrack()
        self._outputs.append(track)
        return track

    def sent(self) -> tuple[int, int]:
        """(frames the encoders took, frames dropped for newer ones) over all senders."""
        return sum(t.taken for t in self._outputs), sum(t.dropped for t in self._outputs)

    def set_mode(self, mode: str) -> None:
        set_stage_mode(self.stage, mode)
        self.mode = mode

    async def _pump(self) -> None:
        while True:
            try:
                frame = await self.stage.recv()
            except MediaStreamError:
                return
            assert isinstance(frame, VideoFrame)
            self.frames += 1
            for out in self._outputs:
                if out.readyState == "live":
                    out.put(frame)
            if self.preview is not None:
                self.preview(frame.to_ndarray(format="rgb24"))

    async def stop(self) -> None:
        await self.gate.turn_off()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self.stage.stop()
        for out in self._outputs:
            out.stop()
