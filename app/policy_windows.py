"""Windows machine policy: HKLM\\SOFTWARE\\Policies\\Klasse, as Group Policy writes it.

The ADMX template (packaging/windows/policy/klasse.admx) writes these values:
server, blur (REG_SZ), tls, recording_allowed (REG_DWORD 0/1) and one REG_DWORD
lock_<preference> per lockable preference. A REG_SZ or REG_MULTI_SZ `locked` list is
accepted too, for scripts that set the registry directly. Only HKLM is read: the
user's own hive (HKCU) is writable by the user.

Reading the registry is a function passed in, so the translation from registry values
to policy settings is tested on any OS with sample data (winreg exists only on Windows).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from klasse.app.policy import LOCKABLE, Policy, PolicyError, Value, policy_from_settings

KEY = r"SOFTWARE\Policies\Klasse"
SOURCE = "HKLM\\" + KEY
# Registry value types (winreg.REG_*; fixed numbers in the Windows API).
REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_MULTI_SZ = 1, 2, 4, 7
LOCK_PREFIX = "lock_"

# (value name, data, registry type) for every value under the key; None: no key.
RegistryValues = list[tuple[str, object, int]]
RegistryReader = Callable[[str], RegistryValues | None]


def read_hklm(key: str) -> RegistryValues | None:
    """All values of HKLM\\key through winreg (64-bit view), or None if the key is absent."""
    winreg = importlib.import_module("winreg")
    try:
        handle = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key, 0,
                                winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
    except FileNotFoundError:
        return None
    values: RegistryValues = []
    with handle:
        index = 0
        while True:
            try:
                name, data, kind = winreg.EnumValue(handle, index)
            except OSError:          # no more values
                return values
            values.append((name, data, kind))
            index += 1


def settings_from_registry(values: RegistryValues) -> dict[str, Value]:
    """Registry values -> policy settings; a value of the wrong type is refused."""
    settings: dict[str, Value] = {}
    locked: set[str] = set()
    for raw_name, data, kind in values:
        name = raw_name.lower()                  # registry value names ignore case
        if kind in (REG_SZ, REG_EXPAND_SZ) and isinstance(data, str):
            value: Value = data
        elif kind == REG_DWORD and isinstance(data, int):
            value = data
        elif kind == REG_MULTI_SZ and isinstance(data, list):
            value = [str(item) for item in data]
        else:
            raise PolicyError(SOURCE, f"{raw_name} has an unsupported registry type ({kind})")
        if name.startswith(LOCK_PREFIX):
            key = name[len(LOCK_PREFIX):]
            if key not in LOCKABLE:
                raise PolicyError(SOURCE, f"cannot lock {key}")
            if value not in (0, 1):
                raise PolicyError(SOURCE, f"{raw_name} must be 0 or 1, not {value!r}")
            if value == 1:
                locked.add(key)
        elif name == "locked":
            if isinstance(value, int):
                raise PolicyError(SOURCE, "locked must be a list of names")
            listed = value.split(",") if isinstance(value, str) else value
            locked.update(item.strip() for item in listed if item.strip())
        else:
            settings[name] = value
    if locked:
        settings["locked"] = sorted(locked)
    return settings


def load_registry_policy(read: RegistryReader | None = None) -> Policy:
    """The Group Policy settings, or the protective defaults when none are set."""
    values = (read or read_hklm)(KEY)
    if values is None:
        return Policy()
    return policy_from_settings(settings_from_registry(values), SOURCE)
