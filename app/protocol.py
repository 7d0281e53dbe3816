"""The client <-> room-service protocol: one JSON object per WebSocket message.

Every message has a `type`; messages are small immutable msgspec structs, validated
on decode (unknown fields, wrong types and oversized frames are refused with a
typed error). The server imports this module and app/names.py (the name rules), nothing
else of the client.
docs/protocol.md documents each message.
"""

from __future__ import annotations

import array
import itertools
import re
from enum import StrEnum
from typing import Literal
from urllib.parse import parse_qs, urlencode, urlsplit

import msgspec

from .names import MAX_NAME_BYTES

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024  # an SDP offer is ~5 KB; chat text is capped below
MAX_CHAT_CHARS = 2000
MAX_NAME_CHARS = 64            # before cleaning (klasse.app.names has the shown limits)
MAX_JSON_DEPTH = 8             # deepest legal message nests 4 levels; checked before decoding
# Hard cap of one room (joined + waiting); the service's configurable caps stay below it,
# so the largest legal participant list is bounded (see MAX_SERVER_MESSAGE_BYTES).
MAX_ROOM_PARTICIPANTS = 200
LINK_SCHEME = "klasse"

Role = Literal["teacher", "pupil"]
Device = Literal["camera", "mic"]
ParticipantState = Literal["waiting", "joined"]


class ErrorCode(StrEnum):
    BAD_MESSAGE = "bad_message"            # not JSON, wrong fields or types
    TOO_LARGE = "too_large"
    UNSUPPORTED_VERSION = "unsupported_version"
    NOT_JOINED = "not_joined"              # a room action before join/admission
    ALREADY_JOINED = "already_joined"
    OUT_OF_ORDER = "out_of_order"          # valid message, wrong moment
    LINK_INVALID = "link_invalid"          # forged, malformed or for another server
    LINK_EXPIRED = "link_expired"
    PIN_WRONG = "pin_wrong"
    RATE_LIMITED = "rate_limited"
    LOGIN_FAILED = "login_failed"
    SESSION_INVALID = "session_invalid"
    NOT_ALLOWED = "not_allowed"            # the role may not do this
    NO_SUCH_PARTICIPANT = "no_such_participant"
    LOCKED = "locked"                      # the teacher locked this device off
    RECORDING_NOT_ALLOWED = "recording_not_allowed"
    NO_SUCH_RECORDING = "no_such_recording"  # unknown id, or another teacher's recording
    ROOM_CLOSED = "room_closed"
    MEDIA_FAILED = "media_failed"          # Janus refused or failed a media request
    BUSY = "busy"                          # the service is at a limit: try again shortly
    ROOM_FULL = "room_full"                # the room (or its waiting room) is full
    SHARE_BUSY = "share_busy"              # someone else shares; ask, then send replace
    ROOM_LOCKED = "room_locked"            # the teacher locked the room: no new pupils
    INTERNAL = "internal"


class ProtocolError(Exception):
    """A message that cannot be accepted; carries the code sent back to the peer."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Msg(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type",
           kw_only=True):
    # Optional request id, echoed in the error (or reply) it causes.
    rid: int | None = None


# --------------------------------------------------------------------- shared
class IceServer(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class Participant(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    name: str
    role: Role
    state: ParticipantState
    camera: bool = False
    mic: bool = False
    hand: bool = False
    camera_locked: bool = False
    mic_locked: bool = False
    publishing: bool = False  # has a feed one can subscribe to
    via: Literal["account", "link"] = "link"
    sharing: bool = False     # the feed's second video track is this person's screen
    may_share: bool = False   # a pupil a teacher let share (teachers always may)


class RecordingState(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    state: Literal["off", "announced", "active"] = "off"
    what: list[str] = []          # e.g. ["teacher camera", "teacher microphone"]
    starts_in: float | None = None  # seconds until writing starts (announced)
    consent_required: bool = False


class RecordingEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One of a teacher's own recordings, as listed to them."""
    id: str
    started: float               # unix time writing began
    expires: float               # unix time retention deletes it
    state: Literal["recording", "converting", "ready", "failed"]
    duration_s: float | None = None
    what: list[str] = []
    interrupted: bool = False    # the media server was lost while it recorded


