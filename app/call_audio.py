"""The call's sound, as the call session sees it: what it hears, plays and measures.

Holds the participant's AudioEngine (media/audio_engine.py) and keeps it in step
with the call: every received audio frame goes to the mix, a dropped feed leaves
it, a participant whose microphone is off is silenced at once, and a device that
disappears mid-call is reported (the session then turns the microphone off, or
moves the sound to the system default speaker). Device presence is polled once a
second through the sound server's list, which opens nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from av import AudioFrame

from klasse.app.events import Event, LevelsMeasured, ParticipantsChanged
from klasse.media.audio_devices import device_present
from klasse.media.audio_engine import AudioEngine
from klasse.media.sources import CaptureSource

WATCH_INTERVAL_S = 1.0

# (device "mic" or "speaker", code "device_failed" / "device_lost", message)
DeviceProblem = Callable[[str, str, str], Awaitable[None]]


class CallAudio:
    def __init__(self, speaker: str, problem: DeviceProblem, *,
                 noise_suppression: bool = True, auto_gain: bool = False) -> None:
        self._problem = problem
        self._loop: asyncio.AbstractEventLoop | None = None
        self.engine = AudioEngine(speaker, noise_suppression=noise_suppression,
                                  auto_gain=auto_gain, on_failed=self._failed_in_thread)
        self.mic_spec = "off"
        self._mic_lost_told = False

    def mic_source(self, spec: str) -> CaptureSource | None:
        self.mic_spec = spec
        return self.engine.mic_source(spec)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.engine.start()

    def stop(self) -> None:
        self.engine.stop()

    def _failed_in_thread(self, device: str, why: str) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(
                lambda: asyncio.ensure_future(self._problem(device, "device_failed", why)))

    # ---------------------------------------------------------------- the call's news
    def push(self, feed: str, frame: AudioFrame) -> None:
        self.engine.push(feed, frame)

    def remove(self, feed: str) -> None:
        self.engine.remove(feed)

    def observe(self, event: Event) -> None:
        """Follow each participant's mute state: a muted participant is not played."""
        if isinstance(event, ParticipantsChanged):
            self.engine.set_muted({q.id for q in event.participants if not q.mic})

    def levels(self) -> LevelsMeasured:
        played, captured = self.engine.levels()
        return LevelsMeasured(played=played, captured=captured)

    # ---------------------------------------------------------------- devices
    async def watch(self, mic_on: Callable[[], bool]) -> None:
        """Once a second: is the chosen microphone (while on) and speaker still there?"""
        while True:
            await asyncio.sleep(WATCH_INTERVAL_S)
            speaker = self.engine.speaker.spec
            if speaker not in ("null", "default"):
                present = await asyncio.to_thread(device_present, speaker, "output")
                if present is False:
                    self.engine.set_output("default")
                    await self._problem("speaker", "device_lost",
                                        f"the speaker {speaker} was disconnected; "
                                        "sound now plays on the system's default output")
            mic = self.engine.mic
            if mic is not None and mic_on() and mic.spec != "default":
                present = await asyncio.to_thread(device_present, mic.spec, "input")
                if present is False:
                    await self._problem("mic", "device_lost",
                                        f"the microphone {mic.spec} was disconnected; "
                                        "it is off now")
