"""Recording policy and the recording rules of one room (sans-I/O: no Janus, no clock).

The deployment decides whether recording exists at all (`recording_allowed`, off by
default) and whether consenting pupils may be recorded (`record_pupils`). Who may
start or stop one, and that the server must allow it, is the rules table's (one
place: server/rules.py, action `record`, which check_start/check_stop consult); the
room's recording phase is decided here. A recording is announced to everyone for
`announce_s` seconds before anything is written. Pupils are never recorded unless
the deployment enables it and the pupil consented; under such a policy a pupil who
has not consented keeps camera and microphone off while a recording is announced
or running.

Config (TOML): `recording_allowed` at the top level, the rest in a table:

```
recording_allowed = false
[recording]
record_pupils = false      # consenting pupils are recorded too
announce_s = 10            # countdown before anything is written
retention_days = 7         # recordings are deleted this long after they started
dir = ""                   # default: <data>/recordings
```
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import klasse.app.protocol as p
from klasse.app.protocol import ErrorCode

from .. import rules
from ..rules import Action, PState, Role, RoomState

DEFAULT_ANNOUNCE_S = 10.0
DEFAULT_RETENTION_DAYS = 7.0
# What the teacher's feed holds, as the announcement names it.
TEACHER_STREAMS = {"audio": "teacher microphone", "video": "teacher camera",
                   "screen": "teacher screen"}
CONSENTING_PUPILS = "camera, microphone and shared screen of pupils who consented"
# Janus's protected_folders (server/janus_config.py): it silently records nothing there.
JANUS_PROTECTED = ("/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sbin", "/sys", "/usr")


def sdp_kinds(sdp: str) -> list[str]:
    """What a publisher's offer sends: "audio", "video", and "screen" for a second video."""
    media = [line[2:].split(" ", 1)[0] for line in sdp.splitlines() if line.startswith("m=")]
    kinds: list[str] = [k for k in ("audio", "video") if k in media]
    if media.count("video") > 1:
        kinds.append("screen")
    return kinds


class RecordingConfigError(ValueError):
    """A bad [recording] table; the message is one line for the command line."""


@dataclass(frozen=True)
class RecordingPolicy:
    allowed: bool = False
    record_pupils: bool = False
    announce_s: float = DEFAULT_ANNOUNCE_S
    retention_days: float = DEFAULT_RETENTION_DAYS
    dir: Path | None = None  # None: <data>/recordings

    @property
    def retention_s(self) -> float:
        return self.retention_days * 86400.0

    def directory(self, data: Path) -> Path:
        return self.dir if self.dir is not None else data / "recordings"

    @classmethod
    def from_toml(cls, raw: dict[str, Any]) -> RecordingPolicy:
        """Read `recording_allowed` and the [recording] table of a parsed config file."""
        allowed = raw.get("recording_allowed", False)
        if not isinstance(allowed, bool):
            raise RecordingConfigError("recording_allowed must be true or false")
        table = raw.get("recording", {})
        if not isinstance(table, dict):
            raise RecordingConfigError("[recording] must be a table")
        unknown = sorted(set(table) - {"record_pupils", "announce_s", "retention_days", "dir"})
        if unknown:
            raise RecordingConfigError(f"unknown key {unknown[0]!r} in [recording]")
        record_pupils = table.get("record_pupils", False)
        if not isinstance(record_pupils, bool):
            raise RecordingConfigError("recording.record_pupils must be true or false")
        announce = table.get("announce_s", DEFAULT_ANNOUNCE_S)
        retention = table.get("retention_days", DEFAULT_RETENTION_DAYS)
        for key, value in (("announce_s", announce), ("retention_days", retention)):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise RecordingConfigError(f"recording.{key} must be a number >= 0")
        if retention <= 0:
            raise RecordingConfigError("recording.retention_days must be above 0")
        folder = table.get("dir", "")
        if not isinstance(folder, str):
            raise RecordingConfigError("recording.dir must be a path")
        if folder and any(Path(folder).absolute().is_relative_to(p) for p in JANUS_PROTECTED):
            raise RecordingConfigError(f"recording.dir {folder!r} is in a system folder where "
                                       "Janus refuses to write; use e.g. /var/lib/klasse")
        return cls(allowed=allowed, record_pupils=record_pupils, announce_s=float(announce),
                   retention_days=float(retention), dir=Path(folder) if folder else None)


