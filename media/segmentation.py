"""Person segmentation: the selfie-segmentation model on one CPU thread.

Two runtimes can run the models. Measured on this machine (one thread, model call
only, median): landscape 256x144 model ai-edge-litert 1.9 ms, OpenCV 4.14
cv2.dnn.readNetFromTFLite 4.8 ms; general 256x256 model ai-edge-litert 3.7 ms. LiteRT is the default; cv2.dnn is kept as the
fallback for platforms without an ai-edge-litert wheel (OpenCV is there anyway).

`Segmenter.infer` takes an RGB uint8 image already at the model's input size and
returns a float32 person probability in [0, 1] of the same size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from .blur_model import DEFAULT, ModelError, ModelSpec, load_verified, model_path, spec_for

BACKENDS = ("litert", "cv2")


class Segmenter(Protocol):
    width: int
    height: int
    backend: str

    def infer(self, rgb: np.ndarray) -> np.ndarray: ...


class LiteRTSegmenter:
    backend = "litert"

    def __init__(self, model: bytes, spec: ModelSpec) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.width, self.height = spec.width, spec.height
        try:
            self._interp = Interpreter(model_content=model, num_threads=1)
            self._interp.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"segmentation model cannot be loaded: {exc}") from exc
        self._in = self._interp.get_input_details()[0]["index"]
        self._out = self._interp.get_output_details()[0]["index"]
        self._buf = np.empty((1, self.height, self.width, 3), np.float32)

    def infer(self, rgb: np.ndarray) -> np.ndarray:
        # The model expects RGB scaled to [0, 1].
        np.multiply(rgb, np.float32(1 / 255), out=self._buf[0], casting="unsafe")
        self._interp.set_tensor(self._in, self._buf)
        self._interp.invoke()
        return self._interp.get_tensor(self._out)[0, :, :, 0]


class CvDnnSegmenter:
    backend = "cv2"

    def __init__(self, model: bytes, spec: ModelSpec) -> None:
        self.width, self.height = spec.width, spec.height
        try:
            self._net = cv2.dnn.readNetFromTFLite(np.frombuffer(model, np.uint8))
        except cv2.error as exc:
            raise ModelError(f"segmentation model cannot be loaded: {exc}") from exc

    def infer(self, rgb: np.ndarray) -> np.ndarray:
        self._net.setInput(cv2.dnn.blobFromImage(rgb, 1 / 255))
        out = self._net.forward()
        return np.ascontiguousarray(out.reshape(self.height, self.width), np.float32)


def load_segmenter(path: Path | str | None = None, backend: str = "litert") -> Segmenter:
    """Load and verify the model; ModelError (missing, corrupt, unloadable) otherwise."""
    cv2.setNumThreads(1)  # the whole blur stage has one core
    path = Path(path) if path is not None else model_path(DEFAULT)
    spec = spec_for(path)
    data = load_verified(path, spec)
    if backend == "litert":
        try:
            return LiteRTSegmenter(data, spec)
        except ImportError:
            backend = "cv2"
    if backend == "cv2":
        return CvDnnSegmenter(data, spec)
    raise ValueError(f"unknown segmentation backend {backend!r}; use one of {BACKENDS}")
