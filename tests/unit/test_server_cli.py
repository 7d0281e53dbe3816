"""`klasse-server` commands as IT scripts them (real processes, no network)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from klasse.app.protocol import parse_link
from klasse.server.links import LinkSigner, load_or_create_key

CMD = [sys.executable, "-m", "klasse.server.cli"]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def test_user_add_then_room_create_json(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    added = run("user", "add", "ms.smith", "--role", "teacher", "--data", data,
                stdin="a long enough password\n")
    assert added.returncode == 0, added.stderr
    assert "a long enough password" not in added.stdout + added.stderr
    out = run("room", "create", "--teacher", "ms.smith", "--expires", "90m", "--json",
              "--data", data, "--listen", "10.77.0.1:9000")
    assert out.returncode == 0, out.stderr
    room = json.loads(out.stdout)
    assert set(room) == {"teacher_link", "pupil_link", "pin", "expires"}
    assert abs(room["expires"] - (time.time() + 5400)) < 60
    link = parse_link(room["pupil_link"])
    assert (link.host, link.port, link.tls) == ("10.77.0.1", 9000, False)
    # The running service (same data folder) accepts what this process made.
    signer = LinkSigner(load_or_create_key(Path(data)))
    grant = signer.verify(room["pupil_link"])
    assert grant.role == "pupil" and signer.pin(grant.room) == room["pin"]
    assert signer.verify(room["teacher_link"]).role == "teacher"


@pytest.mark.parametrize("args", [
    ("room", "create", "--teacher", "nobody"),
    ("room", "create", "--teacher", "ms.smith", "--expires", "soon"),
    ("room", "create", "--teacher", "ms.smith", "--expires", "90d"),
    ("user", "add", "bad name", "--role", "pupil"),
    ("user", "add", "ms.smith", "--role", "pupil"),        # exists
    ("user", "del", "nobody"),
    ("run", "--config", "/nonexistent/klasse.toml"),
    ("privacy-report", "--config", "/nonexistent/klasse.toml"),
    ("user", "add", "x", "--role", "admin"),                # argparse's own refusals
    ("room", "create"),
    ("frobnicate",),
])
def test_bad_input_exits_non_zero_with_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    data = str(tmp_path / "d")
    assert run("user", "add", "ms.smith", "--role", "teacher", "--data", data,
               stdin="a long enough password\n").returncode == 0
    out = run(*args, "--data", data, stdin="another long password\n")
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("klasse-server: "), out.stderr


def test_bad_config_key_is_named(tmp_path: Path) -> None:
    cfg = tmp_path / "k.toml"
    cfg.write_text('listen = "10.0.0.1"\nrecordng_allowed = true\n')
    out = run("privacy-report", "--config", str(cfg), "--data", str(tmp_path))
    assert out.returncode == 2 and "recordng_allowed" in out.stderr


def test_privacy_report_follows_the_config(tmp_path: Path) -> None:
    local = run("privacy-report", "--json", "--data", str(tmp_path / "d"))
    assert local.returncode == 0, local.stderr
    report = json.loads(local.stdout)
    assert "starts on this machine" in report["media_servers"][0]
    assert report["third_parties"][0].startswith("none")
    cfg = tmp_path / "k.toml"
    cfg.write_text(
        'listen = "10.1.2.3"\nrecording_allowed = true\nlog_level = "debug"\n'
        'teacher_grace_s = 300\n'
        'ice_servers = [{urls = ["turn:turn.school.example:3478"]}]\n'
        '[notice]\ncontroller = "Gymnasium Nord"\ndpo_contact = "dsb@gym-nord.example"\n'
        '[[janus]]\nurl = "ws://media1.school.example:8188"\napi_secret = "s"\n'
        'admin_url = "ws://media1.school.example:7188"\nadmin_secret = "a"\n')
    out = run("privacy-report", "--json", "--config", str(cfg), "--data", str(tmp_path / "d"))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["controller"] == "Gymnasium Nord"
    assert report["media_servers"] == ["Janus at media1.school.example (listed in the config)"]
    assert "turn.school.example" in report["third_parties"][0]
    assert report["service_listens_on"].startswith("10.1.2.3:8765")
    items = {i["data"]: i for i in report["items"]}
    assert "300 s" in items["chat messages and raised hands"]["how_long"]
    assert "debug" in items["IP address and device/network details (ICE, DTLS)"]["how_long"]
    assert "no recorder" in items["recordings"]["where"]
    text = run("privacy-report", "--config", str(cfg), "--data", str(tmp_path / "d")).stdout
    assert "Gymnasium Nord" in text and "media1.school.example" in text


def test_user_del(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    run("user", "add", "gone", "--role", "pupil", "--data", data, stdin="a long password 1\n")
    out = run("user", "del", "gone", "--data", data)
    assert out.returncode == 0, out.stderr
    assert "gone" not in (tmp_path / "d" / "accounts.json").read_text()
