"""Room-service fixtures for the integration tests (see tests/server_fixtures.py)."""

from tests.server_fixtures import live_service  # noqa: F401 - a fixture
