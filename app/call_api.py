"""The narrow interface between the call engine and its front ends.

The Qt UI and the headless participant both drive a call only through this
protocol, and learn about it only through app/events.py events plus, for drawing,
video frames handed to a sink. Frames are RGB uint8 arrays (H, W, 3); the local
preview is always the processed (blurred) frame, never the raw camera image.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

import numpy as np

from klasse.app import protocol as p
from klasse.app.events import Event

Device = Literal["camera", "mic"]
EventSink = Callable[[Event], None]
# (participant id, or "local" for the own processed preview; RGB frame)
VideoSink = Callable[[str, np.ndarray], None]


# The room actions a front end takes: the client message each sends, and the
# CallControl method(s) that send it. Every other client message the engine (or
# app/account.py, app/notice.py) sends by itself. tests/unit/test_room_actions.py
# holds the protocol, the server's rules and handlers, CallSession, the UI's
# CallController, its test driver and the headless commands to this list.
COMMANDS: dict[type[p.ClientMessage], tuple[str, ...]] = {
    p.MediaState: ("set_camera", "set_mic"),
    p.Chat: ("chat",),
    p.Hand: ("hand",),
    p.Consent: ("consent",),
    p.Leave: ("leave",),
    p.Admit: ("admit",),
    p.AdmitAll: ("admit_all",),
    p.Deny: ("deny",),
    p.DenyAll: ("deny_all",),
    p.LockRoom: ("lock_room",),
    p.TurnOff: ("turn_off",),
    p.Unlock: ("unlock",),
    p.AskOn: ("ask_on",),
    p.Kick: ("kick",),
    p.LowerHands: ("lower_hands",),
    p.End: ("end",),
    p.Record: ("record",),
    p.Share: ("share",),
    p.SharePermission: ("share_permission",),
}
# Sent by the engine itself, never as a front end's command.
ENGINE_SENDS: frozenset[type[p.ClientMessage]] = frozenset({
    p.Login, p.CreateRoom, p.ListRecordings, p.DeleteRecording,   # app/account.py
    p.GetNotice,                                                   # app/notice.py
    p.Join, p.Publish, p.Subscribe, p.SubscriptionAnswer, p.Unsubscribe, p.Ping,
})
# Front-end commands that are no room action: they stay on this machine.
LOCAL_COMMANDS = ("set_blur", "set_volume", "set_output", "play_test_sound",
                  "set_noise_suppression")


class CallControl(Protocol):
    """Commands a front end may give. Refused commands surface as ErrorRaised events."""

    async def run(self) -> None:
        """Connect, authenticate, wait, join and serve until the call ends."""

    async def set_camera(self, on: bool) -> None: ...
    async def set_mic(self, on: bool) -> None: ...
    async def set_blur(self, mode: str) -> None: ...
    # sound on this machine (app/call_audio.py)
    async def set_volume(self, participant: str, volume: float) -> None: ...
    async def set_output(self, device: str) -> None: ...
    async def play_test_sound(self) -> None: ...
    async def set_noise_suppression(self, on: bool) -> None: ...
    async def chat(self, text: str) -> None: ...
    async def hand(self, up: bool) -> None: ...
    async def consent(self, recording: bool) -> None: ...
    async def leave(self) -> None: ...
    async def share(self, on: bool, source: str | None = None, replace: bool = False) -> None: ...

    # teacher actions (the service refuses them for pupils)
    async def admit(self, participant: str) -> None: ...
    async def admit_all(self) -> None: ...
    async def deny(self, participant: str) -> None: ...
    async def deny_all(self) -> None: ...
    async def lock_room(self, locked: bool) -> None: ...
    async def turn_off(self, participant: str | None, device: Device, lock: bool = False) -> None: ...
    async def unlock(self, participant: str, device: Device) -> None: ...
    async def ask_on(self, participant: str, device: Device) -> None: ...
    async def kick(self, participant: str) -> None: ...
    async def lower_hands(self, participant: str | None = None) -> None: ...
    async def end(self) -> None: ...
    async def record(self, start: bool) -> None: ...
    async def share_permission(self, participant: str, allow: bool) -> None: ...
