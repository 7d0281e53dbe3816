"""Echo cancellation, noise suppression and automatic gain: WebRTC's audio processing module.

The module (AEC3 + NS + AGC2, through livekit's `rtc.AudioProcessingModule`) works
on 10 ms mono int16 blocks. The speaker hands it every block exactly as it goes to
the device (`far`), the microphone every captured block (`near`), and the canceller
subtracts the speaker's echo from the microphone. Both sides run on their own
threads; the module itself keeps its render and capture sides apart, and a lock
keeps a noise-suppression switch (which makes a new module) from cutting into a
block in flight. Where the binding is missing, blocks pass through unchanged and
`degraded` says why.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

RATE = 48_000
BLOCK = RATE // 100


class AudioProcessor:
    """One canceller per participant, shared by its speaker and its microphone."""

    def __init__(self, *, noise_suppression: bool = True, auto_gain: bool = False,
                 echo_cancellation: bool = True) -> None:
        self.noise_suppression = noise_suppression
        self.auto_gain = auto_gain
        self.echo_cancellation = echo_cancellation
        self.degraded: str | None = None
        self.delay_ms = 0
        self._lock = threading.Lock()
        self._rtc: Any = None
        self._apm: Any = None
        self._make()

    def _make(self) -> None:
        try:
            from livekit import rtc
        except ImportError as exc:
            self.degraded = f"no echo cancellation: {exc}"
            return
        self._rtc = rtc
        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=self.echo_cancellation, noise_suppression=self.noise_suppression,
            high_pass_filter=True, auto_gain_control=self.auto_gain)
        if self.delay_ms:
            self._apm.set_stream_delay_ms(self.delay_ms)

    @property
    def active(self) -> bool:
        return self._apm is not None

    def set_noise_suppression(self, on: bool) -> None:
        """The module takes its settings only when made: a switch makes a new one
        (the echo canceller then re-converges within about a second)."""
        with self._lock:
            if on == self.noise_suppression:
                return
            self.noise_suppression = on
            if self._rtc is not None:
                self._make()

    def set_delay_ms(self, delay_ms: int) -> None:
        """Speaker output latency plus microphone input latency: where the echo starts."""
        with self._lock:
            self.delay_ms = max(0, int(delay_ms))
            if self._apm is not None and self.echo_cancellation:
                self._apm.set_stream_delay_ms(self.delay_ms)

    def _run(self, block: np.ndarray, reverse: bool) -> np.ndarray:
        if block.size != BLOCK:
            raise ValueError(f"audio processing takes {BLOCK} samples, got {block.size}")
        with self._lock:
            apm = self._apm
            if apm is None:
                return block
            frame = self._rtc.AudioFrame(bytearray(block.astype(np.int16).tobytes()),
                                         RATE, 1, BLOCK)
            if reverse:
                apm.process_reverse_stream(frame)
            else:
                if self.echo_cancellation:
                    apm.set_stream_delay_ms(self.delay_ms)
                apm.process_stream(frame)
        return np.frombuffer(bytes(frame.data.cast("B")), np.int16).copy()

    def far(self, block: np.ndarray) -> None:
        """A 10 ms block exactly as it goes to the speaker."""
        self._run(block, reverse=True)

    def near(self, block: np.ndarray) -> np.ndarray:
        """A captured 10 ms block -> the same block with echo and noise taken out."""
        return self._run(block, reverse=False)
