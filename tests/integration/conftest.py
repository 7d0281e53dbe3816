"""Room-service and sound-server fixtures for the integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.pulse_server import PulseServer, PulseUnavailable
from tests.server_fixtures import live_service  # noqa: F401 - a fixture


@pytest.fixture
async def pulse(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[PulseServer]:
    """A private PulseAudio (null sinks, no sound card) that this process and the
    participants it starts talk to; gone after the test. Started and stopped in a
    thread (each can take seconds on a busy machine), so that the shared loop -- and
    the service's Janus keepalives, every 5 s / 3 here -- keeps running meanwhile."""
    server = PulseServer()
    try:
        await asyncio.to_thread(server.start)
    except PulseUnavailable as exc:
        pytest.skip(str(exc))
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)
