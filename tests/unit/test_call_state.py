"""The call state machine, driven with protocol messages only (no network)."""

from __future__ import annotations

from klasse.app import protocol as p
from klasse.app.call_state import (
    TRANSITIONS,
    CallMachine,
    CloseDevice,
    DropFeed,
    EndCall,
    OpenDevice,
    ResetMedia,
    Send,
    StartPublishing,
    SubscribeFeed,
)
from klasse.app.events import (
    ErrorRaised,
    LocalMediaChanged,
    MediaReconnecting,
    ParticipantsChanged,
    RecordingChanged,
    StateChanged,
    Welcomed,
)

NOTICE = p.Notice(version="1", controller="School", dpo_contact="dpo@school", retention="none")


def welcome(state: p.ParticipantState = "waiting", **kw: object) -> p.Welcome:
    return p.Welcome(participant="me", role="pupil", room_title="Maths", state=state,
                     resume="tok", ice_servers=[], notice=NOTICE,
                     recording=p.RecordingState(), **kw)  # type: ignore[arg-type]


def person(pid: str, state: p.ParticipantState = "joined", publishing: bool = True) -> p.Participant:
    return p.Participant(id=pid, name=pid.upper(), role="pupil", state=state,
                         publishing=publishing)


def joined_machine() -> CallMachine:
    m = CallMachine()
    m.receive(welcome("waiting"))
    m.receive(p.Admitted())
    return m


def of(kind: type, effects: list) -> list:
    return [e for e in effects if isinstance(e, kind)]


def test_waiting_then_admitted_publishes_once() -> None:
    m = CallMachine()
    out = m.receive(welcome("waiting"))
    assert m.state == "waiting"
    assert of(StateChanged, out) == [StateChanged("waiting")]
    assert of(Welcomed, out)[0].room_title == "Maths"
    assert of(StartPublishing, out) == []
    out = m.receive(p.Admitted())
    assert m.state == "joined"
    assert of(StartPublishing, out) == [StartPublishing()]
    # A second participant list, or a resume, never publishes again.
    assert of(StartPublishing, m.receive(p.Participants(participants=[]))) == []


def test_devices_are_off_at_join() -> None:
    m = CallMachine()
    out = m.receive(welcome("joined"))
    assert of(LocalMediaChanged, out) == [LocalMediaChanged(False, False, False, False)]
    assert of(OpenDevice, out) == []


def test_subscribes_to_other_publishers_and_drops_those_who_leave() -> None:
    m = joined_machine()
    out = m.receive(p.Participants(participants=[
        person("me"), person("a"), person("b", publishing=False), person("c", state="waiting")]))
    assert of(ParticipantsChanged, out)[0].participants[1].id == "a"
    assert of(SubscribeFeed, out) == [SubscribeFeed("a")]
    out = m.receive(p.Participants(participants=[person("me"), person("b")]))
    assert of(SubscribeFeed, out) == [SubscribeFeed("b")]
    assert of(DropFeed, out) == [DropFeed("a")]


def test_waiting_pupil_subscribes_to_nobody() -> None:
    m = CallMachine()
    m.receive(welcome("waiting"))
    assert of(SubscribeFeed, m.receive(p.Participants(participants=[person("a")]))) == []


def test_turn_off_with_lock_closes_device_and_refuses_turning_on() -> None:
    m = joined_machine()
    assert m.set_device("camera", True) == [OpenDevice("camera")]
    assert m.devices["camera"].on is False           # not before the device is open
    out = m.device_opened("camera")
    assert Send(p.MediaState(camera=True, mic=False)) in out
    assert of(LocalMediaChanged, out) == [LocalMediaChanged(True, False, False, False)]
    out = m.receive(p.Moderation(action="turn_off", device="camera", locked=True, by="t"))
    assert CloseDevice("camera") in out
    assert of(LocalMediaChanged, out) == [LocalMediaChanged(False, False, True, False)]
    out = m.set_device("camera", True)
    assert [e.code for e in of(ErrorRaised, out)] == ["locked"]
    assert of(OpenDevice, out) == []
    # Unlock lifts the lock but never turns the camera on.
    out = m.receive(p.Moderation(action="unlock", device="camera", by="t"))
    assert of(OpenDevice, out) == [] and m.devices["camera"].on is False
    assert OpenDevice("camera") in m.set_device("camera", True)


def test_turn_off_without_lock_lets_the_pupil_turn_on_again() -> None:
    m = joined_machine()
    m.set_device("mic", True)
    m.device_opened("mic")
    assert CloseDevice("mic") in m.receive(p.Moderation(action="turn_off", device="mic", by="t"))
    assert OpenDevice("mic") in m.set_device("mic", True)


