"""One room's recording, driven end to end: announce, count down, record, stop, finalise.

The service owns one RoomRecorder per room. Once the rules table allowed the
teacher's `record`, it asks `rules.check_start()` (the phase),
then calls `start()`; the recorder tells every client (through `broadcast`) what
will be recorded and when, and only after the countdown creates the recording
folder and has Janus write the recorded feeds. `stop()` (the teacher's stop, the
teacher leaving, the room ending) stops Janus writing, tells everyone, and
converts the files in the background (`finalised()` awaits that).

Which feeds are recorded is the service's answer to `feeds()`: the teacher's
publisher, plus consenting pupils' where the policy records pupils. A feed that
appears while recording runs (the teacher publishes late, a pupil consents) is
added with `add_feed`; one that must leave it (consent withdrawn) with `drop_feed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import klasse.app.protocol as p

from ..janus_client import JanusError, JanusHandle
from .convert import ConversionError, NoMedia, finalise
from .janus import start_feed_recording, stop_feed_recording
from .policy import Phase, RoomRecordingRules
from .store import NoSuchRecording, RecordingInfo, RecordingStore

log = logging.getLogger(__name__)
# Janus closes a recorder when the publisher goes away; give it a moment before reading.
SETTLE_S = 0.5


@dataclass(frozen=True)
class RecordedFeed:
    label: str            # file base: "teacher", "pupil-3" -- never a name
    handle: JanusHandle   # the publisher's own handle


Broadcast = Callable[[p.RecordingState], Awaitable[None]]


class RoomRecorder:
    def __init__(self, rules: RoomRecordingRules, store: RecordingStore, room_secret: str,
                 broadcast: Broadcast, feeds: Callable[[], list[RecordedFeed]],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rules = rules
        self.store = store
        self._secret = room_secret
        self._broadcast = broadcast
        self._feeds = feeds
        self._clock = clock
        self._countdown: asyncio.Task[None] | None = None
        self.finalising: asyncio.Task[RecordingInfo] | None = None
        self._recording: dict[str, RecordedFeed] = {}
        self._clean_stop = True
        self.info: RecordingInfo | None = None

    @property
    def phase(self) -> Phase:
        return self.rules.phase

    def state(self) -> p.RecordingState:
        """The current state, for Welcome and Participants snapshots."""
        return self.rules.state(self._clock())

    async def start(self, owner: str, teacher_kinds: list[str]) -> p.RecordingState:
        """Announce now; record after the countdown. Call only after rules.check_start()."""
        state = self.rules.announce(self._clock(), teacher_kinds)
        # Everyone is told before the countdown even begins.
        await self._broadcast(state)
        self._countdown = asyncio.create_task(self._after_countdown(owner),
                                              name="recording-countdown")
        return state

    async def announce_again(self) -> None:
        """Tell everyone the current state again (what is recorded has changed)."""
        await self._broadcast(self.state())

    async def _after_countdown(self, owner: str) -> None:
        await asyncio.sleep(self.rules.policy.announce_s)
        try:
            self.info = self.store.create(owner, self.rules.what)
        except OSError as exc:  # disk full, folder gone: say so, record nothing
            log.error("cannot create a recording: %s", exc)
            self.rules.stop()
            await self._broadcast(self.state())
            return
        self._clean_stop = True
        self.rules.activate(self._clock())
        for feed in self._feeds():
            try:
                await self.add_feed(feed)
            except (JanusError, ConnectionError, TimeoutError, ValueError) as exc:
                log.warning("janus refused to record a feed: %s", exc)
        await self._broadcast(self.state())

    async def add_feed(self, feed: RecordedFeed) -> None:
        """Record `feed` from now on (no-op unless the recording is active)."""
        if self.rules.phase is not Phase.ACTIVE or self.info is None or feed.label in self._recording:
            return
        base = self.store.folder(self.info.id) / feed.label
        await start_feed_recording(feed.handle, self._secret, base)
        self._recording[feed.label] = feed

    async def drop_feed(self, label: str) -> None:
        """Stop recording one feed (a pupil withdrew consent); its part so far is kept."""
        feed = self._recording.pop(label, None)
        if feed is not None and not await stop_feed_recording(feed.handle, self._secret):
            self._clean_stop = False

    def feed_gone(self, label: str) -> None:
        """The publisher left; Janus closed its files itself."""
        if self._recording.pop(label, None) is not None:
            self._clean_stop = False

    async def stop(self, interrupted: bool = False) -> RecordingInfo | None:
        """Stop (announced: cancel, nothing was written). Returns the recording, if any.

        `interrupted`: Janus is gone (it closed its files by dying): ask it nothing,
        convert what it wrote, and mark the recording interrupted."""
        if self.rules.phase is Phase.OFF:
            return None
        countdown, self._countdown = self._countdown, None
        if countdown is not None and not countdown.done():
            countdown.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await countdown
        if interrupted:
            self._recording.clear()
            self._clean_stop = False
        for label in list(self._recording):
            await self.drop_feed(label)
        info, self.info = self.info, None
        self.rules.stop()
        await self._broadcast(self.state())
        if info is not None:
            info.duration_s = None
            info.state = "converting"
            info.interrupted = info.interrupted or interrupted
            self.store.save(info)
            self.finalising = asyncio.create_task(
                finalise_recording(self.store, info, settle=not self._clean_stop),
                name="recording-finalise")
        return info

    async def finalised(self) -> RecordingInfo | None:
        """Await the conversion of the last stopped recording."""
        task = self.finalising
        return await task if task is not None else None


async def finalise_recording(store: RecordingStore, info: RecordingInfo,
                             settle: bool = False) -> RecordingInfo:
    """Convert a stopped recording and record the outcome in its metadata."""
    if settle:
        await asyncio.sleep(SETTLE_S)
    try:
        result = await finalise(store.folder(info.id))
    except NoMedia as exc:
        # Nothing was written: keep no empty recording around.
        with contextlib.suppress(NoSuchRecording):
            store.delete(info.id)
        info.state, info.error = "failed", str(exc)
        return info
    except (ConversionError, OSError) as exc:
        info.state, info.error = "failed", str(exc)
        log.warning("a recording could not be converted: %s", exc)
    else:
        info.state, info.files, info.duration_s = "ready", result.files, result.duration_s
        info.error = None
    try:
        store.save(info)
    except OSError:
        # Deleted meanwhile (IT's `recordings delete`): nothing left to describe.
        info.state = "failed"
    return info


async def finalise_leftovers(store: RecordingStore) -> list[str]:
    """At service start: convert recordings a crash or restart left unfinished."""
    done = []
    for info in store.recordings():
        if info.state in ("recording", "converting"):
            await finalise_recording(store, info)
            done.append(info.id)
    return done
