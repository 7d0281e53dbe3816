"""The room service's configuration: one TOML file, every key optional.

```
listen = "10.77.0.1"          # address the service and a spawned Janus bind to
port = 8765
public_host = ""              # host written into links (default: listen)
data = "/var/lib/klasse"      # accounts and the link key
tls_cert = ""                 # PEM; with tls_key the service speaks wss://
tls_key = ""
recording_allowed = false     # policy: may teachers record at all
teacher_grace_s = 120         # the room closes this long after the last teacher left
resume_grace_s = 30           # a dropped participant may come back this long
log_level = "info"            # "debug" logs more, still never names, IPs or chat
status_port = 8766            # GET /health on 127.0.0.1 only (`klasse-server status`); -1: off
ice_servers = []              # e.g. [{urls = ["turn:turn.school.example:3478"], ...}]
max_connections = 500         # open WebSockets per process; more are refused as "busy"
join_within_s = 30            # a connection in no room for this long is closed
login_parallel = 1            # argon2 checks at once (~64 MiB each)
login_queue = 8               # logins that may wait for one; more get "busy"
waiting_room_cap = 60         # pupils waiting in one room; more get "room_full"

[recording]                   # details: server/recording/policy.py (all optional)
record_pupils = false         # consenting pupils are recorded too
announce_s = 10               # countdown before anything is written
retention_days = 7
dir = ""                      # default: <data>/recordings

[notice]                      # what the client's privacy notice shows
controller = "Example School"
dpo_contact = "dpo@school.example"
retention = "..."

[[janus]]                     # none listed: spawn one local Janus (the default)
url = "ws://127.0.0.1:8188"
api_secret = "..."
admin_url = "ws://127.0.0.1:7188"
admin_secret = "..."
admin_key = "..."             # the videoroom plugin's admin_key (default: admin_secret)
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from klasse.app.protocol import MAX_ROOM_PARTICIPANTS, IceServer, Notice

from .recording.policy import RecordingConfigError, RecordingPolicy

DEFAULT_PORT = 8765
DEFAULT_STATUS_PORT = 8766
DEFAULT_RETENTION = ("Lesson data (names, picture, sound, chat, raised hands) is held in "
                     "the server's memory during the lesson and deleted when it ends.")


class ConfigError(ValueError):
    """A bad configuration; the message is one line for the command line."""


@dataclass(frozen=True)
class JanusInstance:
    url: str
    api_secret: str
    admin_url: str
    admin_secret: str
    admin_key: str


@dataclass(frozen=True)
class Config:
    listen: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    public_host: str = ""
    data: Path = Path("klasse-data")
    tls_cert: Path | None = None
    tls_key: Path | None = None
    recording_allowed: bool = False
    teacher_grace_s: float = 120.0
    resume_grace_s: float = 30.0
    log_level: str = "info"
    status_port: int = DEFAULT_STATUS_PORT   # loopback only; 0: any free port; -1: none
    ice_servers: tuple[IceServer, ...] = ()
    max_connections: int = 500
    join_within_s: float = 30.0
    login_parallel: int = 1
    login_queue: int = 8
    waiting_room_cap: int = 60
    janus: tuple[JanusInstance, ...] = ()   # empty: spawn a local Janus
    notice: Notice = field(default_factory=lambda: Notice(
        version="1", controller="the school", dpo_contact="the school's data protection officer",
        retention=DEFAULT_RETENTION))
    source: Path | None = None
    recording: RecordingPolicy = field(default_factory=RecordingPolicy)  # see recording_allowed

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def link_host(self) -> str:
        return self.public_host or self.listen

    def with_overrides(self, listen: str | None, data: Path | None) -> Config:
        cfg = self
        if listen:
            host, _, port = listen.rpartition(":") if listen.count(":") == 1 else (listen, "", "")
            try:
                cfg = replace(cfg, listen=host, port=int(port)) if port else replace(cfg, listen=host)
            except ValueError:
                raise ConfigError(f"--listen {listen!r}: the port is not a number") from None
        if data:
            cfg = replace(cfg, data=data)
        return cfg


def _expect(table: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = table.get(key, default)
    if value is not default and not isinstance(value, kind):
        raise ConfigError(f"config key {key!r} has the wrong type")
    return value


def load(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    known = {"listen", "port", "public_host", "data", "tls_cert", "tls_key", "recording_allowed",
             "teacher_grace_s", "resume_grace_s", "log_level", "ice_servers", "janus", "notice",
             "recording", "status_port", "max_connections", "join_within_s", "login_parallel",
             "login_queue", "waiting_room_cap"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"unknown config key {unknown[0]!r} in {path}")
    base = Config()
    janus = []
    for entry in _expect(raw, "janus", list, []):
        if not isinstance(entry, dict) or not {"url", "api_secret", "admin_url",
                                               "admin_secret"} <= set(entry):
            raise ConfigError("each [[janus]] needs url, api_secret, admin_url, admin_secret")
        janus.append(JanusInstance(str(entry["url"]), str(entry["api_secret"]),
                                   str(entry["admin_url"]), str(entry["admin_secret"]),
                                   str(entry.get("admin_key", entry["admin_secret"]))))
    ice = []
    for entry in _expect(raw, "ice_servers", list, []):
        if not isinstance(entry, dict) or not isinstance(entry.get("urls"), list):
            raise ConfigError("each ice_servers entry needs urls = [...]")
        ice.append(IceServer(urls=[str(u) for u in entry["urls"]],
                             username=entry.get("username"), credential=entry.get("credential")))
    notice_raw = _expect(raw, "notice", dict, {})
    notice = Notice(version=str(notice_raw.get("version", base.notice.version)),
                    controller=str(notice_raw.get("controller", base.notice.controller)),
                    dpo_contact=str(notice_raw.get("dpo_contact", base.notice.dpo_contact)),
                    retention=str(notice_raw.get("retention", base.notice.retention)),
                    language=str(notice_raw.get("language", "en")))
    cert = _expect(raw, "tls_cert", str, "")
    key = _expect(raw, "tls_key", str, "")
    if bool(cert) != bool(key):
        raise ConfigError("tls_cert and tls_key go together")
    level = _expect(raw, "log_level", str, "info")
    if level not in ("debug", "info", "warning", "error"):
        raise ConfigError("log_level is one of debug, info, warning, error")
    port = _expect(raw, "port", int, DEFAULT_PORT)
    try:
        recording = RecordingPolicy.from_toml(raw)
    except RecordingConfigError as exc:
        raise ConfigError(str(exc)) from None
    if not 0 <= port <= 65535:
        raise ConfigError("port must be 0-65535")
    status_port = _expect(raw, "status_port", int, DEFAULT_STATUS_PORT)
    if not -1 <= status_port <= 65535:
        raise ConfigError("status_port must be -1 (off) or 0-65535")
    limits = {key: _expect(raw, key, int, getattr(base, key))
              for key in ("max_connections", "login_parallel", "login_queue",
                          "waiting_room_cap")}
    if limits["max_connections"] < 1 or limits["login_parallel"] < 1 or limits["login_queue"] < 0:
        raise ConfigError("max_connections and login_parallel are at least 1, "
                          "login_queue at least 0")
    if not 1 <= limits["waiting_room_cap"] <= MAX_ROOM_PARTICIPANTS:
        raise ConfigError(f"waiting_room_cap is 1 to {MAX_ROOM_PARTICIPANTS}")
    join_within = float(_expect(raw, "join_within_s", (int, float), base.join_within_s))
    if join_within <= 0:
        raise ConfigError("join_within_s must be positive")
    return Config(
        listen=_expect(raw, "listen", str, base.listen),
        port=port,
        public_host=_expect(raw, "public_host", str, ""),
        data=Path(_expect(raw, "data", str, str(base.data))),
        tls_cert=Path(cert) if cert else None,
        tls_key=Path(key) if key else None,
        recording_allowed=_expect(raw, "recording_allowed", bool, False),
        teacher_grace_s=float(_expect(raw, "teacher_grace_s", (int, float), 120.0)),
        resume_grace_s=float(_expect(raw, "resume_grace_s", (int, float), 30.0)),
        log_level=level,
        status_port=status_port,
        ice_servers=tuple(ice),
        join_within_s=join_within,
        **limits,
        janus=tuple(janus),
        notice=notice,
        source=path,
        recording=recording,
    )
