"""The room rules table: worked examples a reader can check against the protocol
docs, and properties that must hold whatever rows are added later."""

from __future__ import annotations

import itertools

import pytest

from klasse.app.protocol import ErrorCode
from klasse.server import rules
from klasse.server.rules import TABLE, Action, Policy, PState, Role, RoomState, Target

A, T, P = Action, Role.TEACHER, Role.PUPIL
C, W, J = PState.CONNECTED, PState.WAITING, PState.JOINED
OPEN, CLOSING, CLOSED = RoomState.OPEN, RoomState.CLOSING, RoomState.CLOSED
ROOM_STATES = (OPEN, CLOSING, CLOSED)
ON, OFF = Policy(recording_allowed=True), Policy()


def check(role: Role, ps: PState, rs: RoomState, a: Action, policy: Policy = OFF) -> object:
    return rules.check(role, ps, rs, a, policy)


# --------------------------------------------------------------- worked examples
@pytest.mark.parametrize(("who", "situation", "want"), [
    # A fresh connection logs in, asks for the notice, joins.
    ((Role.NONE, C, RoomState.NONE, A.LOGIN), "a new connection logs in", None),
    ((Role.NONE, C, RoomState.NONE, A.GET_NOTICE), "asks for the notice", None),
    ((Role.NONE, C, RoomState.NONE, A.JOIN), "joins", None),
    ((Role.NONE, C, RoomState.NONE, A.CHAT), "chats before joining", ErrorCode.NOT_JOINED),
    ((Role.NONE, C, RoomState.NONE, A.ADMIT), "admits before joining", ErrorCode.NOT_JOINED),
    ((Role.NONE, C, RoomState.NONE, A.PING), "pings", None),
    # One room per connection.
    ((P, J, OPEN, A.JOIN), "an admitted pupil joins again", ErrorCode.ALREADY_JOINED),
    ((T, J, OPEN, A.CREATE_ROOM), "a teacher in a lesson creates a room", ErrorCode.ALREADY_JOINED),
    ((P, W, OPEN, A.LOGIN), "a waiting pupil logs in", ErrorCode.ALREADY_JOINED),
    # The waiting room: leave, say the devices, answer the recording; nothing of the lesson.
    ((P, W, OPEN, A.LEAVE), "a waiting pupil leaves", None),
    ((P, W, OPEN, A.MEDIA), "a waiting pupil turns the camera off", None),
    ((P, W, OPEN, A.CONSENT), "a waiting pupil consents", None),
    ((P, W, OPEN, A.PING), "a waiting pupil pings", None),
    ((P, W, OPEN, A.CHAT), "a waiting pupil chats", ErrorCode.NOT_JOINED),
    ((P, W, OPEN, A.SUBSCRIBE), "a waiting pupil subscribes", ErrorCode.NOT_JOINED),
    ((P, W, OPEN, A.PUBLISH), "a waiting pupil publishes", ErrorCode.NOT_JOINED),
    ((P, W, OPEN, A.ADMIT), "a waiting pupil admits itself", ErrorCode.NOT_ALLOWED),
    # In the lesson.
    ((P, J, OPEN, A.CHAT), "a pupil chats", None),
    ((P, J, CLOSING, A.HAND), "a pupil raises a hand while no teacher is there", None),
    ((P, J, OPEN, A.TURN_OFF), "a pupil turns a classmate's camera off", ErrorCode.NOT_ALLOWED),
    ((P, J, OPEN, A.END), "a pupil ends the lesson", ErrorCode.NOT_ALLOWED),
    ((P, J, CLOSED, A.KICK), "a pupil kicks in a closed room", ErrorCode.NOT_ALLOWED),
    ((T, J, OPEN, A.TURN_OFF), "a teacher turns a pupil's camera off", None),
    ((T, J, OPEN, A.ADMIT_ALL), "a teacher admits everyone", None),
    ((T, J, CLOSED, A.CHAT), "a teacher chats in a closed room", ErrorCode.ROOM_CLOSED),
    ((P, J, CLOSED, A.LEAVE), "a pupil leaves a closed room", ErrorCode.ROOM_CLOSED),
    ((T, J, CLOSED, A.PING), "a ping in a closed room", None),
    # Recording is the server's decision first.
    ((T, J, OPEN, A.RECORD), "a teacher records where it is off",
     ErrorCode.RECORDING_NOT_ALLOWED),
    ((P, J, OPEN, A.RECORD), "a pupil records where it is off", ErrorCode.NOT_ALLOWED),
])
def test_worked_example(who: tuple[Role, PState, RoomState, Action], situation: str,
                        want: ErrorCode | None) -> None:
    assert check(*who) == want, situation