class Notice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What the privacy notice needs from the server, shown before the first join."""
    version: str
    controller: str
    dpo_contact: str
    retention: str
    language: str = "en"


# ------------------------------------------------------ client -> server
class Login(_Msg, frozen=True, tag="login"):
    v: int
    user: str
    password: str


class CreateRoom(_Msg, frozen=True, tag="create_room"):
    session: str
    title: str = ""
    expires_s: int = 7200
    waiting_room: bool = True    # False: pupils enter without admission


class Join(_Msg, frozen=True, tag="join"):
    v: int
    link: str                    # the link token (or the whole klasse:// link)
    name: str
    pin: str | None = None
    session: str | None = None   # account session token instead of a PIN
    resume: str | None = None    # reconnect token from an earlier Welcome


class GetNotice(_Msg, frozen=True, tag="get_notice"):
    """Ask for the privacy notice before joining. Carries no name and no PIN: the
    link only names the service's deployment and lets it refuse a forged or
    expired link. Creates no room and no participant; the reply is NoticeInfo."""
    v: int
    link: str                    # the link token (or the whole klasse:// link)


class Publish(_Msg, frozen=True, tag="publish"):
    sdp: str                     # offer; the reply is Published with the answer


class Subscribe(_Msg, frozen=True, tag="subscribe"):
    feed: str                    # participant id


class SubscriptionAnswer(_Msg, frozen=True, tag="subscription_answer"):
    feed: str
    sdp: str


class Unsubscribe(_Msg, frozen=True, tag="unsubscribe"):
    feed: str


class MediaState(_Msg, frozen=True, tag="media"):
    camera: bool
    mic: bool


class Chat(_Msg, frozen=True, tag="chat"):
    text: str


class Hand(_Msg, frozen=True, tag="hand"):
    up: bool


class Consent(_Msg, frozen=True, tag="consent"):
    recording: bool


class Leave(_Msg, frozen=True, tag="leave"):
    pass


class Share(_Msg, frozen=True, tag="share"):
    """Start or stop sharing the screen (the publisher's second video track).
    While someone else shares, `on` without `replace` gets share_busy: the client
    asks its user, then sends `replace: true` to take over."""
    on: bool
    replace: bool = False


class Ping(_Msg, frozen=True, tag="ping"):
    pass


# teacher actions
class Admit(_Msg, frozen=True, tag="admit"):
    participant: str


class AdmitAll(_Msg, frozen=True, tag="admit_all"):
    pass


class DenyAll(_Msg, frozen=True, tag="deny_all"):
    """Send every waiting pupil away (a flood in the waiting room)."""


class LockRoom(_Msg, frozen=True, tag="lock_room"):
    """While locked, nobody new may join through the pupil link (resumes, teachers
    and admitted pupils are not affected)."""
    locked: bool


class Deny(_Msg, frozen=True, tag="deny"):
    participant: str


class TurnOff(_Msg, frozen=True, tag="turn_off"):
    """Turn a participant's device off; `participant` None means all pupils."""
    participant: str | None
    device: Device
    lock: bool = False


class Unlock(_Msg, frozen=True, tag="unlock"):
    participant: str
    device: Device


class AskOn(_Msg, frozen=True, tag="ask_on"):
    """A teacher can only ask; the pupil decides."""
    participant: str
    device: Device


class Kick(_Msg, frozen=True, tag="kick"):
    participant: str


class LowerHands(_Msg, frozen=True, tag="lower_hands"):
    participant: str | None = None


class End(_Msg, frozen=True, tag="end"):
    pass


class SharePermission(_Msg, frozen=True, tag="share_permission"):
    """A teacher lets one pupil share (for a presentation), or takes it back."""
    participant: str
    allow: bool


class Record(_Msg, frozen=True, tag="record"):
    start: bool


# a teacher's own recordings (account session, outside a lesson)
class ListRecordings(_Msg, frozen=True, tag="list_recordings"):
    session: str


class DeleteRecording(_Msg, frozen=True, tag="delete_recording"):
    session: str
    id: str


ClientMessage = (Login | CreateRoom | Join | GetNotice | Publish | Subscribe | SubscriptionAnswer
                 | Unsubscribe | MediaState | Chat | Hand | Consent | Leave | Ping | Admit
                 | AdmitAll | Deny | DenyAll | LockRoom | TurnOff | Unlock | AskOn | Kick
                 | LowerHands | End | Record | ListRecordings | DeleteRecording | Share
                 | SharePermission)


# ------------------------------------------------------ server -> client
class Session(_Msg, frozen=True, tag="session"):
    token: str
    user: str
    role: Role
    expires: float               # unix time


class RoomCreated(_Msg, frozen=True, tag="room_created"):
    room: str
    teacher_link: str
    pupil_link: str
    pin: str
    expires: float


class Welcome(_Msg, frozen=True, tag="welcome"):
    participant: str
    role: Role
    room_title: str
    state: ParticipantState
    resume: str                  # reconnect token
    ice_servers: list[IceServer]
    notice: Notice
    recording: RecordingState
    camera_locked: bool = False
    mic_locked: bool = False


class NoticeInfo(_Msg, frozen=True, tag="notice_info"):
    """Reply to GetNotice: the notice Welcome will carry too."""
    notice: Notice


class Admitted(_Msg, frozen=True, tag="admitted"):
    pass


class Denied(_Msg, frozen=True, tag="denied"):
    reason: str


class Participants(_Msg, frozen=True, tag="participants"):
    participants: list[Participant]


class Published(_Msg, frozen=True, tag="published"):
    sdp: str                     # answer


class Subscription(_Msg, frozen=True, tag="subscription"):
    feed: str
    sdp: str                     # offer from the media server


class Moderation(_Msg, frozen=True, tag="moderation"):
    # share_off: the service stopped this participant's share (replaced or revoked);
    # share_allowed / share_revoked: a teacher changed this pupil's permission.
    action: Literal["turn_off", "unlock", "ask_on", "lower_hand", "share_off",
                    "share_allowed", "share_revoked"]
    device: Device | None = None
    locked: bool = False
    by: str = ""                 # participant id of the teacher


class Recording(_Msg, frozen=True, tag="recording"):
    recording: RecordingState


class ChatMessage(_Msg, frozen=True, tag="chat_message"):
    sender: str                  # participant id
    name: str
    text: str
    ts: float


class Closed(_Msg, frozen=True, tag="closed"):
    """The room is gone for this client; it must wipe its call cache."""
    # "replaced": the same participant resumed on another connection (with the PIN or
    # session again); this one is no longer in the room.
    reason: Literal["ended", "kicked", "denied", "expired", "left", "server_shutdown",
                    "replaced"]


class MediaReconnect(_Msg, frozen=True, tag="media_reconnect"):
    """The media server dropped this participant's media (it crashed, or lost the
    session); the lesson goes on. Close every peer connection, publish again and
    subscribe again to whoever publishes. `publish` waits on the service's side
    until the room has a media server again."""
    reason: Literal["media_server_lost", "media_session_lost"] = "media_server_lost"


class Error(_Msg, frozen=True, tag="error"):
    code: ErrorCode
    message: str
    ref: str | None = None       # type of the refused message


class LockState(_Msg, frozen=True, tag="lock_state"):
    """To teachers: whether the room is locked (after lock_room, and on joining a
    locked room)."""
    locked: bool


class Pong(_Msg, frozen=True, tag="pong"):
    pass


class Recordings(_Msg, frozen=True, tag="recordings"):
    """Reply to ListRecordings and DeleteRecording: the teacher's recordings now."""
    recordings: list[RecordingEntry]


ServerMessage = (Session | RoomCreated | Welcome | NoticeInfo | Admitted | Denied | Participants
                 | Published | Subscription | Moderation | Recording | ChatMessage
                 | Closed | Error | Pong | Recordings | MediaReconnect | LockState)

def _largest_participant() -> int:
    """Encoded size of the largest Participant a service can send: a name of the most
    bytes, every one of them escaped by JSON (2 bytes for a quote)."""
    worst = Participant(id="p" + "f" * 8, name='"' * MAX_NAME_BYTES, role="teacher",
                        state="waiting", camera=True, mic=True, hand=True, camera_locked=True,
                        mic_locked=True, publishing=True, via="account")
    return len(msgspec.json.encode(worst))


# What a client accepts from the service: the largest legal participant list fits.
MAX_SERVER_MESSAGE_BYTES = max(MAX_MESSAGE_BYTES,
                               MAX_ROOM_PARTICIPANTS * (_largest_participant() + 1) + 4096)

_client_decoder = msgspec.json.Decoder(ClientMessage)
_server_decoder = msgspec.json.Decoder(ServerMessage)
_encoder = msgspec.json.Encoder()


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")   # +1 / -1 as signed bytes


def json_depth(raw: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped), without
    parsing it: a cheap guard that runs before any decoder sees the frame. Every step
    runs in C (a 64 KiB frame of brackets costs about a millisecond), so a flood of
    deep frames cannot stall the service's loop."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    return max(itertools.accumulate(array.array("b", brackets.translate(_STEP)), initial=0))


def check_frame(raw: bytes | str, limit: int = MAX_MESSAGE_BYTES) -> bytes:
    """Size, UTF-8 and nesting limits, applied before decoding; the frame as bytes."""
    if len(raw) > limit:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"message over {limit} bytes")
    if isinstance(raw, str):
        try:
            data = raw.encode()
        except UnicodeEncodeError:   # lone surrogates cannot come off a valid text frame
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "the message is not valid UTF-8") from None
    else:
        data = bytes(raw)
        try:
            data.decode()
        except UnicodeDecodeError:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "the message is not valid UTF-8") from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"the message nests deeper than "
                            f"{MAX_JSON_DEPTH} levels")
    return data


