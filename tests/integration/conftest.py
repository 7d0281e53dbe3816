"""Room-service and sound-server fixtures for the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pulse_server import PulseServer, PulseUnavailable
from tests.server_fixtures import live_service  # noqa: F401 - a fixture


@pytest.fixture
def pulse(monkeypatch: pytest.MonkeyPatch) -> Iterator[PulseServer]:
    """A private PulseAudio (null sinks, no sound card) that this process and the
    participants it starts talk to; gone after the test."""
    server = PulseServer()
    try:
        server.start()
    except PulseUnavailable as exc:
        pytest.skip(str(exc))
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    try:
        yield server
    finally:
        server.stop()
