"""The lesson core at the level of effects: what goes to whom, what Janus is asked,
which timers run. No sockets, no Janus, no clock (server/lesson.py)."""

from __future__ import annotations

import pytest

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode, ProtocolError
from klasse.server.config import Config
from klasse.server.lesson import (
    Answer,
    CancelTimer,
    CloseMedia,
    DropMedia,
    Effect,
    Lessons,
    ListParticipants,
    Moderate,
    OpenMedia,
    Publish,
    Record,
    RecordingConsent,
    RecordingPublished,
    Send,
    StartTimer,
    StopSubscription,
    Subscribe,
    Unpublish,
    lists,
)
from klasse.server.recording.policy import RecordingPolicy, RoomRecordingRules
from klasse.server.room import Member, Room
from klasse.server.rules import Action, PState, Role, RoomState
from tests.unit.test_sdp_check import AUDIO, VIDEO, sdp

NOW = 1_000_000.0
OFFER = sdp(AUDIO, VIDEO)
ANSWER = sdp(AUDIO, VIDEO).replace("a=sendrecv", "a=recvonly").replace("actpass", "active")
GRACE = Config(teacher_grace_s=60.0, resume_grace_s=30.0)


class Lesson:
    """One room with a teacher (connection "t") and helpers to read effects."""

    def __init__(self, waiting_room: bool = True, recording: object = None) -> None:
        self.core = Lessons(GRACE, recording)  # type: ignore[arg-type]
        self.room = Room(id="r1", title="Maths", expires=NOW + 3600, waiting_room=waiting_room)
        self.core.open_room(self.room)
        self.teacher = self.enter("t", "Ms T", Role.TEACHER)

    def enter(self, conn: str, name: str, role: Role = Role.PUPIL) -> Member:
        self.core.enter(conn, self.room, name, role, "link")
        return self.core.member(conn)

    def pupil(self, conn: str, name: str = "Pupil") -> Member:
        m = self.enter(conn, name)
        if m.state is PState.WAITING:
            self.send("t", p.Admit(participant=m.id))
        return m

    def send(self, conn: str, msg: p.ClientMessage, now: float = NOW) -> list[Effect]:
        self.core.check(conn, rules_action(msg))
        return self.core.handle(conn, msg, now)


def rules_action(msg: p.ClientMessage) -> Action:
    return Action(type(msg).__struct_config__.tag)


def to(effects: list[Effect] | list[Send], conn: str) -> list[p.ServerMessage]:
    return [e.msg for e in effects if isinstance(e, Send) and e.to == conn]


def participants(effects: list[Effect], conn: str) -> dict[str, p.Participant]:
    """The list `conn` gets after these effects (the service coalesces and sends it)."""
    [room] = {e.room for e in effects if isinstance(e, ListParticipants)}
    [msg] = [m for m in to(lists(room), conn) if isinstance(m, p.Participants)]
    return {x.id: x for x in msg.participants}


def kinds(effects: list[Effect]) -> list[str]:
    """Effects as short words, for order checks."""
    return [type(e.msg).__name__ if isinstance(e, Send) else type(e).__name__ for e in effects]


# --------------------------------------------------------------- moderation
def test_teacher_turns_off_a_pupil_camera_with_lock() -> None:
    ls = Lesson()
    pupil = ls.pupil("a")
    pupil.publishing = True
    ls.send("a", p.MediaState(camera=True, mic=True))
    out = ls.send("t", p.TurnOff(participant=pupil.id, device="camera", lock=True))
    # The pupil is told first, Janus cuts the m-line regardless, then everyone sees it.
    assert out[0] == Send("a", p.Moderation(action="turn_off", device="camera", locked=True,
                                            by=ls.teacher.id))
    assert out[1] == Moderate(pupil, "camera", True)
    assert kinds(out[2:]) == ["ListParticipants"]
    seen = participants(out, "t")[pupil.id]
    assert (seen.camera, seen.camera_locked, seen.mic) == (False, True, True)
    # Locked: the pupil cannot turn it on; unlock lifts only the lock.
    with pytest.raises(ProtocolError) as refused:
        ls.send("a", p.MediaState(camera=True, mic=True))
    assert refused.value.code is ErrorCode.LOCKED
    out = ls.send("t", p.Unlock(participant=pupil.id, device="camera"))
    assert to(out, "a")[0] == p.Moderation(action="unlock", device="camera", by=ls.teacher.id)
    assert not any(isinstance(e, Moderate) for e in out)   # Janus keeps it cut
    # Only the pupil turning it on lets Janus forward it again.
    out = ls.send("a", p.MediaState(camera=True, mic=True))
    assert out[0] == Moderate(pupil, "camera", False)


