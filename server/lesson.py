"""The lessons of one room service as a sans-I/O state machine (like app/call_state.py).

`Lessons` owns every room's membership, the waiting room, device state and locks,
hands, chat, resume and room close. It takes decoded client messages (already
allowed by rules.TABLE: `check()`) and service events (a connection lost, a timer
fired, Janus said a feed is up or down, a recording was announced) with the time
passed in, and returns effects: messages to send to connections, Janus work (mute
an m-line, drop or close media), timers to start or cancel, recording hooks. It has
no sockets, no Janus and no clock; server/service.py is the gateway that decodes,
authenticates, relays SDP and runs the effects in order. A refusal raises
ProtocolError before any state changed.

Moderation has one code path, `_turn_off()`: a teacher's `turn_off` and the
recording rule that keeps a pupil without consent off both go through it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Literal, Protocol

import msgspec

import klasse.app.protocol as p
from klasse.app.names import TextRefused, clean_title
from klasse.app.protocol import Device, ErrorCode, ProtocolError

from . import rules, sdp_check
from .config import Config
from .limits import Buckets
from .recording.policy import RoomRecordingRules
from .room import DEVICES, Feed, Member, Room
from .rules import Action, MemberEvent, PState, Role, RoomEvent, RoomState, Target

log = logging.getLogger("klasse.server")
# Rate limits (rate/s, burst): device-state changes (`media`) per participant and per
# room; joins per room (a class arriving at once fits the burst) and per connection
# (a join-leave-join loop), teachers not limited; chat lines and hands per connection.
MEDIA_PER_MEMBER = (5.0, 10.0)
MEDIA_PER_ROOM = (50.0, 100.0)
JOINS_PER_ROOM = (20.0, 60.0)
JOINS_PER_CONNECTION = (0.5, 4.0)
CHATTER_PER_CONNECTION = (2.0, 20.0)


# ------------------------------------------------------------------ effects
@dataclass(frozen=True)
class Send:                 # one message to one connection
    to: str
    msg: p.ServerMessage


@dataclass(frozen=True)
class ListParticipants:     # the room's list changed: `lists(room)` goes out (coalesced)
    room: Room


@dataclass(frozen=True)
class Moderate:             # Janus: mute/unmute one m-line of the member's published feed
    member: Member
    device: Feed
    mute: bool
    best_effort: bool = False   # a failure is no error for the sender


@dataclass(frozen=True)
class DropMedia:            # close the member's Janus peer: nobody receives its feed
    member: Member


@dataclass(frozen=True)
class Unpublish:            # its publisher went away (Janus hangup); subscriptions stay
    member: Member


@dataclass(frozen=True)
class Publish:              # Janus: take the member's offer, then publish_answered()
    member: Member
    sdp: str
    rid: int | None


@dataclass(frozen=True)
class Subscribe:            # Janus: offer `feed`'s stream to the member, then subscription_offered()
    member: Member
    feed: Member
    rid: int | None


@dataclass(frozen=True)
class Answer:               # Janus: the member's answer to the offer of `feed`
    member: Member
    feed: str
    sdp: str


@dataclass(frozen=True)
class StopSubscription:     # Janus: the member no longer receives `feed`
    member: Member
    feed: str


@dataclass(frozen=True)
class Disconnect:           # close a connection (its member resumed on another one)
    conn: str


@dataclass(frozen=True)
class OpenMedia:            # Janus: a room on a healthy node, then open_room(room)
    room: Room


@dataclass(frozen=True)
class CloseMedia:           # stop the room's recording, destroy its Janus room, close peers
    room: Room
    members: tuple[Member, ...]


Timer = tuple[Literal["gone", "close"], Member | Room]   # a member's resume grace; a room's


@dataclass(frozen=True)
class StartTimer:           # later: timer_fired(timer)
    timer: Timer
    after_s: float


@dataclass(frozen=True)
class CancelTimer:
    timer: Timer


@dataclass(frozen=True)
class Record:               # a teacher's start/stop for the recording hub (phase may refuse)
    member: Member
    start: bool


@dataclass(frozen=True)
class RecordingConsent:     # the hub adds or drops the pupil's feed
    member: Member


@dataclass(frozen=True)
class RecordingPublished:   # media flows: the hub records it if it belongs in a recording
    member: Member


@dataclass(frozen=True)
class RecordingShare:       # the member shares now: a recording of it names the screen
    member: Member


Effect = (Send | ListParticipants | Moderate | DropMedia | Unpublish | Publish | Subscribe | Answer
          | StopSubscription | Disconnect | OpenMedia | CloseMedia | StartTimer | CancelTimer
          | Record | RecordingConsent | RecordingPublished | RecordingShare)


class RecordingView(Protocol):
    """What the core reads of the recording side (server/recording/hub.py)."""

    def state(self, room: Room) -> p.RecordingState: ...
    def rules(self, room: Room) -> RoomRecordingRules | None: ...


class NoRecording:
    def state(self, room: Room) -> p.RecordingState:
        return p.RecordingState()

    def rules(self, room: Room) -> RoomRecordingRules | None:
        return None


REFUSALS = {
    ErrorCode.NOT_JOINED: "join the room (and be admitted) first",
    ErrorCode.ALREADY_JOINED: "already in a room",
    ErrorCode.NOT_ALLOWED: "your role may not do this",
    ErrorCode.ROOM_CLOSED: "this lesson has ended",
    ErrorCode.RECORDING_NOT_ALLOWED: "recording is not allowed on this server",
}


class Lessons:
    def __init__(self, config: Config, recording: RecordingView | None = None) -> None:
        self.config = config
        self.policy = rules.Policy(recording_allowed=config.recording_allowed)
        self.recording: RecordingView = recording or NoRecording()
        self.rooms: dict[str, Room] = {}
        self.ended: dict[str, float] = {}      # room id -> link expiry: cannot reopen
        self.resumes: dict[str, Member] = {}   # resume token -> member
        self.by_conn: dict[str, Member] = {}   # connection id -> member
        self._media = Buckets(*MEDIA_PER_MEMBER), Buckets(*MEDIA_PER_ROOM)
        self._joins = Buckets(*JOINS_PER_CONNECTION), Buckets(*JOINS_PER_ROOM)
        self._chatter = Buckets(*CHATTER_PER_CONNECTION)

    # ------------------------------------------------------------- rules
    def check(self, conn: str, action: Action) -> None:
        """Raise the refusal rules.TABLE gives this connection for `action`."""
        m = self.by_conn.get(conn)
        state = (Role.NONE, PState.CONNECTED, RoomState.NONE) if m is None else (
            m.role, m.state, m.room.state)
        code = rules.check(*state, action, self.policy)
        if code is not None:
            raise ProtocolError(code, REFUSALS.get(code, "not possible now"))

    def member(self, conn: str) -> Member:
        return self.by_conn[conn]

    def _target(self, room: Room, pid: str | None, action: Action) -> Member:
        m = room.members.get(pid or "")
        target = Target.MISSING if m is None else (
            Target.JOINED if m.state is PState.JOINED else Target.WAITING)
        code = rules.check_target(action, target)
        if code is not None:
            raise ProtocolError(code, "no such participant" if code is ErrorCode.NO_SUCH_PARTICIPANT
                                else "not possible for this participant now")
        assert m is not None
        return m

    # ------------------------------------------------------ what goes out
    def participants(self, room: Room) -> list[Effect]:
        """The list changed; the service sends `lists(room)` (coalesced: service.py)."""
        return [ListParticipants(room)]

    def _welcome(self, m: Member) -> Send:
        assert m.conn is not None
        return Send(m.conn, p.Welcome(
            participant=m.id, role=m.role.value,  # type: ignore[arg-type]
            room_title=m.room.title, state="joined" if m.state is PState.JOINED else "waiting",
            resume=m.resume, ice_servers=list(self.config.ice_servers), notice=self.config.notice,
            recording=self.recording.state(m.room),
            camera_locked=m.devices["camera"].locked, mic_locked=m.devices["mic"].locked))

    def _lesson_so_far(self, m: Member) -> list[Effect]:
        """What a member gets on entering the lesson: the chat so far."""
        return [e for line in m.room.chat for e in _tell(m, line)]

    # ------------------------------------------------------------- entering
    def new_room(self, rid: str, title: str, expires: float, waiting_room: bool,
                 owner: str) -> list[Effect]:
        """A valid link names a room that is not open: it opens once it has media."""
        try:
            title = clean_title(title)
        except TextRefused:      # a link made before titles were cleaned
            title = clean_title(title[:100])
        return [OpenMedia(Room(id=rid, title=title, expires=expires,
                               waiting_room=waiting_room, owner=owner))]

    def open_room(self, room: Room) -> None:
        """Janus has a room for it (OpenMedia): the room takes part from now on."""
        self.rooms[room.id] = room
        log.info("room %s opened", room.id)

    def may_join(self, conn: str, room: str, teacher: bool, now: float) -> None:
        """Before a join is authenticated: pupils' joins are rate-limited."""
        if not teacher and not (self._joins[0].take(conn, now) and self._joins[1].take(room, now)):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many joins; try again in "
                                f"{1 / JOINS_PER_CONNECTION[0]:.0f} s")

    def _chat_limit(self, conn: str, now: float) -> None:
        if not self._chatter.take(conn, now):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many messages; slow down")

    def enter(self, conn: str, room: Room, name: str, role: Role, via: str,
              account: str = "") -> list[Effect]:
        """A connection that proved it may enter `room` (link or account) enters it."""
        if conn in self.by_conn:   # joined meanwhile through another message
            raise ProtocolError(ErrorCode.ALREADY_JOINED, "already in a room")
        if room.state is RoomState.CLOSED:
            raise ProtocolError(ErrorCode.ROOM_CLOSED, "this lesson has ended")
        if len(room.members) >= p.MAX_ROOM_PARTICIPANTS:
            raise ProtocolError(ErrorCode.ROOM_FULL, "this lesson is full")
        if role is Role.PUPIL and room.locked:
            raise ProtocolError(ErrorCode.ROOM_LOCKED, "the teacher has locked this lesson")
        if role is Role.PUPIL and room.waiting_room \
                and len(room.waiting()) >= self.config.waiting_room_cap:
            raise ProtocolError(ErrorCode.ROOM_FULL, "the waiting room is full; try again later")
        state = rules.member_next(PState.CONNECTED, rules.entry_event(role, room.waiting_room))
        m = Member(id=_new_id(room), name=name.strip(), role=role, via=via, state=state,
                   room=room, conn=None, account=account)
        room.members[m.id] = m
        self.resumes[m.resume] = m
        log.info("participant %s entered room %s as %s (%s)", m.id, room.id, role.value,
                 m.state.value)
        return self._arrive(m, conn)

    def resuming(self, token: str, room_id: str) -> Member | None:
        """The member a resume token names, if it is still in that (open) room."""
        m = self.resumes.get(token)
        if m is None or m.room.state is RoomState.CLOSED or m.room.id != room_id:
            return None
        return m

    def resume(self, conn: str, m: Member) -> list[Effect]:
        """`m` (its join proved again) comes back on `conn`; a used token is spent."""
        out: list[Effect] = []
        if m.conn is None:
            out.append(CancelTimer(("gone", m)))
        elif m.conn != conn:
            # Its old connection still looks alive (a network change leaves it
            # half-open): the proven holder takes the seat back, the old one is told.
            old = m.conn
            del self.by_conn[old]
            out += [Send(old, p.Closed(reason="replaced")), Disconnect(old)]
            out += self._drop_media(m)
        self.resumes.pop(m.resume, None)
        m.resume = secrets.token_urlsafe(24)
        self.resumes[m.resume] = m
        log.info("participant %s resumed in room %s", m.id, m.room.id)
        return out + self._arrive(m, conn)

    def _arrive(self, m: Member, conn: str) -> list[Effect]:
        """`m` speaks through `conn` from now on: Welcome, a teacher ends the close
        grace, the admitted get the lesson so far, everyone the new list."""
        m.conn = conn
        self.by_conn[conn] = m
        out: list[Effect] = [self._welcome(m)]
        room = m.room
        if m.role is Role.TEACHER:
            if room.state is RoomState.CLOSING:
                log.info("room %s: a teacher is back", room.id)
                out.append(CancelTimer(("close", room)))
            room.state = rules.room_next(room.state, RoomEvent.TEACHER_BACK)
            if room.locked:
                out.append(Send(conn, p.LockState(locked=True)))
        if m.state is PState.JOINED:
            out += self._lesson_so_far(m)
        return out + self.participants(room)

    # -------------------------------------------------- leaving and closing
    def connection_lost(self, conn: str) -> list[Effect]:
        self._joins[0].forget(conn)
        self._chatter.forget(conn)
        m = self.by_conn.pop(conn, None)
        if m is None or m.conn != conn:
            return []
        m.conn = None
        if m.state is PState.WAITING:
            # A waiting seat is worth nothing to keep: it goes at once, so connections
            # dropped by a flood do not hold the (capped) waiting room for the grace.
            return self.remove(m, None)
        out = self._drop_media(m) + [StartTimer(("gone", m), self.config.resume_grace_s)]
        log.info("participant %s disconnected from room %s", m.id, m.room.id)
        return out + self._after_departure(m)

    def _drop_media(self, m: Member) -> list[Effect]:
        self._share_gone(m)
        was_publishing = m.publishing
        m.publishing = m.publish_pending = False
        m.pending_answers.clear()
        _feed_gone(m)
        out: list[Effect] = [DropMedia(m)]
        return out + (self.participants(m.room) if was_publishing else [])

    def remove(self, m: Member, reason: str | None) -> list[Effect]:
        """Take a member out of its room; `reason` set: tell its connection Closed."""
        room = m.room
        if room.members.get(m.id) is not m:
            return []
        out: list[Effect] = []
        if m.conn is None:
            out.append(CancelTimer(("gone", m)))
        del room.members[m.id]
        m.state = rules.member_next(m.state, MemberEvent.REMOVE)
        self.resumes.pop(m.resume, None)
        conn, m.conn = m.conn, None
        if conn is not None:
            self.by_conn.pop(conn, None)
            if reason is not None:
                out.append(Send(conn, p.Closed(reason=reason)))  # type: ignore[arg-type]
        out += self._drop_media(m)
        log.info("participant %s left room %s", m.id, room.id)
        out += self.participants(room)
        if not room.members and room.state is not RoomState.CLOSED:
            # Nobody left: free the Janus room. Its links may open it afresh later.
            return out + self.close(room, "ended", final=False)
        return out + self._after_departure(m)

    def _after_departure(self, m: Member) -> list[Effect]:
        room = m.room
        if room.state is RoomState.CLOSED or m.role is not Role.TEACHER:
            return []
        if room.teachers_present() or room.state is RoomState.CLOSING:
            return []
        room.state = rules.room_next(room.state, RoomEvent.LAST_TEACHER_GONE)
        log.info("room %s: no teacher present; closing in %.0f s", room.id,
                 self.config.teacher_grace_s)
        return [StartTimer(("close", room), self.config.teacher_grace_s)]

    def close(self, room: Room, reason: str, final: bool = True,
              now: float | None = None) -> list[Effect]:
        """Media first (destroying the Janus room cuts every stream at once), then tell
        everyone to wipe: when a client sees Closed, the room is gone. `final`: the
        lesson is over, so its links can no longer reopen it."""
        if room.state is RoomState.CLOSED:
            return []
        out: list[Effect] = [CancelTimer(("close", room))] if room.state is RoomState.CLOSING else []
        room.state = rules.room_next(room.state, RoomEvent.CLOSE)
        members = tuple(room.members.values())
        out.append(CloseMedia(room, members))
        self.rooms.pop(room.id, None)
        if final:
            self.ended[room.id] = room.expires
        if now is not None:
            for rid in [r for r, exp in self.ended.items() if exp <= now]:
                del self.ended[rid]
        for m in members:
            self.resumes.pop(m.resume, None)
            m.state = rules.member_next(m.state, MemberEvent.REMOVE)
            m.publishing = m.publish_pending = False
            if m.conn is None:
                out.append(CancelTimer(("gone", m)))
            else:
                out.append(Send(m.conn, p.Closed(reason=reason)))  # type: ignore[arg-type]
                self.by_conn.pop(m.conn, None)
                m.conn = None
        room.wipe()
        log.info("room %s closed (%s)", room.id, reason if final else "empty")
        return out

    def timer_fired(self, timer: Timer, now: float) -> list[Effect]:
        kind, what = timer
        if kind == "gone" and isinstance(what, Member) and what.conn is None:
            return self.remove(what, None)
        if kind == "close" and isinstance(what, Room) and what.state is RoomState.CLOSING:
            return self.close(what, "ended", now=now)
        return []

    # ------------------------------------------------------------ media
    # The SDP relay: the core checks and keeps the state, the service does the Janus
    # call of the effect and hands its result back (publish_answered, subscription_offered).
    def on_publish(self, m: Member, msg: p.Publish, now: float) -> list[Effect]:
        """`m` offers to publish. A pupil who must stay off for a recording is cut in
        Janus from the first packet."""
        if m.publish_pending or m.publishing:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "already publishing")
        sdp_check.check_offer(msg.sdp)
        rec = self.recording.rules(m.room)
        if rec is not None and rec.must_keep_devices_off(m.role, bool(m.consent)):
            for d in m.devices.values():
                d.on, d.muted = False, True
        m.publish_pending = True
        return [Publish(m, msg.sdp, msg.rid)]

    def publish_failed(self, m: Member) -> None:
        m.publish_pending = False

    def publish_answered(self, m: Member, sdp: str, rid: int | None) -> list[Effect]:
        """Janus answered the offer: what was turned off stays off from the first packet,
        and the screen m-line forwards only while the service lets this member share."""
        out: list[Effect] = [Moderate(m, dev, True) for dev in DEVICES if m.devices[dev].muted]
        out += [Moderate(m, "screen", True)] if m.room.sharer != m.id else []
        return out + _tell(m, p.Published(sdp=sdp, rid=rid))

    def on_subscribe(self, m: Member, msg: p.Subscribe, now: float) -> list[Effect]:
        target = self._target(m.room, msg.feed, Action.SUBSCRIBE)
        if not target.publishing:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "this participant is not publishing")
        if target is m:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "you cannot subscribe to yourself")
        return [Subscribe(m, target, msg.rid)]

    def subscription_offered(self, m: Member, feed: str, sdp: str,
                             rid: int | None = None) -> list[Effect]:
        """Janus made the offer of `feed` for `m` (asked for, or again after a hangup)."""
        if m.conn is None:
            return []
        m.pending_answers.add(feed)
        return [Send(m.conn, p.Subscription(feed=feed, sdp=sdp, rid=rid))]

    def on_subscription_answer(self, m: Member, msg: p.SubscriptionAnswer,
                               now: float) -> list[Effect]:
        if msg.feed not in m.pending_answers:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "no subscription offer is waiting")
        sdp_check.check_answer(msg.sdp)
        m.pending_answers.discard(msg.feed)
        return [Answer(m, msg.feed, msg.sdp)]

    def on_unsubscribe(self, m: Member, msg: p.Unsubscribe, now: float) -> list[Effect]:
        return self.subscription_gone(m, msg.feed)

    def subscription_gone(self, m: Member, feed: str) -> list[Effect]:
        """`m` stops receiving `feed` (it asked, or Janus hung up and it is not offered again)."""
        m.pending_answers.discard(feed)
        return [StopSubscription(m, feed)]

    def peer_lost(self, m: Member) -> list[Effect]:
        """Janus dropped `m`'s session (its node is fine): media again, by the client."""
        out = self._drop_media(m)
        return out + (_tell(m, p.MediaReconnect(reason="media_session_lost"))
                      if m.state is PState.JOINED else [])

    def media_lost(self, room: Room) -> list[Effect]:
        """The room's Janus is gone (the service moves it): every member's media is.
        Members, locks, mutes (applied again at the next publish), chat, hands stay."""
        for m in room.members.values():
            m.publishing = m.publish_pending = False
            m.pending_answers.clear()
        return _tell_all(room.joined(), p.MediaReconnect(reason="media_server_lost"))

    def media_up(self, m: Member) -> list[Effect]:
        """Janus: webrtcup on `m`'s publisher."""
        m.publish_pending = False
        m.publishing = True
        log.info("participant %s publishes in room %s", m.id, m.room.id)
        return [*self.participants(m.room), RecordingPublished(m)]

    def media_down(self, m: Member) -> list[Effect]:
        """Janus: hangup on `m`'s publisher."""
        if not (m.publishing or m.publish_pending):
            return []
        self._share_gone(m)
        m.publishing = m.publish_pending = False
        _feed_gone(m)
        return [Unpublish(m), *self.participants(m.room)]

    # ------------------------------------------------------------ messages
    def handle(self, conn: str, msg: p.ClientMessage, now: float) -> list[Effect]:
        """A lesson message from `conn`, allowed by check()."""
        handler = getattr(self, "on_" + type(msg).__struct_config__.tag)
        return handler(self.by_conn[conn], msg, now)  # type: ignore[no-any-return]

    def on_leave(self, m: Member, msg: p.Leave, now: float) -> list[Effect]:
        return self.remove(m, "left")

    def on_media(self, m: Member, msg: p.MediaState, now: float) -> list[Effect]:
        if not (self._media[0].take(f"{m.room.id}/{m.id}", now) and self._media[1].take(m.room.id, now)):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many device changes; slow down")
        wants: dict[Device, bool] = {"camera": msg.camera, "mic": msg.mic}
        turning_on = {d: on and not m.devices[d].on for d, on in wants.items()}
        rec = self.recording.rules(m.room)
        if rec is not None and rec.check_device_on(m.role, bool(m.consent), turning_on["camera"],
                                                   turning_on["mic"]) is not None:
            raise ProtocolError(ErrorCode.RECORDING_NOT_ALLOWED, "a recording is on: consent to "
                                "it first, or keep camera and microphone off")
        for dev in DEVICES:
            if turning_on[dev] and rules.check_media_on(m.devices[dev].locked) is not None:
                raise ProtocolError(ErrorCode.LOCKED, f"the teacher locked your {dev} off")
        out: list[Effect] = []
        for dev, on in wants.items():
            state = m.devices[dev]
            state.on = on
            # The member turned it on again: only now does Janus forward it again.
            if on and state.muted:
                state.muted = False
                if m.publishing:
                    out.append(Moderate(m, dev, False))
        return out + (self.participants(m.room) if m.state is PState.JOINED else [])

    def on_chat(self, m: Member, msg: p.Chat, now: float) -> list[Effect]:
        assert m.conn is not None
        self._chat_limit(m.conn, now)
        if not msg.text.strip():
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "empty chat message")
        line = p.ChatMessage(sender=m.id, name=m.name, text=msg.text, ts=now)
        m.room.add_chat(line)
        return _tell_all(m.room.joined(), line)

    def on_hand(self, m: Member, msg: p.Hand, now: float) -> list[Effect]:
        assert m.conn is not None
        self._chat_limit(m.conn, now)
        m.hand = msg.up
        return self.participants(m.room)

    def on_consent(self, m: Member, msg: p.Consent, now: float) -> list[Effect]:
        m.consent = msg.recording
        out: list[Effect] = [RecordingConsent(m)]
        rec = self.recording.rules(m.room)
        if not msg.recording and rec is not None and rec.must_keep_devices_off(m.role, False):
            out += self.keep_off([m])
        return out

    # ----------------------------------------------------- teacher actions
    def on_admit(self, m: Member, msg: p.Admit, now: float) -> list[Effect]:
        out = self._admit_one(self._target(m.room, msg.participant, Action.ADMIT))
        return out + self.participants(m.room)

    def on_admit_all(self, m: Member, msg: p.AdmitAll, now: float) -> list[Effect]:
        out = [e for w in m.room.waiting() for e in self._admit_one(w)]
        return out + self.participants(m.room)

    def _admit_one(self, m: Member) -> list[Effect]:
        m.state = rules.member_next(m.state, MemberEvent.ADMIT)
        log.info("participant %s admitted to room %s", m.id, m.room.id)
        return _tell(m, p.Admitted()) + self._lesson_so_far(m)

    def on_deny_all(self, m: Member, msg: p.DenyAll, now: float) -> list[Effect]:
        waiting = m.room.waiting()
        out = [e for w in waiting for e in self._deny(w)]
        log.info("room %s: %d waiting participant(s) denied", m.room.id, len(waiting))
        return out

    def on_lock_room(self, m: Member, msg: p.LockRoom, now: float) -> list[Effect]:
        room = m.room
        room.locked = msg.locked
        log.info("room %s %s", room.id, "locked" if msg.locked else "unlocked")
        return [Send(t.conn, p.LockState(locked=msg.locked, rid=msg.rid if t is m else None))
                for t in room.joined() if t.role is Role.TEACHER and t.conn is not None]

    def on_deny(self, m: Member, msg: p.Deny, now: float) -> list[Effect]:
        return self._deny(self._target(m.room, msg.participant, Action.DENY))

    def _deny(self, w: Member) -> list[Effect]:
        return _tell(w, p.Denied(reason="the teacher did not admit you")) + self.remove(w, "denied")

    def on_turn_off(self, m: Member, msg: p.TurnOff, now: float) -> list[Effect]:
        room = m.room
        if msg.participant is None:
            targets = [t for t in room.joined() if t.role is Role.PUPIL]
        else:
            targets = [self._target(room, msg.participant, Action.TURN_OFF)]
        out = [e for t in targets for e in _turn_off(t, msg.device, msg.lock, by=m.id)]
        log.info("room %s: %s turned off for %d participant(s)", room.id, msg.device,
                 len(targets))
        return out + self.participants(room)

    def keep_off(self, pupils: list[Member]) -> list[Effect]:
        """The recording rule: these pupils keep camera and mic off (the server's own
        moderation: `by` is empty). Participants go out only if a device was on."""
        out: list[Effect] = []
        changed = False
        for m in pupils:
            changed = changed or any(d.on for d in m.devices.values())
            for dev in DEVICES:
                out += _turn_off(m, dev, lock=False, by="")
        return out + (self.participants(pupils[0].room) if changed else [])

    def recording_announced(self, room: Room) -> list[Effect]:
        """A recording was announced: pupils who must stay off for it are turned off."""
        rec = self.recording.rules(room)
        if rec is None:
            return []
        return self.keep_off([m for m in room.members.values()
                              if rec.must_keep_devices_off(m.role, bool(m.consent))])

    def on_unlock(self, m: Member, msg: p.Unlock, now: float) -> list[Effect]:
        target = self._target(m.room, msg.participant, Action.UNLOCK)
        target.devices[msg.device].locked = False
        return (_tell(target, p.Moderation(action="unlock", device=msg.device, by=m.id))
                + self.participants(m.room))

    def on_ask_on(self, m: Member, msg: p.AskOn, now: float) -> list[Effect]:
        target = self._target(m.room, msg.participant, Action.ASK_ON)
        return _tell(target, p.Moderation(action="ask_on", device=msg.device, by=m.id))

    def on_kick(self, m: Member, msg: p.Kick, now: float) -> list[Effect]:
        target = self._target(m.room, msg.participant, Action.KICK)
        if target is m:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "use leave to leave")
        return self.remove(target, "kicked")

    def on_lower_hands(self, m: Member, msg: p.LowerHands, now: float) -> list[Effect]:
        room = m.room
        if msg.participant is None:
            targets = [t for t in room.joined() if t.hand]
        else:
            targets = [self._target(room, msg.participant, Action.LOWER_HANDS)]
        for t in targets:
            t.hand = False
        return _tell_all(targets, p.Moderation(action="lower_hand", by=m.id)) + self.participants(room)

    def on_end(self, m: Member, msg: p.End, now: float) -> list[Effect]:
        return self.close(m.room, "ended", now=now)

    def on_record(self, m: Member, msg: p.Record, now: float) -> list[Effect]:
        return [Record(m, msg.start)]

    # --------------------------------------------------------- screen share
    def on_share(self, m: Member, msg: p.Share, now: float) -> list[Effect]:
        room = m.room
        if not msg.on:
            return (self._stop_share(m, None) + self.participants(room)
                    if room.sharer == m.id else [])
        current = room.members.get(room.sharer or "")
        sharer = (rules.Sharer.NOBODY if current is None else rules.Sharer.SELF if current is m
                  else rules.Sharer.TEACHER if current.role is Role.TEACHER else rules.Sharer.PUPIL)
        code = rules.check_share(m.role, m.may_share, sharer, msg.replace)
        if code is not None:
            raise ProtocolError(code, "someone else is sharing; ask before replacing it"
                                if code is ErrorCode.SHARE_BUSY else "you may not share your "
                                "screen now")
        out = self._stop_share(current, "share_off") if current not in (None, m) else []
        room.sharer = m.id
        # The Janus unmute is a no-op until it publishes a screen m-line.
        out += [RecordingShare(m), Moderate(m, "screen", False)]
        log.info("room %s: participant %s shares", room.id, m.id)
        return out + self.participants(room)

    def _stop_share(self, m: Member | None, tell: str | None) -> list[Effect]:
        """Stop `m`'s share in Janus at once; `tell`: the moderation action to send it."""
        if m is None:
            return []
        if m.room.sharer == m.id:
            m.room.sharer = None
        out = [] if tell is None else _tell(m, p.Moderation(action=tell))  # type: ignore[arg-type]
        return [*out, Moderate(m, "screen", True, best_effort=True)]

    def _share_gone(self, m: Member) -> None:
        """The sharer's media went away (left, dropped, unpublished): nobody shares."""
        if m.room.sharer == m.id:
            m.room.sharer = None
            log.info("room %s: the share ended with its publisher", m.room.id)

    def on_share_permission(self, m: Member, msg: p.SharePermission, now: float) -> list[Effect]:
        target = self._target(m.room, msg.participant, Action.SHARE_PERMISSION)
        code = rules.check_share_permission(target.role)
        if code is not None:
            raise ProtocolError(code, "teachers may always share")
        target.may_share = msg.allow
        out = _tell(target, p.Moderation(action="share_allowed" if msg.allow else "share_revoked",
                                         by=m.id))
        if not msg.allow and m.room.sharer == target.id:
            out += self._stop_share(target, "share_off")
        return out + self.participants(m.room)


