"""Generate a minimal, private Janus configuration folder.

Only the plugin and transport the project uses are made visible to Janus (through a
folder of symlinks), the API listens on loopback only (the room service is its sole
client), ICE is pinned to the service's listen address, no event handlers or
loggers are loaded, and the debug level stays below the one that prints client
candidates.
"""

from __future__ import annotations

import glob
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PLUGINS = ("libjanus_videoroom.so",)
TRANSPORTS = ("libjanus_websockets.so",)
# Janus prints ICE candidates (client addresses) from level 4 (info) upwards.
QUIET_DEBUG_LEVEL = 3
# Janus drops a session it has heard nothing from for this long. The service sends
# keepalives at a third of it. Tests set KLASSE_JANUS_SESSION_TIMEOUT to a few
# seconds so that any session the service forgets to keep alive dies within a test.
DEFAULT_SESSION_TIMEOUT_S = 60
# How long Janus keeps what it sent for retransmission (at least; more on long round
# trips). Its default, 200 ms, equals the time it ignores a repeated NACK, so a lost
# retransmission could never be sent again; clients wait up to 600 ms for a keyframe's
# packets (media/rtp_receive.py). nack_optimizations stays off: it empties that history
# at every keyframe sent, the very frame whose lost packets matter most.
MIN_NACK_QUEUE_MS = 500
# Janus's first DTLS retransmission (OpenSSL's default 1 s): clients answer a
# subscription as the DTLS server (app/dtls_role.py), so a lost first flight from
# Janus costs this, not a second of a join. Above a home network's round trip.
DTLS_TIMEOUT_MS = 300


def default_session_timeout() -> int:
    raw = os.environ.get("KLASSE_JANUS_SESSION_TIMEOUT", "")
    try:
        value = int(raw) if raw else DEFAULT_SESSION_TIMEOUT_S
    except ValueError:
        value = DEFAULT_SESSION_TIMEOUT_S
    return value if value > 0 else DEFAULT_SESSION_TIMEOUT_S


class JanusNotInstalled(RuntimeError):
    """The janus binary or its videoroom plugin is missing."""


def janus_lib_dir() -> Path:
    """Folder holding Janus's plugins/ and transports/ (Debian: /usr/lib/<triplet>/janus)."""
    override = os.environ.get("KLASSE_JANUS_LIBDIR")
    candidates = [override] if override else []
    candidates += glob.glob("/usr/lib/*/janus") + ["/usr/lib/janus", "/opt/janus/lib/janus"]
    for cand in candidates:
        if cand and Path(cand, "plugins", PLUGINS[0]).exists():
            return Path(cand)
    raise JanusNotInstalled(
        "Janus's videoroom plugin was not found; install the Debian package 'janus'"
    )


@dataclass(frozen=True)
class JanusSettings:
    """What a spawned Janus needs to know. Secrets are generated per spawn."""

    ice_address: str
    api_port: int = 8188
    admin_port: int = 7188
    api_host: str = "127.0.0.1"
    rtp_port_range: str = "20000-40000"
    debug_level: int = QUIET_DEBUG_LEVEL
    token_auth: bool = True
    api_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    admin_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    recordings_dir: Path | None = None
    session_timeout_s: int = field(default_factory=default_session_timeout)

    @property
    def api_url(self) -> str:
        return f"ws://{self.api_host}:{self.api_port}"

    @property
    def admin_url(self) -> str:
        return f"ws://{self.api_host}:{self.admin_port}"


def _q(value: object) -> str:
    text = str(value)
    if any(c in text for c in '"\\\n'):
        raise ValueError(f"unsafe value for a Janus config: {text!r}")
    return f'"{text}"'


def write_config(settings: JanusSettings, folder: Path) -> Path:
    """Write janus.jcfg and friends into `folder`; return the path of janus.jcfg."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    lib = janus_lib_dir()
    for sub, names in (("plugins", PLUGINS), ("transports", TRANSPORTS)):
        target = folder / sub
        target.mkdir(exist_ok=True)
        for name in names:
            link = target / name
            if not link.exists():
                link.symlink_to(lib / sub / name)
    for sub in ("events", "loggers"):
        (folder / sub).mkdir(exist_ok=True)

    token_lines = "\ttoken_auth = true\n" if settings.token_auth else ""
    (folder / "janus.jcfg").write_text(
        "general: {\n"
        f"\tconfigs_folder = {_q(folder)}\n"
        f"\tplugins_folder = {_q(folder / 'plugins')}\n"
        f"\ttransports_folder = {_q(folder / 'transports')}\n"
        f"\tevents_folder = {_q(folder / 'events')}\n"
        f"\tloggers_folder = {_q(folder / 'loggers')}\n"
        f"\tdebug_level = {int(settings.debug_level)}\n"
        f"\tapi_secret = {_q(settings.api_secret)}\n"
        f"\tadmin_secret = {_q(settings.admin_secret)}\n"
        f"{token_lines}"
        "\thide_dependencies = true\n"
        f"\tsession_timeout = {int(settings.session_timeout_s)}\n"
        "\tserver_name = \"klasse\"\n"
        "\tprotected_folders = [\"/bin\", \"/boot\", \"/dev\", \"/etc\", \"/lib\", \"/proc\", \"/sbin\", \"/sys\", \"/usr\"]\n"
        "}\n"
        "media: {\n"
        f"\trtp_port_range = {_q(settings.rtp_port_range)}\n"
        "\tipv6 = false\n"
        f"\tmin_nack_queue = {MIN_NACK_QUEUE_MS}\n"
        "\tnack_optimizations = false\n"
        f"\tdtls_timeout = {DTLS_TIMEOUT_MS}\n"
        "}\n"
        "nat: {\n"
        "\tnice_debug = false\n"
        "\tice_tcp = false\n"
        f"\tinterface = {_q(settings.ice_address)}\n"
        f"\tice_enforce_list = {_q(settings.ice_address)}\n"
        "}\n"
        "plugins: {\n}\n"
        "transports: {\n}\n"
        "loggers: {\n\tdisable = \"*\"\n}\n"
        "events: {\n\tbroadcast = false\n}\n"
    )
    (folder / "janus.transport.websockets.jcfg").write_text(
        "general: {\n"
        "\tjson = \"compact\"\n"
        "\tws = true\n"
        f"\tws_port = {int(settings.api_port)}\n"
        f"\tws_ip = {_q(settings.api_host)}\n"
        "\twss = false\n"
        "\tws_logging = \"err\"\n"
        "}\n"
        "admin: {\n"
        "\tadmin_ws = true\n"
        f"\tadmin_ws_port = {int(settings.admin_port)}\n"
        f"\tadmin_ws_ip = {_q(settings.api_host)}\n"
        "\tadmin_wss = false\n"
        "}\n"
    )
    # Rooms are created over the API by the room service; none are predefined.
    (folder / "janus.plugin.videoroom.jcfg").write_text(
        "general: {\n"
        f"\tadmin_key = {_q(settings.admin_secret)}\n"
        "\tlock_rtp_forward = true\n"
        "}\n"
    )
    return folder / "janus.jcfg"
