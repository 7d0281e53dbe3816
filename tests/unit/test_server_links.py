"""Signed room links, PINs, rate limits and durations."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from klasse.app.protocol import ErrorCode, ProtocolError, parse_link
from klasse.server.links import (
    Grant,
    LinkSigner,
    load_or_create_key,
    parse_duration,
)


def test_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "data")
    assert len(key) == 32
    assert stat.S_IMODE((tmp_path / "data" / "link.key").stat().st_mode) == 0o600
    assert load_or_create_key(tmp_path / "data") == key


def test_links_round_trip_and_carry_the_grant() -> None:
    signer = LinkSigner(b"k" * 32)
    exp = time.time() + 600
    t_link, s_link = signer.links("10.77.0.1", 8765, False, "abc", "Maths", "t1", exp)
    link = parse_link(s_link)
    assert (link.host, link.port, link.tls) == ("10.77.0.1", 8765, False)
    # Only the teacher link names the account; the pupil link carries no one's name.
    assert signer.verify(link.token) == Grant("abc", "pupil", int(exp), "Maths", "")
    assert signer.verify(t_link) == Grant("abc", "teacher", int(exp), "Maths", "t1")
    # A pupil link made before (with the account in it) still verifies.
    old = signer.sign(Grant("abc", "pupil", int(exp), "Maths", "t1"))
    assert signer.verify(old).room == "abc"
    open_room = signer.links("h", 1, True, "r", "", "t", exp, waiting_room=False)[1]
    assert signer.verify(open_room).waiting_room is False


def test_forged_other_key_and_expired_links_are_distinct_errors() -> None:
    signer = LinkSigner(b"k" * 32)
    token = signer.sign(Grant("abc", "pupil", time.time() + 600))
    body, mac = token.split(".")
    teacher_body = signer.sign(Grant("abc", "teacher", time.time() + 600)).split(".")[0]
    bad = [token + "x", body + "." + mac[::-1], teacher_body + "." + mac, "", "a.b.c",
           LinkSigner(b"o" * 32).sign(Grant("abc", "pupil", time.time() + 600)), "klasse://x"]
    for forged in bad:
        with pytest.raises(ProtocolError) as err:
            signer.verify(forged)
        assert err.value.code is ErrorCode.LINK_INVALID, forged
    with pytest.raises(ProtocolError) as err:
        signer.verify(signer.sign(Grant("abc", "pupil", time.time() - 1)))
    assert err.value.code is ErrorCode.LINK_EXPIRED


def test_pin_is_six_digits_stable_per_room_and_key() -> None:
    a, b = LinkSigner(b"a" * 32), LinkSigner(b"b" * 32)
    assert len(a.pin("r1")) == 6 and a.pin("r1").isdigit()
    assert a.pin("r1") == LinkSigner(b"a" * 32).pin("r1")
    assert a.pin("r1") != a.pin("r2") or a.pin("r1") != b.pin("r1")
    assert a.pin_matches("r1", a.pin("r1")) and not a.pin_matches("r1", None)
    assert not a.pin_matches("r1", str((int(a.pin("r1")) + 1) % 10**6).zfill(6))


@pytest.mark.parametrize(("text", "seconds"), [("90m", 5400), ("2h", 7200), ("1d", 86400),
                                               ("600", 600), ("120s", 120)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "x", "5x", "10s", "-1h", "31d"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)
