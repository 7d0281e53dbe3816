"""Shared test set-up: offscreen Qt, the private network gate, one Janus per run."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Every Janus a test spawns (here, in the service, in a klasse-server subprocess) drops
# a session after 5 s without a keepalive: a forgotten session dies within a test.
os.environ.setdefault("KLASSE_JANUS_SESSION_TIMEOUT", "5")

import pytest

from klasse.server.janus_config import JanusSettings
from klasse.server.janus_process import JanusProcess

SERVER_ADDR = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")
CLIENT_ADDR = os.environ.get("KLASSE_CLIENT_ADDR", "10.77.0.2")


def _netns_skip_reason() -> str | None:
    if os.environ.get("KLASSE_NETNS") == "1":
        return None
    why = os.environ.get("KLASSE_NETNS_UNAVAILABLE")
    if why:
        return f"integration test skipped: {why}"
    return ("integration test skipped: not inside the private test network; "
            "run it through scripts/netns-run (as `make test` does)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _netns_skip_reason()
    for item in items:
        path = str(item.path).replace(os.sep, "/")
        if "tests/integration/" in path or "tests/adversarial/" in path:
            item.add_marker(pytest.mark.integration)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
async def janus() -> JanusProcess:
    """One real Janus for the whole run, ICE on the namespace's server address."""
    proc = JanusProcess(JanusSettings(ice_address=SERVER_ADDR))  # session timeout: 5 s (above)
    await proc.start()
    yield proc
    await proc.stop()
