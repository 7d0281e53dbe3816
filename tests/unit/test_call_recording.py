"""The call engine's side of recording: countdown, consent, server-side turn-offs,
and the audio level (no network)."""

from __future__ import annotations

import numpy as np

from klasse.app import protocol as p
from klasse.app.call_session import LEVEL_FLOOR_DB, audio_energy, level_db
from klasse.app.call_state import CallMachine, CloseDevice, OpenDevice, Send
from klasse.app.events import (
    ConsentRequested,
    ErrorRaised,
    LocalMediaChanged,
    MediaFlow,
    ModerationReceived,
    RecordingChanged,
)

from .test_call_state import joined_machine, of, welcome

WHAT = ["teacher camera", "teacher microphone"]


def announced(consent: bool = False, starts_in: float = 10.0) -> p.Recording:
    return p.Recording(recording=p.RecordingState(
        state="announced", what=WHAT, starts_in=starts_in, consent_required=consent))


def state(name: str, consent: bool = False) -> p.Recording:
    return p.Recording(recording=p.RecordingState(state=name, what=WHAT,  # type: ignore[arg-type]
                                                  consent_required=consent))


def with_camera_on() -> CallMachine:
    m = joined_machine()
    m.set_device("camera", True)
    m.device_opened("camera")
    return m


def test_announced_counts_down_then_active_then_off() -> None:
    m = joined_machine()
    out = m.receive(announced(starts_in=10))
    assert of(RecordingChanged, out)[0].recording.starts_in == 10
    assert of(ConsentRequested, out) == []        # no consent needed: nothing to answer
    ticks = [of(RecordingChanged, m.count_down(t))[0].recording.starts_in for t in (1, 4, 12)]
    assert ticks == [9, 6, 0]
    m.connection_lost()
    assert m.count_down(2) == []                  # unknown while reconnecting: no countdown
    m.receive(welcome("joined"))
    m.receive(state("active"))
    assert m.count_down(1) == []                  # only an announcement counts down
    assert of(RecordingChanged, m.receive(state("off")))[0].recording.state == "off"


def test_consent_needed_is_asked_once_and_keeps_devices_off_until_yes() -> None:
    m = with_camera_on()
    out = m.receive(announced(consent=True))
    assert of(ConsentRequested, out) == [ConsentRequested(tuple(WHAT))]
    assert CloseDevice("camera") in out
    assert of(LocalMediaChanged, out) == [LocalMediaChanged(False, False, True, True, True)]
    assert of(ConsentRequested, m.receive(state("active", consent=True))) == []
    out = m.set_device("mic", True)
    assert [e.code for e in of(ErrorRaised, out)] == ["recording_not_allowed"]
    assert of(OpenDevice, out) == []
    # No: sent to the service, devices stay locked.
    out = m.give_consent(False)
    assert Send(p.Consent(recording=False)) in out
    assert of(LocalMediaChanged, out)[-1].recording_lock
    # Yes: the lock lifts, but nothing turns on by itself.
    out = m.give_consent(True)
    assert Send(p.Consent(recording=True)) in out
    assert of(LocalMediaChanged, out)[-1] == LocalMediaChanged(False, False, False, False, False)
    assert OpenDevice("mic") in m.set_device("mic", True)


def test_consent_lock_lifts_when_the_recording_stops_and_is_asked_again_next_time() -> None:
    m = joined_machine()
    m.receive(announced(consent=True))
    out = m.receive(state("off"))
    assert of(LocalMediaChanged, out)[-1].recording_lock is False
    assert OpenDevice("camera") in m.set_device("camera", True)
    assert len(of(ConsentRequested, m.receive(announced(consent=True)))) == 1


def test_teacher_is_never_asked_for_consent() -> None:
    m = CallMachine()
    m.receive(p.Welcome(participant="t", role="teacher", room_title="M", state="joined",
                        resume="r", ice_servers=[], notice=welcome().notice,
                        recording=announced(consent=True).recording))
    assert m.recording_lock is False
    assert OpenDevice("camera") in m.set_device("camera", True)


def test_join_during_recording_learns_it_before_publishing() -> None:
    m = CallMachine()
    out = m.receive(p.Welcome(
        participant="me", role="pupil", room_title="M", state="joined", resume="r",
        ice_servers=[], notice=welcome().notice, recording=state("active", True).recording))
    kinds = [type(e).__name__ for e in out]
    assert kinds.index("RecordingChanged") < kinds.index("StartPublishing")
    assert kinds.index("ConsentRequested") < kinds.index("StartPublishing")


def test_server_turn_off_says_it_was_the_server() -> None:
    m = with_camera_on()
    out = m.receive(p.Moderation(action="turn_off", device="camera"))
    assert of(ModerationReceived, out) == [ModerationReceived("turn_off", "", "camera",
                                                              by_server=True)]
    assert CloseDevice("camera") in out
    out = m.receive(p.Moderation(action="turn_off", device="mic", by="t1"))
    assert of(ModerationReceived, out)[0].by_server is False
    assert ModerationReceived("x", "", by_server=True).as_json()["by_server"] is True


def _tone(amplitude: float, n: int = 48000) -> np.ndarray:
    t = np.arange(n)
    return (np.sin(2 * np.pi * 440 * t / 48000) * amplitude).astype(np.int16).reshape(1, -1)


def test_level_of_silence_and_tones() -> None:
    assert level_db(*audio_energy([np.zeros((1, 960), np.int16)] * 50)) == LEVEL_FLOOR_DB
    assert level_db(*audio_energy([])) == LEVEL_FLOOR_DB
    # A full-scale sine has RMS 1/sqrt(2): -3.0 dBFS; 3000 of 32768 is about -23.8 dBFS.
    assert abs(level_db(*audio_energy([_tone(32767)])) - (-3.0)) <= 0.1
    quiet = level_db(*audio_energy(np.split(_tone(3000), 50, axis=1)))
    assert abs(quiet - (-23.8)) <= 0.2
    assert level_db(*audio_energy([_tone(30)])) < quiet - 30


def test_audio_flow_json_carries_the_level_video_does_not() -> None:
    assert MediaFlow("audio", "p1", 50, -23.8).as_json() == {
        "event": "audio", "from": "p1", "frames": 50, "level": -23.8}
    assert "level" not in MediaFlow("video", "p1", 15).as_json()
