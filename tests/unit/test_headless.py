"""The headless participant's command parsing and process contract (no room service)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from klasse.app.headless import (
    AdmitCmd,
    CameraCmd,
    CameraOffCmd,
    CommandError,
    LeaveCmd,
    LowerHandsCmd,
    UnlockCmd,
    parse_command,
)


def test_commands_parse() -> None:
    assert parse_command('{"cmd": "camera", "on": true}') == CameraCmd(on=True)
    assert parse_command('{"cmd": "leave"}') == LeaveCmd()
    assert parse_command('{"cmd": "admit", "participant": "p1"}') == AdmitCmd("p1")
    assert parse_command('{"cmd": "camera_off", "participant": "p1", "lock": true}') == \
        CameraOffCmd("p1", True)
    assert parse_command('{"cmd": "camera_off"}') == CameraOffCmd(None, False)
    assert parse_command('{"cmd": "unlock", "participant": "p", "device": "mic"}') == \
        UnlockCmd("p", "mic")
    assert parse_command('{"cmd": "lower_hands"}') == LowerHandsCmd(None)


@pytest.mark.parametrize("line", [
    "not json",
    "[]",
    '{"on": true}',                                   # no cmd
    '{"cmd": "fly"}',                                 # unknown command
    '{"cmd": "camera"}',                              # missing field
    '{"cmd": "camera", "on": "yes"}',                 # wrong type
    '{"cmd": "leave", "now": true}',                  # unknown field
    '{"cmd": "unlock", "participant": "p", "device": "screen"}',
    '{"cmd": "blur", "mode": "sepia"}',
    '{"cmd": "chat", "text": "' + "x" * 70000 + '"}',
])
def test_malformed_commands_are_refused(line: str) -> None:
    with pytest.raises(CommandError):
        parse_command(line)


def _run(args: list[str], stdin: str, tmp_path: Path) -> tuple[int, list[dict[str, object]]]:
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "klasse.app.cli", *args], input=stdin,
                         capture_output=True, text=True, env=env, timeout=60)
    return out.returncode, [json.loads(line) for line in out.stdout.splitlines()]


def test_unreachable_service_ends_with_a_wiped_left_event(tmp_path: Path) -> None:
    # Port 9 on loopback: nothing listens, so the connection is refused at once.
    rc, events = _run(["join", "klasse://127.0.0.1:9/join/tok?tls=0", "--headless"],
                      '{"cmd": "camera", "on": true}\n', tmp_path)
    assert rc == 1
    assert events[0] == {"event": "state", "state": "connecting"}
    assert {"event": "error", "code": "connection_failed",
            "message": "could not reach the room service"} in events
    assert events[-2:] == [{"event": "state", "state": "left"},
                           {"event": "left", "reason": "connection_failed", "wiped": True,
                            "cache_files_remaining": 0, "extra": {}}]
    assert list((tmp_path / "klasse").iterdir()) == []


def test_bad_link_is_a_typed_error(tmp_path: Path) -> None:
    rc, events = _run(["join", "https://example.org/x", "--headless"], "", tmp_path)
    assert rc == 2
    assert events[0]["event"] == "error" and events[0]["code"] == "link_invalid"
    assert events[-1]["event"] == "left"