def test_turn_off_without_target_reaches_every_joined_pupil_not_teachers() -> None:
    ls = Lesson()
    a, b = ls.pupil("a"), ls.pupil("b")
    ls.enter("w", "Waiting")
    out = ls.send("t", p.TurnOff(participant=None, device="mic"))
    told = {e.to for e in out if isinstance(e, Send) and isinstance(e.msg, p.Moderation)}
    assert told == {"a", "b"}
    assert not any(isinstance(e, Moderate) for e in out)    # nobody publishes yet
    assert a.devices["mic"].muted and b.devices["mic"].muted
    assert not ls.teacher.devices["mic"].muted


def test_a_pupil_sees_only_its_own_locks() -> None:
    ls = Lesson()
    a, b = ls.pupil("a"), ls.pupil("b")
    out = ls.send("t", p.TurnOff(participant=None, device="camera", lock=True))
    assert participants(out, "a")[a.id].camera_locked
    assert not participants(out, "a")[b.id].camera_locked
    assert participants(out, "t")[b.id].camera_locked


def test_moderation_aims_only_at_joined_participants() -> None:
    ls = Lesson()
    waiting = ls.enter("w", "Wanda")
    for msg in (p.TurnOff(participant=waiting.id, device="camera"),
                p.AskOn(participant="p-nobody", device="mic")):
        with pytest.raises(ProtocolError) as refused:
            ls.send("t", msg)
        assert refused.value.code is ErrorCode.NO_SUCH_PARTICIPANT
    with pytest.raises(ProtocolError) as refused:
        ls.send("t", p.Kick(participant=ls.teacher.id))
    assert refused.value.code is ErrorCode.OUT_OF_ORDER


def test_ask_on_only_asks() -> None:
    ls = Lesson()
    a = ls.pupil("a")
    out = ls.send("t", p.AskOn(participant=a.id, device="mic"))
    assert out == [Send("a", p.Moderation(action="ask_on", device="mic", by=ls.teacher.id))]
    assert not a.devices["mic"].on


# ----------------------------------------------------------- waiting room
def test_a_waiting_pupil_gets_its_welcome_and_nothing_of_the_lesson() -> None:
    ls = Lesson()
    ls.pupil("a")
    ls.send("a", p.Chat(text="before you came"))
    out = ls.core.enter("w", ls.room, " Wanda ", Role.PUPIL, "link")
    welcome = to(out, "w")
    assert len(welcome) == 1 and isinstance(welcome[0], p.Welcome)
    assert welcome[0].state == "waiting"
    wanda = ls.core.member("w")
    assert wanda.name == "Wanda"
    assert participants(out, "t")[wanda.id].state == "waiting"       # teachers see the waiting
    assert wanda.id not in participants(out, "a")                   # classmates do not
    out = ls.send("t", p.Admit(participant=wanda.id))
    assert kinds([e for e in out if isinstance(e, Send) and e.to == "w"]) == [
        "Admitted", "ChatMessage"]
    assert ListParticipants(ls.room) in out


def test_deny_tells_and_removes() -> None:
    ls = Lesson()
    w = ls.enter("w", "Wanda")
    out = ls.send("t", p.Deny(participant=w.id))
    assert to(out, "w") == [p.Denied(reason="the teacher did not admit you"),
                            p.Closed(reason="denied")]
    assert DropMedia(w) in out and w.id not in ls.room.members and "w" not in ls.core.by_conn


