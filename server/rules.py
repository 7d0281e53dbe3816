"""The room rules as data: who may take which action, in which participant state.

`TABLE` below is the whole answer to "may this connection do that now?": one row per
room action (each is one client message of app/protocol.py, named by its `type`),
saying which roles may take it, in which participant states, at whom it may be
aimed, and which server switch it needs. `check()` reads a row and, when it refuses,
picks the one ErrorCode the client gets (the order is written out there).

The room (open -> closing -> closed) and participant (connected -> waiting ->
joined) state changes are two more small tables. Sans-I/O: no sockets, no Janus, no
clock. Issue-specific limits (rates, caps, share permissions) are new columns or
rows here, not code in the service: a pupil's share needs a teacher's grant (the
`granted` column), and one share at a time is the SHARE_OVER table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import get_args

import klasse.app.protocol as p
from klasse.app.protocol import ErrorCode


class Role(StrEnum):
    """The one role type of the service (recording rules included)."""
    NONE = "none"        # before join the connection has no room role
    TEACHER = "teacher"
    PUPIL = "pupil"


class PState(StrEnum):
    CONNECTED = "connected"  # a WebSocket, maybe logged in, not in a room
    WAITING = "waiting"      # in the waiting room: sees nothing of the lesson
    JOINED = "joined"        # admitted


class RoomState(StrEnum):
    NONE = "none"        # the connection is in no room yet
    OPEN = "open"        # at least one teacher present, or never had one
    CLOSING = "closing"  # the last teacher left; the grace period runs
    CLOSED = "closed"    # ended: nothing more happens in it


class Target(StrEnum):
    """The participant an action names, as the sender may see it."""
    MISSING = "missing"
    WAITING = "waiting"
    JOINED = "joined"


class Action(StrEnum):
    """A room action: the `type` of one client message (checked at import below)."""
    LOGIN = "login"
    CREATE_ROOM = "create_room"
    GET_NOTICE = "get_notice"
    JOIN = "join"
    LIST_RECORDINGS = "list_recordings"
    DELETE_RECORDING = "delete_recording"
    PING = "ping"
    LEAVE = "leave"
    MEDIA = "media"
    CONSENT = "consent"
    PUBLISH = "publish"
    SUBSCRIBE = "subscribe"
    SUBSCRIPTION_ANSWER = "subscription_answer"
    UNSUBSCRIBE = "unsubscribe"
    CHAT = "chat"
    HAND = "hand"
    ADMIT = "admit"
    ADMIT_ALL = "admit_all"
    DENY_ALL = "deny_all"
    LOCK_ROOM = "lock_room"
    DENY = "deny"
    TURN_OFF = "turn_off"
    UNLOCK = "unlock"
    ASK_ON = "ask_on"
    KICK = "kick"
    LOWER_HANDS = "lower_hands"
    END = "end"
    RECORD = "record"
    SHARE = "share"
    SHARE_PERMISSION = "share_permission"


@dataclass(frozen=True)
class Policy:
    """The server's switches that rules may depend on (from its config)."""
    recording_allowed: bool = False


@dataclass(frozen=True)
class Rule:
    who: frozenset[Role]                         # roles that may take it
    where: frozenset[PState]                     # participant states in which they may
    aim: frozenset[Target] = frozenset()         # whom it may name (a participant id)
    needs: str | None = None                     # a Policy switch that must be on
    granted: frozenset[Role] = frozenset()       # roles that need a teacher's grant


# Readable names for the cells.
ANYONE = frozenset(Role)
MEMBERS = frozenset({Role.TEACHER, Role.PUPIL})
TEACHERS = frozenset({Role.TEACHER})
PUPILS = frozenset({Role.PUPIL})
OUTSIDE = frozenset({PState.CONNECTED})                 # not in a room (yet)
IN_ROOM = frozenset({PState.WAITING, PState.JOINED})    # the waiting room counts
JOINED = frozenset({PState.JOINED})                     # admitted
ANYWHERE = frozenset(PState)
WAITING_ONE = frozenset({Target.WAITING})
JOINED_ONE = frozenset({Target.JOINED})
ANY_ONE = frozenset({Target.WAITING, Target.JOINED})

A = Action
TABLE: dict[Action, Rule] = {
    # Before a room: accounts, the notice, entering. One room per connection.
    A.LOGIN:               Rule(ANYONE,   OUTSIDE),
    A.CREATE_ROOM:         Rule(ANYONE,   OUTSIDE),
    A.GET_NOTICE:          Rule(ANYONE,   OUTSIDE),
    A.JOIN:                Rule(ANYONE,   OUTSIDE),
    A.LIST_RECORDINGS:     Rule(ANYONE,   OUTSIDE),
    A.DELETE_RECORDING:    Rule(ANYONE,   OUTSIDE),
    A.PING:                Rule(ANYONE,   ANYWHERE),
    # A waiting pupil may only leave, say its device state and answer the recording.
    A.LEAVE:               Rule(MEMBERS,  IN_ROOM),
    A.MEDIA:               Rule(MEMBERS,  IN_ROOM),
    A.CONSENT:             Rule(MEMBERS,  IN_ROOM),
    # Everyone admitted.
    A.PUBLISH:             Rule(MEMBERS,  JOINED),
    A.SUBSCRIBE:           Rule(MEMBERS,  JOINED, aim=JOINED_ONE),
    A.SUBSCRIPTION_ANSWER: Rule(MEMBERS,  JOINED),
    A.UNSUBSCRIBE:         Rule(MEMBERS,  JOINED),
    A.CHAT:                Rule(MEMBERS,  JOINED),
    A.HAND:                Rule(MEMBERS,  JOINED),
    # Teachers only.
    A.ADMIT:               Rule(TEACHERS, JOINED, aim=WAITING_ONE),
    A.ADMIT_ALL:           Rule(TEACHERS, JOINED),
    A.DENY_ALL:            Rule(TEACHERS, JOINED),
    A.LOCK_ROOM:           Rule(TEACHERS, JOINED),
    A.DENY:                Rule(TEACHERS, JOINED, aim=WAITING_ONE),
    A.TURN_OFF:            Rule(TEACHERS, JOINED, aim=JOINED_ONE),    # no one: all pupils
    A.UNLOCK:              Rule(TEACHERS, JOINED, aim=JOINED_ONE),
    A.ASK_ON:              Rule(TEACHERS, JOINED, aim=JOINED_ONE),
    A.KICK:                Rule(TEACHERS, JOINED, aim=ANY_ONE),
    A.LOWER_HANDS:         Rule(TEACHERS, JOINED, aim=JOINED_ONE),    # no one: every hand
    A.END:                 Rule(TEACHERS, JOINED),
    A.RECORD:              Rule(TEACHERS, JOINED, needs="recording_allowed"),
    # Screen sharing: teachers; a pupil only while a teacher grants it (check_grant),
    # and one share at a time (check_share).
    A.SHARE:               Rule(MEMBERS,  JOINED, granted=PUPILS),
    A.SHARE_PERMISSION:    Rule(TEACHERS, JOINED, aim=JOINED_ONE),
}

