"""The shipped systemd unit is valid, and the example config is one the service accepts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from klasse.server.config import load as load_config

PACKAGING = Path(__file__).resolve().parents[2] / "packaging" / "server"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze (Debian package systemd) is not installed")
def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify checks that ExecStart exists: point it at this checkout's console script.
    exe = shutil.which("klasse-server") or str(Path(__file__).parents[2] / ".venv/bin/klasse-server")
    unit = tmp_path / "klasse-server.service"
    unit.write_text((PACKAGING / "klasse-server.service").read_text()
                    .replace("/opt/klasse-server/bin/klasse-server", exe))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)],
                            capture_output=True, text=True, timeout=60)
    # Only lines about our unit count (the host's own units may warn in a container).
    ours = [line for line in result.stderr.splitlines() if "klasse-server" in line]
    assert ours == [], "\n".join(ours)


def test_unit_is_hardened() -> None:
    text = (PACKAGING / "klasse-server.service").read_text()
    for line in ("LimitCORE=0", "NoNewPrivileges=yes", "ProtectSystem=strict", "UMask=0077",
                 "StateDirectoryMode=0700", "User=klasse",
                 "ConditionPathExists=/etc/klasse/server.toml"):
        assert line in text.splitlines(), line


def test_unit_restarts_a_service_that_stops_answering() -> None:
    lines = (PACKAGING / "klasse-server.service").read_text().splitlines()
    for line in ("Type=notify", "NotifyAccess=main", "WatchdogSec=30", "Restart=on-failure"):
        assert line in lines, line
    # sd_notify is a datagram on a unix socket: the unit must allow AF_UNIX.
    families = next(x for x in lines if x.startswith("RestrictAddressFamilies="))
    assert "AF_UNIX" in families.split("=", 1)[1].split()


def test_example_config_loads() -> None:
    config = load_config(PACKAGING / "server.toml.example")
    assert config.recording_allowed is False
    assert config.notice.dpo_contact == "dpo@school.example"