def test_admit_all_and_a_room_without_waiting_room() -> None:
    ls = Lesson()
    ls.enter("w1", "A")
    ls.enter("w2", "B")
    out = ls.send("t", p.AdmitAll())
    assert {e.to for e in out if isinstance(e, Send) and isinstance(e.msg, p.Admitted)} == {
        "w1", "w2"}
    assert not ls.room.waiting()
    open_door = Lesson(waiting_room=False)
    assert open_door.enter("a", "A").state is PState.JOINED


# ------------------------------------------------------------- hands, chat
def test_hands_up_and_lowered_by_the_teacher() -> None:
    ls = Lesson()
    a, b = ls.pupil("a"), ls.pupil("b")
    ls.send("a", p.Hand(up=True))
    ls.send("b", p.Hand(up=True))
    out = ls.send("t", p.LowerHands())
    assert {e.to for e in out if isinstance(e, Send) and isinstance(e.msg, p.Moderation)} == {
        "a", "b"}
    assert not a.hand and not b.hand and not participants(out, "t")[a.id].hand


def test_chat_goes_to_the_joined_with_the_time_passed_in() -> None:
    ls = Lesson()
    a = ls.pupil("a")
    ls.enter("w", "Waiting")
    out = ls.send("a", p.Chat(text="hello"), now=NOW + 5)
    line = p.ChatMessage(sender=a.id, name="Pupil", text="hello", ts=NOW + 5)
    assert out == [Send("t", line), Send("a", line)]
    with pytest.raises(ProtocolError) as refused:
        ls.send("a", p.Chat(text="   "))
    assert refused.value.code is ErrorCode.BAD_MESSAGE
    for i in range(250):
        ls.send("t", p.Chat(text=str(i)), now=NOW + i)
    assert len(ls.room.chat) == 200 and ls.room.chat[-1].text == "249"


# -------------------------------------------------------- resume and close
def test_a_lost_connection_keeps_the_seat_for_the_grace_period() -> None:
    ls = Lesson()
    a = ls.pupil("a")
    ls.send("t", p.TurnOff(participant=a.id, device="camera", lock=True))
    out = ls.core.connection_lost("a")
    assert out == [DropMedia(a), StartTimer(("gone", a), 30.0)]
    assert a.conn is None and a.id in ls.room.members
    # Back in time on a new connection: same seat, lock kept.
    token = a.resume
    assert ls.core.resuming("no-such-token", "r1") is None
    assert ls.core.resuming(token, "other-room") is None
    assert ls.core.resuming(token, "r1") is a
    out = ls.core.resume("a2", a)
    assert out[0] == CancelTimer(("gone", a))
    welcome = to(out, "a2")[0]
    assert isinstance(welcome, p.Welcome) and welcome.participant == a.id
    assert welcome.camera_locked and ls.core.member("a2") is a
    assert welcome.resume != token and ls.core.resuming(token, "r1") is None   # spent
    # Gone for good: the timer removes the seat.
    ls.core.connection_lost("a2")
    out = ls.core.timer_fired(("gone", a), NOW)
    assert a.id not in ls.room.members and a.resume not in ls.core.resumes
    assert kinds(out) == ["CancelTimer", "DropMedia", "ListParticipants"]


def test_the_last_teacher_gone_closes_the_room_after_the_grace() -> None:
    ls = Lesson()
    a = ls.pupil("a")
    out = ls.core.connection_lost("t")
    assert out[-1] == StartTimer(("close", ls.room), 60.0)
    assert ls.room.state is RoomState.CLOSING
    # The teacher is back in time: the timer is cancelled.
    out = ls.core.resume("t2", ls.teacher)
    assert CancelTimer(("close", ls.room)) in out
    assert ls.room.state is RoomState.OPEN
    ls.core.connection_lost("t2")
    out = ls.core.timer_fired(("close", ls.room), NOW)
    assert [e for e in out if not isinstance(e, CancelTimer)][0] == CloseMedia(ls.room,
                                                                               (ls.teacher, a))
    assert to(out, "a") == [p.Closed(reason="ended")]
    assert "r1" in ls.core.ended and "r1" not in ls.core.rooms


