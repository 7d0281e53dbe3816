"""The policy readers of each OS against sample data, and the shipped policy templates.

Windows: winreg exists only on Windows, so the registry is read through the injected
reader with values shaped as winreg.EnumValue returns them. macOS: the managed
preferences files are written from the shipped sample profile into a temporary root.
"""

from __future__ import annotations

import plistlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from klasse.app import policy_macos, policy_windows
from klasse.app.policy import LOCKABLE, Policy, PolicyError, load_machine_policy
from klasse.app.policy_windows import REG_DWORD, REG_MULTI_SZ, REG_SZ, load_registry_policy

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
ADMX_NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}


def _registry(values: list[tuple[str, object, int]] | None):
    seen: list[str] = []

    def read(key: str):
        seen.append(key)
        return values
    return read, seen


def test_windows_no_key_gives_defaults() -> None:
    read, seen = _registry(None)
    assert load_registry_policy(read) == Policy()
    assert seen == [r"SOFTWARE\Policies\Klasse"]


def test_windows_group_policy_values() -> None:
    read, _ = _registry([("server", "lessons.school.example:8765", REG_SZ),
                         ("tls", 1, REG_DWORD), ("Recording_Allowed", 1, REG_DWORD),
                         ("blur", "full", REG_SZ), ("lock_blur", 1, REG_DWORD),
                         ("lock_language", 0, REG_DWORD), ("lock_mic_device", 1, REG_DWORD)])
    policy = load_registry_policy(read)
    assert policy == Policy(server="lessons.school.example:8765", tls=True,
                            recording_allowed=True, blur="full",
                            locked=frozenset({"blur", "mic_device"}))


def test_windows_locked_list_as_multi_string() -> None:
    read, _ = _registry([("locked", ["language", "camera_device"], REG_MULTI_SZ),
                         ("lock_blur", 1, REG_DWORD)])
    assert load_registry_policy(read).locked == {"language", "camera_device", "blur"}


@pytest.mark.parametrize("values, reason", [
    ([("tls", b"\x01", 3)], "unsupported registry type"),
    ([("lock_password", 1, REG_DWORD)], "cannot lock password"),
    ([("lock_blur", 2, REG_DWORD)], "must be 0 or 1"),
    ([("recording_allowed", 7, REG_DWORD)], "recording_allowed must be true or false"),
    ([("record", 1, REG_DWORD)], "unknown setting(s): record"),
    ([("blur", "sepia", REG_SZ)], "blur must be one of"),
])
def test_windows_bad_values_are_refused(values, reason: str) -> None:
    read, _ = _registry(values)
    with pytest.raises(PolicyError) as info:
        load_registry_policy(read)
    assert reason in info.value.reason
    assert info.value.path == r"HKLM\SOFTWARE\Policies\Klasse"


def test_admx_writes_only_what_the_windows_reader_reads() -> None:
    root = ET.parse(PACKAGING / "windows/policy/klasse.admx").getroot()
    names = {el.get("valueName") for el in root.iter() if el.get("valueName")}
    lock_names = {n for n in names if n.startswith(policy_windows.LOCK_PREFIX)}
    assert lock_names == {policy_windows.LOCK_PREFIX + key for key in LOCKABLE}
    assert names - lock_names == {"server", "tls", "recording_allowed", "blur"}
    assert {p.get("key") for p in root.iterfind(".//p:policy", ADMX_NS)} == {policy_windows.KEY}
    blur = {v.text for v in root.iterfind(".//p:enum[@id='Blur']//p:string", ADMX_NS)}
    assert blur == {"off", "blur", "replace", "full"}


