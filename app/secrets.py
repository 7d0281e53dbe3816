"""Where account secrets (the service's session token) are kept.

Only the operating system's own secret stores are trusted: Secret Service /
libsecret (GNOME, KDE >= 5.97), KWallet, the macOS Keychain and the Windows
Credential Locker. keyring falls back to other backends when none of those is
there -- `fail` on a headless box, and with keyrings.alt installed a file holding
the secret in base64, i.e. plaintext. So any other backend is refused: the secret
then lives in this process's memory for the session only, and `reason` says why,
for the front end to tell the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE = "klasse"
PLATFORM_BACKENDS = frozenset({
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
})
MEMORY_REASON = ("No system keyring (Secret Service, KWallet, macOS Keychain or Windows "
                 "Credential Locker) is available, so your sign-in is kept in memory only "
                 "and you will have to sign in again next time.")


def _name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def platform_backend(candidate: KeyringBackend | None = None) -> KeyringBackend | None:
    """The trusted backend keyring would use, or None. A chainer is looked into."""
    chosen = candidate if candidate is not None else keyring.get_keyring()
    inner = getattr(chosen, "backends", None)
    options = list(inner) if _name(chosen).endswith("chainer.ChainerBackend") and inner else [chosen]
    for backend in options:
        if _name(backend) in PLATFORM_BACKENDS:
            return backend
    return None


@dataclass(frozen=True)
class Stored:
    """Where a secret went, and if not to the keyring, a sentence for the user."""
    where: Literal["keyring", "memory"]
    reason: str | None = None


class SecretStore:
    """Secrets by name: the platform keyring, or this session's memory."""

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE) -> None:
        self.service = service
        self._backend = platform_backend(backend)
        self._memory: dict[str, str] = {}
        self.reason: str | None = None if self._backend else MEMORY_REASON

    @property
    def persistent(self) -> bool:
        return self._backend is not None

    def set(self, name: str, secret: str) -> Stored:
        if self._backend is not None:
            try:
                self._backend.set_password(self.service, name, secret)
                self._memory.pop(name, None)
                return Stored("keyring")
            except keyring.errors.KeyringError as exc:
                # e.g. a locked collection the user declined to unlock
                self.reason = f"The system keyring refused to store the secret ({exc}); " \
                              "it is kept in memory for this session only."
        self._memory[name] = secret
        return Stored("memory", self.reason or MEMORY_REASON)

    def get(self, name: str) -> str | None:
        if name in self._memory:
            return self._memory[name]
        if self._backend is not None:
            try:
                return self._backend.get_password(self.service, name)
            except keyring.errors.KeyringError:
                return None
        return None

    def delete(self, name: str) -> None:
        self._memory.pop(name, None)
        if self._backend is not None:
            try:
                self._backend.delete_password(self.service, name)
            except keyring.errors.KeyringError:
                pass  # nothing stored there: nothing to delete


def session_key(host: str, port: int) -> str:
    """The keyring entry name of the session token for one room service."""
    return f"session@{host}:{port}"
