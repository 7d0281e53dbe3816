"""The Windows installer source and its signing step, proven on Linux: wixl builds the
MSI of klasse.wxs from a stand-in payload, osslsigncode signs it with a throwaway
certificate, the signature verifies, and one changed byte breaks it.

Needs wixl (Debian msitools/wixl), osslsigncode and openssl, which `make packages`
installs and `make test` does not: without them this test is skipped, saying which is
missing; `make packages-test` runs it with KLASSE_REQUIRE_MSI_TOOLS=1, where a skip
is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("wixl", "wixl-heat", "msiinfo", "osslsigncode", "openssl")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
if MISSING and os.environ.get("KLASSE_REQUIRE_MSI_TOOLS") == "1":
    raise RuntimeError(f"KLASSE_REQUIRE_MSI_TOOLS=1 but missing: {', '.join(MISSING)}")
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"missing {', '.join(MISSING)} (Debian: wixl msitools osslsigncode; "
                          "make packages installs them)")


def _verify(msi: Path, ca: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["osslsigncode", "verify", "-CAfile", str(ca), "-in", str(msi)],
                          capture_output=True, text=True, timeout=60)


def _table(msi: Path, name: str) -> str:
    return subprocess.run(["msiinfo", "export", str(msi), name], capture_output=True,
                          text=True, check=True, timeout=60).stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("msi")
    subprocess.run([sys.executable, str(ROOT / "packaging/windows/standin_msi.py"), str(out)],
                   check=True, capture_output=True, timeout=300)
    return out


def test_msi_is_per_machine_with_link_handler_and_start_menu(built: Path) -> None:
    msi = built / "klasse-standin-signed.msi"
    props = dict(line.split("\t", 1) for line in _table(msi, "Property").splitlines()[3:])
    assert props["ALLUSERS"] == "1"                      # per-machine
    directories = _table(msi, "Directory")
    assert "INSTALLDIR\tProgramFiles64Folder\tKlasse" in directories
    registry = _table(msi, "Registry")
    # Root 2 = HKLM: every user's klasse:// links open the installed client.
    assert '2\tSoftware\\Classes\\klasse\\shell\\open\\command\t\t"[INSTALLDIR]klasse.exe" "%1"' \
        in registry
    assert "2\tSoftware\\Classes\\klasse\tURL Protocol" in registry
    assert "KlasseShortcut\tKlasseMenu\tKlasse\tStartMenuEntry\t[INSTALLDIR]klasse.exe" in \
        _table(msi, "Shortcut")
    # Every installed file is a component of the package, so uninstall removes it.
    files = _table(msi, "File")
    for name in ("klasse.exe", "klasse-cli.exe", "base_library.zip"):
        assert name in files


def test_signed_msi_verifies_and_a_changed_byte_does_not(built: Path) -> None:
    signed, ca = built / "klasse-standin-signed.msi", built / "ca.pem"
    good = _verify(signed, ca)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Signature verification: ok" in good.stdout
    unsigned = _verify(built / "klasse-standin.msi", ca)
    assert unsigned.returncode != 0

    data = bytearray(signed.read_bytes())
    at = data.index(b"URL:Klasse lesson link")     # the link handler's registry value
    data[at + 4] ^= 0x01
    tampered = built / "tampered.msi"
    tampered.write_bytes(bytes(data))
    bad = _verify(tampered, ca)
    assert bad.returncode != 0
    assert "Signature verification: ok" not in bad.stdout