def _decode(decoder: msgspec.json.Decoder, raw: bytes | str,
            limit: int = MAX_MESSAGE_BYTES) -> object:
    raw = check_frame(raw, limit)
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, str(exc)) from None
    except msgspec.DecodeError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"not a JSON message: {exc}") from None


def decode_client(raw: bytes | str) -> ClientMessage:
    """Parse and validate a message from a client, or raise ProtocolError."""
    msg = _decode(_client_decoder, raw)
    if isinstance(msg, Chat) and len(msg.text) > MAX_CHAT_CHARS:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"chat text over {MAX_CHAT_CHARS} characters")
    if isinstance(msg, Join | GetNotice) and msg.v != PROTOCOL_VERSION:
        raise ProtocolError(ErrorCode.UNSUPPORTED_VERSION,
                            f"protocol version {msg.v} is not {PROTOCOL_VERSION}")
    if isinstance(msg, Join) and (not msg.name.strip() or len(msg.name) > MAX_NAME_CHARS):
        raise ProtocolError(ErrorCode.BAD_MESSAGE,
                            f"name must be 1 to {MAX_NAME_CHARS} characters")
    return msg  # type: ignore[return-value]


def decode_server(raw: bytes | str) -> ServerMessage:
    """Parse and validate a message from the room service, or raise ProtocolError."""
    return _decode(_server_decoder, raw, MAX_SERVER_MESSAGE_BYTES)  # type: ignore[return-value]