def test_recording_where_the_server_allows_it() -> None:
    assert check(T, J, OPEN, A.RECORD, ON) is None
    assert check(P, J, OPEN, A.RECORD, ON) is ErrorCode.NOT_ALLOWED
    assert check(T, W, OPEN, A.RECORD, ON) is ErrorCode.NOT_JOINED   # never happens: teachers never wait


@pytest.mark.parametrize(("action", "target", "want"), [
    (A.ADMIT, Target.WAITING, None),
    (A.ADMIT, Target.JOINED, ErrorCode.OUT_OF_ORDER),           # already in
    (A.DENY, Target.JOINED, ErrorCode.OUT_OF_ORDER),
    (A.TURN_OFF, Target.WAITING, ErrorCode.NO_SUCH_PARTICIPANT),  # a waiting pupil has no camera here
    (A.TURN_OFF, Target.JOINED, None),
    (A.KICK, Target.WAITING, None),
    (A.KICK, Target.JOINED, None),
    (A.SUBSCRIBE, Target.WAITING, ErrorCode.NO_SUCH_PARTICIPANT),  # invisible to pupils
    (A.UNLOCK, Target.MISSING, ErrorCode.NO_SUCH_PARTICIPANT),
])
def test_worked_target(action: Action, target: Target, want: ErrorCode | None) -> None:
    assert rules.check_target(action, target) == want


def test_locked_device_cannot_be_turned_on() -> None:
    assert rules.check_media_on(True) is ErrorCode.LOCKED
    assert rules.check_media_on(False) is None


# -------------------------------------------------------------------- properties
IN_A_ROOM = list(itertools.product((W, J), ROOM_STATES))


def allowed(role: Role, ps: PState, rs: RoomState, policy: Policy = ON) -> set[Action]:
    return {a for a in Action if rules.check(role, ps, rs, a, policy) is None}


def test_every_action_has_one_rule_and_a_message() -> None:
    assert set(TABLE) == set(Action) == set(rules.ACTION_OF.values())
    for rule in TABLE.values():
        assert rule.who and rule.where
        assert rule.needs is None or rule.needs in rules.SWITCH_OFF


def test_pupils_never_take_a_teacher_action() -> None:
    teacher_only = {a for a, r in TABLE.items() if P not in r.who}
    assert teacher_only, "the table has no teacher actions"
    for (ps, rs), a in itertools.product(IN_A_ROOM, teacher_only):
        assert check(P, ps, rs, a, ON) is ErrorCode.NOT_ALLOWED


def test_a_teacher_may_do_whatever_a_pupil_may() -> None:
    for ps, rs in IN_A_ROOM:
        assert allowed(P, ps, rs) <= allowed(T, ps, rs)


def test_outside_a_room_only_entry_actions() -> None:
    outside = allowed(Role.NONE, C, RoomState.NONE)
    assert outside == {a for a, r in TABLE.items() if C in r.where}
    assert {A.JOIN, A.LOGIN, A.PING} <= outside and A.CHAT not in outside


def test_in_a_room_no_entry_action() -> None:
    for role, (ps, rs) in itertools.product((T, P), IN_A_ROOM):
        for a in allowed(role, ps, rs):
            assert a is A.PING or C not in TABLE[a].where


def test_a_closed_room_allows_nothing_but_ping() -> None:
    for role, ps in itertools.product((T, P), (W, J)):
        assert allowed(role, ps, CLOSED) == {A.PING}


def test_waiting_allows_a_subset_of_joined() -> None:
    for role, rs in itertools.product((T, P), (OPEN, CLOSING)):
        waiting, joined = allowed(role, W, rs), allowed(role, J, rs)
        assert waiting < joined
        assert not waiting & {A.CHAT, A.SUBSCRIBE, A.PUBLISH, A.HAND}  # sees nothing


def test_closing_is_open_for_the_rules() -> None:
    for role, ps in itertools.product((T, P), (W, J)):
        assert allowed(role, ps, CLOSING) == allowed(role, ps, OPEN)


def test_a_switch_only_changes_its_own_actions() -> None:
    for role, (ps, rs) in itertools.product((T, P), IN_A_ROOM):
        changed = allowed(role, ps, rs, ON) ^ allowed(role, ps, rs, Policy())
        assert changed <= {a for a, r in TABLE.items() if r.needs == "recording_allowed"}


