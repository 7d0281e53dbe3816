"""The background-blur stage: one processor per camera, and a track that wraps any source.

Per frame (BGR uint8, any size):
  1. shrink once to a quarter (box filter); the model input (256x256 for the default
     general model) and the blurred background are both made from that quarter image;
  2. segment (or, when the CPU is short, reuse the previous frame's mask every other
     frame), smooth the mask in time at model resolution, tighten its soft edge;
  3. stackBlur the quarter image and scale it back up;
  4. copy the person over the background with cv2 (uint8, no float frames).

Fail closed: without a usable mask (model missing or corrupt, inference error, a
non-finite mask, a mask too old to reuse, a frame whose processing missed its
deadline in BlurTrack) the frame goes out blurred as a whole. While blur is on no
code path returns the camera's frame unprocessed.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
from aiortc.mediastreams import MediaStreamTrack
from av import VideoFrame

from .blur_model import ModelError
from .segmentation import Segmenter, load_segmenter

log = logging.getLogger(__name__)


class BlurMode(enum.StrEnum):
    OFF = "off"          # the camera picture as it is
    BLUR = "blur"        # person sharp, background blurred (the default for a camera)
    REPLACE = "replace"  # person over a plain colour or a bundled image
    FULL = "full"        # the whole picture blurred


# Blur kernel as a fraction of the frame height, applied at quarter scale: at 720p a
# 15 px stackBlur on the 320x180 image (about 60 px at full size, 2.5x the height of
# 24 px text). Measured with bench/blur.py --legibility on 24 px capitals at 720p:
# tesseract reads 8 of 10 words at k=3 and none from k=5 on, but by eye words are
# still readable at k=5 and guessable at k=9; at k=15 they are not.
DEFAULT_STRENGTH = 0.083
# The person probability is mapped linearly from EDGE_LO..EDGE_HI to alpha 0..255 and
# the composite cuts at alpha 128, i.e. at p = 0.65 rather than 0.5: the models spread
# their edge over a couple of model pixels outside the body, and give things right
# next to a person (a flag, a poster edge) middling values. bench/blur.py --edge and
# docs/architecture.md have the figures (background kept 0-6 px outside the outline
# 0.29 -> 0.20, a flag beside the person 3.6 % -> 0 %, person lost 0.7 % -> 1.9 %).
EDGE_LO, EDGE_HI = 0.5, 0.8
# Guided-filter refinement at quarter size (see BlurProcessor._refined): a 5x5 window
# and a small epsilon so that the mask follows edges of moderate contrast.
GUIDE_RADIUS, GUIDE_EPS = 2, 1e-3
# The stage's share of one core at 30 fps (15 % of the 33 ms frame interval; the call
# also encodes and decodes video on it). When a segmenting frame costs more, the
# processor segments every other frame; below 70 % of it, every frame again.
DEFAULT_BUDGET_MS = 5.0
# A carried-over mask is used only for the frame right after the one it was made for,
# and only if that frame came within this time (a stalled camera gets a fresh mask).
MAX_REUSE_GAP_S = 0.1
DEFAULT_COLOUR = (120, 110, 100)  # BGR: a quiet grey-blue for replace mode


@dataclass
class BlurStats:
    """What the stage did; the call engine reads a snapshot via BlurProcessor.stats."""

    mode: str = BlurMode.BLUR.value
    backend: str | None = None       # "litert" / "cv2", None when no model is loaded
    model_error: str | None = None   # why blur covers the whole frame, if it does
    frames: int = 0
    segmented: int = 0               # frames with a fresh mask
    reused: int = 0                  # frames composited with the previous frame's mask
    fail_closed: int = 0             # frames blurred whole for lack of a usable mask
    late: int = 0                    # frames BlurTrack sent blurred whole after a deadline
    cadence: int = 1                 # 1: segment every frame; 2: every other frame
    cost_ms: float = 0.0             # running average wall time of a segmenting frame
    last_error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class _MaskState:
    smooth: np.ndarray | None = None  # float32 at model size
    frame_no: int = -1
    when: float = 0.0
    shape: tuple[int, ...] = field(default_factory=tuple)
    reused: bool = False              # a mask is carried over at most once


def _odd(value: float) -> int:
    k = max(3, int(round(value)))
    return k if k % 2 else k + 1


def quarter(frame: np.ndarray) -> np.ndarray:
    """Box-filtered quarter-size copy. A bilinear halving is an exact 2x2 average, so two
    steps equal INTER_AREA's 4x4 average at a quarter of its cost (0.3 vs 1.1 ms at 720p)."""
    h, w = frame.shape[:2]
    half = cv2.resize(frame, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_LINEAR)
    return cv2.resize(half, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)


