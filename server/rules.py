"""The room rules: which role may do what, in which participant and room state,
and how those states change.

Sans-I/O in the manner of h11: no sockets, no Janus, no clocks. The service asks
`check()` before it acts on any message; every answer is either "allowed" (None)
or the one ErrorCode the client gets back. State changes go through `room_next()`
and `member_next()`, two small transition tables; anything not in them raises
InvalidTransition (a bug in the caller, never a client's fault). Tests walk every
role x participant state x room state x action and every state x event.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import klasse.app.protocol as p
from klasse.app.protocol import ErrorCode


class RoomState(StrEnum):
    NONE = "none"        # the connection is in no room yet
    OPEN = "open"        # at least one teacher present, or never had one
    CLOSING = "closing"  # the last teacher left; the grace period runs
    CLOSED = "closed"    # ended: nothing more happens in it


class PState(StrEnum):
    CONNECTED = "connected"  # a WebSocket, maybe logged in, not in a room
    WAITING = "waiting"      # in the waiting room: sees nothing of the lesson
    JOINED = "joined"        # admitted


class Role(StrEnum):
    NONE = "none"        # before join the connection has no room role
    TEACHER = "teacher"
    PUPIL = "pupil"


class Action(StrEnum):
    LOGIN = "login"
    CREATE_ROOM = "create_room"
    JOIN = "join"
    GET_NOTICE = "get_notice"
    PUBLISH = "publish"
    SUBSCRIBE = "subscribe"
    SUBSCRIPTION_ANSWER = "subscription_answer"
    UNSUBSCRIBE = "unsubscribe"
    MEDIA = "media"
    CHAT = "chat"
    HAND = "hand"
    CONSENT = "consent"
    LEAVE = "leave"
    PING = "ping"
    ADMIT = "admit"
    ADMIT_ALL = "admit_all"
    DENY = "deny"
    TURN_OFF = "turn_off"
    UNLOCK = "unlock"
    ASK_ON = "ask_on"
    KICK = "kick"
    LOWER_HANDS = "lower_hands"
    END = "end"
    RECORD = "record"
    LIST_RECORDINGS = "list_recordings"
    DELETE_RECORDING = "delete_recording"


# Not tied to a room: allowed before joining, pointless after.
OUTSIDE_ROOM = frozenset({Action.LOGIN, Action.CREATE_ROOM, Action.JOIN, Action.GET_NOTICE,
                          Action.LIST_RECORDINGS, Action.DELETE_RECORDING})
# What a waiting pupil may still do: leave, keep the link alive, say its device state.
WHILE_WAITING = frozenset({Action.LEAVE, Action.PING, Action.MEDIA, Action.CONSENT})
# Lesson actions every admitted participant may take.
PARTICIPANT = frozenset({Action.PUBLISH, Action.SUBSCRIBE, Action.SUBSCRIPTION_ANSWER,
                         Action.UNSUBSCRIBE, Action.MEDIA, Action.CHAT, Action.HAND,
                         Action.CONSENT, Action.LEAVE})
# Only teachers: a pupil gets NOT_ALLOWED whatever the state.
TEACHER_ONLY = frozenset({Action.ADMIT, Action.ADMIT_ALL, Action.DENY, Action.TURN_OFF,
                          Action.UNLOCK, Action.ASK_ON, Action.KICK, Action.LOWER_HANDS,
                          Action.END, Action.RECORD})
assert OUTSIDE_ROOM | PARTICIPANT | TEACHER_ONLY | {Action.PING} == set(Action)

# Which message type is which action.
ACTION_OF: dict[type, Action] = {
    p.Login: Action.LOGIN, p.CreateRoom: Action.CREATE_ROOM, p.Join: Action.JOIN,
    p.GetNotice: Action.GET_NOTICE,
    p.Publish: Action.PUBLISH, p.Subscribe: Action.SUBSCRIBE,
    p.SubscriptionAnswer: Action.SUBSCRIPTION_ANSWER, p.Unsubscribe: Action.UNSUBSCRIBE,
    p.MediaState: Action.MEDIA, p.Chat: Action.CHAT, p.Hand: Action.HAND,
    p.Consent: Action.CONSENT, p.Leave: Action.LEAVE, p.Ping: Action.PING,
    p.Admit: Action.ADMIT, p.AdmitAll: Action.ADMIT_ALL, p.Deny: Action.DENY,
    p.TurnOff: Action.TURN_OFF, p.Unlock: Action.UNLOCK, p.AskOn: Action.ASK_ON,
    p.Kick: Action.KICK, p.LowerHands: Action.LOWER_HANDS, p.End: Action.END,
    p.Record: Action.RECORD,
    p.ListRecordings: Action.LIST_RECORDINGS, p.DeleteRecording: Action.DELETE_RECORDING,
}


@dataclass(frozen=True)
class Policy:
    """Room policy from the server config that the rules depend on."""
    recording_allowed: bool = False


Key = tuple[Role, PState, RoomState, Action]


def _decide(role: Role, ps: PState, rs: RoomState, action: Action,
            recording_allowed: bool) -> ErrorCode | None:
    if action is Action.PING:
        return None
    if action in OUTSIDE_ROOM:
        return ErrorCode.ALREADY_JOINED if ps is not PState.CONNECTED else None
    # From here on: an action inside a room.
    if ps is PState.CONNECTED or role is Role.NONE or rs is RoomState.NONE:
        return ErrorCode.NOT_JOINED
    if action in TEACHER_ONLY and role is not Role.TEACHER:
        return ErrorCode.NOT_ALLOWED
    if rs is RoomState.CLOSED:
        return ErrorCode.ROOM_CLOSED
    if ps is PState.WAITING:
        return None if action in WHILE_WAITING else ErrorCode.NOT_JOINED
    if action is Action.RECORD and not recording_allowed:
        return ErrorCode.RECORDING_NOT_ALLOWED
    return None


def _build(recording_allowed: bool) -> dict[Key, ErrorCode | None]:
    return {(r, ps, rs, a): _decide(r, ps, rs, a, recording_allowed)
            for r in Role for ps in PState for rs in RoomState for a in Action}


# The transition table, one per policy (two small dicts, built once).
TABLES: dict[bool, dict[Key, ErrorCode | None]] = {flag: _build(flag) for flag in (False, True)}


def check(role: Role, ps: PState, rs: RoomState, action: Action,
          policy: Policy = Policy()) -> ErrorCode | None:
    """None if allowed, else the error code to reply with."""
    return TABLES[policy.recording_allowed][(role, ps, rs, action)]


# --------------------------------------------------------------- targets
class Target(StrEnum):
    MISSING = "missing"
    WAITING = "waiting"
    JOINED = "joined"


# Teacher actions aimed at one participant, and the target states they accept.
TARGET_STATES: dict[Action, frozenset[Target]] = {
    Action.ADMIT: frozenset({Target.WAITING}),
    Action.DENY: frozenset({Target.WAITING}),
    Action.KICK: frozenset({Target.WAITING, Target.JOINED}),
    Action.TURN_OFF: frozenset({Target.JOINED}),
    Action.UNLOCK: frozenset({Target.JOINED}),
    Action.ASK_ON: frozenset({Target.JOINED}),
    Action.LOWER_HANDS: frozenset({Target.JOINED}),
    Action.SUBSCRIBE: frozenset({Target.JOINED}),
}


def check_target(action: Action, target: Target) -> ErrorCode | None:
    """Is `target` a participant that `action` can be aimed at?"""
    if target is Target.MISSING:
        return ErrorCode.NO_SUCH_PARTICIPANT
    if target in TARGET_STATES[action]:
        return None
    # A waiting pupil is invisible to everyone but teachers' admission controls.
    return ErrorCode.OUT_OF_ORDER if target is Target.JOINED else ErrorCode.NO_SUCH_PARTICIPANT


def check_media_on(locked: bool) -> ErrorCode | None:
    """A participant turning a device on: refused while the teacher holds a lock."""
    return ErrorCode.LOCKED if locked else None


# ------------------------------------------------------------ transitions
class InvalidTransition(RuntimeError):
    """The service tried a state change the rules do not have."""


class RoomEvent(StrEnum):
    LAST_TEACHER_GONE = "last_teacher_gone"  # the grace period starts
    TEACHER_BACK = "teacher_back"
    CLOSE = "close"                          # end for all, grace over, emptied, Janus lost


ROOM_TRANSITIONS: dict[tuple[RoomState, RoomEvent], RoomState] = {
    (RoomState.OPEN, RoomEvent.LAST_TEACHER_GONE): RoomState.CLOSING,
    (RoomState.OPEN, RoomEvent.TEACHER_BACK): RoomState.OPEN,
    (RoomState.CLOSING, RoomEvent.TEACHER_BACK): RoomState.OPEN,
    (RoomState.CLOSING, RoomEvent.LAST_TEACHER_GONE): RoomState.CLOSING,
    (RoomState.OPEN, RoomEvent.CLOSE): RoomState.CLOSED,
    (RoomState.CLOSING, RoomEvent.CLOSE): RoomState.CLOSED,
}


class MemberEvent(StrEnum):
    ENTER_JOINED = "enter_joined"    # a teacher, or a pupil in a room without waiting room
    ENTER_WAITING = "enter_waiting"  # a pupil where everyone waits (the default)
    ADMIT = "admit"
    REMOVE = "remove"                # left, kicked, denied, timed out, room closed


MEMBER_TRANSITIONS: dict[tuple[PState, MemberEvent], PState] = {
    (PState.CONNECTED, MemberEvent.ENTER_JOINED): PState.JOINED,
    (PState.CONNECTED, MemberEvent.ENTER_WAITING): PState.WAITING,
    (PState.WAITING, MemberEvent.ADMIT): PState.JOINED,
    (PState.WAITING, MemberEvent.REMOVE): PState.CONNECTED,
    (PState.JOINED, MemberEvent.REMOVE): PState.CONNECTED,
}


def room_next(state: RoomState, event: RoomEvent) -> RoomState:
    try:
        return ROOM_TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(f"room: {event} in state {state}") from None


def member_next(state: PState, event: MemberEvent) -> PState:
    try:
        return MEMBER_TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(f"participant: {event} in state {state}") from None


def entry_event(role: Role, waiting_room: bool) -> MemberEvent:
    """How a participant enters: teachers never wait; pupils wait unless the room says not."""
    if role is Role.PUPIL and waiting_room:
        return MemberEvent.ENTER_WAITING
    return MemberEvent.ENTER_JOINED
