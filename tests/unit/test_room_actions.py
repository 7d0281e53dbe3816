"""One definition of each room action: the client message (app/protocol.py). Everything
that names room actions elsewhere is held to it here, so a new message without a
server handler, a rule, or a client method fails this test instead of drifting."""

from __future__ import annotations

import inspect
from typing import Any, get_args

import pytest

from klasse.app import protocol as p
from klasse.app.call_api import COMMANDS, ENGINE_SENDS, LOCAL_COMMANDS, CallControl
from klasse.app.call_session import CallSession
from klasse.app.headless import Command, dispatch, parse_command
from klasse.server import rules
from klasse.server.service import RoomService
from klasse.ui.controller import CallController
from tests.ui.driver import ScriptedCall

MESSAGES = set(get_args(p.ClientMessage))
METHODS = {name for name, _ in inspect.getmembers(CallControl, inspect.isfunction)
           if not name.startswith("_")} - {"run"}


def test_every_message_is_one_action_with_a_rule() -> None:
    assert set(rules.ACTION_OF) == MESSAGES
    for cls, action in rules.ACTION_OF.items():
        assert action.value == cls.__struct_config__.tag
        assert action in rules.TABLE


def test_every_action_has_a_server_handler() -> None:
    assert set(RoomService._handlers) == set(rules.Action)


def test_every_message_is_a_command_or_the_engine_s() -> None:
    assert set(COMMANDS) | ENGINE_SENDS == MESSAGES
    assert not set(COMMANDS) & ENGINE_SENDS


def test_call_control_has_exactly_the_commands() -> None:
    named = {m for methods in COMMANDS.values() for m in methods}
    assert named | set(LOCAL_COMMANDS) == METHODS


@pytest.mark.parametrize("front_end", [CallSession, CallController, ScriptedCall],
                         ids=lambda c: c.__name__)
def test_every_front_end_has_every_command(front_end: type) -> None:
    for name in METHODS:
        ours = inspect.signature(getattr(CallControl, name))
        theirs = inspect.signature(getattr(front_end, name))
        assert list(theirs.parameters) == list(ours.parameters), (front_end.__name__, name)


# One stdin line per headless command (docs/headless.md).
HEADLESS = [
    '{"cmd":"camera","on":true}', '{"cmd":"mic","on":false}', '{"cmd":"blur","mode":"full"}',
    '{"cmd":"chat","text":"hi"}', '{"cmd":"hand","up":true}',
    '{"cmd":"consent","recording":true}', '{"cmd":"leave"}',
    '{"cmd":"admit","participant":"p1"}', '{"cmd":"admit_all"}', '{"cmd":"deny_all"}',
    '{"cmd":"lock_room","locked":true}',
    '{"cmd":"deny","participant":"p1"}', '{"cmd":"camera_off","participant":"p1","lock":true}',
    '{"cmd":"mic_off"}', '{"cmd":"unlock","participant":"p1","device":"mic"}',
    '{"cmd":"ask_on","participant":"p1","device":"camera"}', '{"cmd":"kick","participant":"p1"}',
    '{"cmd":"lower_hands"}', '{"cmd":"record","start":true}', '{"cmd":"end"}',
    '{"cmd":"share","on":true,"source":"synthetic"}', '{"cmd":"share_off"}',
    '{"cmd":"share_permission","participant":"p1","allow":true}',
    '{"cmd":"volume","participant":"p1","volume":0.5}', '{"cmd":"speaker","device":"default"}',
    '{"cmd":"test_sound"}', '{"cmd":"noise_suppression","on":false}',
]


class _Recorder:
    """Takes any CallControl command and notes its name."""

    def __init__(self) -> None:
        self.called: list[str] = []

    def __getattr__(self, name: str) -> Any:
        assert name in METHODS, f"headless calls {name}, which CallControl does not have"

        async def command(*args: Any) -> None:
            self.called.append(name)
        return command


async def test_headless_commands_reach_every_command() -> None:
    assert {p_.__struct_config__.tag for p_ in get_args(Command)} == {
        parse_command(line).__struct_config__.tag for line in HEADLESS}
    rec = _Recorder()
    for line in HEADLESS:
        await dispatch(rec, parse_command(line))  # type: ignore[arg-type]
    assert set(rec.called) == METHODS

