"""Log set-up for the room service.

At every level but debug, only the service's own messages reach the log, and those
carry random room and participant ids: never names, IP addresses or chat text.
Library loggers (websockets, aiortc, aioice, the Janus process wrapper) stay at
warning, because their info messages can include peer addresses.
"""

from __future__ import annotations

import logging

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
