"""Personal accounts (argon2 hashes in one JSON file, mode 0600) and login sessions.

Only the account name, its role and the password hash are stored; sessions live in
memory and die with the process.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ACCOUNTS_FILE = "accounts.json"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
SESSION_S = 12 * 3600
ROLES = ("teacher", "pupil")

_hasher = PasswordHasher()
# Verifying an unknown user still costs one hash, so timing does not reveal names.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """Bad account input; the message is one line for the command line."""


@dataclass(frozen=True)
class SessionInfo:
    token: str
    user: str
    role: str
    expires: float


class Accounts:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / ACCOUNTS_FILE
        self._sessions: dict[str, SessionInfo] = {}

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            raise AccountError(f"{self.path} is not valid JSON") from None
        users = data.get("users", {}) if isinstance(data, dict) else {}
        return users if isinstance(users, dict) else {}

    def _save(self, users: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"users": users}, fh, indent=1)
        os.replace(tmp, self.path)

    def add(self, name: str, role: str, password: str) -> None:
        if not NAME_RE.match(name):
            raise AccountError("a user name is 1-64 letters, digits or . _ @ - and starts "
                               "with a letter or digit")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
        users = self._load()
        if name in users:
            raise AccountError(f"user {name} exists already")
        users[name] = {"role": role, "hash": _hasher.hash(password)}
        self._save(users)

    def remove(self, name: str) -> None:
        """Delete an account (and end its sessions): nothing of it stays on disk."""
        users = self._load()
        if name not in users:
            raise AccountError(f"there is no user {name}")
        del users[name]
        self._save(users)
        for token in [t for t, info in self._sessions.items() if info.user == name]:
            del self._sessions[token]

    def has(self, name: str) -> bool:
        """Is there an account of this name (no password check, no argon2)?"""
        return isinstance(self._load().get(name), dict)

    def role_of(self, name: str) -> str | None:
        entry = self._load().get(name)
        return str(entry.get("role")) if isinstance(entry, dict) else None

    def count(self) -> dict[str, int]:
        counts = dict.fromkeys(ROLES, 0)
        for entry in self._load().values():
            if isinstance(entry, dict) and entry.get("role") in counts:
                counts[str(entry["role"])] += 1
        return counts

    def verify(self, name: str, password: str) -> str | None:
        """The user's role if the password is right, else None."""
        entry = self._load().get(name)
        stored = entry.get("hash") if isinstance(entry, dict) else None
        try:
            _hasher.verify(stored or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return str(entry["role"]) if stored and isinstance(entry, dict) else None

    # sessions (memory only) -------------------------------------------------
    def login(self, name: str, password: str, now: float | None = None) -> SessionInfo | None:
        role = self.verify(name, password)
        if role is None:
            return None
        now = time.time() if now is None else now
        info = SessionInfo(secrets.token_urlsafe(24), name, role, now + SESSION_S)
        self._sessions[info.token] = info
        return info

    def session(self, token: str | None, now: float | None = None) -> SessionInfo | None:
        if not token:
            return None
        info = self._sessions.get(token)
        if info is None:
            return None
        # Expired, or the account was deleted meanwhile (perhaps by `user del`, another process).
        if info.expires <= (time.time() if now is None else now) or self.role_of(info.user) is None:
            self._sessions.pop(token, None)
            return None
        return info
