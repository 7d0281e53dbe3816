"""The desktop client's call engine: app/call_session.CallSession, with the two
things a window needs before joining (the engine's headless user never does):

- a pre-join preview: the engine starts its camera pump only in run(), so turning
  the camera on before joining starts it here, giving "local" frames at once;
- releasing a preview call that is dropped without ever running (its devices).
"""

from __future__ import annotations

from klasse.app.call_api import EventSink, VideoSink
from klasse.app.call_session import CallSession
from klasse.app.devices import SYNTHETIC
from klasse.ui.controller import JoinRequest

CAMERA_SIZE = (640, 480, 15)     # what most webcams offer; the blur stage runs at 256x144
SYNTHETIC_SIZE = (320, 240, 15)


def camera_source(device: str) -> str:
    return device or "camera"        # "" = the system's default camera


def mic_source(device: str) -> str:
    return device or "microphone"


class DesktopSession(CallSession):
    async def set_camera(self, on: bool) -> None:
        await super().set_camera(on)
        if on:
            self.camera.start()      # idempotent; run() starts it too

    async def close_preview(self) -> None:
        """Release everything of a call that never ran."""
        await self.camera.stop()
        self.mic_gate.stop()


def make_session(request: JoinRequest, sink: EventSink, video: VideoSink) -> DesktopSession:
    size = SYNTHETIC_SIZE if request.camera_device == SYNTHETIC else CAMERA_SIZE
    return DesktopSession(request.link, request.name or "-", sink, pin=request.pin,
                          session_token=request.session,
                          camera=camera_source(request.camera_device),
                          mic=mic_source(request.mic_device), blur=request.blur, video=video,
                          video_size=size)
