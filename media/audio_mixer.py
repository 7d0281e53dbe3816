"""The speaker's mixer: every received audio feed summed into one 10 ms block at a time.

Feeds are pushed as they are decoded (20 ms Opus frames, arriving in bursts); the
speaker pulls one block per 10 ms on its own clock. A pull always returns a full
block: a feed with nothing buffered adds silence (a gap in the network is the
receive path's business, never the speaker's). Each feed waits for a small
prefetch before it plays again after running dry, so that a feed arriving exactly
on time does not alternate sound and silence. Delay never builds up: a feed is cut
back when it holds more than MAX_BUFFER_MS, and a feed that kept more than it needs
for a whole second (after a burst) drops the surplus.
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

RATE = 48_000
BLOCK = RATE // 100            # 10 ms, the audio processing module's frame
# One Opus frame: the receive path hands the mix one 20 ms frame per 20 ms on the
# event loop's clock, and the speaker takes 10 ms at a time on the device's.
PREFETCH_MS = 20
MAX_BUFFER_MS = 200
TRIM_TO_MS = 60
# A feed that never ran below SHRINK_ABOVE_MS for a whole second holds delay it does
# not need (left over from a burst or a stalled speaker): the surplus above
# PREFETCH_MS goes, once a second.
SHRINK_ABOVE_MS = 30
SHRINK_EVERY = 100           # pulls (10 ms each)
MAX_VOLUME = 2.0


def to_mono_s16(pcm: np.ndarray, channels: int) -> np.ndarray:
    """Interleaved int16 samples with `channels` channels -> mono int16."""
    flat = pcm.reshape(-1)
    if channels <= 1:
        return flat.astype(np.int16, copy=False)
    frames = flat[: flat.size - flat.size % channels].reshape(-1, channels)
    return frames.mean(axis=1).astype(np.int16)


class _Feed:
    def __init__(self) -> None:
        self.chunks: deque[np.ndarray] = deque()
        self.buffered = 0
        self.playing = False
        self.gaps = 0            # pulls that found this feed empty while playing
        self.low = 1 << 30       # the least buffered since the last shrink check
        self.pulls = 0
        self.shrunk = 0          # samples dropped to cut delay

    def clear(self) -> None:
        self.chunks.clear()
        self.buffered = 0
        self.playing = False

    def take(self, n: int) -> np.ndarray:
        out = np.zeros(n, np.int16)
        got = 0
        while got < n and self.chunks:
            head = self.chunks[0]
            k = min(n - got, head.size)
            out[got:got + k] = head[:k]
            got += k
            if k == head.size:
                self.chunks.popleft()
            else:
                self.chunks[0] = head[k:]
        self.buffered -= got
        if got < n:
            self.gaps += 1
            self.playing = False   # ran dry: wait for the prefetch again
        return out

    def drop_oldest(self, n: int) -> None:
        while n > 0 and self.chunks:
            head = self.chunks[0]
            if head.size <= n:
                self.chunks.popleft()
                n -= head.size
                self.buffered -= head.size
            else:
                self.chunks[0] = head[n:]
                self.buffered -= n
                n = 0


class Mixer:
    """Thread-safe: `push` from the network side, `pull` from the speaker's thread."""

    def __init__(self, rate: int = RATE) -> None:
        self.rate = rate
        self._feeds: dict[str, _Feed] = {}
        self._volume: dict[str, float] = {}
        self._muted: set[str] = set()
        self._lock = threading.Lock()
        self.pulls = 0

    def _ms(self, ms: int) -> int:
        return self.rate * ms // 1000

    def push(self, feed: str, pcm: np.ndarray) -> None:
        """Mono int16 samples of one feed, at the mixer's rate."""
        if pcm.size == 0:
            return
        with self._lock:
            if feed in self._muted:
                return
            f = self._feeds.setdefault(feed, _Feed())
            f.chunks.append(pcm.astype(np.int16, copy=False).reshape(-1))
            f.buffered += pcm.size
            if f.buffered > self._ms(MAX_BUFFER_MS):
                f.drop_oldest(f.buffered - self._ms(TRIM_TO_MS))
            if not f.playing and f.buffered >= self._ms(PREFETCH_MS):
                f.playing = True

    def pull(self, n: int = BLOCK) -> np.ndarray:
        """The next `n` mixed samples (int16); silence where no feed plays."""
        acc = np.zeros(n, np.int32)
        with self._lock:
            self.pulls += 1
            for name, f in self._feeds.items():
                if not f.playing:
                    continue
                block = f.take(n)
                self._shrink(f)
                gain = self._volume.get(name, 1.0)
                if gain == 1.0:
                    acc += block
                elif gain > 0.0:
                    acc += (block.astype(np.float32) * gain).astype(np.int32)
        return np.clip(acc, -32768, 32767).astype(np.int16)

    def _shrink(self, f: _Feed) -> None:
        f.low = min(f.low, f.buffered)
        f.pulls += 1
        if f.pulls < SHRINK_EVERY:
            return
        if f.low > self._ms(SHRINK_ABOVE_MS):
            surplus = f.low - self._ms(PREFETCH_MS)
            f.drop_oldest(surplus)
            f.shrunk += surplus
        f.low, f.pulls = 1 << 30, 0

    def set_volume(self, feed: str, volume: float) -> None:
        """0 (silent) to MAX_VOLUME; 1 plays the feed as received."""
        with self._lock:
            self._volume[feed] = max(0.0, min(MAX_VOLUME, float(volume)))

    def volume(self, feed: str) -> float:
        with self._lock:
            return self._volume.get(feed, 1.0)

    def set_muted(self, feeds: set[str]) -> None:
        """Participants whose microphone is off: their buffered audio goes at once."""
        with self._lock:
            self._muted = set(feeds)
            for name in self._muted:
                f = self._feeds.get(name)
                if f is not None:
                    f.clear()

    def remove(self, feed: str) -> None:
        with self._lock:
            self._feeds.pop(feed, None)

    def clear(self) -> None:
        with self._lock:
            self._feeds.clear()

    def buffered_ms(self, feed: str) -> float:
        with self._lock:
            f = self._feeds.get(feed)
            return 0.0 if f is None else 1000.0 * f.buffered / self.rate

    def gaps(self, feed: str) -> int:
        with self._lock:
            f = self._feeds.get(feed)
            return 0 if f is None else f.gaps
