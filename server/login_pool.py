"""Password checks under load: a bounded argon2 pool and answers that take as long
for an unknown user as for a known one.

One argon2 verification costs ~64 MiB and ~0.35 s of CPU. The pool runs at most
`parallel` of them (in worker threads) and lets at most `queue` more wait; anything
beyond is refused at once as BUSY, so a login flood costs a bounded amount of memory.
A login for a name that has no account runs no argon2: it sleeps as long as a
verification takes on this machine (a running average), then fails the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from klasse.app.protocol import ErrorCode, ProtocolError

T = TypeVar("T")
ARGON2_NICE = 10     # added to the service's own niceness, for the argon2 threads only


def _lower_priority() -> None:
    """An argon2 worker yields the CPU to the event loop: on a busy box a login flood
    then slows the logins, not the lessons (Linux nices threads one by one)."""
    with contextlib.suppress(OSError, AttributeError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid,
                       min(19, os.getpriority(os.PRIO_PROCESS, tid) + ARGON2_NICE))


class LoginPool:
    def __init__(self, parallel: int = 1, queue: int = 8, typical_s: float = 0.35) -> None:
        self.parallel, self.queue = parallel, queue
        self.typical_s = typical_s            # running average of one verification
        self._executor = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="argon2",
                                            initializer=_lower_priority)
        self._slots = asyncio.Semaphore(parallel)
        self.admitted = 0                     # running plus waiting (real and pretended)

    def _admit(self) -> None:
        if self.admitted >= self.parallel + self.queue:
            raise ProtocolError(ErrorCode.BUSY, "the server is busy with other logins; "
                                "try again in a few seconds")
        self.admitted += 1

    async def verify(self, check: Callable[[], T]) -> T:
        """Run one password check in the pool (BUSY when pool and queue are full)."""
        self._admit()
        try:
            async with self._slots:
                loop = asyncio.get_running_loop()
                start = time.monotonic()
                result = await loop.run_in_executor(self._executor, check)
                self.typical_s = 0.8 * self.typical_s + 0.2 * (time.monotonic() - start)
                return result
        finally:
            self.admitted -= 1

    async def pretend(self) -> None:
        """What an unknown user's login costs: the same admission and the same time,
        but no argon2 run."""
        self._admit()
        try:
            await asyncio.sleep(self.typical_s)
        finally:
            self.admitted -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
