"""The room service's recording side: policy, per-room recorders, store and retention.

RoomService keeps one RecordingHub and runs the lesson core's recording effects
on it (server/lesson.py: Record, RecordingConsent, RecordingPublished; media going
away, room close), and the account messages ListRecordings / DeleteRecording. The
core reads each room's sans-I/O rules (`rules(room)`, policy.py) and the state for
Welcome; who may record at all is the rules table's (server/rules.py).

What is recorded: the feed of the teacher who started the recording. Under
`record_pupils`, also the feeds of pupils who consented; a pupil who has not
consented has camera and microphone turned off by the lesson core (the same path as
a teacher's turn_off) from the announcement until the recording stops, and cannot
turn them on meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import klasse.app.protocol as p
from klasse.app.protocol import ErrorCode, ProtocolError

from ..accounts import Accounts
from ..config import Config
from ..room import Member, Room
from ..rules import Role
from .policy import Phase, RoomRecordingRules, sdp_kinds
from .recorder import RecordedFeed, RoomRecorder, finalise_leftovers
from .retention import RetentionSweeper
from .store import NoSuchRecording, RecordingInfo, RecordingStore

if TYPE_CHECKING:
    from ..janus_adapter import JanusPeer, JanusRoom

log = logging.getLogger("klasse.server")
# Tells everyone in a room (waiting pupils too) the room's recording state.
TellRoom = Callable[[Room, p.RecordingState], None]


@dataclass(eq=False)
class _RoomRecording:
    rules: RoomRecordingRules
    recorder: RoomRecorder
    owner: Member | None = None              # the teacher who started it
    labels: dict[str, str] = field(default_factory=dict)  # member id -> file base
    numbers: dict[str, int] = field(default_factory=dict)  # pupil member id -> N of pupil-N
    used: set[str] = field(default_factory=set)            # labels of this recording


class RecordingHub:
    def __init__(self, config: Config, tell_room: TellRoom,
                 clock: Callable[[], float] = time.time,
                 janus: dict[Room, JanusRoom] | None = None,
                 peers: dict[Member, JanusPeer] | None = None) -> None:
        # The service's Janus handles (RoomService.janus, .peers), read only here.
        self._janus = {} if janus is None else janus
        self._peers = {} if peers is None else peers
        self.policy = replace(config.recording, allowed=config.recording_allowed)
        root = self.policy.directory(config.data)
        # Where recording is off and never was, not even the folder is created; where
        # it was on before, the store stays so that retention still deletes.
        self.store = (RecordingStore(root, self.policy.retention_s, clock)
                      if self.policy.allowed or root.exists() else None)
        self.sweeper = RetentionSweeper(self.store) if self.store is not None else None
        self._tell_room = tell_room
        self._rooms: dict[str, _RoomRecording] = {}
        self._converting: set[asyncio.Task[RecordingInfo]] = set()
        self._sends: dict[tuple[str, str], list[str]] = {}  # (room, member) -> sdp_kinds

    # ----------------------------------------------------------- lifecycle
    async def start(self) -> None:
        if self.store is not None:
            await finalise_leftovers(self.store)
        if self.sweeper is not None:
            self.sweeper.start()

    async def stop(self) -> None:
        for rid in list(self._rooms):
            await self._stop(rid)
        self._rooms.clear()
        if self._converting:
            await asyncio.wait(list(self._converting))
        if self.sweeper is not None:
            await self.sweeper.stop()

    # ---------------------------------------------------------------- state
    def state(self, room: Room) -> p.RecordingState:
        rec = self._rooms.get(room.id)
        return rec.recorder.state() if rec is not None else p.RecordingState()

    def rules(self, room: Room) -> RoomRecordingRules | None:
        """The room's recording rules, once anyone tried to record in it."""
        rec = self._rooms.get(room.id)
        return rec.rules if rec is not None else None

    def state_of_rooms(self) -> dict[str, str]:
        """Rooms whose recording is announced or running, by room id."""
        return {rid: rec.rules.phase.value for rid, rec in self._rooms.items()
                if rec.rules.phase is not Phase.OFF}

    def _room(self, room: Room) -> _RoomRecording:
        rec = self._rooms.get(room.id)
        if rec is None:
            janus = self._janus.get(room)
            assert self.store is not None and janus is not None
            rules = RoomRecordingRules(self.policy)

            async def broadcast(state: p.RecordingState) -> None:
                # Waiting pupils too: they must know before they are admitted and publish.
                self._tell_room(room, state)

            rec = _RoomRecording(rules, RoomRecorder(rules, self.store, janus.secret,
                                                     broadcast, lambda: self._feeds(room)))
            self._rooms[room.id] = rec
        return rec

    def _label(self, rec: _RoomRecording, m: Member) -> str:
        """The file base of `m`'s current feed; set anew after each unpublish."""
        if m.id not in rec.labels:
            if m is rec.owner:
                base = "teacher"
            else:
                base = f"pupil-{rec.numbers.setdefault(m.id, len(rec.numbers) + 1)}"
            label, n = base, 1
            while label in rec.used:  # a republished feed must not overwrite the earlier part
                n += 1
                label = f"{base}-{n}"
            rec.used.add(label)
            rec.labels[m.id] = label
        return rec.labels[m.id]

    def _recorded(self, rec: _RoomRecording, m: Member) -> bool:
        if m is rec.owner:
            return True
        return m.role is Role.PUPIL and rec.rules.is_recorded(m.role, bool(m.consent))

    def _feed(self, rec: _RoomRecording, m: Member) -> RecordedFeed | None:
        peer = self._peers.get(m)
        if not self._recorded(rec, m) or not m.publishing or peer is None \
                or peer.publisher is None:
            return None
        return RecordedFeed(self._label(rec, m), peer.publisher)

    def _feeds(self, room: Room) -> list[RecordedFeed]:
        rec = self._rooms[room.id]
        feeds = [self._feed(rec, m) for m in room.joined()]
        return [f for f in feeds if f is not None]

    # ----------------------------------------------------- teacher's Record
    async def record(self, m: Member, start: bool) -> None:
        rec = self._room(m.room)   # rules.check let only a teacher where it is allowed here
        code = rec.rules.check_start(m.role) if start else rec.rules.check_stop(m.role)
        if code is not None:
            raise ProtocolError(code, "a recording is already announced or running" if start
                                else "no recording is on")
        if not start:
            await self._stop(m.room.id)
            return
        rec.owner = m
        rec.labels.clear()
        rec.numbers.clear()
        rec.used.clear()
        kinds = self._kinds(m) if m.publishing else []
        owner = m.room.owner or "unknown"
        await rec.recorder.start(owner, kinds)
        log.info("room %s: recording announced by %s", m.room.id, m.id)

    async def _stop(self, room_id: str, interrupted: bool = False) -> None:
        rec = self._rooms.get(room_id)
        if rec is None:
            return
        info = await rec.recorder.stop(interrupted)
        rec.owner = None
        task = rec.recorder.finalising
        if task is not None and not task.done():
            # Converted in the background; the service's stop() waits for it.
            self._converting.add(task)
            task.add_done_callback(self._converting.discard)
        if info is not None:
            log.info("room %s: recording %s stopped", room_id, info.id)

    # ------------------------------------------------- participants' media
    def before_publish(self, m: Member, sdp: str) -> None:
        """`m` offers to publish `sdp`: what it sends (named in an announcement)."""
        self._sends[(m.room.id, m.id)] = sdp_kinds(sdp)

    async def published(self, m: Member) -> None:
        """Media flows from `m` (webrtcup): record it if it belongs in the recording."""
        rec = self._rooms.get(m.room.id)
        if rec is not None and m is rec.owner and rec.rules.phase is not Phase.OFF \
                and rec.rules.add_kinds(self._kinds(m)):
            await rec.recorder.announce_again()  # e.g. the teacher now shares a screen
        if rec is not None and rec.rules.phase is Phase.ACTIVE:
            feed = self._feed(rec, m)
            if feed is not None:
                await rec.recorder.add_feed(feed)

    def _kinds(self, m: Member) -> list[str]:
        """What `m` sends: its offer's streams, the screen only while it shares (the
        screen m-line is always offered, silent until a share)."""
        kinds = self._sends.get((m.room.id, m.id), [])
        return [k for k in kinds if k != "screen" or m.room.sharer == m.id]

    async def share_started(self, m: Member) -> None:
        """`m` shares now: if `m` is being recorded, the announcement names the screen."""
        rec = self._rooms.get(m.room.id)
        if rec is not None and m is rec.owner and rec.rules.phase is not Phase.OFF \
                and rec.rules.add_kinds(self._kinds(m)):
            await rec.recorder.announce_again()

    def unpublished(self, m: Member) -> None:
        """`m`'s publisher went away but `m` stays: Janus closed that feed's files."""
        rec = self._rooms.get(m.room.id)
        if rec is not None and m.id in rec.labels:
            rec.recorder.feed_gone(rec.labels.pop(m.id))

    async def media_gone(self, m: Member) -> None:
        """`m`'s Janus peer is about to close (left, kicked, disconnected)."""
        self._sends.pop((m.room.id, m.id), None)
        rec = self._rooms.get(m.room.id)
        if rec is None or rec.rules.phase is Phase.OFF:
            return
        if m is rec.owner:
            await self._stop(m.room.id)  # the teacher leaving ends and finalises it
        elif m.id in rec.labels:
            await rec.recorder.drop_feed(rec.labels.pop(m.id))

    async def janus_lost(self, room: Room) -> None:
        """The room's Janus is gone: stop its recording without asking Janus, keep and
        convert what was written, mark it interrupted; everyone gets `off`. The
        recorder goes too (it knows the lost Janus room's secret)."""
        rec = self._rooms.get(room.id)
        if rec is not None and rec.rules.phase is not Phase.OFF:
            log.warning("room %s: recording interrupted by the loss of its media server", room.id)
        await self._stop(room.id, interrupted=True)
        self._rooms.pop(room.id, None)

    async def room_closing(self, room: Room) -> None:
        await self._stop(room.id)
        self._rooms.pop(room.id, None)
        for key in [k for k in self._sends if k[0] == room.id]:
            del self._sends[key]

    async def consent(self, m: Member) -> None:
        """The pupil's Consent changed (m.consent already set): add or drop its feed."""
        rec = self._rooms.get(m.room.id)
        if rec is None or m.role is not Role.PUPIL or rec.rules.phase is Phase.OFF:
            return
        if m.consent:
            await self.published(m)
        elif m.id in rec.labels:
            await rec.recorder.drop_feed(rec.labels.pop(m.id))

    # ---------------------------------------------- a teacher's recordings
    def _owner(self, accounts: Accounts, session: str) -> str:
        info = accounts.session(session)
        if info is None:
            raise ProtocolError(ErrorCode.SESSION_INVALID, "log in again")
        if info.role != "teacher":
            raise ProtocolError(ErrorCode.NOT_ALLOWED, "only teachers have recordings")
        return str(info.user)

    def _entries(self, owner: str) -> list[p.RecordingEntry]:
        if self.store is None:
            return []
        return [_entry(self.store, i) for i in self.store.recordings(owner)]

    def list_recordings(self, accounts: Accounts, msg: p.ListRecordings) -> p.Recordings:
        return p.Recordings(recordings=self._entries(self._owner(accounts, msg.session)),
                            rid=msg.rid)

    def delete_recording(self, accounts: Accounts, msg: p.DeleteRecording) -> p.Recordings:
        owner = self._owner(accounts, msg.session)
        try:
            if self.store is None:
                raise NoSuchRecording(msg.id)
            info = self.store.get(msg.id, owner)
            if info.state in ("recording", "converting"):
                raise ProtocolError(ErrorCode.OUT_OF_ORDER, "stop the recording first")
            self.store.delete(msg.id, owner)
        except NoSuchRecording:
            raise ProtocolError(ErrorCode.NO_SUCH_RECORDING, "no such recording of yours") from None
        log.info("recording %s deleted by its owner", msg.id)
        return p.Recordings(recordings=self._entries(owner), rid=msg.rid)


def _entry(store: RecordingStore, info: RecordingInfo) -> p.RecordingEntry:
    return p.RecordingEntry(id=info.id, started=info.started, expires=store.expires(info),
                            state=info.state, duration_s=info.duration_s, what=list(info.what),
                            interrupted=info.interrupted)

