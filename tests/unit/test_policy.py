"""Machine policy parsing: protective defaults, typed errors for broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from klasse.app.policy import Policy, PolicyError, load_policy, parse_policy


def test_missing_file_gives_protective_defaults(tmp_path: Path) -> None:
    policy = load_policy(tmp_path / "absent.conf")
    assert policy == Policy()
    assert policy.recording_allowed is False
    assert policy.blur == "blur"


def test_full_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.conf"
    path.write_text("[klasse]\nserver = lessons.school.example:8443\nrecording_allowed = yes\n"
                    "blur = full\nlocked = blur, language\n")
    policy = load_policy(path)
    assert policy.server == "lessons.school.example:8443"
    assert policy.recording_allowed is True
    assert policy.blur == "full"
    assert policy.is_locked("blur") and policy.is_locked("language")
    assert not policy.is_locked("camera_device")


@pytest.mark.parametrize("text, reason", [
    ("[klasse]\nrecording_allowed = maybe\n", "recording_allowed must be true or false"),
    ("[klasse]\nserver = no-port\n", "server must be host:port"),
    ("[klasse]\nblur = sepia\n", "blur must be one of"),
    ("[klasse]\nlocked = password\n", "cannot lock password"),
    ("[klasse]\nrecord = yes\n", "unknown setting(s): record"),
    ("not an ini file", "not a valid policy file"),
])
def test_broken_policy_is_a_typed_error(text: str, reason: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, Path("/etc/klasse/policy.conf"))
    assert reason in info.value.reason
    assert info.value.path == Path("/etc/klasse/policy.conf")
