"""Recording rules: off by default, teacher-only, announced before active, pupils kept out."""

from __future__ import annotations

import pytest

from klasse.app.protocol import ErrorCode
from klasse.server import rules as server_rules
from klasse.server.recording.policy import (
    CONSENTING_PUPILS,
    Phase,
    RecordingConfigError,
    RecordingPolicy,
    RoomRecordingRules,
)
from klasse.server.rules import Action, PState, Role, RoomState


def test_policy_is_off_by_default() -> None:
    policy = RecordingPolicy.from_toml({})
    assert policy.allowed is False and policy.record_pupils is False
    assert policy.announce_s == 10 and policy.retention_days == 7
    # Whether anyone may record is the rules table's: see test_server_rules.py.
    room_rules = server_rules.Policy(recording_allowed=policy.allowed)
    assert server_rules.check(Role.TEACHER, PState.JOINED, RoomState.OPEN, Action.RECORD,
                              room_rules) is ErrorCode.RECORDING_NOT_ALLOWED


def test_only_a_teacher_starts_and_stops() -> None:
    rules = RoomRecordingRules(RecordingPolicy(allowed=True))
    assert rules.check_start(Role.PUPIL) is ErrorCode.NOT_ALLOWED
    assert rules.check_start(Role.TEACHER) is None
    assert rules.check_stop(Role.TEACHER) is ErrorCode.OUT_OF_ORDER      # nothing to stop
    rules.announce(0.0, ["audio", "video"])
    assert rules.check_stop(Role.PUPIL) is ErrorCode.NOT_ALLOWED
    assert rules.check_start(Role.TEACHER) is ErrorCode.OUT_OF_ORDER
    assert rules.check_stop(Role.TEACHER) is None


def test_a_pupil_is_refused_even_where_policy_forbids() -> None:
    # The role check comes first: a pupil learns nothing about the policy.
    assert RoomRecordingRules(RecordingPolicy()).check_start(Role.PUPIL) is ErrorCode.NOT_ALLOWED
    assert RoomRecordingRules(RecordingPolicy()).check_start(Role.TEACHER) \
        is ErrorCode.RECORDING_NOT_ALLOWED


def test_announced_says_what_and_when_and_cannot_activate_early() -> None:
    rules = RoomRecordingRules(RecordingPolicy(allowed=True, announce_s=10))
    state = rules.announce(100.0, ["audio", "video"])
    assert state.state == "announced" and state.starts_in == 10
    assert state.what == ["teacher camera", "teacher microphone"]
    assert rules.state(104.0).starts_in == 6
    with pytest.raises(ValueError):
        rules.activate(109.9)
    assert rules.phase is Phase.ANNOUNCED
    active = rules.activate(110.0)
    assert active.state == "active" and active.starts_in is None
    assert rules.stop().state == "off" and rules.phase is Phase.OFF


def test_what_follows_the_teachers_streams() -> None:
    rules = RoomRecordingRules(RecordingPolicy(allowed=True))
    assert rules.announce(0.0, ["audio"]).what == ["teacher microphone"]


def test_pupils_are_never_recorded_without_record_pupils() -> None:
    rules = RoomRecordingRules(RecordingPolicy(allowed=True))
    rules.announce(0.0, ["audio", "video"])
    assert rules.is_recorded(Role.TEACHER, False)
    assert not rules.is_recorded(Role.PUPIL, True)  # consent does not matter: never
    assert rules.check_device_on(Role.PUPIL, False, True, True) is None
    assert rules.state(0.0).consent_required is False


def test_record_pupils_needs_consent_and_keeps_devices_off_without_it() -> None:
    rules = RoomRecordingRules(RecordingPolicy(allowed=True, record_pupils=True))
    # Nothing to consent to while no recording is on.
    assert rules.check_device_on(Role.PUPIL, False, True, False) is None
    state = rules.announce(0.0, ["audio", "video"])
    assert state.consent_required and CONSENTING_PUPILS in state.what
    assert not rules.is_recorded(Role.PUPIL, False) and rules.is_recorded(Role.PUPIL, True)
    assert rules.check_device_on(Role.PUPIL, False, True, False) is ErrorCode.RECORDING_NOT_ALLOWED
    assert rules.check_device_on(Role.PUPIL, False, False, True) is ErrorCode.RECORDING_NOT_ALLOWED
    assert rules.check_device_on(Role.PUPIL, False, False, False) is None  # off is always fine
    assert rules.check_device_on(Role.PUPIL, True, True, True) is None
    assert rules.check_device_on(Role.TEACHER, False, True, True) is None


@pytest.mark.parametrize("raw, why", [
    ({"recording_allowed": "yes"}, "recording_allowed"),
    ({"recording": {"record_pupils": 1}}, "record_pupils"),
    ({"recording": {"announce_s": -1}}, "announce_s"),
    ({"recording": {"retention_days": 0}}, "retention_days"),
    ({"recording": {"retention_days": True}}, "retention_days"),
    ({"recording": {"colour": "red"}}, "colour"),
    ({"recording": []}, "table"),
    ({"recording": {"dir": "/etc/klasse/rec"}}, "system folder"),
    ({"recording": {"dir": "/usr/share/rec"}}, "system folder"),
])
def test_bad_config_is_refused_with_a_reason(raw: dict, why: str) -> None:
    with pytest.raises(RecordingConfigError, match=why):
        RecordingPolicy.from_toml(raw)


def test_config_is_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    policy = RecordingPolicy.from_toml({"recording_allowed": True, "recording": {
        "record_pupils": True, "announce_s": 5, "retention_days": 2, "dir": str(tmp_path)}})
    assert policy == RecordingPolicy(True, True, 5.0, 2.0, tmp_path)
    assert policy.retention_s == 2 * 86400
    assert policy.directory(tmp_path / "data") == tmp_path
    assert RecordingPolicy().directory(tmp_path) == tmp_path / "recordings"


def test_sdp_kinds_name_a_second_video_a_screen() -> None:
    from klasse.server.recording.policy import sdp_kinds
    audio_video = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\nm=video 9 UDP 97\r\n"
    assert sdp_kinds(audio_video) == ["audio", "video"]
    assert sdp_kinds(audio_video + "m=video 9 UDP 98\r\n") == ["audio", "video", "screen"]
    assert sdp_kinds("v=0\r\nm=audio 9 RTP 96\r\n") == ["audio"]


def test_a_screen_shared_later_is_named_and_pupils_stay_last() -> None:
    rules = RoomRecordingRules(RecordingPolicy(allowed=True, record_pupils=True))
    rules.announce(0.0, ["audio", "video"])
    assert rules.what == ["teacher camera", "teacher microphone", CONSENTING_PUPILS]
    assert rules.add_kinds(["audio", "video"]) is False
    assert rules.add_kinds(["video", "screen"]) is True
    assert rules.what == ["teacher camera", "teacher microphone", "teacher screen",
                          CONSENTING_PUPILS]
