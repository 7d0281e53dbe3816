"""Notice a received feed that stopped, and say when to ask for it again.

A subscription can go quiet with nobody told: Janus forwarding nothing to one
receiver, a receive path left waiting for a keyframe that never comes, a peer
connection that never reports `failed`. The participant list says what should flow
(a joined, publishing participant with camera or microphone on); when an expected
kind brings no new frame for `stall_s`, the feed is subscribed again, which gives
a new PeerConnection, a new Janus subscriber and a keyframe on start.

A sender that truly sends nothing (its uplink fell back to audio only, its camera
froze) must not cost a reconnect every few seconds: while a feed stays quiet,
each further request waits twice as long, up to `max_backoff_s`. Frames flowing
again reset that.

Sans-I/O: `tick`, `expect` and `frames` feed it, `due` says which feeds to
subscribe again, `subscribed` restarts a feed's clock (a new subscription needs its
handshake before frames can come). A client starved for seconds (a loaded
machine) sees every feed silent at once; `tick` tells that from a quiet feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STALL_S = 6.0          # an expected kind silent this long: ask for the feed again
MAX_BACKOFF_S = 40.0   # the longest wait between requests while a feed stays quiet
MAX_TICK_GAP_S = 1.5   # checks further apart than this: our own loop was held up


@dataclass
class _Kind:
    frames: int | None = None    # the counter as last seen (None: not yet)
    changed: float = 0.0     # when frames last grew (or the clock last restarted)
    wait_s: float = STALL_S
    requests: int = 0        # in a row without a frame of this kind in between


@dataclass
class _Feed:
    since: float                       # subscribed (again) at
    kinds: dict[str, _Kind] = field(default_factory=dict)


class FeedWatch:
    """Per received feed and kind, when it last brought a frame."""

    def __init__(self, stall_s: float = STALL_S, max_backoff_s: float = MAX_BACKOFF_S,
                 max_tick_gap_s: float = MAX_TICK_GAP_S) -> None:
        self.stall_s = stall_s
        self.max_backoff_s = max_backoff_s
        self.max_tick_gap_s = max_tick_gap_s
        self._feeds: dict[str, _Feed] = {}
        self._last_tick: float | None = None
        self.resubscribed = 0      # requests made in all (for stats and tests)

    def tick(self, now: float) -> None:
        """Call before each round of `expect`/`frames`/`due`. When the rounds came far
        apart, this process was starved or blocked: the frames that waited meanwhile
        have not been counted yet, and every feed would look quiet at once. Such a
        silence is ours, not the feeds': every clock starts again."""
        if self._last_tick is not None and now - self._last_tick > self.max_tick_gap_s:
            for entry in self._feeds.values():
                entry.since = max(entry.since, now)
        self._last_tick = now

    def subscribed(self, feed: str, now: float) -> None:
        """A subscription to `feed` was asked for (the first or again)."""
        entry = self._feeds.get(feed)
        if entry is None:
            self._feeds[feed] = _Feed(now)
            return
        entry.since = now
        for kind in entry.kinds.values():
            kind.changed = now

    def forget(self, feed: str) -> None:
        self._feeds.pop(feed, None)

    def expect(self, feed: str, kinds: set[str], now: float) -> None:
        """What `feed` should bring now (from the participant list)."""
        entry = self._feeds.get(feed)
        if entry is None:
            return
        for gone in set(entry.kinds) - kinds:
            del entry.kinds[gone]
        for kind in kinds - set(entry.kinds):
            # Newly expected (a camera turned on): its clock starts now.
            entry.kinds[kind] = _Kind(changed=now, wait_s=self.stall_s)

    def frames(self, feed: str, kind: str, count: int, now: float) -> None:
        """The frame counter of `feed`'s `kind`: any change is a frame that came."""
        entry = self._feeds.get(feed)
        if entry is None or kind not in entry.kinds:
            return
        k = entry.kinds[kind]
        if k.frames is None:
            k.frames = count        # the counter runs across subscriptions: a baseline
        elif count != k.frames:
            k.frames, k.changed = count, now
            k.wait_s, k.requests = self.stall_s, 0

    def due(self, now: float) -> list[str]:
        """Feeds to subscribe again now (each then counts as subscribed)."""
        out = []
        for feed, entry in self._feeds.items():
            quiet = [k for k in entry.kinds.values()
                     if now - max(k.changed, entry.since) >= k.wait_s]
            if not quiet:
                continue
            out.append(feed)
            for k in quiet:
                k.requests += 1
                k.wait_s = min(self.stall_s * 2 ** k.requests, self.max_backoff_s)
            self.resubscribed += 1
        for feed in out:
            self.subscribed(feed, now)
        return out
