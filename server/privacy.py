"""`klasse-server privacy-report`: what the server processes, where and how long,
computed from its actual configuration (input for the record of processing / DPIA)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .accounts import ACCOUNTS_FILE, SESSION_S, Accounts
from .config import Config
from .links import KEY_FILE


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def report(cfg: Config) -> dict[str, Any]:
    grace = f"{cfg.resume_grace_s:.0f} s"
    if cfg.janus:
        janus_where = [f"Janus at {_host(j.url)} (listed in the config)" for j in cfg.janus]
    else:
        janus_where = [f"a Janus process the service starts on this machine, media on "
                       f"{cfg.listen}"]
    counts = Accounts(cfg.data).count()
    ice = [u for s in cfg.ice_servers for u in s.urls]
    items = [
        {"data": "participant display name", "where": "room service memory",
         "how_long": f"while the participant is in the lesson (+{grace} reconnect grace); "
                     "deleted when the room closes"},
        {"data": "picture and sound (camera, microphone, screen)",
         "where": "relayed through " + "; ".join(janus_where) + "; never stored",
         "how_long": "not stored: forwarded in real time only"},
        {"data": "IP address and device/network details (ICE, DTLS)",
         "where": "room service and Janus memory, needed to deliver the connection",
         "how_long": "for the duration of the connection; not written to logs at level "
                     f"'{cfg.log_level}'" if cfg.log_level != "debug" else
                     "for the duration of the connection; the debug log level is set: "
                     "check what your log collector keeps"},
        {"data": "chat messages and raised hands", "where": "room service memory",
         "how_long": "until the room closes (end of lesson, or "
                     f"{cfg.teacher_grace_s:.0f} s after the last teacher left)"},
        {"data": "room title, teacher account name (inside the signed room links)",
         "where": "the links themselves; the server keeps no list of rooms",
         "how_long": "until the links expire; an ended room's id is kept in memory until "
                     "then so its links cannot reopen it"},
        {"data": "accounts: user name, role, argon2 password hash",
         "where": f"{cfg.data / ACCOUNTS_FILE} on this server (mode 0600)",
         "how_long": "until IT deletes the account (`klasse-server user del NAME`)",
         "count": counts},
        {"data": "login sessions", "where": "room service memory",
         "how_long": f"at most {SESSION_S // 3600} h, or until the service restarts"},
        {"data": "the link-signing key", "where": f"{cfg.data / KEY_FILE} (mode 0600)",
         "how_long": "until IT replaces it (which invalidates every link)"},
        {"data": "media server log",
         "where": ("a temporary folder of the spawned Janus, removed when the service stops"
                   if not cfg.janus else "on the listed Janus hosts, as their IT configured it"),
         "how_long": ("while the service runs; at Janus debug level 3, which does not print "
                      "client candidates (IP addresses)" if not cfg.janus else
                      "per those hosts' configuration: keep Janus's debug level at 3 or below "
                      "so it does not log client addresses")},
        {"data": "recordings",
         "where": "none: recording is " + ("allowed by policy, but this server has no "
                                           "recorder" if cfg.recording_allowed
                                           else "not allowed by policy"),
         "how_long": "not applicable"},
    ]
    return {
        "controller": cfg.notice.controller,
        "dpo_contact": cfg.notice.dpo_contact,
        "service_listens_on": f"{cfg.listen}:{cfg.port}" + (" (TLS)" if cfg.tls
                                                            else " (no TLS: use only "
                                                            "inside a trusted network)"),
        "media_servers": janus_where,
        "third_parties": (["ICE/TURN servers: " + ", ".join(ice)] if ice else
                          ["none: no STUN/TURN, telemetry or external services configured"]),
        "persisted": ["configuration", f"{cfg.data / ACCOUNTS_FILE}", f"{cfg.data / KEY_FILE}"],
        "not_persisted": ["names", "IP addresses", "picture and sound", "chat", "hands",
                          "room membership"],
        "log_level": cfg.log_level,
        "items": items,
    }


def render(data: dict[str, Any]) -> str:
    lines = ["Klasse room service: privacy report (computed from the configuration)",
             f"controller: {data['controller']}; data protection contact: {data['dpo_contact']}",
             f"service address: {data['service_listens_on']}",
             "media server: " + "; ".join(data["media_servers"]),
             "third parties: " + "; ".join(data["third_parties"]),
             "stored on disk: " + ", ".join(data["persisted"]),
             "never stored: " + ", ".join(data["not_persisted"]),
             f"log level: {data['log_level']} (no names, IP addresses or chat text below debug)",
             ""]
    for item in data["items"]:
        lines.append(f"- {item['data']}")
        lines.append(f"    where:    {item['where']}")
        lines.append(f"    how long: {item['how_long']}")
        if "count" in item:
            lines.append("    accounts: " + ", ".join(f"{k} {v}" for k, v in item["count"].items()))
    return "\n".join(lines)