@pytest.mark.parametrize("language", ["en-US", "de-DE", "nl-NL"])
def test_every_adml_has_every_string_and_presentation(language: str) -> None:
    admx = (PACKAGING / "windows/policy/klasse.admx").read_text()
    adml = ET.parse(PACKAGING / f"windows/policy/{language}/klasse.adml").getroot()
    strings = {s.get("id") for s in adml.iterfind(".//p:string", ADMX_NS)}
    presentations = {p.get("id"): p for p in adml.iterfind(".//p:presentation", ADMX_NS)}
    assert set(re.findall(r"\$\(string\.(\w+)\)", admx)) == strings
    assert set(re.findall(r"\$\(presentation\.(\w+)\)", admx)) == set(presentations)
    admx_root = ET.fromstring(admx)
    element_ids = {el.get("id") for el in admx_root.iterfind(".//p:elements/*", ADMX_NS)}
    ref_ids = {el.get("refId") for p in presentations.values() for el in p}
    assert ref_ids == element_ids
    assert all((s.text or "").strip() for s in adml.iterfind(".//p:string", ADMX_NS))


def _managed_from_profile(root: Path, user: str | None = None) -> None:
    """What macOS does when the sample profile is installed: the payload's keys
    land in the managed preferences file of its PayloadType (the bundle id)."""
    profile = plistlib.loads((PACKAGING / "macos/klasse-policy.mobileconfig").read_bytes())
    payload = next(p for p in profile["PayloadContent"]
                   if p["PayloadType"] == policy_macos.BUNDLE_ID)
    folder = root / user if user else root
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{policy_macos.BUNDLE_ID}.plist").write_bytes(plistlib.dumps(payload, fmt=plistlib.FMT_BINARY))


def test_macos_sample_profile_locks_blur_and_language(tmp_path: Path) -> None:
    _managed_from_profile(tmp_path)
    policy = policy_macos.load_managed_policy(tmp_path, user="pupil")
    assert policy == Policy(server="lessons.school.example:8765", tls=True,
                            recording_allowed=False, blur="full",
                            locked=frozenset({"blur", "language"}))


def test_macos_user_profile_overrides_computer_profile(tmp_path: Path) -> None:
    _managed_from_profile(tmp_path)
    user_file = tmp_path / "teacher" / f"{policy_macos.BUNDLE_ID}.plist"
    user_file.parent.mkdir()
    user_file.write_bytes(plistlib.dumps({"recording_allowed": True}))
    assert policy_macos.load_managed_policy(tmp_path, user="teacher").recording_allowed is True
    assert policy_macos.load_managed_policy(tmp_path, user="pupil").recording_allowed is False


def test_macos_nothing_managed_gives_defaults(tmp_path: Path) -> None:
    assert policy_macos.load_managed_policy(tmp_path, user="pupil") == Policy()


@pytest.mark.parametrize("content, reason", [
    (b"not a plist", "not a valid property list"),
    (plistlib.dumps(["blur"]), "not a dictionary"),
    (plistlib.dumps({"locked": "blur, password"}), "cannot lock password"),
    (plistlib.dumps({"tls": "perhaps"}), "tls must be true or false"),
    (plistlib.dumps({"server": 8765}), "server must be text"),
])
def test_macos_broken_managed_file_is_a_typed_error(tmp_path: Path, content: bytes,
                                                    reason: str) -> None:
    path = tmp_path / f"{policy_macos.BUNDLE_ID}.plist"
    path.write_bytes(content)
    with pytest.raises(PolicyError) as info:
        policy_macos.load_managed_policy(tmp_path, user="pupil")
    assert reason in info.value.reason
    assert info.value.path == path


def test_linux_example_policy_is_valid() -> None:
    from klasse.app.policy import load_policy
    policy = load_policy(PACKAGING / "policy.conf.example")
    assert policy.server == "lessons.school.example:8765" and policy.is_locked("blur")


def test_machine_policy_picks_the_reader_of_the_os(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setattr(policy_windows, "read_hklm",
                        lambda key: [("blur", "off", REG_SZ)])
    assert load_machine_policy("win32").blur == "off"
    _managed_from_profile(tmp_path)
    monkeypatch.setattr(policy_macos, "MANAGED_DIR", tmp_path)
    assert load_machine_policy("darwin").blur == "full"
