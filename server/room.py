"""In-memory lesson state: rooms and their members. Nothing here is ever written to disk.

Plain data, changed only by the lesson core (server/lesson.py). A member names the
connection it speaks through by id; the WebSocket and the Janus handles (its room, its
peer) are the service's (RoomService.janus, .peers).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal, get_args

import klasse.app.protocol as p

from .rules import PState, Role, RoomState

MAX_CHAT_HISTORY = 200
DEVICES: tuple[p.Device, ...] = get_args(p.Device)
Feed = Literal["camera", "mic", "screen"]       # what a member's published feed carries
# Which m-line (janus_adapter.sdp_mids key) carries what a member sends.
DEVICE_KIND: dict[Feed, str] = {"camera": "video", "mic": "audio", "screen": "screen"}


@dataclass
class DeviceState:
    on: bool = False       # as the member last said (media)
    locked: bool = False   # the teacher's lock: only an unlock lifts it
    muted: bool = False    # cut in Janus: lifted only when the member turns it on again


@dataclass(eq=False)
class Member:
    id: str
    name: str
    role: Role
    via: str                      # "account" | "link"
    state: PState
    room: Room
    conn: str | None              # the connection it speaks through; None while away
    resume: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    devices: dict[p.Device, DeviceState] = field(
        default_factory=lambda: {d: DeviceState() for d in DEVICES})
    hand: bool = False
    consent: bool | None = None
    may_share: bool = False       # a pupil a teacher let share (teachers always may)
    account: str = ""             # the account a session join proved (via "account")
    publish_pending: bool = False
    publishing: bool = False
    pending_answers: set[str] = field(default_factory=set)

    def view(self) -> p.Participant:
        cam, mic = self.devices["camera"], self.devices["mic"]
        return p.Participant(
            id=self.id, name=self.name, role=self.role.value,  # type: ignore[arg-type]
            state="joined" if self.state is PState.JOINED else "waiting",
            camera=cam.on, mic=mic.on, hand=self.hand,
            camera_locked=cam.locked, mic_locked=mic.locked,
            publishing=self.publishing, via=self.via,  # type: ignore[arg-type]
            sharing=self.room.sharer == self.id, may_share=self.may_share)


@dataclass(eq=False)
class Room:
    id: str
    title: str
    expires: float                # when its links expire
    waiting_room: bool = True     # pupils wait for admission (the default policy)
    state: RoomState = RoomState.OPEN
    members: dict[str, Member] = field(default_factory=dict)
    chat: list[p.ChatMessage] = field(default_factory=list)
    owner: str = ""               # the teacher account the links were made for
    sharer: str | None = None     # member id whose screen is shared (one at a time)
    locked: bool = False          # a teacher locked it: no new pupil joins

    def joined(self) -> list[Member]:
        return [m for m in self.members.values() if m.state is PState.JOINED]

    def waiting(self) -> list[Member]:
        return [m for m in self.members.values() if m.state is PState.WAITING]

    def teachers_present(self) -> bool:
        return any(m.role is Role.TEACHER and m.conn is not None for m in self.members.values())

    def add_chat(self, msg: p.ChatMessage) -> None:
        self.chat.append(msg)
        del self.chat[:-MAX_CHAT_HISTORY]

    def wipe(self) -> None:
        """Forget everything the room held (called at close)."""
        self.members.clear()
        self.chat.clear()
