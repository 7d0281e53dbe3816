"""Finalise a recording: Janus's .mjr files -> WebM (VP8/VP9 + Opus) with janus-pp-rec.

Janus writes one .mjr per recorded stream, named `<feed>-<audio|video>-<mindex>.mjr`.
janus-pp-rec turns each into a single-stream file; then, per feed, the first video
and the first audio are muxed into one `<feed>.webm` with PyAV (no re-encoding),
the later-starting stream shifted by the gap between the streams' first packets
(from the .mjr headers), so sound and picture stay in step. Further video streams
of a feed (a screen share in the same publisher) become `<feed>-video-<mindex>.webm`;
a feed with audio only becomes `<feed>.opus`.

Everything here is blocking or a subprocess: `finalise` runs the converter as an
asyncio subprocess and the muxing in a worker thread, so the service's event loop
keeps serving the lesson.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from .store import lock_down

log = logging.getLogger(__name__)
_MJR = re.compile(r"^(?P<feed>[a-z0-9-]+)-(?P<kind>audio|video)-(?P<mindex>[0-9]+)\.mjr$")
_SUFFIX = {"vp8": ".webm", "vp9": ".webm", "opus": ".opus"}
CONVERT_TIMEOUT_S = 600.0


class ConversionError(RuntimeError):
    """janus-pp-rec is missing or failed, or a stream has a codec WebM cannot hold."""


class NoMedia(ConversionError):
    """Janus wrote nothing (the recorded participant never sent media)."""


class EmptyStream(ConversionError):
    """A .mjr with no header: Janus opened it for an m-line that never sent a packet
    (a microphone left off, a screen m-line without a share)."""


@dataclass(frozen=True)
class RawStream:
    path: Path
    feed: str
    kind: str          # "audio" | "video"
    mindex: int
    codec: str
    first_us: int      # wall clock (µs) of the first packet Janus wrote


@dataclass(frozen=True)
class Finalised:
    files: list[str]         # names inside the recording folder
    duration_s: float        # the longest output


def _pp_rec() -> str:
    binary = shutil.which("janus-pp-rec")
    if binary is None:
        raise ConversionError("janus-pp-rec is missing; install the Debian package janus-tools")
    return binary


async def _run(*args: str) -> bytes:
    proc = await asyncio.create_subprocess_exec(
        *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), CONVERT_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise ConversionError(f"{Path(args[-1]).name}: janus-pp-rec timed out") from None
    if proc.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise ConversionError(f"janus-pp-rec failed ({proc.returncode}): {tail[0]}")
    return out


async def read_header(path: Path) -> dict[str, Any]:
    """The JSON header of a .mjr (codec, kind, first-packet time)."""
    out = await _run(_pp_rec(), "-j", "-d", "0", str(path))
    for line in out.decode(errors="replace").splitlines():
        line = line.strip()
        if line.startswith("{"):
            header: dict[str, Any] = json.loads(line)
            return header
    raise EmptyStream(f"{path.name}: no header (no packet was written)")


async def raw_streams(folder: Path) -> list[RawStream]:
    streams = []
    for path in sorted(folder.glob("*.mjr")):
        m = _MJR.match(path.name)
        if m is None:
            log.warning("ignoring an unexpected file in a recording folder")
            continue
        if path.stat().st_size == 0:
            continue
        try:
            header = await read_header(path)
        except EmptyStream:
            continue   # an m-line that sent nothing; removed with the others
        streams.append(RawStream(path, m["feed"], m["kind"], int(m["mindex"]),
                                 str(header.get("c", "")), int(header.get("u") or header.get("s") or 0)))
    return streams


def _shifted(container: Any, stream: Any, out_stream: Any, delay_s: float
             ) -> Iterator[tuple[float, int, Any]]:
    shift = round(delay_s / stream.time_base)
    # Video before the first keyframe cannot be decoded (Janus asks for one when
    # recording starts, but packets already on their way are written too).
    keyed = stream.type != "video"
    for n, pkt in enumerate(container.demux(stream)):
        if pkt.dts is None:  # the demuxer's final empty packet
            continue
        keyed = keyed or pkt.is_keyframe
        if not keyed:
            continue
        pkt.pts += shift
        pkt.dts += shift
        pkt.stream = out_stream
        yield float(pkt.dts * stream.time_base), n, pkt


def mux(inputs: list[tuple[Path, float]], out: Path) -> None:
    """Mux single-stream files into one WebM; each input starts `delay_s` late."""
    tmp = out.with_name("." + out.name + ".part")
    with contextlib.ExitStack() as stack:
        output = stack.enter_context(av.open(str(tmp), "w", format="webm"))
        feeds = []
        for path, delay in inputs:
            container = stack.enter_context(av.open(str(path)))
            stream = container.streams[0]
            feeds.append(_shifted(container, stream, output.add_stream_from_template(stream), delay))
        for _, _, pkt in heapq.merge(*feeds, key=lambda t: (t[0], t[1])):
            output.mux(pkt)
    os.replace(tmp, out)


def duration_s(path: Path) -> float:
    """Length of a media file from its last packet (container durations can be absent)."""
    end = 0.0
    with av.open(str(path)) as container:
        for pkt in container.demux():
            if pkt.pts is not None and pkt.time_base is not None:
                end = max(end, float((pkt.pts + (pkt.duration or 0)) * pkt.time_base))
    return end


async def finalise(folder: Path) -> Finalised:
    """Convert every .mjr of a recording folder; remove them once converted.

    On error the .mjr files stay (IT can retry with janus-pp-rec by hand) and
    ConversionError says why; retention deletes them like any recording.
    """
    streams = await raw_streams(folder)
    if not streams:
        raise NoMedia("Janus wrote no media for this recording")
    binary = _pp_rec()
    single: dict[RawStream, Path] = {}
    for s in streams:
        suffix = _SUFFIX.get(s.codec)
        if suffix is None:
            raise ConversionError(f"codec {s.codec!r} cannot go into WebM/Opus")
        target = folder / f".{s.path.stem}{suffix}"
        await _run(binary, "-d", "0", str(s.path), str(target))
        single[s] = target

    produced: list[Path] = []
    for feed in sorted({s.feed for s in streams}):
        mine = sorted((s for s in streams if s.feed == feed), key=lambda s: s.mindex)
        videos = [s for s in mine if s.kind == "video"]
        audios = [s for s in mine if s.kind == "audio"]
        main = videos[:1] + audios[:1]
        t0 = min(s.first_us for s in main)
        target = folder / (f"{feed}.webm" if videos else f"{feed}.opus")
        if videos:
            await asyncio.to_thread(mux, [(single[s], (s.first_us - t0) / 1e6) for s in main], target)
        else:
            os.replace(single[audios[0]], target)
        produced.append(target)
        for extra in videos[1:] + audios[1:]:
            name = f"{feed}-{extra.kind}-{extra.mindex}{_SUFFIX[extra.codec]}"
            os.replace(single[extra], folder / name)
            produced.append(folder / name)
    longest = max([await asyncio.to_thread(duration_s, f) for f in produced] or [0.0])
    for s in streams:
        s.path.unlink(missing_ok=True)
        single[s].unlink(missing_ok=True)
    for path in folder.glob("*.mjr"):   # the empty ones left
        if _MJR.match(path.name):
            path.unlink(missing_ok=True)
    lock_down(folder)
    return Finalised(files=sorted(f.name for f in produced), duration_s=round(longest, 2))