def blur_quarter(small: np.ndarray, size: tuple[int, int], strength: float) -> np.ndarray:
    """Blur a quarter-size image and scale it to `size` (w, h)."""
    k = _odd(strength * size[1] / 4)
    blurred = cv2.stackBlur(small, (k, k))
    return cv2.resize(blurred, size, interpolation=cv2.INTER_LINEAR)


def full_blur(frame: np.ndarray, strength: float = DEFAULT_STRENGTH) -> np.ndarray:
    """The whole frame blurred; pure, so any thread may call it as the fail-safe."""
    h, w = frame.shape[:2]
    return blur_quarter(quarter(frame), (w, h), strength)


def composite(person: np.ndarray, background: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Person pixels (alpha >= 128) copied over `background`, which is modified and returned.

    A hard cut of a bilinearly upscaled soft mask: the outline is smooth to a pixel,
    and it costs two memory passes instead of the ~10 of a uint8 alpha blend (4 ms at
    720p on this machine, nearly all of the budget).
    """
    _, inside = cv2.threshold(alpha, 127, 255, cv2.THRESH_BINARY)
    cv2.copyTo(person, inside, background)
    return background


class BlurProcessor:
    """Turns camera frames (BGR uint8) into what the other participants may see.

    Not thread-safe: one caller at a time (BlurTrack makes sure of that). `mode` may be
    changed between frames. A missing or corrupt model is reported in `stats.model_error`
    and every frame in blur/replace mode is then blurred whole.
    """

    def __init__(self, mode: BlurMode | str = BlurMode.BLUR, model_path: Path | str | None = None,
                 *, backend: str = "litert", strength: float = DEFAULT_STRENGTH,
                 replace_colour: tuple[int, int, int] = DEFAULT_COLOUR,
                 replace_image: np.ndarray | Path | str | None = None,
                 segmenter: Segmenter | None = None, budget_ms: float = DEFAULT_BUDGET_MS,
                 cadence: int | None = None, edge: tuple[float, float] = (EDGE_LO, EDGE_HI),
                 smoothing: bool = True, refine: bool = True,
                 clock=time.perf_counter) -> None:
        self._mode = BlurMode(mode)
        self.strength = strength
        self.replace_colour = replace_colour
        self.budget_ms = budget_ms
        self.edge = edge
        self.smoothing = smoothing
        self.refine = refine
        self._fixed_cadence = cadence
        self._clock = clock
        self._lock = threading.Lock()
        self._stats = BlurStats(mode=self._mode.value, cadence=cadence or 1)
        self._state = _MaskState()
        self._frame_no = 0
        self._last_alpha: np.ndarray | None = None
        self._replace_src = self._load_image(replace_image)
        self._replace_cache: np.ndarray | None = None
        self._segmenter: Segmenter | None = segmenter
        if segmenter is None:
            try:
                self._segmenter = load_segmenter(model_path, backend)
            except ModelError as exc:
                log.error("%s", exc)
                self._stats.model_error = str(exc)
        if self._segmenter is not None:
            self._stats.backend = self._segmenter.backend

    # -- public ---------------------------------------------------------------------

    @property
    def mode(self) -> BlurMode:
        return self._mode

    @mode.setter
    def mode(self, value: BlurMode | str) -> None:
        self._mode = BlurMode(value)
        with self._lock:
            self._stats.mode = self._mode.value

    @property
    def model_ok(self) -> bool:
        return self._segmenter is not None

    @property
    def last_alpha(self) -> np.ndarray | None:
        """The person mask (uint8, quarter frame size) used for the last masked frame."""
        return self._last_alpha

    @property
    def stats(self) -> BlurStats:
        """A copy, safe to read from another thread."""
        with self._lock:
            return BlurStats(**asdict(self._stats))

    def process(self, frame: np.ndarray) -> np.ndarray:
        """The frame as others may see it (a new array unless mode is off)."""
        mode = self._mode
        self._frame_no += 1  # every frame counts, so a mask never skips over other modes
        if mode is BlurMode.OFF:
            return frame
        with self._lock:
            self._stats.frames += 1
        if mode is BlurMode.FULL:
            return full_blur(frame, self.strength)
        try:
            return self._masked(frame, mode)
        except Exception as exc:  # whatever broke, the frame must not leave unblurred
            log.warning("blur stage failed, frame blurred whole: %s", exc)
            self._state = _MaskState()
            return self.fail_closed(frame, f"blur stage failed: {exc!r}")

    def forget_mask(self) -> None:
        """Drop the carried-over mask, so the next frame is segmented afresh (BlurTrack
        calls this after frames were skipped). Not while `process` runs."""
        self._state = _MaskState()

    def fail_closed(self, frame: np.ndarray, why: str, *, late: bool = False) -> np.ndarray:
        """Blur the frame whole and record why (also used by BlurTrack on a deadline)."""
        with self._lock:
            if late:
                self._stats.late += 1
            else:
                self._stats.fail_closed += 1
            self._stats.last_error = why
        return full_blur(frame, self.strength)

    # -- internals ------------------------------------------------------------------

    @staticmethod
    def _load_image(image: np.ndarray | Path | str | None) -> np.ndarray | None:
        if image is None or isinstance(image, np.ndarray):
            return image
        loaded = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if loaded is None:
            raise ValueError(f"replacement background {image} cannot be read")
        return loaded

    def _replacement(self, shape: tuple[int, ...]) -> np.ndarray:
        cached = self._replace_cache
        if cached is None or cached.shape != shape:
            h, w = shape[:2]
            if self._replace_src is not None:
                cached = cv2.resize(self._replace_src, (w, h), interpolation=cv2.INTER_AREA)
            else:
                cached = np.empty(shape, np.uint8)
                cached[:] = self.replace_colour
            self._replace_cache = cached
        return cached

    def _masked(self, frame: np.ndarray, mode: BlurMode) -> np.ndarray:
        if self._segmenter is None:
            return self.fail_closed(frame, self._stats.model_error or "no segmentation model")
        h, w = frame.shape[:2]
        start = self._clock()
        small = quarter(frame)
        self._last_alpha = None
        prob, fresh = self._mask(small, frame.shape, start)
        mask = self._alpha(self._refined(small, prob))
        self._last_alpha = mask
        alpha = cv2.resize(mask, (w, h), interpolation=cv2.INTER_LINEAR)
        if mode is BlurMode.REPLACE:
            background = self._replacement(frame.shape).copy()
        else:
            background = blur_quarter(small, (w, h), self.strength)
        out = composite(frame, background, alpha)
        if fresh:
            self._adapt((self._clock() - start) * 1000)
        return out

    def _mask(self, small: np.ndarray, shape: tuple[int, ...], now: float) -> tuple[np.ndarray, bool]:
        """Person probability at model size, and whether it came from a fresh inference."""
        seg = self._segmenter
        assert seg is not None
        st = self._state
        cadence = self._fixed_cadence or self._stats.cadence
        reusable = (st.smooth is not None and st.shape == shape
                    and st.frame_no == self._frame_no - 1 and now - st.when <= MAX_REUSE_GAP_S
                    and cadence > 1 and not st.reused)
        if reusable:
            assert st.smooth is not None
            st.reused = True
            st.frame_no = self._frame_no
            st.when = now
            with self._lock:
                self._stats.reused += 1
            return st.smooth, False
        rgb = cv2.cvtColor(cv2.resize(small, (seg.width, seg.height), interpolation=cv2.INTER_AREA),
                           cv2.COLOR_BGR2RGB)
        raw = seg.infer(rgb)
        if raw.shape != (seg.height, seg.width) or not np.isfinite(raw).all():
            raise ValueError("segmenter returned an unusable mask")
        recent = st.shape == shape and now - st.when <= MAX_REUSE_GAP_S
        prev = st.smooth if self.smoothing and recent else None
        smooth = self._smooth(prev, raw)
        self._state = _MaskState(smooth=smooth, frame_no=self._frame_no, when=now, shape=shape)
        with self._lock:
            self._stats.segmented += 1
        return smooth, True

    @staticmethod
    def _smooth(prev: np.ndarray | None, raw: np.ndarray) -> np.ndarray:
        """Average with the previous mask where the two agree (kills edge flicker), but
        follow the new mask where they differ a lot (motion must not lag)."""
        if prev is None:
            return raw.astype(np.float32, copy=True)
        weight = np.clip(np.abs(raw - prev) * 2 + 0.5, 0.5, 1.0)
        return prev + (raw - prev) * weight

    def _refined(self, small: np.ndarray, prob: np.ndarray) -> np.ndarray:
        """The probability at quarter size, snapped to the edges of this very frame by a
        guided filter (He et al.) with the grey quarter image as guide. The model's
        outline is only ~5 px exact at 720p; this halves the background kept in the first
        6 px outside the person, for 0.3-0.5 ms. On a frame that carries the previous
        mask over, it also pulls that mask towards where the edges are now."""
        qh, qw = small.shape[:2]
        p = cv2.resize(prob, (qw, qh), interpolation=cv2.INTER_LINEAR)
        if not self.refine or min(qh, qw) < 2 * GUIDE_RADIUS + 1:
            return p
        # cv2 arithmetic rather than numpy: ~25 % faster on these small float images.
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
        grey *= np.float32(1 / 255)
        box = (2 * GUIDE_RADIUS + 1, 2 * GUIDE_RADIUS + 1)
        m_i, m_p = cv2.blur(grey, box), cv2.blur(p, box)
        cov = cv2.subtract(cv2.blur(cv2.multiply(grey, p), box), cv2.multiply(m_i, m_p))
        var = cv2.subtract(cv2.blur(cv2.multiply(grey, grey), box), cv2.multiply(m_i, m_i))
        a = cv2.divide(cov, np.add(var, GUIDE_EPS, dtype=np.float32))
        b = cv2.subtract(m_p, cv2.multiply(a, m_i))
        return cv2.add(cv2.multiply(cv2.blur(a, box), grey), cv2.blur(b, box))

    def _alpha(self, smooth: np.ndarray) -> np.ndarray:
        lo, hi = self.edge
        ramp = (smooth - lo) * (255 / (hi - lo))
        return np.clip(ramp, 0, 255).astype(np.uint8)

    def _adapt(self, cost_ms: float) -> None:
        with self._lock:
            st = self._stats
            st.cost_ms = cost_ms if st.segmented <= 1 else st.cost_ms * 0.9 + cost_ms * 0.1
            if self._fixed_cadence is not None or st.segmented < 5:
                return
            if st.cadence == 1 and st.cost_ms > self.budget_ms:
                st.cadence = 2
            elif st.cadence == 2 and st.cost_ms < self.budget_ms * 0.7:
                st.cadence = 1


def to_video_frame(img: np.ndarray) -> VideoFrame:
    """A BGR image as a yuv420p frame (what the VP8/H.264 encoders want). OpenCV's
    conversion takes 0.5 ms at 720p; leaving it to the encoder's reformat takes 3.5 ms."""
    h, w = img.shape[:2]
    if h % 2 or w % 2:
        return VideoFrame.from_ndarray(img, format="bgr24")
    yuv: np.ndarray = cv2.cvtColor(img, cv2.COLOR_BGR2YUV_I420)
    return VideoFrame.from_ndarray(yuv.astype(np.uint8, copy=False), format="yuv420p")


class BlurTrack(MediaStreamTrack):
    """Wraps a video track; every frame it yields went through `processor`.

    Processing runs in a worker thread so the event loop keeps moving. A frame whose
    processing misses `deadline_s`, and every frame that arrives while that work is
    still running, goes out blurred whole. If even that fails the frame goes out black.
    The local preview must show this track's frames, never the source's.
    """

    kind = "video"

    def __init__(self, source: MediaStreamTrack, processor: BlurProcessor,
                 deadline_s: float = 0.1) -> None:
        super().__init__()
        self.source = source
        self.processor = processor
        self.deadline_s = deadline_s
        self._busy: asyncio.Future[np.ndarray] | None = None
        self._stale = False  # frames went out blurred whole: the last mask is too old

    @property
    def stats(self) -> BlurStats:
        return self.processor.stats

    async def recv(self) -> VideoFrame:
        frame = await self.source.recv()
        if not isinstance(frame, VideoFrame):
            raise TypeError(f"BlurTrack needs a video source, got {type(frame).__name__}")
        if self.processor.mode is BlurMode.OFF:
            return frame
        try:
            img = frame.to_ndarray(format="bgr24")
        except Exception:
            log.exception("camera frame cannot be converted; sending black")
            return self._wrap(np.zeros((frame.height, frame.width, 3), np.uint8), frame)
        out = await self._process(img)
        return self._wrap(out, frame)

    async def _process(self, img: np.ndarray) -> np.ndarray:
        proc = self.processor
        try:
            if self._busy is not None and not self._busy.done():
                self._stale = True
                return proc.fail_closed(img, "previous frame still processing", late=True)
            if self._stale:  # the worker is idle now, so this cannot race with it
                proc.forget_mask()
                self._stale = False
            loop = asyncio.get_running_loop()
            self._busy = loop.run_in_executor(None, proc.process, img)
            try:
                return await asyncio.wait_for(asyncio.shield(self._busy), self.deadline_s)
            except TimeoutError:
                self._stale = True
                return proc.fail_closed(img, f"mask later than {self.deadline_s * 1000:.0f} ms",
                                        late=True)
        except Exception as exc:
            log.exception("blur stage failed")
            try:
                return proc.fail_closed(img, f"blur stage failed: {exc!r}")
            except Exception:
                return np.zeros_like(img)  # not even a blur: show nothing

    @staticmethod
    def _wrap(img: np.ndarray, like: VideoFrame) -> VideoFrame:
        out = to_video_frame(img)
        out.pts = like.pts
        out.time_base = like.time_base
        return out

    def stop(self) -> None:
        super().stop()
        self.source.stop()
