"""In-memory lesson state: rooms and their members. Nothing here is ever written to disk."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import klasse.app.protocol as p

from .janus_adapter import JanusPeer, JanusRoom
from .rules import PState, Role, RoomState

if TYPE_CHECKING:
    from .service import Client

MAX_CHAT_HISTORY = 200
# Which m-line (janus_adapter.sdp_mids key) carries what a member sends.
DEVICE_KIND = {"camera": "video", "mic": "audio", "screen": "screen"}


@dataclass(eq=False)
class Member:
    id: str
    name: str
    role: Role
    via: str                      # "account" | "link"
    state: PState
    room: Room
    client: Client | None
    resume: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    camera: bool = False
    mic: bool = False
    hand: bool = False
    camera_locked: bool = False
    mic_locked: bool = False
    consent: bool | None = None
    may_share: bool = False       # a pupil a teacher let share (teachers always may)
    # Devices the teacher turned off in Janus; unmuted only when the member turns them on.
    janus_muted: set[str] = field(default_factory=set)
    peer: JanusPeer | None = None
    publish_pending: bool = False
    publishing: bool = False
    pending_answers: set[str] = field(default_factory=set)
    gone_timer: asyncio.TimerHandle | None = None
    account: str = ""             # the account a session join proved (via "account")

    def locked(self, device: str) -> bool:
        return self.camera_locked if device == "camera" else self.mic_locked

    def view(self) -> p.Participant:
        return p.Participant(
            id=self.id, name=self.name, role=self.role.value,  # type: ignore[arg-type]
            state="joined" if self.state is PState.JOINED else "waiting",
            camera=self.camera, mic=self.mic, hand=self.hand,
            camera_locked=self.camera_locked, mic_locked=self.mic_locked,
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
    janus: JanusRoom | None = None
    chat: list[p.ChatMessage] = field(default_factory=list)
    close_timer: asyncio.TimerHandle | None = None
    owner: str = ""               # the teacher account the links were made for
    sharer: str | None = None     # member id whose screen is shared (one at a time)
    # Participant lists go out at most every PARTICIPANTS_EVERY_S (service.py): when
    # the last went out, and the pending trailing one.
    list_sent: float = float("-inf")
    list_timer: asyncio.TimerHandle | None = None
    locked: bool = False          # a teacher locked it: no new pupil joins

    def joined(self) -> list[Member]:
        return [m for m in self.members.values() if m.state is PState.JOINED]

    def waiting(self) -> list[Member]:
        return [m for m in self.members.values() if m.state is PState.WAITING]

    def teachers_present(self) -> bool:
        return any(m.role is Role.TEACHER and m.client is not None
                   for m in self.members.values())

    def add_chat(self, msg: p.ChatMessage) -> None:
        self.chat.append(msg)
        del self.chat[:-MAX_CHAT_HISTORY]

    def wipe(self) -> None:
        """Forget everything the room held (called at close)."""
        self.members.clear()
        self.chat.clear()
        self.janus = None
