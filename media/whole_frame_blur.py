"""The fail-closed blur: the whole picture, strongly enough that text is unreadable.

Used when the segmenting blur stage is unavailable (not installed, no model): a
camera frame with blur requested must never leave unblurred. Strength follows the
brief's measurement: at quarter scale a box kernel >= 9 px defeats OCR of 24 px text
at 720p; this uses about 1/12 of the frame height at quarter scale (15 px at 720p).
"""

from __future__ import annotations

import cv2
import numpy as np
from aiortc.mediastreams import MediaStreamTrack
from av import VideoFrame

STRENGTH = 1 / 12


def whole_frame_blur(bgr: np.ndarray, strength: float = STRENGTH) -> np.ndarray:
    h, w = bgr.shape[:2]
    small = cv2.resize(bgr, (max(w // 4, 1), max(h // 4, 1)), interpolation=cv2.INTER_AREA)
    k = max(3, int(small.shape[0] * strength) | 1)
    small = cv2.stackBlur(small, (k, k))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


class WholeFrameBlurTrack(MediaStreamTrack):
    """Blurs every frame whole unless `mode` is "off"."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack, mode: str = "blur") -> None:
        super().__init__()
        self.source = source
        self.mode = mode

    async def recv(self) -> VideoFrame:
        frame = await self.source.recv()
        assert isinstance(frame, VideoFrame)
        if self.mode == "off":
            return frame
        out = VideoFrame.from_ndarray(whole_frame_blur(frame.to_ndarray(format="bgr24")),
                                      format="bgr24")
        out.pts, out.time_base = frame.pts, frame.time_base
        return out

    def stop(self) -> None:
        super().stop()
        self.source.stop()
