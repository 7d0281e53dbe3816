"""An Opus decoder with packet-loss concealment and in-band FEC (libopus via ctypes).

PyAV decodes Opus but cannot ask libopus to conceal a missing packet (an empty
packet means "end of stream" to FFmpeg) or to decode the forward error correction
data carried in the next packet. libopus itself does both through `opus_decode`:
a NULL packet conceals, `decode_fec=1` recovers the previous frame. Debian ships it
as libopus0 (Makefile APT_PACKAGES); the Windows/macOS builds bundle it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

import numpy as np

MAX_FRAME_SAMPLES = 5760   # 120 ms at 48 kHz, the longest Opus frame


class OpusError(Exception):
    """libopus refused a packet or could not be loaded."""


@cache
def _lib() -> ctypes.CDLL:
    name = ctypes.util.find_library("opus") or "libopus.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise OpusError(f"libopus not found ({name}): {exc}") from exc
    lib.opus_decoder_create.restype = ctypes.c_void_p
    lib.opus_decoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.opus_decoder_destroy.restype = None
    lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
    lib.opus_decode.restype = ctypes.c_int
    lib.opus_decode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32,
                                ctypes.POINTER(ctypes.c_int16), ctypes.c_int, ctypes.c_int]
    lib.opus_strerror.restype = ctypes.c_char_p
    lib.opus_strerror.argtypes = [ctypes.c_int]
    return lib


class OpusDecoder:
    """Decodes to interleaved int16 (shape: samples * channels)."""

    def __init__(self, sample_rate: int = 48000, channels: int = 2) -> None:
        lib = _lib()
        err = ctypes.c_int(0)
        handle = lib.opus_decoder_create(sample_rate, channels, ctypes.byref(err))
        if err.value != 0 or not handle:
            raise OpusError(f"opus_decoder_create: {lib.opus_strerror(err.value).decode()}")
        self._lib, self._handle, self.channels = lib, handle, channels
        self._pcm = (ctypes.c_int16 * (MAX_FRAME_SAMPLES * channels))()

    def _run(self, data: bytes | None, samples: int, fec: bool) -> np.ndarray:
        if self._handle is None:
            raise OpusError("decoder closed")
        n = self._lib.opus_decode(self._handle, data, len(data) if data else 0, self._pcm,
                                  min(samples, MAX_FRAME_SAMPLES), int(fec))
        if n < 0:
            raise OpusError(f"opus_decode: {self._lib.opus_strerror(n).decode()}")
        return np.ctypeslib.as_array(self._pcm)[: n * self.channels].copy()

    def decode(self, packet: bytes) -> np.ndarray:
        if not packet:
            raise OpusError("empty packet")
        return self._run(packet, MAX_FRAME_SAMPLES, False)

    def conceal(self, samples: int) -> np.ndarray:
        """A stand-in for one lost frame of `samples` per channel (PLC)."""
        return self._run(None, samples, False)

    def decode_fec(self, next_packet: bytes, samples: int) -> np.ndarray:
        """The lost frame before `next_packet`, from its FEC data (PLC if it has none)."""
        return self._run(next_packet, samples, True)

    def close(self) -> None:
        if self._handle is not None:
            self._lib.opus_decoder_destroy(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()