def test_end_cuts_media_first_then_everyone_wipes_and_nothing_is_kept() -> None:
    ls = Lesson()
    a = ls.pupil("a")
    ls.enter("w", "Wanda")
    ls.send("a", p.Chat(text="secret homework answer"))
    out = ls.send("t", p.End())
    assert isinstance(out[0], CloseMedia) and len(out[0].members) == 3
    assert kinds(out[1:]) == ["Closed"] * 3
    assert not ls.core.by_conn and not ls.core.resumes and not ls.room.members
    assert not ls.room.chat and a.state is PState.CONNECTED
    assert ls.core.ended == {"r1": NOW + 3600}
    assert ls.core.close(ls.room, "ended") == []            # closed is final


def test_the_last_one_out_frees_the_room_but_its_links_still_open_it() -> None:
    ls = Lesson()
    out = ls.send("t", p.Leave())
    assert to(out, "t") == [p.Closed(reason="left")]
    assert any(isinstance(e, CloseMedia) for e in out)
    assert "r1" not in ls.core.rooms and "r1" not in ls.core.ended


def test_one_room_per_connection() -> None:
    ls = Lesson()
    with pytest.raises(ProtocolError) as refused:
        ls.core.enter("t", ls.room, "Again", Role.TEACHER, "link")
    assert refused.value.code is ErrorCode.ALREADY_JOINED


# -------------------------------------------------------------------- media
def test_publishing_after_a_turn_off_is_cut_from_the_first_packet() -> None:
    ls = Lesson()
    a = ls.pupil("a")
    ls.send("t", p.TurnOff(participant=a.id, device="mic"))
    assert ls.send("a", p.Publish(sdp=OFFER, rid=4)) == [Publish(a, OFFER, 4)]
    assert a.publish_pending
    with pytest.raises(ProtocolError) as twice:
        ls.send("a", p.Publish(sdp=OFFER))
    assert twice.value.code is ErrorCode.OUT_OF_ORDER
    # The screen m-line too: it forwards only while the service lets `a` share.
    assert ls.core.publish_answered(a, "answer", 4) == [
        Moderate(a, "mic", True), Moderate(a, "screen", True),
        Send("a", p.Published(sdp="answer", rid=4))]
    out = ls.core.media_up(a)
    assert a.publishing and out[-1] == RecordingPublished(a)
    assert participants(out, "t")[a.id].publishing
    out = ls.core.media_down(a)
    assert out[0] == Unpublish(a) and not a.publishing
    assert ls.core.media_down(a) == []


def test_a_failed_publish_may_be_tried_again() -> None:
    ls = Lesson()
    a = ls.pupil("a")
    ls.send("a", p.Publish(sdp=OFFER))
    ls.core.publish_failed(a)
    assert ls.send("a", p.Publish(sdp=OFFER)) == [Publish(a, OFFER, None)]


def test_an_offer_the_service_would_not_make_is_refused() -> None:
    ls = Lesson()
    ls.pupil("a")
    with pytest.raises(ProtocolError) as bad:
        ls.send("a", p.Publish(sdp=OFFER.replace("m=audio", "m=application")))
    assert bad.value.code is ErrorCode.BAD_MESSAGE