# The refusal for a Policy switch that is off.
SWITCH_OFF: dict[str, ErrorCode] = {"recording_allowed": ErrorCode.RECORDING_NOT_ALLOWED}

# Which message type is which action: the message's `type` names it.
ACTION_OF: dict[type, Action] = {
    cls: Action(cls.__struct_config__.tag) for cls in get_args(p.ClientMessage)}
assert set(ACTION_OF.values()) == set(Action) == set(TABLE), "an action without message or rule"


def check(role: Role, ps: PState, rs: RoomState, action: Action,
          policy: Policy = Policy()) -> ErrorCode | None:
    """None if allowed, else the error code to reply with.

    A refusal names the first thing wrong, in this order: in a room for an action
    outside one (already_joined), or the other way round (not_joined); the role
    (not_allowed, whatever the state, so a pupil learns nothing more); a closed
    room (room_closed); waiting where it takes admission (not_joined); a switch
    of the server that is off."""
    rule = TABLE[action]
    if PState.CONNECTED in rule.where:          # an action that needs no room
        return None if ps in rule.where else ErrorCode.ALREADY_JOINED
    if ps is PState.CONNECTED or role is Role.NONE or rs is RoomState.NONE:
        return ErrorCode.NOT_JOINED
    if role not in rule.who:
        return ErrorCode.NOT_ALLOWED
    if rs is RoomState.CLOSED:
        return ErrorCode.ROOM_CLOSED
    if ps not in rule.where:
        return ErrorCode.NOT_JOINED
    if rule.needs is not None and not getattr(policy, rule.needs):
        return SWITCH_OFF[rule.needs]
    return None


def check_target(action: Action, target: Target) -> ErrorCode | None:
    """Is `target` a participant that `action` can be aimed at?"""
    if target is Target.MISSING:
        return ErrorCode.NO_SUCH_PARTICIPANT
    if target in TABLE[action].aim:
        return None
    # A waiting pupil is invisible to everyone but teachers' admission controls.
    return ErrorCode.OUT_OF_ORDER if target is Target.JOINED else ErrorCode.NO_SUCH_PARTICIPANT


def check_grant(action: Action, role: Role, granted: bool) -> ErrorCode | None:
    """An action some roles may take only with a teacher's grant (a pupil's share)."""
    if role in TABLE[action].granted and not granted:
        return ErrorCode.NOT_ALLOWED
    return None


class Sharer(StrEnum):
    """Who shares now, as the participant asking to share sees it."""
    NOBODY = "nobody"
    SELF = "self"
    TEACHER = "teacher"   # another teacher
    PUPIL = "pupil"       # a pupil (with a grant)


# One share at a time: (role asking, who shares now) -> what a `share` without
# `replace` gets, and whether `replace` may take over. A pupil never takes over a
# teacher's share; anyone else is asked first (share_busy), then may replace.
SHARE_OVER: dict[tuple[Role, Sharer], tuple[ErrorCode | None, bool]] = {
    (Role.TEACHER, Sharer.NOBODY):  (None, True),
    (Role.TEACHER, Sharer.SELF):    (None, True),
    (Role.TEACHER, Sharer.TEACHER): (ErrorCode.SHARE_BUSY, True),
    (Role.TEACHER, Sharer.PUPIL):   (ErrorCode.SHARE_BUSY, True),
    (Role.PUPIL, Sharer.NOBODY):    (None, True),
    (Role.PUPIL, Sharer.SELF):      (None, True),
    (Role.PUPIL, Sharer.TEACHER):   (ErrorCode.NOT_ALLOWED, False),
    (Role.PUPIL, Sharer.PUPIL):     (ErrorCode.SHARE_BUSY, True),
}


def check_share(role: Role, granted: bool, current: Sharer, replace: bool) -> ErrorCode | None:
    """A participant asks to start sharing: None if allowed, else the error code."""
    code = check_grant(Action.SHARE, role, granted)
    if code is not None:
        return code
    busy, may_replace = SHARE_OVER[(role, current)]
    if busy is ErrorCode.SHARE_BUSY and replace and may_replace:
        return None
    return busy


def check_share_permission(target_role: Role) -> ErrorCode | None:
    """A grant is for pupils: teachers share anyway."""
    return None if target_role is Role.PUPIL else ErrorCode.OUT_OF_ORDER


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
