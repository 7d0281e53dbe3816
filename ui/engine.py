"""The desktop client's call engine: app/call_session.CallSession, with the two
things a window needs before joining (the engine's headless user never does):

- a pre-join preview: the engine starts its camera pump only in run(), so turning
  the camera on before joining starts it here, giving "local" frames at once;
- releasing a preview call that is dropped without ever running (its devices).
"""

from __future__ import annotations

import asyncio

from klasse.app.call_api import EventSink, VideoSink
from klasse.app.call_session import CallSession
from klasse.app.devices import SYNTHETIC
from klasse.app.events import LevelsMeasured
from klasse.ui.controller import JoinRequest

PREVIEW_LEVELS_S = 0.2        # the pre-join microphone meter's pace
CAMERA_SIZE = (640, 480, 15)     # what most webcams offer; the blur stage runs at 256x144
SYNTHETIC_SIZE = (320, 240, 15)


def camera_source(device: str) -> str:
    return device or "camera"        # "" = the system's default camera


def mic_source(device: str) -> str:
    return device or "microphone"


def speaker_output(device: str) -> str:
    return "null" if device == SYNTHETIC else device or "default"


class DesktopSession(CallSession):
    _meter: asyncio.Task[None] | None = None
    _started = False     # run() began: the call's own `levels` events take over

    async def run(self) -> None:
        self._started = True
        await super().run()

    async def set_camera(self, on: bool) -> None:
        await super().set_camera(on)
        if on:
            self.camera.start()      # idempotent; run() starts it too

    async def set_mic(self, on: bool) -> None:
        """Before joining, a microphone turned on drives the pre-join level meter
        (and only then: the meter never opens the microphone by itself)."""
        await super().set_mic(on)
        if on and not self._started and self._meter is None:
            self._meter = asyncio.ensure_future(self._preview_levels())

    async def play_test_sound(self) -> None:
        self.sound.start()           # before joining the speaker runs only for this
        await super().play_test_sound()

    async def _preview_levels(self) -> None:
        try:
            while not self._started:
                await asyncio.sleep(PREVIEW_LEVELS_S)
                if not self.mic_gate.is_on:
                    continue
                mic = self.sound.engine.mic
                captured = mic.meter.take() if mic is not None and mic.is_open else None
                self._emit(LevelsMeasured(played=None, captured=captured))
        finally:
            self._meter = None

    async def close_preview(self) -> None:
        """Release everything of a call that never ran."""
        if self._meter is not None:
            self._meter.cancel()
        await self.camera.stop()
        await self.mic_gate.turn_off()
        self.mic_gate.stop()
        self.sound.stop()


def make_session(request: JoinRequest, sink: EventSink, video: VideoSink) -> DesktopSession:
    size = SYNTHETIC_SIZE if request.camera_device == SYNTHETIC else CAMERA_SIZE
    return DesktopSession(request.link, request.name or "-", sink, pin=request.pin,
                          session_token=request.session,
                          camera=camera_source(request.camera_device),
                          mic=mic_source(request.mic_device), blur=request.blur, video=video,
                          video_size=size, speaker=speaker_output(request.speaker_device))
