"""Retention: the service deletes expired recordings at start and then periodically."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from .store import RecordingStore

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 3600.0


class RetentionSweeper:
    """Runs `store.purge_expired()` now and every `interval_s` until stopped."""

    def __init__(self, store: RecordingStore, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        self.store = store
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def sweep(self) -> list[str]:
        gone = self.store.purge_expired()
        if gone:
            log.info("retention deleted %d expired recording(s)", len(gone))
        return gone

    def start(self) -> None:
        self.sweep()
        self._task = asyncio.create_task(self._loop(), name="recording-retention")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                self.sweep()
            except OSError as exc:  # a full or read-only disk must not end the service
                log.warning("retention sweep failed: %s", exc)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
