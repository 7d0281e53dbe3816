"""The service's TOML config: defaults, overrides and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from klasse.server.config import Config, ConfigError, load


def test_defaults_and_overrides() -> None:
    cfg = load(None)
    assert cfg == Config() and not cfg.janus and not cfg.tls and not cfg.recording_allowed
    over = cfg.with_overrides("10.77.0.1:9000", Path("/tmp/x"))
    assert (over.listen, over.port, over.data, over.link_host) == (
        "10.77.0.1", 9000, Path("/tmp/x"), "10.77.0.1")
    assert cfg.with_overrides("10.0.0.5", None).port == cfg.port
    with pytest.raises(ConfigError):
        cfg.with_overrides("10.0.0.5:http", None)


def test_full_file(tmp_path: Path) -> None:
    f = tmp_path / "k.toml"
    f.write_text('listen = "10.0.0.2"\nport = 443\npublic_host = "klasse.school.example"\n'
                 'tls_cert = "/c.pem"\ntls_key = "/k.pem"\nrecording_allowed = true\n'
                 '[[janus]]\nurl = "ws://j1:8188"\napi_secret = "a"\nadmin_url = "ws://j1:7188"\n'
                 'admin_secret = "b"\n'
                 '[[janus]]\nurl = "ws://j2:8188"\napi_secret = "a"\nadmin_url = "ws://j2:7188"\n'
                 'admin_secret = "b"\nadmin_key = "k"\n')
    cfg = load(f)
    assert cfg.tls and cfg.recording_allowed and cfg.link_host == "klasse.school.example"
    assert [j.admin_key for j in cfg.janus] == ["b", "k"]


@pytest.mark.parametrize("text", [
    "port = 'x'", "port = 70000", "listen = 5", "tls_cert = '/c.pem'", "log_level = 'loud'",
    "[[janus]]\nurl = 'ws://j'", "ice_servers = [{url = 'x'}]", "unknown = 1", "not toml ][",
])
def test_refusals(tmp_path: Path, text: str) -> None:
    f = tmp_path / "k.toml"
    f.write_text(text)
    with pytest.raises(ConfigError):
        load(f)
