"""Recording start/stop chimes, synthesized with numpy (no audio assets shipped).

Played through ALSA with PyAV (already a dependency of the media engine) in a
background thread so the GUI never waits for audio. A machine without a sound
device still gets the visual indicator; the failure is logged, not raised.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import numpy as np

log = logging.getLogger(__name__)
RATE = 16000


def chime(kind: str, rate: int = RATE) -> np.ndarray:
    """Two short tones, rising for "start", falling for "stop" (mono int16)."""
    freqs = (660.0, 990.0) if kind == "start" else (990.0, 660.0)
    parts = []
    for freq in freqs:
        t = np.arange(int(rate * 0.14)) / rate
        envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # 10 ms fades, no clicks
        parts.append(0.35 * envelope * np.sin(2 * np.pi * freq * t))
        parts.append(np.zeros(int(rate * 0.04)))
    return (np.concatenate(parts) * 32767).astype(np.int16)


def wav_bytes(samples: np.ndarray, rate: int = RATE) -> bytes:
    """The samples as a mono 16-bit WAV file (for tests and tools)."""
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


def _play_alsa(samples: np.ndarray, rate: int) -> None:
    import av

    try:
        with av.open("default", "w", format="alsa") as out:
            stream = out.add_stream("pcm_s16le", rate=rate, layout="mono")
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16",
                                               layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)
    except Exception as exc:  # no sound device: the banner still shows
        log.info("chime not played: %s", exc.__class__.__name__)


class ChimePlayer:
    """Plays chimes; `played` lists every chime asked for (what tests check)."""

    def __init__(self, backend: Callable[[np.ndarray, int], None] | None = _play_alsa) -> None:
        self._backend = backend
        self.played: list[str] = []

    def play(self, kind: str) -> None:
        self.played.append(kind)
        if self._backend is not None:
            threading.Thread(target=self._backend, args=(chime(kind), RATE),
                             name=f"chime-{kind}", daemon=True).start()