class Phase(StrEnum):
    OFF = "off"
    ANNOUNCED = "announced"  # everyone has been told; nothing is written yet
    ACTIVE = "active"        # Janus writes the recorded feeds


class RoomRecordingRules:
    """The recording state of one room and every decision that depends on it.

    Times are passed in (seconds on any monotonic clock), so the rules run in tests
    without waiting.
    """

    def __init__(self, policy: RecordingPolicy) -> None:
        self.policy = policy
        self.phase = Phase.OFF
        self.starts_at: float | None = None
        self.what: list[str] = []

    # -- the teacher's request ------------------------------------------------------
    def check_start(self, role: Role) -> ErrorCode | None:
        """Who may, and whether this server allows it, the rules table says; then the phase."""
        allowed = rules.Policy(recording_allowed=self.policy.allowed)
        return rules.check(Role(role), PState.JOINED, RoomState.OPEN, Action.RECORD, allowed) or (
            ErrorCode.OUT_OF_ORDER if self.phase is not Phase.OFF else None)

    def check_stop(self, role: Role) -> ErrorCode | None:
        if Role(role) not in rules.TABLE[Action.RECORD].who:
            return ErrorCode.NOT_ALLOWED
        return ErrorCode.OUT_OF_ORDER if self.phase is Phase.OFF else None

    def announce(self, now: float, teacher_kinds: list[str]) -> p.RecordingState:
        """OFF -> ANNOUNCED. `teacher_kinds`: "audio", "video", "screen" the teacher sends."""
        assert self.phase is Phase.OFF
        self.what = []
        self.add_kinds(teacher_kinds or ["video", "audio"])
        self.phase = Phase.ANNOUNCED
        self.starts_at = now + self.policy.announce_s
        return self.state(now)

    def add_kinds(self, teacher_kinds: list[str]) -> bool:
        """Name streams of the teacher's feed in `what`; True if something was added.

        At the announcement, what the teacher sends then; later, what a new publish
        of the teacher adds (a screen shared during the teacher's own recording).
        """
        before = list(self.what)
        named = {TEACHER_STREAMS[k] for k in teacher_kinds if k in TEACHER_STREAMS}
        teacher = [TEACHER_STREAMS[k] for k in ("video", "audio", "screen")
                   if TEACHER_STREAMS[k] in named or TEACHER_STREAMS[k] in before]
        self.what = teacher + ([CONSENTING_PUPILS] if self.policy.record_pupils else [])
        return self.what != before

    def activate(self, now: float) -> p.RecordingState:
        """ANNOUNCED -> ACTIVE, only once the countdown ran out."""
        assert self.phase is Phase.ANNOUNCED and self.starts_at is not None
        if now < self.starts_at:
            raise ValueError("the announcement countdown has not run out")
        self.phase = Phase.ACTIVE
        return self.state(now)

    def stop(self) -> p.RecordingState:
        self.phase = Phase.OFF
        self.starts_at = None
        self.what = []
        return self.state(0.0)

    def state(self, now: float) -> p.RecordingState:
        """What every client is told (also in Welcome for late joiners)."""
        if self.phase is Phase.OFF:
            return p.RecordingState(state="off")
        starts_in = None
        if self.phase is Phase.ANNOUNCED and self.starts_at is not None:
            starts_in = round(max(0.0, self.starts_at - now), 1)
        return p.RecordingState(state=self.phase.value, what=list(self.what), starts_in=starts_in,
                                consent_required=self.policy.record_pupils)

    # -- pupils ------------------------------------------------------------------
    def is_recorded(self, role: Role, consent: bool) -> bool:
        """Whether a participant's feed goes into the recording (while ACTIVE)."""
        if role is Role.TEACHER:
            return True
        return self.policy.record_pupils and consent

    def must_keep_devices_off(self, role: Role, consent: bool) -> bool:
        """A pupil without consent keeps camera and mic off while recording is on.

        Only under `record_pupils`: otherwise pupils are never recorded, so their
        devices stay theirs to switch.
        """
        return (role is Role.PUPIL and self.policy.record_pupils and not consent
                and self.phase is not Phase.OFF)

    def check_device_on(self, role: Role, consent: bool, camera: bool, mic: bool) -> ErrorCode | None:
        """A MediaState turning camera or mic on: refused for a pupil without consent."""
        if (camera or mic) and self.must_keep_devices_off(role, consent):
            return ErrorCode.RECORDING_NOT_ALLOWED
        return None
