"""Non-personal preferences (devices, language, background mode, accepted notice
version per school server).

Stored in the user's QSettings; no names, links or PINs are ever written here.
Keys the machine policy locks are read from the policy instead, so a user file can
never override what school IT decided.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from klasse.app.policy import Policy

ORG, APP = "Klasse", "klasse"
KEYS = ("camera_device", "mic_device", "speaker_device", "language", "blur", "notice_version")


class Preferences:
    def __init__(self, policy: Policy, settings: QSettings | None = None) -> None:
        self._policy = policy
        self._settings = settings or QSettings(QSettings.Format.IniFormat,
                                               QSettings.Scope.UserScope, ORG, APP)

    def _get(self, key: str, default: str) -> str:
        value = self._settings.value(key, default)
        return value if isinstance(value, str) else default

    def _set(self, key: str, value: str) -> None:
        if key not in KEYS:
            raise KeyError(key)
        if self._policy.is_locked(key):
            return
        self._settings.setValue(key, value)
        self._settings.sync()

    def locked(self, key: str) -> bool:
        return self._policy.is_locked(key)

    @property
    def blur(self) -> str:
        if self._policy.is_locked("blur"):
            return self._policy.blur
        return self._get("blur", self._policy.blur)

    @blur.setter
    def blur(self, mode: str) -> None:
        self._set("blur", mode)

    @property
    def language(self) -> str:
        """"" means: follow the system language."""
        return "" if self._policy.is_locked("language") else self._get("language", "")

    @language.setter
    def language(self, code: str) -> None:
        self._set("language", code)

    @property
    def camera_device(self) -> str:
        """"" means: the default device (always so when the policy locks it)."""
        return "" if self._policy.is_locked("camera_device") else self._get("camera_device", "")

    @camera_device.setter
    def camera_device(self, device: str) -> None:
        self._set("camera_device", device)

    @property
    def mic_device(self) -> str:
        return "" if self._policy.is_locked("mic_device") else self._get("mic_device", "")

    @mic_device.setter
    def mic_device(self, device: str) -> None:
        self._set("mic_device", device)

    @property
    def speaker_device(self) -> str:
        return self._get("speaker_device", "")

    @speaker_device.setter
    def speaker_device(self, device: str) -> None:
        self._set("speaker_device", device)

    # The accepted notice version, per school server ("host:port"): one school's
    # notice says nothing about another's, even under the same version string.
    def accepted_notice(self, server: str) -> str:
        return self._get(_notice_key(server), "")

    def accept_notice(self, server: str, version: str) -> None:
        if not self._policy.is_locked("notice_version"):
            self._settings.setValue(_notice_key(server), version)
            self._settings.sync()


def _notice_key(server: str) -> str:
    # QSettings treats "/" as a group separator and escapes the rest itself.
    return "notice_version/" + server.replace("/", "_")
