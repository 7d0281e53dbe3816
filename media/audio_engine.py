"""One participant's sound: the received feeds' mixer, the speaker, the echo
canceller shared by speaker and microphone, and the microphone source.

The call engine (app/call_session.py) pushes each decoded audio frame of a feed,
tells which participants are muted, and asks for levels; front ends set volumes,
the output device and noise suppression through it. The canceller is made when a
real microphone is first opened (synthetic and file sources have no echo), so a
participant that never speaks into a device never loads it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from av import AudioFrame
from av.audio.resampler import AudioResampler

from klasse.media.audio_mixer import RATE, Mixer, to_mono_s16
from klasse.media.audio_processing import AudioProcessor
from klasse.media.microphone import DeviceMicSource
from klasse.media.sources import CaptureSource, parse_source
from klasse.media.speaker import Speaker

DEVICE_MIC_SCHEMES = ("pulse", "device", "alsa")

# (which device: "mic"/"speaker", why) -- from the speaker's thread
FailureSink = Callable[[str, str], None]


def is_device_mic(spec: str) -> bool:
    scheme, _, rest = spec.partition(":")
    return spec in ("default", "microphone", "mic") or (scheme in DEVICE_MIC_SCHEMES and bool(rest))


class AudioEngine:
    def __init__(self, speaker: str = "null", *, noise_suppression: bool = True,
                 auto_gain: bool = False, on_failed: FailureSink | None = None) -> None:
        self.mixer = Mixer()
        self.noise_suppression = noise_suppression
        # Off by default: measured, the module's gain control raises what the echo
        # canceller leaves along with the near end (docs/architecture.md, Sound).
        self.auto_gain = auto_gain
        self.processor: AudioProcessor | None = None
        self.mic: DeviceMicSource | None = None
        self._on_failed = on_failed
        self._resamplers: dict[str, AudioResampler] = {}
        self.speaker = Speaker(self.mixer, speaker, lambda: self.processor,
                               on_failed=lambda spec, why: self._failed("speaker", why))

    def _failed(self, device: str, why: str) -> None:
        if self._on_failed is not None:
            self._on_failed(device, why)

    # ---------------------------------------------------------------- microphone
    def mic_source(self, spec: str) -> CaptureSource | None:
        """The (closed) microphone source a spec names; device mics go through the
        canceller, everything else is parsed as before (off, synthetic, file:)."""
        if not is_device_mic(spec):
            return parse_source(spec, "audio")
        if spec in ("microphone", "mic"):
            spec = "default"
        if spec.startswith("alsa:"):
            spec = "device:" + spec[5:]
        self.mic = DeviceMicSource(spec, self._processor_for_mic)
        return self.mic

    def _processor_for_mic(self) -> AudioProcessor | None:
        if self.processor is None:
            self.processor = AudioProcessor(noise_suppression=self.noise_suppression,
                                            auto_gain=self.auto_gain)
        if self.mic is not None:
            self.processor.set_delay_ms(int(1000 * (self.speaker.latency_s + self.mic.latency_s)))
        return self.processor

    def set_noise_suppression(self, on: bool) -> None:
        self.noise_suppression = on
        if self.processor is not None:
            self.processor.set_noise_suppression(on)

    # ---------------------------------------------------------------- speaker
    def start(self) -> None:
        self.speaker.start()

    def stop(self) -> None:
        self.speaker.stop()
        self.mixer.clear()
        self._resamplers.clear()

    def set_output(self, spec: str) -> None:
        self.speaker.set_device(spec)

    def play_test_sound(self) -> None:
        self.speaker.play_test_sound()

    # ---------------------------------------------------------------- feeds
    def push(self, feed: str, frame: AudioFrame) -> None:
        """One decoded frame of a received feed into the mix."""
        if frame.format.name == "s16" and frame.sample_rate == RATE:
            pcm = to_mono_s16(frame.to_ndarray(), len(frame.layout.channels))
        else:
            res = self._resamplers.get(feed)
            if res is None:
                res = self._resamplers[feed] = AudioResampler(format="s16", layout="mono",
                                                              rate=RATE)
            frame.pts = None
            parts = [f.to_ndarray().reshape(-1) for f in res.resample(frame)]
            pcm = np.concatenate(parts) if parts else np.zeros(0, np.int16)
        self.mixer.push(feed, pcm)

    def remove(self, feed: str) -> None:
        self.mixer.remove(feed)
        self._resamplers.pop(feed, None)

    def set_muted(self, feeds: set[str]) -> None:
        self.mixer.set_muted(feeds)

    def set_volume(self, feed: str, volume: float) -> None:
        self.mixer.set_volume(feed, volume)

    def levels(self) -> tuple[float | None, float | None]:
        """(played, captured after processing) since the last call, dBFS; None: nothing."""
        captured = self.mic.meter.take() if self.mic is not None and self.mic.is_open else None
        return self.speaker.meter.take(), captured
