"""The installer sources agree with the code they package (cheap checks; the packages
themselves are built and installed by `make packages-test`)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from klasse.app import policy_macos

ROOT = Path(__file__).resolve().parents[2]


def test_server_extra_pulls_no_qt_opencv_or_webrtc() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    names = {re.split(r"[<>=\[ ]", dep)[0].lower()
             for dep in project["dependencies"] + extras["server"]}
    assert not names & {"pyside6", "pyside6-essentials", "opencv-python-headless",
                        "opencv-python", "aiortc", "numpy", "ai-edge-litert"}
    assert {"argon2-cffi", "websockets", "msgspec"} <= names
    client = {re.split(r"[<>=\[ ]", dep)[0].lower() for dep in extras["client"]}
    assert {"pyside6-essentials", "aiortc", "opencv-python-headless"} <= client
    assert "klasse[client,server]" in extras["test"]


def test_desktop_file_registers_the_link_handler_and_icon() -> None:
    entry = dict(line.split("=", 1) for line in
                 (ROOT / "packaging/linux/klasse.desktop").read_text().splitlines()
                 if "=" in line and not line.startswith("#"))
    assert entry["Exec"] == "klasse %u"
    assert "x-scheme-handler/klasse" in entry["MimeType"].split(";")
    assert (ROOT / f"packaging/linux/{entry['Icon']}.svg").exists()


def test_sysusers_user_is_the_units_user() -> None:
    unit = (ROOT / "packaging/server/klasse-server.service").read_text()
    user = re.search(r"^User=(\S+)$", unit, re.M).group(1)  # type: ignore[union-attr]
    sysusers = (ROOT / "packaging/server/klasse-server.sysusers").read_text()
    assert re.search(rf"^u {user} ", sysusers, re.M)
    assert "ExecStart=/opt/klasse-server/bin/klasse-server run" in unit


def test_macos_bundle_matches_the_policy_domain_and_explains_camera_and_mic() -> None:
    spec = ast.parse((ROOT / "packaging/pyinstaller/klasse.spec").read_text())
    consts = {t.id: node.value.value for node in spec.body if isinstance(node, ast.Assign)
              for t in node.targets if isinstance(t, ast.Name)
              and isinstance(node.value, ast.Constant)}
    assert consts["BUNDLE_ID"] == policy_macos.BUNDLE_ID
    strings = {t.id: ast.literal_eval(node.value) for node in spec.body
               if isinstance(node, ast.Assign) for t in node.targets
               if isinstance(t, ast.Name) and t.id in ("CAMERA_USAGE", "MIC_USAGE")}
    assert "camera" in strings["CAMERA_USAGE"] and "microphone" in strings["MIC_USAGE"]
    entitlements = (ROOT / "packaging/macos/entitlements.plist").read_text()
    assert "com.apple.security.device.camera" in entitlements
    assert "com.apple.security.device.audio-input" in entitlements