def test_refusals_are_specific() -> None:
    codes = {rules.check(r, ps, rs, a, pol) for r, ps, rs, a, pol in itertools.product(
        Role, PState, RoomState, Action, (ON, Policy()))}
    assert codes == {None, ErrorCode.NOT_JOINED, ErrorCode.ALREADY_JOINED, ErrorCode.NOT_ALLOWED,
                     ErrorCode.ROOM_CLOSED, ErrorCode.RECORDING_NOT_ALLOWED}


def test_aimed_actions_take_only_participants_in_the_room() -> None:
    for a, rule in TABLE.items():
        assert rules.check_target(a, Target.MISSING) is ErrorCode.NO_SUCH_PARTICIPANT
        assert Target.MISSING not in rule.aim
        if rule.aim:
            assert P not in rule.who or rule.aim == {Target.JOINED}   # pupils see only the joined


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
    (C, ME.ENTER_JOINED): J, (C, ME.ENTER_WAITING): W, (W, ME.ADMIT): J,
    (W, ME.REMOVE): C, (J, ME.REMOVE): C,
}


@pytest.mark.parametrize(("state", "event"), list(itertools.product(PState, rules.MemberEvent)))
def test_member_transitions(state: PState, event: rules.MemberEvent) -> None:
    if (state, event) in EXPECTED_MEMBER:
        assert rules.member_next(state, event) is EXPECTED_MEMBER[(state, event)]
    else:
        with pytest.raises(rules.InvalidTransition):
            rules.member_next(state, event)


def test_who_waits() -> None:
    assert rules.entry_event(P, True) is ME.ENTER_WAITING
    assert rules.entry_event(P, False) is ME.ENTER_JOINED
    assert rules.entry_event(T, True) is ME.ENTER_JOINED   # teachers never wait


# ------------------------------------------------------------ screen share
S = rules.Sharer


@pytest.mark.parametrize(("ask", "situation", "want"), [
    ((T, False, S.NOBODY, False), "a teacher shares", None),
    ((P, False, S.NOBODY, False), "a pupil shares without a grant", ErrorCode.NOT_ALLOWED),
    ((P, True, S.NOBODY, False), "a pupil shares with a teacher's grant", None),
    ((T, False, S.SELF, False), "a teacher switches what they share", None),
    ((T, False, S.TEACHER, False), "a second teacher shares", ErrorCode.SHARE_BUSY),
    ((T, False, S.TEACHER, True), "...and, asked, replaces the first", None),
    ((T, False, S.PUPIL, False), "a teacher shares over a pupil's presentation",
     ErrorCode.SHARE_BUSY),
    ((T, False, S.PUPIL, True), "...asked, replaces it", None),
    ((P, True, S.TEACHER, True), "a granted pupil replaces the teacher's share",
     ErrorCode.NOT_ALLOWED),
    ((P, True, S.PUPIL, False), "a granted pupil shares over another", ErrorCode.SHARE_BUSY),
    ((P, False, S.PUPIL, True), "an ungranted pupil replaces a pupil", ErrorCode.NOT_ALLOWED),
])
def test_share_worked_example(ask: tuple[Role, bool, rules.Sharer, bool], situation: str,
                              want: ErrorCode | None) -> None:
    assert rules.check_share(*ask) == want, situation


def test_share_properties() -> None:
    for role, granted, cur, replace in itertools.product((T, P), (False, True), S, (False, True)):
        got = rules.check_share(role, granted, cur, replace)
        if role is P and not granted:
            assert got is ErrorCode.NOT_ALLOWED      # no grant, no share, whatever else
        if cur in (S.NOBODY, S.SELF) and (role is T or granted):
            assert got is None                       # nothing to replace: never asked
        if got is ErrorCode.SHARE_BUSY:
            assert not replace                       # asked once, replace decides
    # Sharing itself is a lesson action of the admitted; granting is a teacher's.
    assert check(P, W, OPEN, A.SHARE) is ErrorCode.NOT_JOINED
    assert check(P, J, OPEN, A.SHARE) is None        # the grant is checked next
    assert check(P, J, OPEN, A.SHARE_PERMISSION) is ErrorCode.NOT_ALLOWED
    assert check(T, J, OPEN, A.SHARE_PERMISSION) is None
    assert rules.check_target(A.SHARE_PERMISSION, Target.WAITING) is ErrorCode.NO_SUCH_PARTICIPANT
    assert rules.check_share_permission(Role.TEACHER) is ErrorCode.OUT_OF_ORDER
    assert rules.check_share_permission(Role.PUPIL) is None
