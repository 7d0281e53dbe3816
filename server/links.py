"""Signed, time-limited room links and room PINs, without storing any room.

A link token is `base64url(payload).base64url(HMAC-SHA256(key, payload))` where the
payload names the room, the role the link grants and its expiry. The PIN is derived
from the same key and the room id, so `klasse-server room create` (another process)
and the running service agree on rooms that neither has written down. The key is
generated once in the data folder (mode 0600).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from klasse.app.protocol import ErrorCode, Link, ProtocolError, parse_link

KEY_FILE = "link.key"
PIN_DIGITS = 6
MAX_TOKEN_CHARS = 600


def load_or_create_key(data_dir: Path) -> bytes:
    """The service's link key; created with mode 0600 on first use."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) < 32:
            raise ValueError(f"{path} is damaged (shorter than 32 bytes)") from None
        return key
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Grant:
    """What a valid link token grants."""
    room: str
    role: str          # "teacher" | "pupil"
    expires: float
    title: str = ""
    teacher: str = ""  # account name the teacher link was made for
    waiting_room: bool = True  # the room's policy: pupils wait for admission


class LinkSigner:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def new_room_id(self) -> str:
        return secrets.token_hex(8)

    def pin(self, room: str) -> str:
        digest = hmac.new(self._key, b"pin|" + room.encode(), hashlib.sha256).digest()
        return str(int.from_bytes(digest[:8], "big") % 10**PIN_DIGITS).zfill(PIN_DIGITS)

    def pin_matches(self, room: str, pin: str | None) -> bool:
        return (pin is not None and pin.isascii()
                and hmac.compare_digest(self.pin(room).encode(), pin.strip().encode()))

    def sign(self, grant: Grant) -> str:
        payload = json.dumps({"r": grant.room, "o": grant.role, "e": int(grant.expires),
                              "t": grant.title, "u": grant.teacher,
                              **({} if grant.waiting_room else {"w": 0})},
                             separators=(",", ":"), ensure_ascii=False).encode()
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()
        return f"{_b64(payload)}.{_b64(mac)}"

    def verify(self, token_or_link: str, now: float | None = None) -> Grant:
        """The grant of a valid token; ProtocolError LINK_INVALID or LINK_EXPIRED."""
        token = token_or_link.strip()
        if token.startswith("klasse:"):
            token = parse_link(token).token
        if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
            raise ProtocolError(ErrorCode.LINK_INVALID, "this is not a room link")
        body, mac_text = token.split(".")
        try:
            payload, mac = _unb64(body), _unb64(mac_text)
        except ValueError:
            raise ProtocolError(ErrorCode.LINK_INVALID, "this is not a room link") from None
        good = hmac.new(self._key, payload, hashlib.sha256).digest()
        if not hmac.compare_digest(good, mac):
            raise ProtocolError(ErrorCode.LINK_INVALID,
                                "the link was not made by this server or was altered")
        try:
            data = json.loads(payload)
            grant = Grant(room=str(data["r"]), role=str(data["o"]), expires=float(data["e"]),
                          title=str(data.get("t", "")), teacher=str(data.get("u", "")),
                          waiting_room=data.get("w", 1) != 0)
        except (ValueError, KeyError, TypeError):
            raise ProtocolError(ErrorCode.LINK_INVALID, "the link's content is damaged") from None
        if grant.role not in ("teacher", "pupil"):
            raise ProtocolError(ErrorCode.LINK_INVALID, "the link grants no known role")
        if grant.expires <= (time.time() if now is None else now):
            raise ProtocolError(ErrorCode.LINK_EXPIRED, "the link has expired")
        return grant

    def links(self, host: str, port: int, tls: bool, room: str, title: str, teacher: str,
              expires: float, waiting_room: bool = True) -> tuple[str, str]:
        """(teacher link, pupil link) for a room. Only the teacher link names the
        teacher's account (recordings are filed under it); a pupil link carries the
        room's random id and nothing that identifies a person. Older pupil links that
        still name the account verify as before; the name in them is ignored."""
        t = self.sign(Grant(room, "teacher", expires, title, teacher, waiting_room))
        s = self.sign(Grant(room, "pupil", expires, title, "", waiting_room))
        return (str(Link(host=host, port=port, token=t, tls=tls)),
                str(Link(host=host, port=port, token=s, tls=tls)))


def normalise_pin(pin: str | None) -> str | None:
    """A PIN as typed: surrounding spaces and full-width digits (NFKC) are fine;
    anything but PIN_DIGITS digits is BAD_MESSAGE (and costs no guess)."""
    if pin is None:
        return None
    text = unicodedata.normalize("NFKC", pin[:64]).strip()
    if len(text) != PIN_DIGITS or not (text.isascii() and text.isdigit()):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"a PIN is {PIN_DIGITS} digits")
    return text


def parse_duration(text: str) -> float:
    """'90m', '2h', '1d', '45s' or plain seconds -> seconds; ValueError otherwise."""
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    factor = units.get(text[-1:], None)
    number = text[:-1] if factor else text
    try:
        value = float(number) * (factor or 1)
    except ValueError:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90m, 2h, 1d)") from None
    if not 60 <= value <= 30 * 86400:
        raise ValueError("a link must last between 1 minute and 30 days")
    return value
