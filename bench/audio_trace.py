"""A headless participant that notes when each sound burst passes each audio stage.

    python bench/audio_trace.py TRACE_FILE join LINK --headless ...   (the `klasse` CLI)

Used by bench/audio_latency.py --stages: the same `klasse join --headless` process,
with the audio stages wrapped to write one line per burst onset to TRACE_FILE
(`stage monotonic_time`). CLOCK_MONOTONIC is shared by every process on the machine,
so the bench lines the stages of both participants up with its own recordings of the
mouth and the ear. A stage's time is when the block holding the onset passed it.

Sending side: `mic_cb` (PortAudio's callback got the block; `pa_in` is PortAudio's
own estimate of how long ago that block was captured), `mic_out` (after the audio
processing module), `enc_in`/`enc_out` (Opus encoder, in aiortc's executor thread).
Receiving side: `rtp_in` (the RTP packet arrived), `decoded` (the receive path
released it to the track), `mixer_in` (pushed into the mix), `speaker` (the speaker
thread took the block from the mix and writes it to PortAudio). Nothing here changes
what the stages do.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LOUD = 10 ** (-40 / 20) * 32768     # a burst is louder than -40 dBFS
QUIET_S = 0.3                       # ...after this much quiet at the same stage


class Trace:
    def __init__(self, path: str) -> None:
        self._file = open(path, "a", buffering=1)   # open until the process exits
        self._last_loud: dict[str, float] = {}
        self._lock = threading.Lock()

    def note(self, stage: str, pcm: Any, now: float | None = None, extra: str = "") -> bool:
        """Note `stage` if `pcm` starts a burst; True if it did."""
        now = time.monotonic() if now is None else now
        x = np.asarray(pcm).reshape(-1)
        if x.size == 0 or float(np.max(np.abs(x.astype(np.int32)))) < LOUD:
            return False
        with self._lock:
            last = self._last_loud.get(stage, -1e9)
            self._last_loud[stage] = now
            if now - last < QUIET_S:
                return False
            self._file.write(f"{stage} {now:.6f} {extra}\n")
        return True

    def mark(self, stage: str, now: float, extra: str = "") -> None:
        with self._lock:
            self._file.write(f"{stage} {now:.6f} {extra}\n")


def install(trace: Trace) -> None:
    from aiortc.codecs import opus

    from klasse.media import audio_mixer, microphone, rtp_receive, speaker

    captured = microphone.DeviceMicSource._captured

    def _captured(self: Any, data: np.ndarray, frames: int, t: Any, status: Any) -> None:
        now = time.monotonic()
        pa = getattr(t, "currentTime", 0.0) - getattr(t, "inputBufferAdcTime", 0.0)
        trace.note("mic_cb", data, now, f"pa_in={pa * 1000:.1f}ms")
        meter_add = self.meter.add

        def add(block: np.ndarray) -> None:
            trace.note("mic_out", block)
            meter_add(block)
        self.meter.add = add
        try:
            captured(self, data, frames, t, status)
        finally:
            del self.meter.add

    microphone.DeviceMicSource._captured = _captured  # type: ignore[method-assign]

    encode = opus.OpusEncoder.encode

    def _encode(self: Any, frame: Any, force_keyframe: bool = False) -> Any:
        pcm = frame.to_ndarray()
        loud = trace.note("enc_in", pcm)
        out = encode(self, frame, force_keyframe)
        if loud:
            trace.mark("enc_out", time.monotonic())
        return out

    opus.OpusEncoder.encode = _encode  # type: ignore[method-assign]

    arrivals: dict[int, float] = {}
    add = rtp_receive.AudioReceiveCore.add

    def _add(self: Any, timestamp: int, payload: bytes, now: float) -> None:
        arrivals[timestamp] = time.monotonic()
        if len(arrivals) > 500:
            for k in list(arrivals)[:250]:
                del arrivals[k]
        add(self, timestamp, payload, now)
        if self.stats.packets % 50 == 0:
            st = self.stats
            trace.mark("core", time.monotonic(),
                       f"stretch={self._stretch} stretched={st.stretched} skipped={st.skipped} "
                       f"concealed={st.concealed} late={st.late}")

    rtp_receive.AudioReceiveCore.add = _add  # type: ignore[method-assign]

    decode = rtp_receive.ResilientReceive._decode_audio

    def _decode(self: Any, out: Any) -> Any:
        pcm = decode(self, out)
        if pcm is not None:
            now = time.monotonic()
            ts = out.timestamp & 0xFFFFFFFF
            if trace.note("decoded", pcm, now, f"kind={out.kind}"):
                trace.mark("rtp_in", arrivals.get(ts, now))
        return pcm

    rtp_receive.ResilientReceive._decode_audio = _decode  # type: ignore[method-assign]

    push = audio_mixer.Mixer.push

    def _push(self: Any, feed: str, pcm: np.ndarray) -> None:
        trace.note("mixer_in", pcm)
        push(self, feed, pcm)

    audio_mixer.Mixer.push = _push  # type: ignore[method-assign]

    next_block = speaker.Speaker._next_block

    def _next(self: Any) -> np.ndarray:
        block = next_block(self)
        trace.note("speaker", block, extra=f"buffer={self.buffer_s * 1000:.0f}ms")
        return block

    speaker.Speaker._next_block = _next  # type: ignore[method-assign]


def tune(settings: str) -> None:
    """Experiments: KLASSE_TRACE_SET="audio_mixer.PREFETCH_MS=20;rtp_receive.AudioReceiveCore:
    target_delay_s=0.02" sets module constants or keyword defaults before the call starts."""
    import importlib

    for item in filter(None, (x.strip() for x in settings.split(";"))):
        name, value = item.split("=", 1)
        target, _, kw = name.partition(":")
        mod_name, _, attr = target.partition(".")
        mod = importlib.import_module(f"klasse.media.{mod_name}")
        if kw:
            init = getattr(mod, attr).__init__
            init.__kwdefaults__ = {**init.__kwdefaults__, kw: float(value)}
        else:
            setattr(mod, attr, type(getattr(mod, attr))(float(value)))


def main() -> int:
    import os

    trace = Trace(sys.argv[1])
    install(trace)
    tune(os.environ.get("KLASSE_TRACE_SET", ""))
    from klasse.app.cli import main as cli_main

    return cli_main(sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
