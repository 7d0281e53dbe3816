"""Machine policy: what school IT decides for every user of this computer.

Read only from a place that only administrators can write (never from the user's own
settings, which could override it): the default server, whether teachers may record,
the default background mode and which preferences are locked. Each OS has its own
place; its reader turns what it finds into plain settings, and `policy_from_settings`
checks them the same way everywhere:
- Linux (and any other Unix): the INI file /etc/klasse/policy.conf (here);
- Windows: HKLM\\SOFTWARE\\Policies\\Klasse (policy_windows.py, set by Group Policy);
- macOS: managed preferences pushed by an MDM profile (policy_macos.py).
A missing policy means the most protective defaults; a broken one raises PolicyError so
the front end can say so instead of guessing.
"""

from __future__ import annotations

import configparser
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PATH = Path("/etc/klasse/policy.conf")
BLUR_MODES = ("off", "blur", "replace", "full")
LOCKABLE = ("blur", "language", "camera_device", "mic_device")
KEYS = ("server", "tls", "recording_allowed", "blur", "locked")
_SECTION = "klasse"


class PolicyError(Exception):
    """The policy exists but cannot be used; `path` says where it was read from
    (a file, or a registry key on Windows)."""

    def __init__(self, path: Path | str, reason: str) -> None:
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


# A setting as a reader found it: INI and registry strings, registry DWORDs, plist
# booleans and arrays.
Value = str | bool | int | list[str] | tuple[str, ...]


def _bool(source: Path | str, key: str, raw: Value) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    value = raw.strip().lower() if isinstance(raw, str) else None
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise PolicyError(source, f"{key} must be true or false, not {raw!r}")


def _text(source: Path | str, key: str, raw: Value) -> str:
    if not isinstance(raw, str):
        raise PolicyError(source, f"{key} must be text, not {raw!r}")
    return raw.strip()


def _names(source: Path | str, raw: Value) -> frozenset[str]:
    if isinstance(raw, str):
        items = raw.split(",")
    elif isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
        items = list(raw)
    else:
        raise PolicyError(source, f"locked must be a list of names, not {raw!r}")
    return frozenset(item.strip() for item in items if item.strip())


def policy_from_settings(values: Mapping[str, Value], source: Path | str) -> Policy:
    """Check settings read from any OS's policy store; unknown keys are refused so a
    typo never silently leaves something unlocked."""
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise PolicyError(source, f"unknown setting(s): {', '.join(unknown)}")
    server = _text(source, "server", values.get("server", "")) or None
    if server is not None:
        host, sep, port = server.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise PolicyError(source, f"server must be host:port, not {server!r}")
    blur = _text(source, "blur", values.get("blur", "blur"))
    if blur not in BLUR_MODES:
        raise PolicyError(source, f"blur must be one of {', '.join(BLUR_MODES)}")
    locked = _names(source, values.get("locked", ""))
    if locked - set(LOCKABLE):
        raise PolicyError(source, f"cannot lock {', '.join(sorted(locked - set(LOCKABLE)))}")
    return Policy(server=server, tls=_bool(source, "tls", values.get("tls", True)),
                  recording_allowed=_bool(source, "recording_allowed",
                                          values.get("recording_allowed", False)),
                  blur=blur, locked=locked)


def parse_policy(text: str, path: Path = DEFAULT_PATH) -> Policy:
    """Parse policy text (INI, section [klasse]); raise PolicyError on anything unknown."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise PolicyError(path, f"not a valid policy file ({exc.__class__.__name__})") from None
    if not parser.has_section(_SECTION):
        return Policy()
    return policy_from_settings(dict(parser[_SECTION]), path)


def load_policy(path: Path = DEFAULT_PATH) -> Policy:
    """The policy file's policy, or the protective defaults when it does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Policy()
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(path, f"cannot read it ({exc.__class__.__name__})") from None
    return parse_policy(text, path)


def load_machine_policy(platform: str = sys.platform) -> Policy:
    """This computer's policy, from wherever its OS keeps machine policy."""
    if platform == "win32":
        from klasse.app.policy_windows import load_registry_policy
        return load_registry_policy()
    if platform == "darwin":
        from klasse.app.policy_macos import load_managed_policy
        return load_managed_policy()
    return load_policy(DEFAULT_PATH)
