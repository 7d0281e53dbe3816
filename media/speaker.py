"""The speaker: plays the mix on the chosen output device from join to leave.

One thread pulls a 10 ms block from the mixer, hands exactly that block to the
echo canceller as the far end, measures it, and writes it to a PortAudio output
stream, whose blocking write paces the loop on the device's clock. With no device
(`null`), or after the device failed, a timer paces it instead, so the mix, the
canceller and the levels keep running on time either way. Nothing is written to
disk.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import numpy as np

from klasse.media.audio_devices import opening, resolve, stream_closed, stream_opened
from klasse.media.audio_level import Meter
from klasse.media.audio_mixer import BLOCK, RATE, Mixer
from klasse.media.audio_processing import AudioProcessor

BLOCK_S = BLOCK / RATE
NULL_BATCH = 5               # blocks mixed per wake-up when no device plays them
TEST_TONE_HZ = 660.0
# The device buffer starts small (mouth-to-ear delay: it is the largest single stage
# after the network's jitter) and doubles, up to the maximum, when the device keeps
# running dry: on a busy machine every underrun moves the echo that the canceller
# tracks, which costs more than a few ms of delay. After a long quiet spell it halves
# again, so one busy minute does not cost delay for the rest of the lesson.
OUTPUT_LATENCY_S = 0.03
MAX_OUTPUT_LATENCY_S = 0.12
UNDERRUNS_TO_GROW = 3        # within GROW_WINDOW_S
GROW_WINDOW_S = 10.0
SHRINK_AFTER_S = 60.0        # without an underrun


def test_tone(seconds: float = 1.0, hz: float = TEST_TONE_HZ, level: float = 0.25) -> np.ndarray:
    """A soft tone with 20 ms fades (no clicks), for the "play test sound" button."""
    t = np.arange(int(RATE * seconds)) / RATE
    envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)
    return (level * 32767 * envelope * np.sin(2 * np.pi * hz * t)).astype(np.int16)


class Speaker:
    """Owns the output stream and the playout thread."""

    def __init__(self, mixer: Mixer, spec: str = "null",
                 processor: Callable[[], AudioProcessor | None] = lambda: None,
                 on_failed: Callable[[str, str], None] | None = None) -> None:
        self.mixer = mixer
        self.spec = spec
        self.meter = Meter()            # what is played
        self.latency_s = 0.0
        self.blocks = 0
        self.underruns = 0              # blocks the device ran out of sound before
        self.buffer_s = OUTPUT_LATENCY_S     # the device buffer asked for
        self._recent: list[float] = []       # when the last underruns happened
        self._calm_since = time.monotonic()  # the last underrun or buffer change
        self._processor = processor
        self._on_failed = on_failed
        self._test = np.zeros(0, np.int16)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._switch = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="klasse-speaker", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(2.0)

    def set_device(self, spec: str) -> None:
        """Play on another device from the next block on."""
        with self._lock:
            self.spec = spec
        self._switch.set()

    def play_test_sound(self, seconds: float = 1.0) -> None:
        with self._lock:
            self._test = test_tone(seconds)

    def _next_block(self) -> np.ndarray:
        block = self.mixer.pull(BLOCK)
        with self._lock:
            if self._test.size:
                tone = np.zeros(BLOCK, np.int16)
                part = self._test[:BLOCK]
                tone[:part.size] = part
                self._test = self._test[BLOCK:]
                block = np.clip(block.astype(np.int32) + tone, -32768, 32767).astype(np.int16)
        proc = self._processor()
        if proc is not None:
            proc.far(block)
        self.meter.add(block)
        self.blocks += 1
        return block

    def _open(self, spec: str) -> object | None:
        if spec == "null":
            return None
        try:
            import sounddevice as sd

            how = resolve(spec, "output")
            with opening(how):
                stream = sd.OutputStream(device=how.device, samplerate=RATE, channels=1,
                                         dtype="int16", latency=self.buffer_s, blocksize=BLOCK)
                stream.start()
        except Exception as exc:   # no device, no PortAudio, a refused format
            self._failed(spec, f"cannot play sound on {spec}: {exc}")
            return None
        stream_opened()
        self.latency_s = float(stream.latency)
        return stream

    def _ran_dry(self) -> bool:
        """Count an underrun; True when the buffer should grow now."""
        self.underruns += 1
        now = time.monotonic()
        self._calm_since = now
        self._recent = [t for t in self._recent if now - t < GROW_WINDOW_S] + [now]
        if len(self._recent) >= UNDERRUNS_TO_GROW and self.buffer_s < MAX_OUTPUT_LATENCY_S:
            self.buffer_s = min(MAX_OUTPUT_LATENCY_S, self.buffer_s * 2)
            self._recent = []
            return True
        return False

    def _calm(self) -> bool:
        """True when a grown buffer has played long enough without running dry to halve."""
        if self.buffer_s <= OUTPUT_LATENCY_S:
            return False
        now = time.monotonic()
        if now - self._calm_since < SHRINK_AFTER_S:
            return False
        self.buffer_s = max(OUTPUT_LATENCY_S, self.buffer_s / 2)
        self._calm_since = now
        return True

    def _failed(self, spec: str, why: str) -> None:
        if self._on_failed is not None:
            self._on_failed(spec, why)

    def _run(self) -> None:
        with self._lock:
            spec = self.spec
        stream = self._open(spec)
        due = time.monotonic()
        try:
            while not self._stop.is_set():
                if self._switch.is_set():
                    self._switch.clear()
                    _close(stream)
                    with self._lock:
                        spec = self.spec
                    stream = self._open(spec)
                    due = time.monotonic()
                block = self._next_block()
                if stream is not None:
                    try:
                        dry = stream.write(block)  # type: ignore[attr-defined]
                        if (self._ran_dry() if dry else self._calm()):
                            _close(stream)     # paced by the device; reopen it resized
                            stream = self._open(spec)
                        continue
                    except Exception as exc:
                        _close(stream)
                        stream = None
                        self._failed(spec, f"the speaker {spec} stopped: {exc}")
                        due = time.monotonic()
                due += BLOCK_S
                delay = due - time.monotonic()
                # Without a device nobody waits for the sound: wake 20 times a second
                # and mix what is due, not 100 times (a participant's CPU and GIL).
                if delay > 0 and (stream is not None or self.blocks % NULL_BATCH == 0):
                    time.sleep(delay)
                elif delay < -0.2:   # stalled (a suspended machine): do not race to catch up
                    due = time.monotonic()
        finally:
            _close(stream)


def _close(stream: object | None) -> None:
    if stream is None:
        return
    try:
        with contextlib.suppress(Exception):   # a vanished device: released either way
            stream.stop()  # type: ignore[attr-defined]
            stream.close()  # type: ignore[attr-defined]
    finally:
        stream_closed()
