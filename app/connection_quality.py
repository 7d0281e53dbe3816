"""How good each received feed is, and whose connection is the problem.

Qt-free: the desktop client only draws what this decides (a tile's indicator, the
own-connection message). Fed with the `stats` event (`StatsReported`, twice a
second) and which participants have their camera on.

- A feed is judged on one report by its loss before retransmission (the receive
  path repairs a few per cent, so 4 % is only "weak"), the retransmission round
  trip, and, with the camera on, the frames shown per second and new freezes. What
  is shown is the worst level of the last `hold_s` seconds, so a tile does not
  flicker between levels and a freeze stays visible for a moment.
- Whose connection: the own upload is judged from what this client's uplink
  adapter measures (its mode and the loss Janus reports); the own download is the
  problem when every received feed is weak or bad at once (two or more feeds: one
  bad feed alone is most likely its sender's connection).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from klasse.app.events import FeedStats, StatsReported

Level = Literal["good", "weak", "bad"]
ORDER: dict[Level, int] = {"good": 0, "weak": 1, "bad": 2}

WEAK_LOSS, BAD_LOSS = 0.04, 0.15
WEAK_RTT_MS, BAD_RTT_MS = 300, 800
WEAK_FPS, BAD_FPS = 8.0, 3.0       # with the camera on (15 fps sent; half rate is 7.5)
HOLD_S = 3.0


def worst(levels: Iterable[Level]) -> Level:
    return max(levels, key=ORDER.__getitem__, default="good")


def judge_feed(stats: FeedStats, video_on: bool, new_freezes: int = 0) -> Level:
    """One report's verdict on one received feed."""
    level: Level = "good"
    if stats.loss >= BAD_LOSS or stats.rtt_ms >= BAD_RTT_MS:
        level = "bad"
    elif stats.loss >= WEAK_LOSS or stats.rtt_ms >= WEAK_RTT_MS:
        level = "weak"
    if video_on:
        if stats.fps < BAD_FPS:
            level = "bad"
        elif stats.fps < WEAK_FPS or new_freezes:
            level = worst((level, "weak"))
    return level


def judge_upload(mode: str, loss: float) -> Level:
    """This client's own upload, from its uplink adapter (mode `none`: not sending)."""
    if mode == "audio-only" or loss >= BAD_LOSS:
        return "bad"
    if mode in ("half", "half-slow") or loss >= WEAK_LOSS:
        return "weak"
    return "good"


@dataclass(frozen=True)
class FeedQuality:
    level: Level
    loss: float       # 0..1, before retransmission
    rtt_ms: int
    fps: float
    video_on: bool


@dataclass(frozen=True)
class ConnectionReport:
    feeds: Mapping[str, FeedQuality]
    upload: Level           # this client's own upload ("good" when not sending)
    download: Level         # this client's own download, as far as it can tell

    @property
    def own(self) -> Level:
        return worst((self.upload, self.download))

    def own_problem(self) -> Literal["upload", "download", "both"] | None:
        """Whether this client's own connection is the problem, and which way."""
        up, down = self.upload != "good", self.download != "good"
        if up and down:
            return "both"
        return "upload" if up else ("download" if down else None)


@dataclass
class ConnectionJudge:
    hold_s: float = HOLD_S
    _history: dict[str, deque[tuple[float, Level]]] = field(default_factory=dict)
    _upload: deque[tuple[float, Level]] = field(default_factory=deque)
    _download: deque[tuple[float, Level]] = field(default_factory=deque)
    _freezes: dict[str, int] = field(default_factory=dict)

    def update(self, stats: StatsReported, video_on: Mapping[str, bool],
               now: float) -> ConnectionReport:
        feeds: dict[str, FeedQuality] = {}
        current: list[Level] = []
        for f in stats.feeds:
            on = video_on.get(f.feed, False)
            new_freezes = f.freezes - self._freezes.get(f.feed, f.freezes)
            self._freezes[f.feed] = f.freezes
            level = judge_feed(f, on, new_freezes)
            current.append(level)
            held = self._hold(self._history.setdefault(f.feed, deque()), now, level)
            feeds[f.feed] = FeedQuality(held, f.loss, f.rtt_ms, f.fps, on)
        for gone in set(self._history) - {f.feed for f in stats.feeds}:
            del self._history[gone]
            self._freezes.pop(gone, None)
        upload = self._hold(self._upload, now, judge_upload(stats.uplink_mode, stats.uplink_loss))
        # Every feed at once (the least bad of them), never one alone.
        everyone: Level = "good"
        if len(current) >= 2 and all(c != "good" for c in current):
            everyone = min(current, key=ORDER.__getitem__)
        download = self._hold(self._download, now, everyone)
        return ConnectionReport(feeds, upload, download)

    def _hold(self, history: deque[tuple[float, Level]], now: float, level: Level) -> Level:
        history.append((now, level))
        while history and now - history[0][0] > self.hold_s:
            history.popleft()
        return worst(lv for _, lv in history)