def test_lost_connection_reconnects_with_resume_and_keeps_locks() -> None:
    m = joined_machine()
    m.receive(p.Moderation(action="turn_off", device="camera", locked=True, by="t"))
    out = m.connection_lost()
    assert m.state == "reconnecting"
    assert of(RecordingChanged, out) == [RecordingChanged(p.RecordingState(), unknown=True)]
    join = m.join_message("link", "Ann", "1234", None)
    assert join.resume == "tok"
    # The resumed seat forgot the lock: the client keeps it anyway.
    out = m.receive(welcome("joined", camera_locked=False))
    assert m.state == "joined"
    assert of(Welcomed, out) == []  # not a new join
    # The service dropped our media with the connection: publish and subscribe anew.
    assert of(ResetMedia, out) == [ResetMedia()]
    assert of(StartPublishing, out) == [StartPublishing()]
    assert [e.code for e in of(ErrorRaised, m.set_device("camera", True))] == ["locked"]


def test_first_join_has_no_resume_token() -> None:
    m = CallMachine()
    assert m.join_message("link", "Ann", "1", None).resume is None


def test_wrong_pin_ends_the_attempt() -> None:
    m = CallMachine()
    out = m.receive(p.Error(code=p.ErrorCode.PIN_WRONG, message="wrong PIN"))
    assert m.state == "left"
    assert [e.code for e in of(ErrorRaised, out)] == ["pin_wrong"]
    assert of(EndCall, out) == [EndCall("pin_wrong")]


def test_errors_in_the_room_do_not_end_the_call() -> None:
    m = joined_machine()
    out = m.receive(p.Error(code=p.ErrorCode.NOT_ALLOWED, message="teachers only"))
    assert m.state == "joined" and of(EndCall, out) == []


def test_closed_wipes_and_closes_open_devices() -> None:
    m = joined_machine()
    m.set_device("camera", True)
    m.device_opened("camera")
    out = m.receive(p.Closed(reason="ended"))
    assert m.state == "left"
    assert CloseDevice("camera") in out
    assert out[-1] == EndCall("ended")
    assert m.receive(p.Participants(participants=[])) == []  # nothing after left


def test_out_of_order_message_is_an_error_not_a_crash() -> None:
    m = CallMachine()
    out = m.receive(p.Admitted())
    assert m.state == "connecting"
    assert [e.code for e in of(ErrorRaised, out)] == ["out_of_order"]


def test_room_actions_refused_before_joining() -> None:
    m = CallMachine()
    out = m.request(p.Chat(text="hi"))
    assert [e.code for e in of(ErrorRaised, out)] == ["not_joined"]
    m = joined_machine()
    assert m.request(p.Chat(text="hi")) == [Send(p.Chat(text="hi"))]


def test_connection_failure_before_welcome_ends() -> None:
    m = CallMachine()
    out = m.connection_lost()
    assert m.state == "left" and of(EndCall, out)


def test_left_is_final() -> None:
    assert not [k for k in TRANSITIONS if k[0] == "left"]


def test_lock_arriving_while_the_device_opens_closes_it_again() -> None:
    m = joined_machine()
    assert m.set_device("camera", True) == [OpenDevice("camera")]
    m.receive(p.Moderation(action="turn_off", device="camera", locked=True, by="t"))
    assert m.device_opened("camera") == [CloseDevice("camera")]
    assert m.devices["camera"].on is False


def test_failed_device_stays_off() -> None:
    m = joined_machine()
    m.set_device("camera", True)
    out = m.device_failed("camera", "no such file")
    assert [e.code for e in of(ErrorRaised, out)] == ["device_failed"]
    assert of(LocalMediaChanged, out) == [LocalMediaChanged(False, False, False, False)]


def test_publish_only_participant_subscribes_to_nobody() -> None:
    m = CallMachine(receive=False)
    m.receive(welcome("joined"))
    assert of(SubscribeFeed, m.receive(p.Participants(participants=[person("a")]))) == []


def test_media_reconnect_resets_media_and_publishes_and_subscribes_anew() -> None:
    m = joined_machine()
    m.receive(p.Participants(participants=[person("me"), person("a"), person("b")]))
    assert m.feeds == {"a", "b"}
    m.receive(p.Recording(recording=p.RecordingState(state="active", what=["teacher camera"])))
    out = m.receive(p.MediaReconnect(reason="media_server_lost"))
    assert of(MediaReconnecting, out) == [MediaReconnecting(True, "media_server_lost")]
    assert of(RecordingChanged, out)[0].unknown      # nobody can vouch for it now
    kinds = [type(e) for e in out]
    assert kinds.index(ResetMedia) < kinds.index(StartPublishing)
    # Nothing shown as published any more; nothing subscribed until the list says so.
    assert not any(x.publishing for x in of(ParticipantsChanged, out)[0].participants)
    assert of(SubscribeFeed, out) == [] and m.feeds == set()
    out = m.receive(p.Participants(participants=[person("me"), person("a")]))
    assert of(SubscribeFeed, out) == [SubscribeFeed("a")]
    assert m.publishing_connected() == [MediaReconnecting(False)]
    assert m.publishing_connected() == []


def test_media_reconnect_without_recording_leaves_the_banner_alone() -> None:
    m = joined_machine()
    out = m.receive(p.MediaReconnect())
    assert of(RecordingChanged, out) == [] and of(StartPublishing, out) == [StartPublishing()]


def test_media_reconnect_before_admission_is_ignored() -> None:
    m = CallMachine()
    m.receive(welcome("waiting"))
    assert m.receive(p.MediaReconnect()) == []
