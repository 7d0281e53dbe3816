"""What a recorded media file holds, read back with PyAV (for recording tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np


def stream_facts(path: Path) -> dict[str, dict[str, Any]]:
    """Per stream kind: codec, duration from packet times; video frame size; audio pitch."""
    facts: dict[str, dict[str, Any]] = {}
    with av.open(str(path)) as c:
        for s in c.streams:
            facts[s.type] = {"codec": s.codec_context.name}
        starts: dict[str, float] = {}
        ends: dict[str, float] = {}
        for pkt in c.demux():
            if pkt.pts is None:
                continue
            t = float(pkt.pts * pkt.time_base)
            kind = pkt.stream.type
            starts[kind] = min(starts.get(kind, t), t)
            ends[kind] = max(ends.get(kind, t), t)
        for kind in facts:
            facts[kind]["duration"] = ends[kind] - starts[kind]
    if "video" in facts:
        with av.open(str(path)) as c:
            frame = next(c.decode(video=0))
            facts["video"]["width"], facts["video"]["height"] = frame.width, frame.height
    if "audio" in facts:
        with av.open(str(path)) as c:
            rate = c.streams.audio[0].codec_context.sample_rate
            pcm = np.concatenate([f.to_ndarray().reshape(-1, f.samples)[0]
                                  for f in c.decode(audio=0)])
        tail = pcm[len(pcm) // 4:].astype(np.float64)  # skip the codec's warm-up
        spectrum = np.abs(np.fft.rfft(tail * np.hanning(len(tail))))
        facts["audio"]["pitch"] = float(np.fft.rfftfreq(len(tail), 1 / rate)[int(np.argmax(spectrum))])
    return facts