def lists(room: Room) -> list[Send]:
    """Teachers see everyone; a pupil sees the joined, and only its own locks
    (whom the teacher locked is no classmate's business)."""
    everyone = [m.view() for m in room.members.values()]
    joined = [v for v in everyone if v.state == "joined"]
    public = [msgspec.structs.replace(v, camera_locked=False, mic_locked=False)
              if v.role == "pupil" else v for v in joined]
    out: list[Send] = []
    for m in room.joined():
        if m.conn is None:
            continue
        if m.role is Role.TEACHER:
            view = everyone
        else:
            view = [own if own.id == m.id else pub
                    for own, pub in zip(joined, public, strict=True)]
        out.append(Send(m.conn, p.Participants(participants=view)))
    return out


def _turn_off(m: Member, device: Device, lock: bool, by: str) -> list[Effect]:
    """Moderation, the one path: off (and maybe locked), cut in Janus until the member
    turns it on again. The client is told first; Janus cuts it regardless of it."""
    state = m.devices[device]
    state.on = False
    state.locked = state.locked or lock
    state.muted = True
    out = _tell(m, p.Moderation(action="turn_off", device=device, locked=state.locked, by=by))
    return out + ([Moderate(m, device, True)] if m.publishing else [])


def _tell(m: Member, msg: p.ServerMessage) -> list[Effect]:
    """A message to `m`, if it is connected now."""
    return [] if m.conn is None else [Send(m.conn, msg)]


def _tell_all(members: list[Member], msg: p.ServerMessage) -> list[Effect]:
    return [Send(m.conn, msg) for m in members if m.conn is not None]


def _feed_gone(m: Member) -> None:
    """`m` publishes no more: an offer of its feed can no longer be answered (DropMedia
    and Unpublish end the subscriptions in Janus)."""
    for o in m.room.members.values():
        o.pending_answers.discard(m.id)


def _new_id(room: Room) -> str:
    while True:
        pid = "p" + secrets.token_hex(4)
        if pid not in room.members:
            return pid


# The lesson actions the core takes (an `on_<type>` method each); the rest (entry,
# accounts, the SDP relay) are the gateway's.
LESSON_ACTIONS = frozenset(a for a in Action if hasattr(Lessons, "on_" + a.value))
