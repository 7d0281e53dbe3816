"""Findings 4 and 5: logins. A flood of logins costs bounded memory (a small argon2
pool, then `busy`), unknown names run no argon2, and failed logins slow the account
down without locking its owner out."""

from __future__ import annotations

import asyncio
import time

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from tests.server_fixtures import TEACHER, TEACHER_PASSWORD, TestClient

from .conftest import ServiceMaker, rss_bytes

MIB = 1024 * 1024


async def _login(url: str, user: str, password: str) -> p.Session | p.Error:
    c = await TestClient.connect(url)
    try:
        await c.send(p.Login(v=1, user=user, password=password))
        while True:
            for m in c.inbox:
                if isinstance(m, (p.Session, p.Error)):
                    return m
            await asyncio.sleep(0.02)
    finally:
        await c.close()


async def _flood(url: str, user: str, n: int) -> tuple[list[p.Session | p.Error], int]:
    """n logins at once; the answers and the highest RSS seen meanwhile."""
    peak = rss_bytes()
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_bytes())
            await asyncio.sleep(0.01)
    sampler = asyncio.create_task(sample())
    answers = await asyncio.wait_for(
        asyncio.gather(*(_login(url, user, f"wrong password {i}") for i in range(n))), 60)
    done.set()
    await sampler
    return list(answers), peak


async def test_a_login_flood_has_a_memory_ceiling(make_service: ServiceMaker) -> None:
    live = await make_service()       # the defaults: 1 check at a time, 8 waiting
    url = live.service.url
    base = rss_bytes()
    answers, peak = await _flood(url, TEACHER, 40)
    codes = [a.code for a in answers if isinstance(a, p.Error)]
    assert len(codes) == 40
    assert set(codes) <= {ErrorCode.LOGIN_FAILED, ErrorCode.BUSY, ErrorCode.RATE_LIMITED}
    assert ErrorCode.BUSY in codes                   # the pool was full: refused at once
    # One argon2 at a time is ~64 MiB; six or more in parallel (as before) are 384 MiB.
    assert peak - base < 150 * MIB, (peak - base) / MIB


async def test_unknown_names_run_no_argon2(make_service: ServiceMaker) -> None:
    live = await make_service()
    base = rss_bytes()
    start = time.monotonic()
    answers, peak = await _flood(live.service.url, "nobody.here", 20)
    took = time.monotonic() - start
    assert all(isinstance(a, p.Error) and a.code in (ErrorCode.LOGIN_FAILED, ErrorCode.BUSY)
               for a in answers)
    assert sum(a.code is ErrorCode.LOGIN_FAILED for a in answers if isinstance(a, p.Error)) >= 5
    assert peak - base < 40 * MIB, (peak - base) / MIB    # no 64 MiB hash was run
    # The answer still took about as long as a real check (no fast "no such user").
    assert took >= 0.2


async def test_wrong_logins_delay_the_account_but_never_lock_its_owner_out(
        make_service: ServiceMaker) -> None:
    live = await make_service()
    url = live.service.url
    codes = []
    for i in range(6):
        a = await _login(url, TEACHER, f"guess {i}")
        assert isinstance(a, p.Error)
        codes.append(a.code)
    assert codes[:5] == [ErrorCode.LOGIN_FAILED] * 5
    # After a short, bounded delay (not a minute's lock) the right password works.
    deadline = time.monotonic() + 10
    while True:
        a = await _login(url, TEACHER, TEACHER_PASSWORD)
        if isinstance(a, p.Session):
            break
        assert a.code is ErrorCode.RATE_LIMITED and time.monotonic() < deadline, a
        await asyncio.sleep(0.5)
    assert a.user == TEACHER


async def test_one_connection_cannot_guess_fast(make_service: ServiceMaker) -> None:
    live = await make_service()
    c = await TestClient.connect(live.service.url)
    codes = []
    for i in range(6):
        await c.send(p.Login(v=1, user=f"user{i}", password="x" * 12))
        codes.append((await c.error(timeout=30)).code)
    assert codes[:2] == [ErrorCode.LOGIN_FAILED] * 2
    assert ErrorCode.RATE_LIMITED in codes[2:]
    await c.close()
