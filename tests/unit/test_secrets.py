"""Secrets go to a platform keyring or stay in memory; never to a plaintext file."""

from __future__ import annotations

import base64
from pathlib import Path

import keyring
import keyring.backends.chainer
import keyring.backends.fail
from keyring.backend import KeyringBackend

from klasse.app.secrets import MEMORY_REASON, SecretStore, platform_backend, session_key


class PlaintextFileKeyring(KeyringBackend):
    """Behaves like keyrings.alt's PlaintextKeyring: base64 in a file, priority 0.5."""

    priority = 0.5  # type: ignore[assignment]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def set_password(self, service: str, username: str, password: str) -> None:
        with self.path.open("a") as f:
            f.write(f"{service} {username} {base64.b64encode(password.encode()).decode()}\n")

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        return None


def test_this_headless_box_has_no_platform_keyring() -> None:
    # The real keyring library, as installed: it picks its `fail` backend here.
    assert isinstance(keyring.get_keyring(), (keyring.backends.fail.Keyring,
                                              keyring.backends.chainer.ChainerBackend))
    assert platform_backend() is None


def test_secret_stays_in_memory_and_user_is_told_why() -> None:
    store = SecretStore()
    assert store.persistent is False
    stored = store.set(session_key("school.example", 443), "tok-123")
    assert stored.where == "memory"
    assert stored.reason == MEMORY_REASON and "memory" in stored.reason
    assert store.get(session_key("school.example", 443)) == "tok-123"
    # Nothing reached the keyring library (its fail backend would have raised).
    assert SecretStore().get(session_key("school.example", 443)) is None
    store.delete(session_key("school.example", 443))
    assert store.get(session_key("school.example", 443)) is None


def test_plaintext_backend_is_refused(tmp_path: Path) -> None:
    plain = PlaintextFileKeyring(tmp_path / "keyring_pass.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(plain)
    try:
        assert keyring.get_keyring() is plain
        store = SecretStore()
        assert store.set("session@x:1", "secret-token").where == "memory"
        assert not (tmp_path / "keyring_pass.cfg").exists()
        assert store.reason is not None
    finally:
        keyring.set_keyring(previous)


def test_platform_backend_is_accepted_by_its_class_only(tmp_path: Path) -> None:
    # A backend merely named like a platform one, from another module, is refused.
    fake = type("Keyring", (PlaintextFileKeyring,), {"__module__": "keyrings.alt.file"})
    assert platform_backend(fake(tmp_path / "f")) is None


def test_secret_service_backend_is_trusted() -> None:
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    assert platform_backend(backend) is backend
    assert SecretStore(backend).persistent is True
