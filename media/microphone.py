"""A real microphone through PortAudio (sounddevice), cleaned by the audio processor.

Opened only by the privacy gate (turn_on) and closed by it (turn_off): while
closed there is no PortAudio stream and so no capture stream at the sound server
(no PulseAudio source-output, no WASAPI/CoreAudio client). PortAudio's callback thread
hands over 10 ms blocks; each runs through the echo canceller / noise suppressor / gain
control, and hands 20 ms frames (what Opus is fed) to the event loop. sounddevice is
imported only here and in the speaker, at open: importing it starts PortAudio.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import threading
from collections import deque
from collections.abc import Callable

import numpy as np
from av import AudioFrame

from klasse.media.audio_devices import (
    AudioDeviceError,
    device_present,
    opening,
    resolve,
    stream_closed,
    stream_opened,
)
from klasse.media.audio_level import Meter
from klasse.media.audio_processing import BLOCK, RATE, AudioProcessor
from klasse.media.sources import AUDIO_FRAME_SAMPLES, SourceClosed, SourceError

# Room for a busy machine to be late without losing samples (a lost block moves the
# echo in time, and the canceller must find it again).
INPUT_LATENCY_S = 0.04
MAX_QUEUED = 10     # 200 ms: a stalled encoder drops the oldest audio, not adds delay


class DeviceMicSource:
    """A CaptureSource (media/sources.py) on a microphone device spec."""

    kind = "audio"

    def __init__(self, spec: str, processor: Callable[[], AudioProcessor | None]) -> None:
        self.spec = spec
        self.opens = 0
        self.meter = Meter()          # what is captured after processing
        self.latency_s = 0.0
        self.overflows = 0            # capture blocks lost because we were late
        self._processor = processor
        self._stream: object = None
        self._pending = np.zeros(0, np.int16)
        self._stop = threading.Event()
        self._frames: deque[np.ndarray | str] = deque()
        self._ready: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()

    @property
    def is_open(self) -> bool:
        return self._stream is not None

    async def open(self) -> None:
        async with self._lock:
            if self._stream is not None:
                return
            self._loop = asyncio.get_running_loop()
            self._ready = asyncio.Event()
            self._frames.clear()
            self._pending = np.zeros(0, np.int16)
            self._stop.clear()
            if await asyncio.to_thread(device_present, self.spec, "input") is False:
                raise SourceError(f"the microphone {self.spec} is not connected")
            try:
                how = resolve(self.spec, "input")
                stream = await asyncio.to_thread(self._open_stream, how)
            except AudioDeviceError as exc:
                raise SourceError(str(exc)) from None
            except Exception as exc:   # PortAudioError, OSError (no libportaudio2)
                raise SourceError(f"cannot open the microphone {self.spec}: {exc}") from None
            self._stream = stream
            self.opens += 1
            self.latency_s = float(getattr(stream, "latency", 0.0))

    def _open_stream(self, how: object) -> object:
        import sounddevice as sd

        # Callback mode: PortAudio's own thread delivers each block, and stopping the
        # stream from another thread is the supported way out (a blocking read that
        # another thread aborts can crash inside the ALSA PulseAudio plugin).
        with opening(how):  # type: ignore[arg-type]
            stream = sd.InputStream(device=how.device, samplerate=RATE, channels=1,  # type: ignore[attr-defined]
                                    dtype="int16", latency=INPUT_LATENCY_S, blocksize=BLOCK,
                                    callback=self._captured,
                                    finished_callback=self._finished)
            stream.start()
        stream_opened()
        return stream

    def _captured(self, data: np.ndarray, frames: int, _time: object, status: object) -> None:
        if self._stop.is_set():
            return
        if getattr(status, "input_overflow", False):
            self.overflows += 1
        block = np.array(data[:, 0], np.int16)
        if block.size != BLOCK:   # PortAudio may hand odd sizes; the processor takes 10 ms
            block = np.resize(block, BLOCK) if block.size else np.zeros(BLOCK, np.int16)
        try:
            proc = self._processor()
            if proc is not None:
                block = proc.near(block)
        except Exception as exc:
            self._hand(f"audio processing failed: {exc}")
            return
        self.meter.add(block)
        pending = np.concatenate([self._pending, block])
        while pending.size >= AUDIO_FRAME_SAMPLES:
            self._hand(pending[:AUDIO_FRAME_SAMPLES].copy())
            pending = pending[AUDIO_FRAME_SAMPLES:]
        self._pending = pending

    def _finished(self) -> None:
        if not self._stop.is_set():
            self._hand(f"the microphone {self.spec} stopped")

    def _hand(self, item: np.ndarray | str) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):   # the loop is closing
            loop.call_soon_threadsafe(self._deliver, item)

    def _deliver(self, item: np.ndarray | str) -> None:
        self._frames.append(item)
        while len(self._frames) > MAX_QUEUED:
            self._frames.popleft()
        if self._ready is not None:
            self._ready.set()

    async def read(self) -> AudioFrame:
        while True:
            if self._stream is None or self._ready is None:
                raise SourceClosed()
            if self._frames:
                item = self._frames.popleft()
                if isinstance(item, str):
                    raise SourceError(item)
                frame = AudioFrame.from_ndarray(item.reshape(1, -1), format="s16", layout="mono")
                frame.sample_rate = RATE
                frame.time_base = fractions.Fraction(1, RATE)
                return frame
            self._ready.clear()
            await self._ready.wait()

    async def close(self) -> None:
        async with self._lock:
            stream, self._stream = self._stream, None
            self._stop.set()
            if self._ready is not None:
                self._ready.set()   # wake a waiting read: it sees the source closed
            if stream is None:
                return
            await asyncio.to_thread(_close_stream, stream)
            self._frames.clear()


def _close_stream(stream: object) -> None:
    # A vanished device may make these fail: the stream is released either way.
    try:
        with contextlib.suppress(Exception):
            stream.abort()  # type: ignore[attr-defined]
            stream.close()  # type: ignore[attr-defined]
    finally:
        stream_closed()
