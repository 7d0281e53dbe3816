"""What the call engine tells its front ends (the Qt UI and the headless participant).

Small immutable events; `as_json()` gives the headless participant's JSON-lines
form (docs/headless.md), whose `event` key is each class's EVENT name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

from klasse.app.protocol import Notice, Participant, RecordingState

CallState = Literal["connecting", "waiting", "joined", "reconnecting", "left"]


@dataclass(frozen=True)
class Event:
    EVENT: ClassVar[str] = ""

    def as_json(self) -> dict[str, Any]:
        out = {"event": self.EVENT}
        out.update(_plain(asdict(self)))
        return out


def _plain(value: Any) -> Any:
    """Turn msgspec structs inside an event into plain JSON-able values."""
    import msgspec

    return msgspec.to_builtins(value)


@dataclass(frozen=True)
class StateChanged(Event):
    EVENT: ClassVar[str] = "state"
    state: CallState


@dataclass(frozen=True)
class Welcomed(Event):
    """Sent once per join: who I am in this room, and the server's privacy notice."""
    EVENT: ClassVar[str] = "welcome"
    participant: str
    role: Literal["teacher", "pupil"]
    room_title: str
    notice: Notice


@dataclass(frozen=True)
class ParticipantsChanged(Event):
    """Everyone this user may see; a teacher also sees waiting pupils."""
    EVENT: ClassVar[str] = "participants"
    participants: tuple[Participant, ...]


@dataclass(frozen=True)
class LocalMediaChanged(Event):
    """This user's own devices: on/off, and whether they are locked off.

    `recording_lock`: the locks are (also) the server's, because this pupil has not
    consented to a recording that needs consent; they lift when the recording is
    off or the pupil consents.
    """
    EVENT: ClassVar[str] = "local_media"
    camera: bool
    mic: bool
    camera_locked: bool = False
    mic_locked: bool = False
    recording_lock: bool = False


@dataclass(frozen=True)
class MediaFlow(Event):
    """Cumulative frames received from one participant (at least once a second).

    For audio, `level` is the loudness of about the last second received from that
    participant, as RMS in dBFS (0 is full scale; silence is LEVEL_FLOOR_DB).
    """
    EVENT: ClassVar[str] = "video"   # or "audio" or "screen": see `kind`
    kind: Literal["video", "audio", "screen"]
    sender: str
    frames: int
    level: float | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.kind, "from": self.sender, "frames": self.frames}
        if self.kind == "audio":
            out["level"] = self.level
        return out


@dataclass(frozen=True)
class LevelsMeasured(Event):
    """Once a second: the loudness of what this participant's speaker played and of
    what its microphone captured after echo cancellation, noise suppression and gain
    (RMS in dBFS; `captured` is None while no microphone device is open, `played`
    None when no speaker runs)."""
    EVENT: ClassVar[str] = "levels"
    played: float | None
    captured: float | None


@dataclass(frozen=True)
class ShareChanged(Event):
    """Who shares a screen now (None: nobody); `mine`: this user's screen is sent."""
    EVENT: ClassVar[str] = "share"
    sharer: str | None
    mine: bool = False


@dataclass(frozen=True)
class MediaReconnecting(Event):
    """The media server lost this call's media and the call reconnects it by itself
    (`active` true: nothing received is live until frames arrive again), or it is
    back (`active` false: the own media connection is up again)."""
    EVENT: ClassVar[str] = "media_reconnecting"
    active: bool
    reason: str = ""


@dataclass(frozen=True)
class FeedStats:
    """One received feed over the last report interval."""
    feed: str
    fps: float            # video frames shown per second
    freezes: int          # video gaps over 500 ms so far
    longest_freeze_s: float
    loss: float           # fraction of RTP packets lost (before retransmission), 0..1
    rtt_ms: int           # retransmission round trip (0 until one was needed)
    kbps: int             # received RTP payload, audio + video
    resubscribed: int = 0  # times it was asked for again after going quiet (app/feed_watch.py)


@dataclass(frozen=True)
class StatsReported(Event):
    """Twice a second while joined: per received feed, and this client's uplink."""
    EVENT: ClassVar[str] = "stats"
    feeds: tuple[FeedStats, ...]
    uplink_mode: str
    uplink_kbps: int
    uplink_loss: float
    uplink_rtt_ms: int


@dataclass(frozen=True)
class UplinkChanged(Event):
    """What this client's own uplink carries now (app/uplink.py): `full`, `half`
    (half size), `half-slow` (half size and frame rate) or `audio-only` (the camera
    picture is paused because the connection cannot carry it); the measured loss
    says why. The user's own connection is the problem, and the UI says so."""
    EVENT: ClassVar[str] = "uplink"
    mode: str
    video_kbps: int
    loss: float


@dataclass(frozen=True)
class RoomLockChanged(Event):
    """(Teachers) whether the room is locked against new pupils."""
    EVENT: ClassVar[str] = "room_lock"
    locked: bool


@dataclass(frozen=True)
class RecordingChanged(Event):
    """`unknown` is true while the state cannot be confirmed (connection lost)."""
    EVENT: ClassVar[str] = "recording"
    recording: RecordingState
    unknown: bool = False

    def as_json(self) -> dict[str, Any]:
        rec = self.recording
        return {"event": self.EVENT, "active": rec.state == "active", "state":
                "unknown" if self.unknown else rec.state, "what": list(rec.what),
                "starts_in": rec.starts_in, "consent_required": rec.consent_required}


@dataclass(frozen=True)
class ConsentRequested(Event):
    """A recording that needs this pupil's consent is announced or running.

    Until the pupil answers yes (CallControl.consent(True)), camera and microphone
    stay off, enforced by the server. Sent once per recording."""
    EVENT: ClassVar[str] = "consent_request"
    what: tuple[str, ...]


@dataclass(frozen=True)
class ModerationReceived(Event):
    """`by` is the teacher's id; `by_server` is true when the service itself did it
    (for example devices off for a pupil without recording consent)."""
    EVENT: ClassVar[str] = "moderation"
    action: str
    by: str
    device: str | None = None
    locked: bool = False
    by_server: bool = False


@dataclass(frozen=True)
class ChatReceived(Event):
    EVENT: ClassVar[str] = "chat"
    sender: str
    name: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"event": self.EVENT, "from": self.sender, "name": self.name, "text": self.text}


@dataclass(frozen=True)
class ErrorRaised(Event):
    """`device` names the device of a device_failed / device_lost error (camera, mic,
    speaker), so that a front end can say which one; empty otherwise."""
    EVENT: ClassVar[str] = "error"
    code: str
    message: str
    device: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.EVENT, "code": self.code, "message": self.message}
        if self.device:
            out["device"] = self.device
        return out


@dataclass(frozen=True)
class Left(Event):
    """The final event: the call is over and its cache was wiped (or not)."""
    EVENT: ClassVar[str] = "left"
    reason: str
    wiped: bool
    cache_files_remaining: int
    extra: dict[str, Any] = field(default_factory=dict)
