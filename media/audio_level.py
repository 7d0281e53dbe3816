"""Loudness meters: RMS in dBFS over what passed since the last reading (thread-safe)."""

from __future__ import annotations

import threading

import numpy as np

FLOOR_DB = -100.0   # digital silence


def rms_db(energy: float, count: int) -> float:
    """RMS in dBFS of `count` samples whose squares (scaled to -1..1) sum to `energy`."""
    if count == 0 or energy <= 0.0:
        return FLOOR_DB
    db = 10.0 * float(np.log10(energy / count))
    return round(max(FLOOR_DB, min(0.0, db)), 1)


class Meter:
    """Add int16 blocks from any thread; `take()` gives their level and starts anew."""

    def __init__(self) -> None:
        self._energy = 0.0
        self._count = 0
        self._lock = threading.Lock()

    def add(self, block: np.ndarray) -> None:
        x = block.reshape(-1).astype(np.float32) / 32768.0
        energy = float(np.dot(x, x))
        with self._lock:
            self._energy += energy
            self._count += x.size

    def take(self) -> float | None:
        """The level since the last take, or None when nothing passed at all."""
        with self._lock:
            energy, count = self._energy, self._count
            self._energy, self._count = 0.0, 0
        return None if count == 0 else rms_db(energy, count)