def test_subscriptions_to_a_publisher_only_and_answers_to_offers_only() -> None:
    ls = Lesson()
    a, b = ls.pupil("a"), ls.pupil("b")
    for msg in (p.Subscribe(feed=b.id), p.Subscribe(feed="nobody")):
        with pytest.raises(ProtocolError):
            ls.send("a", msg)
    b.publishing = True
    assert ls.send("a", p.Subscribe(feed=b.id, rid=7)) == [Subscribe(a, b, 7)]
    with pytest.raises(ProtocolError) as early:    # no offer was made yet
        ls.send("a", p.SubscriptionAnswer(feed=b.id, sdp=ANSWER))
    assert early.value.code is ErrorCode.OUT_OF_ORDER
    assert ls.core.subscription_offered(a, b.id, "offer", 7) == [
        Send("a", p.Subscription(feed=b.id, sdp="offer", rid=7))]
    assert ls.send("a", p.SubscriptionAnswer(feed=b.id, sdp=ANSWER)) == [Answer(a, b.id, ANSWER)]
    with pytest.raises(ProtocolError):             # answered already
        ls.send("a", p.SubscriptionAnswer(feed=b.id, sdp=ANSWER))
    assert ls.send("a", p.Unsubscribe(feed=b.id)) == [StopSubscription(a, b.id)]


def test_an_offer_of_a_feed_that_went_away_cannot_be_answered() -> None:
    ls = Lesson()
    a, b = ls.pupil("a"), ls.pupil("b")
    b.publishing = True
    ls.core.subscription_offered(a, b.id, "offer")
    assert Unpublish(b) in ls.core.media_down(b)
    with pytest.raises(ProtocolError):
        ls.send("a", p.SubscriptionAnswer(feed=b.id, sdp=ANSWER))


def test_a_waiting_pupil_who_drops_leaves_at_once_and_a_locked_room_takes_no_pupil() -> None:
    ls = Lesson()
    w = ls.enter("w", "Wanda")
    out = ls.core.connection_lost("w")
    assert w.id not in ls.room.members and not any(isinstance(e, StartTimer) for e in out)
    out = ls.send("t", p.LockRoom(locked=True))
    assert to(out, "t") == [p.LockState(locked=True)]
    with pytest.raises(ProtocolError) as refused:
        ls.enter("x", "Late")
    assert refused.value.code is ErrorCode.ROOM_LOCKED
    ls.send("t", p.LockRoom(locked=False))
    ls.enter("w2", "A")
    ls.enter("w3", "B")
    out = ls.send("t", p.DenyAll())
    assert {e.to for e in out if isinstance(e, Send) and isinstance(e.msg, p.Denied)} == {
        "w2", "w3"}
    assert not ls.room.waiting()


def test_one_share_at_a_time_and_a_pupil_only_with_a_grant() -> None:
    ls = Lesson()
    a = ls.pupil("a")
    with pytest.raises(ProtocolError) as refused:
        ls.send("a", p.Share(on=True))
    assert refused.value.code is ErrorCode.NOT_ALLOWED
    out = ls.send("t", p.SharePermission(participant=a.id, allow=True))
    assert to(out, "a")[0] == p.Moderation(action="share_allowed", by=ls.teacher.id)
    out = ls.send("a", p.Share(on=True))
    assert Moderate(a, "screen", False) in out and ls.room.sharer == a.id
    assert participants(out, "t")[a.id].sharing
    # The teacher takes over only when asking to replace; the pupil is told.
    with pytest.raises(ProtocolError) as refused:
        ls.send("t", p.Share(on=True))
    assert refused.value.code is ErrorCode.SHARE_BUSY
    out = ls.send("t", p.Share(on=True, replace=True))
    assert to(out, "a")[0] == p.Moderation(action="share_off")
    assert Moderate(a, "screen", True, best_effort=True) in out
    assert ls.room.sharer == ls.teacher.id
    # The sharer's media going away ends the share.
    ls.core.connection_lost("t")
    assert ls.room.sharer is None


# ---------------------------------------------------------------- recording
class Recording:
    """The recording side as the core reads it: one room's rules, announced."""

    def __init__(self, record_pupils: bool) -> None:
        self.room_rules = RoomRecordingRules(RecordingPolicy(allowed=True,
                                                             record_pupils=record_pupils))
        self.room_rules.announce(NOW, ["audio", "video"])

    def state(self, room: Room) -> p.RecordingState:
        return self.room_rules.state(NOW)

    def rules(self, room: Room) -> RoomRecordingRules | None:
        return self.room_rules


