"""An in-process test driver for the UI: a tiny room and CallControl implementation.

It is not a model of Janus or of the network: it exists so that UI tests (and
`make screenshots`) can drive the real widgets and the real CallController with the
real event classes from app/events.py, and check which commands the UI gave. The
rules it applies (teacher-only actions, locks, waiting room) are the product's
rules, so a UI that misbehaves is caught here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from msgspec.structs import replace
from msgspec.structs import replace as replace_  # `replace` is also a share() parameter

from klasse.app import events as ev
from klasse.app.call_api import Device, EventSink, VideoSink
from klasse.app.notice import NoticeError
from klasse.app.protocol import Link, Notice, Participant, RecordingState
from klasse.ui.controller import JoinRequest

NOTICE = Notice(version="2026-09", controller="Example School, Schulstraße 1, Berlin",
                dpo_contact="privacy@school.example", retention="Deleted when the lesson ends")


def link(role: str, room: str = "demo") -> Link:
    return Link(host="10.77.0.1", port=8443, token=f"{role}-{room}", tls=False)


def sample_frame(name: str, w: int = 320, h: int = 180) -> np.ndarray:
    """A stand-in for a processed camera frame: a person's outline in front of a soft,
    featureless background, coloured per name so tiles can be told apart."""
    seed = sum(map(ord, name))
    hue = np.array([(seed * 37) % 160 + 60, (seed * 53) % 120 + 80, (seed * 71) % 140 + 90])
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = 0.75 + 0.25 * (x / w)
    img = (hue[None, None, :] * shade[..., None]).astype(np.float32)
    cx, head_y, r = w / 2, h * 0.42, h * 0.17
    head = (x - cx) ** 2 + (y - head_y) ** 2 <= r ** 2
    body = ((x - cx) / (w * 0.22)) ** 2 + ((y - h * 1.02) / (h * 0.45)) ** 2 <= 1
    img[head] = (224, 180, 150)
    img[body & ~head] = (50, 60, 80)
    return img.clip(0, 255).astype(np.uint8)


@dataclass
class Room:
    title: str = "Maths 7b"
    waiting_room: bool = True
    locked: bool = False
    notice: Notice = NOTICE
    recording: RecordingState = field(default_factory=RecordingState)
    members: dict[str, ScriptedCall] = field(default_factory=dict)
    made: list[ScriptedCall] = field(default_factory=list)
    notice_asks: list[Link] = field(default_factory=list)
    notice_error: str | None = None     # an ErrorCode value to refuse get_notice with
    welcome_notice: Notice | None = None  # a notice changed between the ask and the join
    _next: int = 0

    async def fetch_notice(self, link: Link) -> Notice:
        """Stands in for app/notice.fetch_notice: what the UI asked, with what."""
        self.notice_asks.append(link)
        if self.notice_error is not None:
            raise NoticeError(self.notice_error, "refused by the test room")
        return self.notice

    def factory(self, request: JoinRequest, sink: EventSink, video: VideoSink) -> ScriptedCall:
        role = "teacher" if request.link.token.startswith("teacher") else "pupil"
        call = ScriptedCall(self, request, role, sink, video)
        self.made.append(call)
        return call

    # ----------------------------------------------------------- room logic
    def enter(self, call: ScriptedCall) -> None:
        self._next += 1
        call.id = f"p{self._next}"
        state = "waiting" if (call.role == "pupil" and self.waiting_room) else "joined"
        call.me = Participant(id=call.id, name=call.request.name, role=call.role, state=state)
        self.members[call.id] = call
        call.sink(ev.StateChanged("connecting"))
        call.sink(ev.Welcomed(participant=call.id, role=call.role, room_title=self.title,
                              notice=self.welcome_notice or self.notice))
        call.sink(ev.StateChanged(state))
        call.sink(ev.RecordingChanged(self.recording))
        self.broadcast()

    def update(self, pid: str, **changes: object) -> None:
        call = self.members[pid]
        call.me = replace(call.me, **changes)
        self.broadcast()

    def visible_to(self, viewer: ScriptedCall) -> tuple[Participant, ...]:
        if viewer.me.state != "joined":
            return ()
        people = [c.me for c in self.members.values()]
        if viewer.role != "teacher":
            people = [p for p in people if p.state == "joined"]
        return tuple(people)

    def broadcast(self) -> None:
        for call in list(self.members.values()):
            call.sink(ev.ParticipantsChanged(self.visible_to(call)))

    def broadcast_share(self) -> None:
        self.broadcast()
        sharer = next((c.id for c in self.members.values() if c.me.sharing), None)
        for call in self.members.values():
            call.sink(ev.ShareChanged(sharer, mine=sharer == call.id))

    def send_screen(self, frame: np.ndarray) -> None:
        """One frame of the current share to everyone else."""
        sharer = next((c for c in self.members.values() if c.me.sharing), None)
        if sharer is None:
            return
        for call in self.members.values():
            if call is not sharer and call.me.state == "joined":
                call.video(f"{sharer.id}:screen", frame)

    def set_recording(self, state: RecordingState, unknown: bool = False) -> None:
        self.recording = state
        for call in self.members.values():
            call.sink(ev.RecordingChanged(state, unknown=unknown))

    def close(self, pid: str, reason: str) -> None:
        call = self.members.pop(pid)
        call.sink(ev.StateChanged("left"))
        call.sink(ev.Left(reason=reason, wiped=True, cache_files_remaining=0))
        self.broadcast()

    def send_frames(self) -> None:
        """One frame from every joined camera to everyone who may see it."""
        for sender in self.members.values():
            if not sender.me.camera:
                continue
            frame = sample_frame(sender.me.name)
            sender.video("local", frame)
            for viewer in self.members.values():
                if viewer is not sender and viewer.me.state == "joined":
                    viewer.video(sender.id, frame)


class ScriptedCall:
    """Implements klasse.app.call_api.CallControl on top of Room; records every command."""

    def __init__(self, room: Room, request: JoinRequest, role: str, sink: EventSink,
                 video: VideoSink) -> None:
        self.room, self.request, self.role = room, request, role
        self.sink, self.video = sink, video
        self.commands: list[tuple] = []
        self.id = ""
        self.me = Participant(id="", name=request.name, role=role, state="waiting")  # type: ignore[arg-type]
        self.camera = self.mic = False

    def opened(self) -> list[str]:
        """Devices this call was asked to turn on."""
        return [c[0] for c in self.commands if c[0] in ("set_camera", "set_mic") and c[1]]

    def _local(self) -> None:
        self.sink(ev.LocalMediaChanged(camera=self.camera, mic=self.mic,
                                       camera_locked=self.me.camera_locked,
                                       mic_locked=self.me.mic_locked))

    def _teacher(self) -> bool:
        if self.role != "teacher":
            self.sink(ev.ErrorRaised(code="not_allowed", message="teachers only"))
            return False
        return True

    async def run(self) -> None:
        self.commands.append(("run",))
        self.room.enter(self)

    async def set_camera(self, on: bool) -> None:
        self.commands.append(("set_camera", on))
        if on and self.me.camera_locked:
            self.sink(ev.ErrorRaised(code="locked", message="camera locked"))
            self._local()
            return
        self.camera = on
        self._local()
        if on:
            self.video("local", sample_frame(self.request.name or "preview"))
        if self.id in self.room.members:
            self.room.update(self.id, camera=on, publishing=on or self.mic)

    async def set_mic(self, on: bool) -> None:
        self.commands.append(("set_mic", on))
        if on and self.me.mic_locked:
            self.sink(ev.ErrorRaised(code="locked", message="microphone locked"))
            self._local()
            return
        self.mic = on
        self._local()
        if self.id in self.room.members:
            self.room.update(self.id, mic=on)

    async def set_blur(self, mode: str) -> None:
        self.commands.append(("set_blur", mode))

    async def set_volume(self, participant: str, volume: float) -> None:
        self.commands.append(("set_volume", participant, volume))

    async def set_output(self, device: str) -> None:
        self.commands.append(("set_output", device))

    async def play_test_sound(self) -> None:
        self.commands.append(("play_test_sound",))

    async def share(self, on: bool, source: str | None = None, replace: bool = False) -> None:
        self.commands.append(("share", on, source, replace))
        if on and self.role != "teacher" and not self.me.may_share:
            self.sink(ev.ErrorRaised(code="not_allowed", message="you may not share"))
            return
        for call in self.room.members.values():   # one share at a time
            if call is not self and call.me.sharing and on:
                if not replace:
                    self.sink(ev.ErrorRaised(code="share_busy", message="someone shares"))
                    return
                call.me = replace_(call.me, sharing=False)
        self.me = replace_(self.me, sharing=on)
        self.room.broadcast_share()

    async def share_permission(self, participant: str, allow: bool) -> None:
        self.commands.append(("share_permission", participant, allow))
        if self._teacher():
            call = self.room.members[participant]
            call.me = replace_(call.me, may_share=allow, sharing=call.me.sharing and allow)
            self.room.broadcast_share()

    async def set_noise_suppression(self, on: bool) -> None:
        self.commands.append(("set_noise_suppression", on))

    async def chat(self, text: str) -> None:
        self.commands.append(("chat", text))
        for call in self.room.members.values():
            if call.me.state == "joined":
                call.sink(ev.ChatReceived(sender=self.id, name=self.me.name, text=text))

    async def hand(self, up: bool) -> None:
        self.commands.append(("hand", up))
        self.room.update(self.id, hand=up)

    async def consent(self, recording: bool) -> None:
        self.commands.append(("consent", recording))

    async def leave(self) -> None:
        self.commands.append(("leave",))
        self.camera = self.mic = False
        if self.id in self.room.members:
            self.room.close(self.id, "left")
        else:
            self._local()

    async def admit(self, participant: str) -> None:
        self.commands.append(("admit", participant))
        if self._teacher():
            self.room.update(participant, state="joined")
            self.room.members[participant].sink(ev.StateChanged("joined"))
            self.room.broadcast()

    async def admit_all(self) -> None:
        self.commands.append(("admit_all",))
        if self._teacher():
            for pid, call in list(self.room.members.items()):
                if call.me.state == "waiting":
                    await self.admit(pid)

    async def deny_all(self) -> None:
        self.commands.append(("deny_all",))
        if self._teacher():
            for pid, call in list(self.room.members.items()):
                if call.me.state == "waiting":
                    self.room.close(pid, "denied")

    async def lock_room(self, locked: bool) -> None:
        self.commands.append(("lock_room", locked))
        if self._teacher():
            self.room.locked = locked
            for call in self.room.members.values():
                if call.role == "teacher":
                    call.sink(ev.RoomLockChanged(locked))

    async def deny(self, participant: str) -> None:
        self.commands.append(("deny", participant))
        if self._teacher():
            self.room.close(participant, "denied")

    async def turn_off(self, participant: str | None, device: Device, lock: bool = False) -> None:
        self.commands.append(("turn_off", participant, device, lock))
        if not self._teacher():
            return
        targets = [participant] if participant else [
            pid for pid, c in self.room.members.items() if c.role == "pupil"]
        for pid in targets:
            call = self.room.members[pid]
            if device == "camera":
                call.camera = False
                call.me = replace(call.me, camera=False,
                                  camera_locked=call.me.camera_locked or lock)
            else:
                call.mic = False
                call.me = replace(call.me, mic=False, mic_locked=call.me.mic_locked or lock)
            call.sink(ev.ModerationReceived(action="turn_off", by=self.id, device=device,
                                            locked=lock))
            call._local()
        self.room.broadcast()

    async def unlock(self, participant: str, device: Device) -> None:
        self.commands.append(("unlock", participant, device))
        if self._teacher():
            call = self.room.members[participant]
            key = "camera_locked" if device == "camera" else "mic_locked"
            call.me = replace(call.me, **{key: False})
            call.sink(ev.ModerationReceived(action="unlock", by=self.id, device=device))
            call._local()
            self.room.broadcast()

    async def ask_on(self, participant: str, device: Device) -> None:
        self.commands.append(("ask_on", participant, device))

    async def kick(self, participant: str) -> None:
        self.commands.append(("kick", participant))
        if self._teacher():
            self.room.close(participant, "kicked")

    async def lower_hands(self, participant: str | None = None) -> None:
        self.commands.append(("lower_hands", participant))
        if self._teacher():
            for pid in ([participant] if participant else list(self.room.members)):
                self.room.members[pid].me = replace(self.room.members[pid].me, hand=False)
            self.room.broadcast()

    async def end(self) -> None:
        self.commands.append(("end",))
        if self._teacher():
            for pid in list(self.room.members):
                self.room.close(pid, "ended" if pid != self.id else "left")

    async def record(self, start: bool) -> None:
        self.commands.append(("record", start))
        if self._teacher():
            if start:
                self.room.set_recording(RecordingState(
                    state="announced", what=["teacher camera", "teacher microphone"],
                    starts_in=10.0))
            else:
                self.room.set_recording(RecordingState())
