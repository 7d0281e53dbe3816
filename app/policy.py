"""Machine policy: what school IT decides for every user of this computer.

Read only from a fixed, admin-owned path (never from the user's own settings, which
could override it): the default server, whether teachers may record, and which
preferences are locked. A missing file means the most protective defaults; a broken
file raises PolicyError so the front end can say so instead of guessing.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PATH = Path("/etc/klasse/policy.conf")
BLUR_MODES = ("off", "blur", "replace", "full")
LOCKABLE = ("blur", "language", "camera_device", "mic_device")
_SECTION = "klasse"
_KEYS = ("server", "tls", "recording_allowed", "blur", "locked")


class PolicyError(Exception):
    """The policy file exists but cannot be used; `path` says which one."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Policy:
    server: str | None = None           # "host:port" for account sign-in; links carry their own
    tls: bool = True
    recording_allowed: bool = False     # no recording unless the school allows it
    blur: str = "blur"                  # default background mode
    locked: frozenset[str] = field(default_factory=frozenset)

    def is_locked(self, key: str) -> bool:
        return key in self.locked


def _bool(path: Path, key: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise PolicyError(path, f"{key} must be true or false, not {raw!r}")


def parse_policy(text: str, path: Path = DEFAULT_PATH) -> Policy:
    """Parse policy text (INI, section [klasse]); raise PolicyError on anything unknown."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise PolicyError(path, f"not a valid policy file ({exc.__class__.__name__})") from None
    if not parser.has_section(_SECTION):
        return Policy()
    section = parser[_SECTION]
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        raise PolicyError(path, f"unknown setting(s): {', '.join(unknown)}")
    server = section.get("server", "").strip() or None
    if server is not None:
        host, sep, port = server.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise PolicyError(path, f"server must be host:port, not {server!r}")
    blur = section.get("blur", "blur").strip()
    if blur not in BLUR_MODES:
        raise PolicyError(path, f"blur must be one of {', '.join(BLUR_MODES)}")
    locked = frozenset(k.strip() for k in section.get("locked", "").split(",") if k.strip())
    if locked - set(LOCKABLE):
        raise PolicyError(path, f"cannot lock {', '.join(sorted(locked - set(LOCKABLE)))}")
    return Policy(server=server, tls=_bool(path, "tls", section.get("tls", "true")),
                  recording_allowed=_bool(path, "recording_allowed",
                                          section.get("recording_allowed", "false")),
                  blur=blur, locked=locked)


def load_policy(path: Path = DEFAULT_PATH) -> Policy:
    """The machine policy, or the protective defaults when no policy file exists."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Policy()
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(path, f"cannot read it ({exc.__class__.__name__})") from None
    return parse_policy(text, path)