def test_record_is_handed_to_the_recording_side() -> None:
    ls = Lesson()
    assert ls.core.handle("t", p.Record(start=True), NOW) == [Record(ls.teacher, True)]


def test_a_pupil_without_consent_is_kept_off_by_the_same_moderation() -> None:
    rec = Recording(record_pupils=True)
    ls = Lesson(recording=rec)
    yes, no = ls.pupil("a"), ls.pupil("b")
    ls.send("a", p.Consent(recording=True))
    no.devices["camera"].on = True
    no.publishing = True
    out = ls.core.recording_announced(ls.room)
    # The server's own turn_off (empty `by`), for both devices, only for the one who did not consent.
    assert to(out, "b")[:2] == [p.Moderation(action="turn_off", device="camera"),
                                p.Moderation(action="turn_off", device="mic")]
    assert Moderate(no, "camera", True) in out and Moderate(no, "mic", True) in out
    assert not to(out, "a")                          # the consenting pupil: only the list
    with pytest.raises(ProtocolError) as refused:
        ls.send("b", p.MediaState(camera=True, mic=False))
    assert refused.value.code is ErrorCode.RECORDING_NOT_ALLOWED
    # Withdrawing consent: the feed goes, the devices go off.
    yes.devices["mic"].on = True
    out = ls.send("a", p.Consent(recording=False))
    assert out[0] == RecordingConsent(yes)
    assert p.Moderation(action="turn_off", device="mic") in to(out, "a")


def test_without_record_pupils_pupils_keep_their_devices() -> None:
    ls = Lesson(recording=Recording(record_pupils=False))
    ls.pupil("a")
    assert ls.core.recording_announced(ls.room) == []
    assert ls.send("a", p.MediaState(camera=True, mic=True))


# --------------------------------------------------------------- rate limits
def test_chat_hands_and_devices_are_rate_limited_per_participant() -> None:
    ls = Lesson()
    ls.pupil("a")
    for i in range(20):
        ls.send("a", p.Hand(up=i % 2 == 0))
    with pytest.raises(ProtocolError) as chat:
        ls.send("a", p.Chat(text="one too many"))
    assert chat.value.code is ErrorCode.RATE_LIMITED
    ls.send("a", p.Chat(text="ten seconds later"), now=NOW + 10)
    for i in range(10):                 # a burst of device changes, then 5 a second
        ls.send("a", p.MediaState(camera=i % 2 == 0, mic=False))
    with pytest.raises(ProtocolError) as media:
        ls.send("a", p.MediaState(camera=True, mic=False))
    assert media.value.code is ErrorCode.RATE_LIMITED
    ls.send("a", p.MediaState(camera=True, mic=False), now=NOW + 0.5)


def test_pupils_joins_are_rate_limited_per_connection_teachers_not() -> None:
    ls = Lesson()
    for _ in range(4):
        ls.core.may_join("x", "r1", teacher=False, now=NOW)
    with pytest.raises(ProtocolError) as joins:
        ls.core.may_join("x", "r1", teacher=False, now=NOW)
    assert joins.value.code is ErrorCode.RATE_LIMITED
    ls.core.may_join("x", "r1", teacher=True, now=NOW)
    ls.core.may_join("x", "r1", teacher=False, now=NOW + 2)   # 0.5 a second


def test_a_room_opens_once_janus_has_a_room_for_it() -> None:
    core = Lessons(GRACE)
    [effect] = core.new_room("r2", "Bio\u202e 7a", NOW + 60, waiting_room=False, owner="")
    assert isinstance(effect, OpenMedia) and effect.room.title == "Bio 7a"   # cleaned
    assert "r2" not in core.rooms          # not before its media exists
    core.open_room(effect.room)
    out = core.enter("p", core.rooms["r2"], "Pupil", Role.PUPIL, "link")
    assert out[0].msg.state == "joined"    # type: ignore[union-attr]
