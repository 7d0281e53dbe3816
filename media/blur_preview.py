"""`klasse blur-preview INPUT OUTPUT --mode MODE`: show what others would see of a room.

Runs an image or a video through the same BlurProcessor a call uses (same model,
strength, mask refinement, adaptive cadence, fail-closed rules) and writes the result.
Images go through OpenCV; anything else is treated as a video and goes through PyAV.
Exit status: 0 done; 1 the input cannot be read or the output written; 3 the model is
missing or corrupt (the output is still written, blurred whole, as a call would send it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import av
import cv2
import numpy as np

from .blur import BlurMode, BlurProcessor

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"}
VIDEO_CODECS = {".mp4": "libx264", ".mkv": "libx264", ".mov": "libx264",
                ".webm": "libvpx", ".avi": "mpeg4"}
EXIT_OK, EXIT_IO, EXIT_MODEL = 0, 1, 3


def _image(processor: BlurProcessor, src: Path, dst: Path) -> None:
    img = cv2.imread(str(src), cv2.IMREAD_COLOR)
    if img is None:
        raise OSError(f"cannot read image {src}")
    if not cv2.imwrite(str(dst), processor.process(img)):
        raise OSError(f"cannot write image {dst}")


def _video(processor: BlurProcessor, src: Path, dst: Path) -> int:
    codec = VIDEO_CODECS.get(dst.suffix.lower())
    if codec is None:
        raise OSError(f"unsupported output type {dst.suffix!r}; use one of "
                      + ", ".join(sorted(VIDEO_CODECS)))
    frames = 0
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        if not inp.streams.video:
            raise OSError(f"{src} has no video stream")
        stream_in = inp.streams.video[0]
        rate = stream_in.average_rate or 30
        stream_out: av.VideoStream = out.add_stream(codec, rate=rate)  # type: ignore[assignment]
        stream_out.width = stream_in.codec_context.width // 2 * 2
        stream_out.height = stream_in.codec_context.height // 2 * 2
        stream_out.pix_fmt = "yuv420p"
        for frame in inp.decode(stream_in):
            img = np.asarray(frame.to_ndarray(format="bgr24"))[:stream_out.height, :stream_out.width]
            result = av.VideoFrame.from_ndarray(np.ascontiguousarray(processor.process(img)),
                                                format="bgr24")
            out.mux(stream_out.encode(result))
            frames += 1
        out.mux(stream_out.encode(None))
    if frames == 0:
        raise OSError(f"{src} has no decodable video frames")
    return frames


def run(input: str, output: str, mode: str = "blur") -> int:
    src, dst = Path(input), Path(output)
    processor = BlurProcessor(BlurMode(mode))
    needs_model = processor.mode in (BlurMode.BLUR, BlurMode.REPLACE)
    if needs_model and processor.stats.model_error:
        print(f"klasse blur-preview: {processor.stats.model_error}", file=sys.stderr)
    try:
        if src.suffix.lower() in IMAGE_SUFFIXES:
            _image(processor, src, dst)
        else:
            _video(processor, src, dst)
    except (OSError, av.error.FFmpegError, cv2.error) as exc:
        print(f"klasse blur-preview: {exc}", file=sys.stderr)
        dst.unlink(missing_ok=True)
        return EXIT_IO
    stats = processor.stats
    print(f"wrote {dst}: mode {stats.mode}, {stats.frames} frame(s), segmented {stats.segmented}, "
          f"reused {stats.reused}, blurred whole {stats.fail_closed}")
    return EXIT_MODEL if needs_model and stats.model_error else EXIT_OK
