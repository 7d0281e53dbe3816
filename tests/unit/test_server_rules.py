"""The room rules, exhaustively: every role x participant state x room state x action
is either allowed or refused with one specific error code."""

from __future__ import annotations

import itertools

import pytest

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from klasse.server import rules
from klasse.server.rules import Action, Policy, PState, Role, RoomState, Target

A = Action
PUPIL_LESSON = {A.PUBLISH, A.SUBSCRIBE, A.SUBSCRIPTION_ANSWER, A.UNSUBSCRIBE, A.MEDIA, A.CHAT,
                A.HAND, A.CONSENT, A.LEAVE, A.PING}
TEACHER_EXTRA = {A.ADMIT, A.ADMIT_ALL, A.DENY, A.TURN_OFF, A.UNLOCK, A.ASK_ON, A.KICK,
                 A.LOWER_HANDS, A.END, A.RECORD}
ENTRY = {A.LOGIN, A.CREATE_ROOM, A.JOIN, A.GET_NOTICE, A.LIST_RECORDINGS, A.DELETE_RECORDING}
ALL = list(itertools.product(Role, PState, RoomState, Action, (False, True)))


def expected(role: Role, ps: PState, rs: RoomState, a: Action, rec: bool) -> ErrorCode | None:
    """The rules as the issue states them, written independently of rules.py."""
    if a is A.PING:
        return None
    if a in ENTRY:   # one room per connection
        return None if ps is PState.CONNECTED else ErrorCode.ALREADY_JOINED
    if ps is PState.CONNECTED or role is Role.NONE or rs is RoomState.NONE:
        return ErrorCode.NOT_JOINED
    if role is Role.PUPIL and a in TEACHER_EXTRA:
        return ErrorCode.NOT_ALLOWED            # whatever the state: a pupil never may
    if rs is RoomState.CLOSED:
        return ErrorCode.ROOM_CLOSED
    if ps is PState.WAITING:
        return None if a in {A.LEAVE, A.MEDIA, A.CONSENT} else ErrorCode.NOT_JOINED
    if a is A.RECORD and not rec:
        return ErrorCode.RECORDING_NOT_ALLOWED
    allowed = PUPIL_LESSON | (TEACHER_EXTRA if role is Role.TEACHER else set())
    assert a in allowed
    return None


@pytest.mark.parametrize("combo", ALL, ids=lambda c: "-".join(str(x) for x in c))
def test_every_combination(combo: tuple[Role, PState, RoomState, Action, bool]) -> None:
    role, ps, rs, a, rec = combo
    assert rules.check(role, ps, rs, a, Policy(recording_allowed=rec)) == expected(*combo)


def test_table_is_complete_and_codes_are_specific() -> None:
    for table in rules.TABLES.values():
        assert len(table) == len(Role) * len(PState) * len(RoomState) * len(Action)
        assert {c for c in table.values() if c is not None} <= {
            ErrorCode.NOT_JOINED, ErrorCode.ALREADY_JOINED, ErrorCode.NOT_ALLOWED,
            ErrorCode.ROOM_CLOSED, ErrorCode.RECORDING_NOT_ALLOWED}


def test_pupil_can_never_take_a_teacher_action() -> None:
    for ps, rs, a in itertools.product(PState, RoomState, TEACHER_EXTRA):
        if ps is not PState.CONNECTED and rs is not RoomState.NONE:
            assert rules.check(Role.PUPIL, ps, rs, a, Policy(True)) is ErrorCode.NOT_ALLOWED


def test_every_client_message_maps_to_an_action() -> None:
    kinds = set(p.ClientMessage.__args__)  # type: ignore[attr-defined]
    assert set(rules.ACTION_OF) == kinds
    assert set(rules.ACTION_OF.values()) == set(Action)


@pytest.mark.parametrize("action", sorted(rules.TARGET_STATES))
def test_targets(action: Action) -> None:
    assert rules.check_target(action, Target.MISSING) is ErrorCode.NO_SUCH_PARTICIPANT
    for target in (Target.WAITING, Target.JOINED):
        code = rules.check_target(action, target)
        if target in rules.TARGET_STATES[action]:
            assert code is None
        else:
            assert code in (ErrorCode.OUT_OF_ORDER, ErrorCode.NO_SUCH_PARTICIPANT)
    assert rules.check_target(A.ADMIT, Target.JOINED) is ErrorCode.OUT_OF_ORDER
    assert rules.check_target(A.TURN_OFF, Target.WAITING) is ErrorCode.NO_SUCH_PARTICIPANT


def test_locked_device_cannot_be_turned_on() -> None:
    assert rules.check_media_on(True) is ErrorCode.LOCKED
    assert rules.check_media_on(False) is None


# ------------------------------------------------------------ transitions
R, E = RoomState, rules.RoomEvent
EXPECTED_ROOM = {
    (R.OPEN, E.LAST_TEACHER_GONE): R.CLOSING, (R.CLOSING, E.LAST_TEACHER_GONE): R.CLOSING,
    (R.OPEN, E.TEACHER_BACK): R.OPEN, (R.CLOSING, E.TEACHER_BACK): R.OPEN,
    (R.OPEN, E.CLOSE): R.CLOSED, (R.CLOSING, E.CLOSE): R.CLOSED,
}


@pytest.mark.parametrize(("state", "event"), list(itertools.product(RoomState, rules.RoomEvent)))
def test_room_transitions(state: RoomState, event: rules.RoomEvent) -> None:
    if (state, event) in EXPECTED_ROOM:
        assert rules.room_next(state, event) is EXPECTED_ROOM[(state, event)]
    else:
        # Closed is final: nothing reopens a closed room; NONE is no room at all.
        assert state in (R.CLOSED, R.NONE)
        with pytest.raises(rules.InvalidTransition):
            rules.room_next(state, event)


ME = rules.MemberEvent
EXPECTED_MEMBER = {
    (PState.CONNECTED, ME.ENTER_JOINED): PState.JOINED,
    (PState.CONNECTED, ME.ENTER_WAITING): PState.WAITING,
    (PState.WAITING, ME.ADMIT): PState.JOINED,
    (PState.WAITING, ME.REMOVE): PState.CONNECTED,
    (PState.JOINED, ME.REMOVE): PState.CONNECTED,
}


@pytest.mark.parametrize(("state", "event"), list(itertools.product(PState, rules.MemberEvent)))
def test_member_transitions(state: PState, event: rules.MemberEvent) -> None:
    if (state, event) in EXPECTED_MEMBER:
        assert rules.member_next(state, event) is EXPECTED_MEMBER[(state, event)]
    else:
        with pytest.raises(rules.InvalidTransition):
            rules.member_next(state, event)


def test_who_waits() -> None:
    assert rules.entry_event(Role.PUPIL, True) is ME.ENTER_WAITING
    assert rules.entry_event(Role.PUPIL, False) is ME.ENTER_JOINED
    assert rules.entry_event(Role.TEACHER, True) is ME.ENTER_JOINED   # teachers never wait
