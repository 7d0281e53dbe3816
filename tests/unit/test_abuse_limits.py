"""The limiters and the name rules behind issue 14, without a network."""

from __future__ import annotations

import logging

import pytest

from klasse.app.names import TextRefused, clean_chat, clean_name, clean_title
from klasse.app.protocol import ProtocolError
from klasse.server.limits import Backoff, Buckets, PinGuard, TokenBucket
from klasse.server.links import normalise_pin
from klasse.server.logs import Repeats


def test_backoff_doubles_is_bounded_and_forgets() -> None:
    b = Backoff(free=3, base=5.0, cap=30.0, forget_s=100.0)
    waits = [b.fail("k", now=float(i)) for i in range(6)]
    assert waits == [0.0, 0.0, 5.0, 10.0, 20.0, 30.0]
    assert b.wait("k", now=6.0) == pytest.approx(29.0)
    assert b.wait("other", now=6.0) == 0.0
    assert b.wait("k", now=106.0) == 0.0          # quiet long enough: forgotten
    b.fail("k", now=107.0)
    assert b.wait("k", now=107.0) == 0.0


def test_token_buckets_allow_bursts_then_the_rate() -> None:
    t = TokenBucket(rate=2.0, burst=3.0)
    assert [t.take(now=0.0) for _ in range(4)] == [True, True, True, False]
    assert t.take(now=0.5) and not t.take(now=0.5)
    keyed = Buckets(rate=1.0, burst=1.0)
    assert keyed.take("a", now=0.0) and not keyed.take("a", now=0.1) and keyed.take("b", now=0.1)


def test_a_bucket_says_how_long_until_its_next_token() -> None:
    t = TokenBucket(rate=0.5, burst=2.0)
    assert t.wait(now=0.0) == 0.0
    t.take(now=0.0), t.take(now=0.0)
    assert t.wait(now=0.0) == pytest.approx(2.0) and t.wait(now=1.5) == pytest.approx(0.5)
    assert t.wait(now=-100.0) == pytest.approx(2.0)    # a clock step back refills nothing
    assert t.take(now=2.0)


def test_pin_guessing_room_budget_refills_in_seconds_and_spares_seats() -> None:
    g = PinGuard(backoff=(3, 5.0, 60.0, 600.0), budget=10, refill_s=6.0)
    for i in range(10):                       # ten guessers, one wrong try each
        assert g.wait([f"c{i}"], "r", now=0.0) == 0.0
        g.failed([f"c{i}"], "r", now=0.0)
    # A new pupil through the pupil link waits for the refill: seconds, not a minute.
    assert g.wait(["pupil"], "r", now=1.0) == pytest.approx(5.0)
    assert g.wait(["pupil"], "r", now=6.0) == 0.0
    # A resume (its seat's key, no room budget) and the teacher link are never held up.
    assert g.wait(["again", "r/p1"], None, now=1.0) == 0.0
    # One connection: 3 tries, then its own backoff, whatever the room's budget says.
    for _ in range(3):
        g.failed(["eve"], None, now=10.0)
    assert g.wait(["eve"], None, now=10.0) == pytest.approx(5.0)
    g.passed(["eve"])
    assert g.wait(["eve"], None, now=10.0) == 0.0


def test_repeats_log_once_then_a_count(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("klasse.test.repeats")
    r = Repeats(log, window=10.0)
    with caplog.at_level(logging.INFO, logger="klasse.test.repeats"):
        for i in range(50):
            r.log(logging.WARNING, "bad", "bad frame", now=float(i) / 10)
        r.flush(now=20.0)
    lines = [rec.getMessage() for rec in caplog.records]
    assert lines == ["bad frame", "bad frame (49 more times in 10 s)"]


@pytest.mark.parametrize("raw, shown", [
    ("  Ann   Lee ", "Ann Lee"), ("Cafe\u0301", "Café"), ("Ann\u202egnp.exe", "Anngnp.exe"),
    ("Zo\u200be", "Zoe"), ("a\x00b\x1bc", "abc"), ("Jo\nhn", "Jo hn"),
    ("a" + "\u0301" * 30, "á\u0301\u0301\u0301"),
])
def test_names_are_normalised(raw: str, shown: str) -> None:
    assert clean_name(raw) == shown


@pytest.mark.parametrize("raw", ["", "   ", "\x01" * 10, "\u200b\u200d", "\u3164", "\u2800",
                                 "x" * 65, "😀" * 33, "\u202e"])
def test_names_without_anything_visible_or_too_long_are_refused(raw: str) -> None:
    with pytest.raises(TextRefused):
        clean_name(raw)


def test_titles_and_chat() -> None:
    assert clean_title("\u202e") == "" and clean_title(" Maths\t7b ") == "Maths 7b"
    assert clean_chat("hi\u202e there\x07\r\nbye") == "hi there\nbye"
    assert clean_chat("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"   # joiners kept in chat


def test_pins_are_digits_full_width_too() -> None:
    assert normalise_pin(" １２３４５６ ") == "123456"
    assert normalise_pin(None) is None
    for bad in ("12345", "12345a", "١٢٣٤٥٦", "1" * 1000):
        with pytest.raises(ProtocolError):
            normalise_pin(bad)
