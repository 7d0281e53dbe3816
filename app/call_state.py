"""The client side of a call as a sans-I/O state machine.

Every rule that changes the call's state lives here: which state follows which
input (one table), what the own devices may do (moderation locks), which feeds to
receive, and what to tell the front end. Nothing here touches a socket, a device or
a clock: `CallMachine` takes server messages and user intents and returns a list of
effects (events for the front end, and small commands for the I/O layer in
app/call_session.py), so every path is tested without a network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

import msgspec

from klasse.app import protocol as p
from klasse.app.events import (
    CallState,
    ChatReceived,
    ConsentRequested,
    ErrorRaised,
    Event,
    LocalMediaChanged,
    MediaReconnecting,
    ModerationReceived,
    ParticipantsChanged,
    RecordingChanged,
    RoomLockChanged,
    ShareChanged,
    StateChanged,
    Welcomed,
)

Device = Literal["camera", "mic"]
# Inputs that move the call from one state to another.
Trigger = Literal["welcome_waiting", "welcome_joined", "admitted", "lost", "gave_up",
                  "refused", "closed", "leave"]

# (state, trigger) -> next state. A pair missing here is out of order.
TRANSITIONS: dict[tuple[CallState, Trigger], CallState] = {
    ("connecting", "welcome_waiting"): "waiting",
    ("connecting", "welcome_joined"): "joined",
    ("connecting", "refused"): "left",
    ("connecting", "lost"): "left",           # never got in: nothing to resume
    ("connecting", "closed"): "left",
    ("connecting", "leave"): "left",
    ("waiting", "admitted"): "joined",
    ("waiting", "lost"): "reconnecting",
    ("waiting", "closed"): "left",            # denied, or the lesson ended
    ("waiting", "leave"): "left",
    ("joined", "lost"): "reconnecting",
    ("joined", "closed"): "left",
    ("joined", "leave"): "left",
    ("reconnecting", "welcome_waiting"): "waiting",
    ("reconnecting", "welcome_joined"): "joined",
    ("reconnecting", "refused"): "left",      # the resume token is no longer valid
    ("reconnecting", "gave_up"): "left",
    ("reconnecting", "closed"): "left",
    ("reconnecting", "leave"): "left",
}

# Errors to a Join (or a resume) that end the attempt: the user cannot get in.
JOIN_REFUSALS = frozenset({
    p.ErrorCode.LINK_INVALID, p.ErrorCode.LINK_EXPIRED, p.ErrorCode.PIN_WRONG,
    p.ErrorCode.RATE_LIMITED, p.ErrorCode.LOGIN_FAILED, p.ErrorCode.SESSION_INVALID,
    p.ErrorCode.UNSUPPORTED_VERSION, p.ErrorCode.ROOM_CLOSED, p.ErrorCode.BAD_MESSAGE,
    p.ErrorCode.BUSY, p.ErrorCode.ROOM_FULL, p.ErrorCode.ROOM_LOCKED,
})


class OutOfOrder(Exception):
    """An input that has no transition from the current state."""


# ----------------------------------------------------------------- effects
@dataclass(frozen=True)
class Send:
    """Send this message to the room service."""
    msg: p.ClientMessage


@dataclass(frozen=True)
class StartPublishing:
    """Make the one publishing peer connection and send its offer."""


@dataclass(frozen=True)
class SubscribeFeed:
    feed: str


@dataclass(frozen=True)
class DropFeed:
    """Close the peer connection that receives this feed."""
    feed: str


@dataclass(frozen=True)
class ResetMedia:
    """Close every peer connection: the service dropped our media with the connection."""


@dataclass(frozen=True)
class OpenDevice:
    device: Device


@dataclass(frozen=True)
class CloseDevice:
    """Close (release) the capture device; muting is not enough."""
    device: Device


@dataclass(frozen=True)
class StartShare:
    """The service lets us share: send the opened screen source."""


@dataclass(frozen=True)
class StopShare:
    """Stop sending the screen and release its source."""


@dataclass(frozen=True)
class EndCall:
    """Tear everything down and wipe the call cache."""
    reason: str


Effect: TypeAlias = (Event | Send | StartPublishing | SubscribeFeed | DropFeed | ResetMedia
                     | OpenDevice | CloseDevice | StartShare | StopShare | EndCall)


@dataclass
class _Device:
    on: bool = False
    locked: bool = False


class CallMachine:
    """One call, from the first connection attempt to `left`."""

    def __init__(self, receive: bool = True) -> None:
        self.receive_media = receive    # False: publish only (benchmark load generators)
        self.state: CallState = "connecting"
        self.me: str | None = None
        self.role: p.Role | None = None
        self.resume_token: str | None = None
        self.ice_servers: list[p.IceServer] = []
        self.recording = p.RecordingState()
        # The pupil's answer to recordings that need consent (the service keeps it
        # for the seat); None: not asked yet.
        self.consent: bool | None = None
        self._asked_consent = False     # ConsentRequested sent for the current recording
        self.participants: tuple[p.Participant, ...] = ()
        self.devices: dict[Device, _Device] = {"camera": _Device(), "mic": _Device()}
        self.published = False          # the publishing peer connection exists
        self.feeds: set[str] = set()    # participant ids whose media we receive
        self.media_reconnecting = False  # after media_reconnect, until we publish again
        self.end_reason: str | None = None
        self.sharer: str | None = None  # whose screen the room sees (the service decides)
        self.share_wanted = False       # the user asked to share and has not stopped

    # ------------------------------------------------------------ transitions
    def _move(self, trigger: Trigger) -> list[Effect]:
        nxt = TRANSITIONS.get((self.state, trigger))
        if nxt is None:
            raise OutOfOrder(f"{trigger} while {self.state}")
        if nxt == self.state:
            return []
        self.state = nxt
        return [StateChanged(nxt)]

    # ------------------------------------------------------------ connection
    def connection_lost(self) -> list[Effect]:
        """The WebSocket to the room service dropped (not after a leave)."""
        if self.state == "left":
            return []
        if self.state == "connecting":
            return self._finish("lost", "connection_failed", error=ErrorRaised(
                "connection_failed", "could not reach the room service"))
        if self.state == "reconnecting":
            return []
        out = self._move("lost")
        # While disconnected nobody can confirm whether a recording runs.
        out.append(RecordingChanged(self.recording, unknown=True))
        return out

    def reconnect_failed(self) -> list[Effect]:
        return self._finish("gave_up", "connection_lost", error=ErrorRaised(
            "connection_lost", "the connection to the room service could not be restored"))

    def join_message(self, link_token: str, name: str, pin: str | None,
                     session: str | None) -> p.Join:
        """The Join to send on (re)connecting; a reconnect resumes the same seat."""
        resume = self.resume_token if self.state == "reconnecting" else None
        return p.Join(v=p.PROTOCOL_VERSION, link=link_token, name=name, pin=pin,
                      session=session, resume=resume)

    # ------------------------------------------------------------ server input
    def receive(self, msg: p.ServerMessage) -> list[Effect]:
        """Apply one message from the room service."""
        if self.state == "left":
            return []
        handler = getattr(self, "_on_" + type(msg).__name__.lower(), None)
        if handler is None:
            return [ErrorRaised("out_of_order", f"unexpected {type(msg).__name__} from server")]
        try:
            return handler(msg)
        except OutOfOrder as exc:
            return [ErrorRaised("out_of_order", f"server message out of order: {exc}")]

    def _on_welcome(self, msg: p.Welcome) -> list[Effect]:
        resumed = self.state == "reconnecting"
        out = self._move("welcome_joined" if msg.state == "joined" else "welcome_waiting")
        self.me, self.role, self.resume_token = msg.participant, msg.role, msg.resume
        self.ice_servers = list(msg.ice_servers)
        # A lock is only ever lifted by an explicit unlock: a resume that forgot it
        # must not re-enable the device.
        cam, mic = self.devices["camera"], self.devices["mic"]
        cam.locked = cam.locked or msg.camera_locked
        mic.locked = mic.locked or msg.mic_locked
        for name, dev in self.devices.items():
            if dev.locked and dev.on:   # locked while we were away
                dev.on = False
                out.append(CloseDevice(name))
        if not resumed:
            out.insert(0, Welcomed(msg.participant, msg.role, msg.room_title, msg.notice))
        # The recording state comes before anything is published (StartPublishing below).
        out += self._set_recording(msg.recording)
        out.append(self._local_media())
        if resumed:
            # The service drops a participant's media with the connection; the
            # resumed seat publishes and subscribes again (docs/protocol.md).
            out.append(ResetMedia())
            self.published = False
            self.feeds = set()
            if self.share_wanted:   # the service ended the share with the connection
                self.share_wanted = False
                out.append(StopShare())
        if resumed or cam.on or mic.on:
            # Devices turned on before the Welcome, or a resumed seat the server
            # may have reset: tell the service what is really on.
            out.append(Send(p.MediaState(camera=cam.on, mic=mic.on)))
        if self.state == "joined":
            out += self._after_joined()
        return out

    def _on_lockstate(self, msg: p.LockState) -> list[Effect]:
        return [RoomLockChanged(msg.locked)]

    def _on_admitted(self, msg: p.Admitted) -> list[Effect]:
        out = self._move("admitted")
        return out + self._after_joined()

    def _after_joined(self) -> list[Effect]:
        out: list[Effect] = []
        if not self.published:
            self.published = True
            out.append(StartPublishing())
        return out + self._sync_feeds()

    def _on_denied(self, msg: p.Denied) -> list[Effect]:
        return self._finish("closed", "denied", moderation=ModerationReceived("denied", ""))

    def _on_closed(self, msg: p.Closed) -> list[Effect]:
        return self._finish("closed", msg.reason)

    def _on_participants(self, msg: p.Participants) -> list[Effect]:
        self.participants = tuple(msg.participants)
        out: list[Effect] = [ParticipantsChanged(self.participants)]
        return out + self._sync_share() + self._sync_feeds()

    def _sync_share(self) -> list[Effect]:
        """Follow the service's word on who shares: start ours once it lets us, stop
        ours when it gave the share to someone else or took it back."""
        sharer = next((x.id for x in self.participants if x.sharing), None)
        if sharer == self.sharer:
            return []
        was_mine = self.sharer is not None and self.sharer == self.me
        self.sharer = sharer
        mine = sharer is not None and sharer == self.me
        out: list[Effect] = [ShareChanged(sharer, mine)]
        if mine and self.share_wanted:
            out.append(StartShare())
        elif mine:   # the service says we share but we stopped meanwhile
            out.append(Send(p.Share(on=False)))
        elif was_mine and self.share_wanted:
            self.share_wanted = False
            out.append(StopShare())
        return out

    def request_share(self, replace: bool = False) -> list[Effect]:
        """The user wants to share (the session has opened the source already)."""
        out = self.request(p.Share(on=True, replace=replace))
        if self.state != "joined":
            return [ErrorRaised("not_joined", "sharing is possible once in the lesson"),
                    StopShare()]
        self.share_wanted = True
        if self.sharer is not None and self.sharer == self.me:
            out.append(StartShare())   # already ours: a new source replaces the old
        return out

    def stop_share(self) -> list[Effect]:
        """The user (or the end of the shared window) stops the share."""
        if not self.share_wanted and self.sharer != self.me:
            return [StopShare()]
        self.share_wanted = False
        out: list[Effect] = [StopShare()]
        if self.state == "joined":
            out.append(Send(p.Share(on=False)))
        return out

    def _sync_feeds(self) -> list[Effect]:
        """Receive every other joined participant who publishes; drop the rest."""
        if self.state != "joined":
            return []
        want = set() if not self.receive_media else {x.id for x in self.participants
                if x.id != self.me and x.state == "joined" and x.publishing}
        out: list[Effect] = [SubscribeFeed(f) for f in sorted(want - self.feeds)]
        out += [DropFeed(f) for f in sorted(self.feeds - want)]
        self.feeds = want
        return out

    def feed_failed(self, feed: str) -> list[Effect]:
        """A subscription failed: forget it so that the next participant list retries."""
        self.feeds.discard(feed)
        return []

    def resync(self) -> list[Effect]:
        """Subscribe again to feeds that failed (after a short wait)."""
        return self._sync_feeds()

    def _on_mediareconnect(self, msg: p.MediaReconnect) -> list[Effect]:
        """The media server lost our media; the lesson goes on. Close every peer
        connection, publish again and receive again whoever publishes again."""
        if self.state != "joined":
            return []
        self.media_reconnecting = True
        out: list[Effect] = [MediaReconnecting(True, msg.reason)]
        if self.recording.state != "off":
            # Until the service says again, nobody can vouch for the recording.
            out.append(RecordingChanged(self.recording, unknown=True))
        out.append(ResetMedia())
        self.published = False
        self.feeds = set()
        # What was published went with the media server; the next list says who is back.
        self.participants = tuple(msgspec.structs.replace(x, publishing=False)
                                  for x in self.participants)
        out.append(ParticipantsChanged(self.participants))
        return out + self._after_joined()

    def publishing_connected(self) -> list[Effect]:
        """The own publishing connection is up (again)."""
        if not self.media_reconnecting:
            return []
        self.media_reconnecting = False
        return [MediaReconnecting(False)]

    def republish(self) -> list[Effect]:
        """The publishing connection failed or was lost: make a new one."""
        if self.state != "joined":
            self.published = False
            return []
        return [StartPublishing()]

    def _on_recording(self, msg: p.Recording) -> list[Effect]:
        out = self._set_recording(msg.recording)
        out.append(self._local_media())
        return out

    def _set_recording(self, rec: p.RecordingState) -> list[Effect]:
        self.recording = rec
        out: list[Effect] = [RecordingChanged(rec)]
        if rec.state == "off":
            self._asked_consent = False
        elif self.needs_consent and not self._asked_consent:
            self._asked_consent = True
            out.append(ConsentRequested(tuple(rec.what)))
        if self.recording_lock:
            # The service turns devices off and keeps them off; never leave one open.
            for name, dev in self.devices.items():
                if dev.on:
                    dev.on = False
                    out.append(CloseDevice(name))
        return out

    @property
    def needs_consent(self) -> bool:
        """A recording that needs this pupil's consent is announced or running."""
        return (self.role == "pupil" and self.recording.consent_required
                and self.recording.state != "off")

    @property
    def recording_lock(self) -> bool:
        """Camera and mic stay off: a recording needs consent this pupil has not given."""
        return self.needs_consent and self.consent is not True

    def count_down(self, elapsed_s: float) -> list[Effect]:
        """`elapsed_s` after the last recording message: the announced countdown, again."""
        rec = self.recording
        # While reconnecting the state is unknown: no countdown may claim otherwise.
        if self.state not in ("waiting", "joined") or rec.state != "announced" \
                or rec.starts_in is None:
            return []
        left = max(0.0, round(rec.starts_in - elapsed_s, 1))
        return [RecordingChanged(p.RecordingState(
            state=rec.state, what=list(rec.what), starts_in=left,
            consent_required=rec.consent_required))]

    def give_consent(self, recording: bool) -> list[Effect]:
        """The pupil's answer; a no also closes the devices (the service turns them off)."""
        out = self.request(p.Consent(recording=recording))
        if not any(isinstance(e, Send) for e in out):
            return out
        self.consent = recording
        if self.recording_lock:
            for name, dev in self.devices.items():
                if dev.on:
                    dev.on = False
                    out.append(CloseDevice(name))
        out.append(self._local_media())
        return out

    def _on_chatmessage(self, msg: p.ChatMessage) -> list[Effect]:
        return [ChatReceived(msg.sender, msg.name, msg.text)]

    def _on_moderation(self, msg: p.Moderation) -> list[Effect]:
        # An empty `by`: the service itself (e.g. no recording consent), not a teacher.
        out: list[Effect] = [ModerationReceived(msg.action, msg.by, msg.device, msg.locked,
                                                by_server=not msg.by)]
        if msg.action == "turn_off" and msg.device is not None:
            dev = self.devices[msg.device]
            was_on = dev.on
            dev.on = False
            dev.locked = dev.locked or msg.locked
            if was_on:
                out.append(CloseDevice(msg.device))
                out.append(Send(self._media_state()))
            out.append(self._local_media())
        elif msg.action == "share_off" and self.share_wanted:
            self.share_wanted = False
            out.append(StopShare())
        elif msg.action == "unlock" and msg.device is not None:
            # Unlocking never turns a device on: only its owner does that.
            self.devices[msg.device].locked = False
            out.append(self._local_media())
        return out

    def _on_error(self, msg: p.Error) -> list[Effect]:
        err = ErrorRaised(str(msg.code), msg.message)
        if self.state in ("connecting", "reconnecting") and msg.code in JOIN_REFUSALS:
            return self._finish("refused", str(msg.code), error=err)
        if msg.ref == "share" and self.share_wanted and self.sharer != self.me:
            self.share_wanted = False   # refused (busy, not allowed): release the source
            return [err, StopShare()]
        return [err]

    def _on_published(self, msg: p.Published) -> list[Effect]:
        return []  # handled by the session (it owns the peer connection)

    def _on_subscription(self, msg: p.Subscription) -> list[Effect]:
        return []  # handled by the session

    def _on_pong(self, msg: p.Pong) -> list[Effect]:
        return []

    def _on_session(self, msg: p.Session) -> list[Effect]:
        return []

    def _on_roomcreated(self, msg: p.RoomCreated) -> list[Effect]:
        return []

    # ------------------------------------------------------------ user intents
    def set_device(self, device: Device, on: bool) -> list[Effect]:
        """The user turns a device on or off.

        Turning on is two-phase: OpenDevice now, and the device counts as on only
        when the I/O layer reports `device_opened` (or `device_failed`).
        """
        dev = self.devices[device]
        if on and dev.locked:
            return [ErrorRaised("locked", f"the teacher turned your {_label(device)} off "
                                "and locked it; ask the teacher to unlock it")]
        if on and self.recording_lock:
            return [ErrorRaised(str(p.ErrorCode.RECORDING_NOT_ALLOWED),
                                f"a recording is on: your {_label(device)} stays off unless "
                                "you agree to be recorded")]
        if self.state == "left":
            return [ErrorRaised("not_joined", "the call is over")]
        if dev.on == on:
            return [self._local_media()]
        if on:
            return [OpenDevice(device)]
        dev.on = False
        out: list[Effect] = [CloseDevice(device), self._local_media()]
        if self.state in ("waiting", "joined"):
            out.append(Send(self._media_state()))
        return out

    def device_opened(self, device: Device) -> list[Effect]:
        dev = self.devices[device]
        if dev.locked or self.recording_lock or self.state == "left":
            return [CloseDevice(device)]   # locked (or ended) while it was opening
        dev.on = True
        out: list[Effect] = [self._local_media()]
        if self.state in ("waiting", "joined"):
            out.append(Send(self._media_state()))
        return out

    def device_failed(self, device: Device, why: str,
                      code: str = "device_failed") -> list[Effect]:
        """Opening the device failed, or it vanished (`device_lost`): it is off."""
        self.devices[device].on = False
        out: list[Effect] = [ErrorRaised(code, f"{_label(device)}: {why}", device),
                             self._local_media()]
        if self.state in ("waiting", "joined"):
            out.append(Send(self._media_state()))
        return out

    def request(self, msg: p.ClientMessage) -> list[Effect]:
        """A room action (chat, hand, teacher actions): only once in the room."""
        if self.state == "left":
            return [ErrorRaised("not_joined", "the call is over")]
        if self.state == "reconnecting":
            return [ErrorRaised("not_joined", "reconnecting to the room service; try again")]
        if self.state == "connecting":
            return [ErrorRaised("not_joined", "not in the room yet")]
        return [Send(msg)]

    def leave(self) -> list[Effect]:
        if self.state == "left":
            return []
        return self._finish("leave", "left")

    # ------------------------------------------------------------ helpers
    def _finish(self, trigger: Trigger, reason: str, error: ErrorRaised | None = None,
                moderation: ModerationReceived | None = None) -> list[Effect]:
        out: list[Effect] = []
        if error is not None:
            out.append(error)
        if moderation is not None:
            out.append(moderation)
        for name, dev in self.devices.items():
            if dev.on:
                dev.on = False
                out.append(CloseDevice(name))
        if self.share_wanted:
            self.share_wanted = False
            out.append(StopShare())
        self.end_reason = reason
        out += self._move(trigger)
        out.append(EndCall(reason))
        return out

    def _media_state(self) -> p.MediaState:
        return p.MediaState(camera=self.devices["camera"].on, mic=self.devices["mic"].on)

    def _local_media(self) -> LocalMediaChanged:
        cam, mic = self.devices["camera"], self.devices["mic"]
        rec = self.recording_lock
        return LocalMediaChanged(cam.on, mic.on, cam.locked or rec, mic.locked or rec, rec)


def _label(device: Device) -> str:
    return "camera" if device == "camera" else "microphone"
