"""Log set-up for the room service.

At every level but debug, only the service's own messages reach the log, and those
carry random room and participant ids: never names, IP addresses or chat text.
Library loggers (websockets, aiortc, aioice, the Janus process wrapper) stay at
warning, because their info messages can include peer addresses.
"""

from __future__ import annotations

import logging
import time

QUIET_LIBRARIES = ("websockets", "aioice", "aiortc", "asyncio", "klasse.server.ws",
                   "klasse.server.janus_process")


def setup(level_name: str, handler: logging.Handler | None = None) -> None:
    level = getattr(logging, level_name.upper())
    root = logging.getLogger()
    if handler is None:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("klasse").setLevel(level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else logging.WARNING)


class Repeats:
    """Log a repeated event once, then its count: the first occurrence of a key is
    logged; later ones within `window` seconds are only counted and reported in one
    line when the window is over (at the next occurrence or at flush()). A flood of
    bad frames thus writes a few lines a minute, not one (or a traceback) per frame."""

    def __init__(self, logger: logging.Logger, window: float = 60.0) -> None:
        self.logger = logger
        self.window = window
        self._seen: dict[str, tuple[float, int, int, str]] = {}  # key -> start, n, level, msg

    def log(self, level: int, key: str, msg: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        entry = self._seen.get(key)
        if entry is not None and now - entry[0] < self.window:
            self._seen[key] = (entry[0], entry[1] + 1, level, msg)
            return
        if entry is not None:
            self._report(key, entry)
        self.logger.log(level, "%s", msg)
        if len(self._seen) < 1000:    # keys are message kinds: a handful in practice
            self._seen[key] = (now, 0, level, msg)

    def _report(self, key: str, entry: tuple[float, int, int, str]) -> None:
        if entry[1]:
            self.logger.log(entry[2], "%s (%d more times in %.0f s)", entry[3], entry[1],
                            self.window)

    def flush(self, now: float | None = None) -> None:
        """Report and forget keys whose window is over."""
        now = time.monotonic() if now is None else now
        for key, entry in list(self._seen.items()):
            if now - entry[0] >= self.window:
                self._report(key, entry)
                del self._seen[key]
