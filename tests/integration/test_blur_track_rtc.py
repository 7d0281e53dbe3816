"""BlurTrack in a real aiortc call: what the other side decodes is the blurred picture."""

from __future__ import annotations

import asyncio
import fractions

import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamTrack
from av import VideoFrame

from klasse.media.blur import BlurMode, BlurProcessor, BlurTrack
from tests.unit.blur_scenes import outline_band, sharpness, ssim, synthetic_scene

FPS = 15


class PacedStill(MediaStreamTrack):
    """A camera stand-in: one picture at FPS, with proper timestamps."""

    kind = "video"

    def __init__(self, img: np.ndarray) -> None:
        super().__init__()
        self.img = img
        self.count = 0

    async def recv(self) -> VideoFrame:
        await asyncio.sleep(1 / FPS)
        frame = VideoFrame.from_ndarray(self.img, format="bgr24")
        frame.pts = self.count * 90_000 // FPS
        frame.time_base = fractions.Fraction(1, 90_000)
        self.count += 1
        return frame


async def test_peer_receives_blurred_background() -> None:
    img, person = synthetic_scene(320, 180)
    processor = BlurProcessor(BlurMode.BLUR)
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    got: list[np.ndarray] = []
    done = asyncio.Event()

    @receiver.on("track")
    def on_track(track) -> None:  # type: ignore[no-untyped-def]
        async def pump() -> None:
            while len(got) < 15:
                got.append((await track.recv()).to_ndarray(format="bgr24"))
            done.set()
        asyncio.ensure_future(pump())

    try:
        sender.addTrack(BlurTrack(PacedStill(img), processor))
        await sender.setLocalDescription(await sender.createOffer())
        await receiver.setRemoteDescription(sender.localDescription)
        await receiver.setLocalDescription(await receiver.createAnswer())
        await sender.setRemoteDescription(receiver.localDescription)
        await asyncio.wait_for(done.wait(), 20)
    finally:
        await sender.close()
        await receiver.close()

    last = got[-1]  # VP8 has settled by now
    far = outline_band(person, 8, 400)
    inside = outline_band(255 - person, 4, 400)  # well inside the figure
    assert sharpness(last, far) < 0.3 * sharpness(img, far)
    assert ssim(img, last, inside) > 0.8
    st = processor.stats
    assert st.segmented >= 10 and st.fail_closed == 0 and st.model_error is None
