"""Small in-memory limiters the service uses against floods and guessing.

No clocks are read here unless the caller passes none: tests drive them with their
own `now`. Every keyed limiter sweeps stale keys, so a flood of distinct keys cannot
grow it without bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

MAX_KEYS = 10_000


@dataclass
class _Record:
    fails: int
    last: float
    until: float


class Backoff:
    """Per key: the `free`-th failure and each one after it make the key wait
    base, 2*base, 4*base ... seconds (at most `cap`) before its next try. A success, or `forget_s`
    without failures, clears the key. Nothing is ever locked for good: the wait of
    the next try is known and bounded."""

    def __init__(self, free: int, base: float, cap: float, forget_s: float) -> None:
        self.free, self.base, self.cap, self.forget_s = free, base, cap, forget_s
        self._keys: dict[str, _Record] = {}

    def wait(self, key: str, now: float | None = None) -> float:
        """Seconds until `key` may try again (0: now)."""
        now = time.monotonic() if now is None else now
        rec = self._keys.get(key)
        if rec is None:
            return 0.0
        if now - rec.last >= self.forget_s:
            del self._keys[key]
            return 0.0
        return max(0.0, rec.until - now)

    def fail(self, key: str, now: float | None = None) -> float:
        """Count a failure; returns the wait it imposes."""
        now = time.monotonic() if now is None else now
        self.wait(key, now)            # drops a forgotten record
        rec = self._keys.setdefault(key, _Record(0, now, now))
        rec.fails += 1
        rec.last = now
        over = rec.fails - self.free + 1   # the `free`-th failure starts the waiting
        delay = 0.0 if over <= 0 else min(self.cap, self.base * 2 ** (over - 1))
        rec.until = now + delay
        if len(self._keys) > MAX_KEYS:
            for stale in [k for k, r in self._keys.items() if now - r.last >= self.forget_s]:
                del self._keys[stale]
        return delay

    def forget(self, key: str) -> None:
        self._keys.pop(key, None)


class TokenBucket:
    """`rate` events per second on average, bursts of up to `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.stamp: float | None = None

    def take(self, now: float | None = None, cost: float = 1.0) -> bool:
        now = time.monotonic() if now is None else now
        if self.stamp is not None:   # (a clock step back refills nothing, takes nothing)
            self.tokens = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False

    def wait(self, now: float | None = None) -> float:
        """Seconds until the next token (0: one is there), taking none."""
        if self.stamp is None:
            return 0.0
        now = time.monotonic() if now is None else now
        tokens = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        return max(0.0, (1.0 - tokens) / self.rate)


class Buckets:
    """A TokenBucket per key (participant, room), swept when too many keys exist."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self._keys: dict[str, TokenBucket] = {}

    def wait(self, key: str, now: float | None = None) -> float:
        bucket = self._keys.get(key)
        return 0.0 if bucket is None else bucket.wait(now)

    def take(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        bucket = self._keys.get(key)
        if bucket is None:
            if len(self._keys) >= MAX_KEYS:
                # A full bucket refilled long ago is the same as a new one: drop those.
                full_after = self.burst / self.rate
                for k in [k for k, b in self._keys.items()
                          if b.stamp is not None and now - b.stamp >= full_after]:
                    del self._keys[k]
            bucket = self._keys[key] = TokenBucket(self.rate, self.burst)
        return bucket.take(now)

    def forget(self, key: str) -> None:
        self._keys.pop(key, None)


class PinGuard:
    """Wrong PINs. A backoff per key carries most of the weight: per connection, and
    per seat for a resume (its token already names a live seat, so it may skip the
    room's budget). The room's budget stops many connections guessing together: a
    bucket of `budget` wrong tries, refilled one per `refill_s`. While it is empty, a
    first join through the pupil link waits for the refill (seconds, not a minute);
    the teacher link, signed-in teachers and resumes never count against it."""

    def __init__(self, backoff: tuple[int, float, float, float] = (3, 5.0, 60.0, 600.0),
                 budget: int = 10, refill_s: float = 6.0) -> None:
        self.keys = Backoff(*backoff)
        self.rooms = Buckets(1.0 / refill_s, float(budget))

    def wait(self, keys: list[str], room: str | None, now: float | None = None) -> float:
        """Seconds before these keys (and `room`'s budget, unless None) allow a try."""
        waits = [self.keys.wait(k, now) for k in keys]
        return max([*waits, self.rooms.wait(room, now) if room is not None else 0.0])

    def failed(self, keys: list[str], room: str | None, now: float | None = None) -> None:
        for k in keys:
            self.keys.fail(k, now)
        if room is not None:
            self.rooms.take(room, now)

    def passed(self, keys: list[str]) -> None:
        for k in keys:
            self.keys.forget(k)
