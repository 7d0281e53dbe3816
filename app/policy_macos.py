"""macOS machine policy: managed preferences, as an MDM configuration profile installs them.

A profile (sample: packaging/macos/klasse-policy.mobileconfig) with a payload of type
BUNDLE_ID makes macOS write /Library/Managed Preferences/BUNDLE_ID.plist (for the
computer) and /Library/Managed Preferences/USER/BUNDLE_ID.plist (for a user); both
are root-owned, and CFPreferences reports their keys as forced. The user's own
~/Library/Preferences is never read for policy. Keys are the Linux ones: server (string),
tls and recording_allowed (booleans), blur (string), locked (array of strings).
"""

from __future__ import annotations

import getpass
import plistlib
from pathlib import Path

from klasse.app.policy import Policy, PolicyError, Value, policy_from_settings

BUNDLE_ID = "org.klasse.Klasse"
MANAGED_DIR = Path("/Library/Managed Preferences")


def _read_plist(path: Path) -> dict[str, Value] | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PolicyError(path, f"cannot read it ({exc.__class__.__name__})") from None
    try:
        loaded = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError) as exc:
        raise PolicyError(path, f"not a valid property list ({exc.__class__.__name__})") from None
    if not isinstance(loaded, dict):
        raise PolicyError(path, "not a dictionary of settings")
    # Payload* keys describe the profile itself, not settings.
    return {key: value for key, value in loaded.items() if not key.startswith("Payload")}


def managed_paths(user: str | None, root: Path = MANAGED_DIR) -> list[Path]:
    """Computer-wide first, then the user's managed file (the more specific one wins)."""
    paths = [root / f"{BUNDLE_ID}.plist"]
    if user:
        paths.append(root / user / f"{BUNDLE_ID}.plist")
    return paths


def load_managed_policy(root: Path | None = None, user: str | None = None) -> Policy:
    """The managed settings, or the protective defaults when no profile sets any."""
    root = root or MANAGED_DIR
    user = user if user is not None else getpass.getuser()
    merged: dict[str, Value] = {}
    source: Path | None = None
    for path in managed_paths(user, root):
        values = _read_plist(path)
        if values is not None:
            merged.update(values)
            source = path
    if source is None:
        return Policy()
    return policy_from_settings(merged, source)
