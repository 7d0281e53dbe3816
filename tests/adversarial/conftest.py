"""Adversarial tests (issue 14): each runs its own room service with a fresh data
folder, so floods, lock-outs and guessing here cannot disturb the shared service
other tests use. They drive the run's shared Janus, inside the private namespace."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from klasse.server.config import Config, JanusInstance
from klasse.server.janus_process import JanusProcess
from klasse.server.service import RoomService
from tests.server_fixtures import (
    SERVER_ADDR,
    TEACHER,
    TEACHER_PASSWORD,
    LiveService,
    LogCapture,
)

ServiceMaker = Callable[..., Awaitable[LiveService]]


def rss_bytes() -> int:
    """Resident memory of this process (the service runs in it)."""
    return int(psutil.Process().memory_info().rss)


@pytest.fixture
async def make_service(janus: JanusProcess, tmp_path: Path) -> AsyncIterator[ServiceMaker]:
    """Start a service with config overrides; stopped after the test. Its log (the
    `klasse` loggers, info level as deployed) is captured."""
    started: list[tuple[RoomService, LogCapture]] = []

    async def make(**overrides: Any) -> LiveService:
        s = janus.settings
        cfg = Config(listen=SERVER_ADDR, port=0, data=tmp_path / f"data{len(started)}",
                     teacher_grace_s=2.0, resume_grace_s=3.0,
                     janus=(JanusInstance(s.api_url, s.api_secret, s.admin_url, s.admin_secret,
                                          s.admin_secret),))
        cfg = dataclasses.replace(cfg, **overrides)
        capture = LogCapture()
        logging.getLogger("klasse").addHandler(capture)
        logging.getLogger("klasse").setLevel(logging.INFO)    # the deployed default
        service = RoomService(cfg)
        service.accounts.add(TEACHER, "teacher", TEACHER_PASSWORD)
        await service.start()
        started.append((service, capture))
        return LiveService(service, capture)

    yield make
    for service, capture in started:
        await service.stop()
        logging.getLogger("klasse").removeHandler(capture)