def encode(msg: ClientMessage | ServerMessage) -> bytes:
    return _encoder.encode(msg)


# ------------------------------------------------------------------ links
class Link(msgspec.Struct, frozen=True):
    """klasse://HOST:PORT/join/TOKEN[?tls=0] -- where to connect, and the room token."""
    host: str
    port: int
    token: str
    tls: bool = True

    @property
    def service_url(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://{self.host}:{self.port}/"

    def __str__(self) -> str:
        query = "" if self.tls else "?" + urlencode({"tls": "0"})
        return f"{LINK_SCHEME}://{self.host}:{self.port}/join/{self.token}{query}"


def parse_link(text: str) -> Link:
    """Parse a klasse:// link; raise ProtocolError(LINK_INVALID) with a reason."""
    try:
        parts = urlsplit(text.strip())
        hostname = parts.hostname
    except ValueError:   # e.g. an unclosed "[" of an IPv6 address
        raise ProtocolError(ErrorCode.LINK_INVALID, "the link's address is malformed") from None
    if parts.scheme != LINK_SCHEME:
        raise ProtocolError(ErrorCode.LINK_INVALID, f"not a {LINK_SCHEME}:// link")
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 2 or segments[0] != "join" or not hostname:
        raise ProtocolError(ErrorCode.LINK_INVALID, "the link has no room token")
    try:
        port = parts.port or 443
    except ValueError:
        raise ProtocolError(ErrorCode.LINK_INVALID, "the link's port is not a number") from None
    tls = parse_qs(parts.query).get("tls", ["1"])[0] != "0"
    return Link(host=hostname, port=port, token=segments[1], tls=tls)
