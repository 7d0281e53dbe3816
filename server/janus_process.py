"""Start, await and stop a Janus process from a generated config folder."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import websockets
from websockets.typing import Subprotocol

from .janus_config import JanusNotInstalled, JanusSettings, write_config

log = logging.getLogger(__name__)


def _no_core_dumps() -> None:
    """A Janus core dump would hold media, DTLS keys and room secrets, and so would the
    service's own: neither may write one (hard limit 0, which Janus cannot raise). Set
    in this process before the fork, so that no Python runs in the child: a preexec_fn
    there frees the other threads' frames, and a PyAV object freed that way joined
    threads that do not exist in the child, which hung the fork for good."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _dies_with_us(argv: list[str]) -> list[str]:
    """A Janus whose service died (killed, crashed) dies with it instead of holding
    ports and media as an orphan: util-linux setpriv sets PR_SET_PDEATHSIG and execs
    it (Linux; elsewhere the service's stop() does it)."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--", *argv] if setpriv else argv


class JanusStartError(RuntimeError):
    """Janus exited or did not answer in time."""


class JanusProcess:
    """One Janus owned by this process. Its folder (config, log) is removed at stop."""

    def __init__(self, settings: JanusSettings, folder: Path | None = None) -> None:
        self.settings = settings
        self._own_folder = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="klasse-janus-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.folder / "janus.log"

    async def start(self, timeout: float = 15.0) -> None:
        binary = shutil.which("janus")
        if binary is None:
            raise JanusNotInstalled("the janus binary is missing; install the Debian package 'janus'")
        cfg = write_config(self.settings, self.folder)
        logfile = open(self.log_path, "wb")
        _no_core_dumps()
        self.proc = subprocess.Popen(
            _dies_with_us([binary, "-F", str(self.folder), "-C", str(cfg),
                           "-d", str(self.settings.debug_level), "-o"]),
            stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
            # Janus creates recordings with fopen(): owner-only files from the start.
            umask=0o077,
        )
        logfile.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.proc.poll() is not None:
                raise JanusStartError(f"janus exited with {self.proc.returncode}: {self.tail()}")
            if await self._answers():
                log.info("janus ready (pid %d)", self.proc.pid)
                return
            if loop.time() > deadline:
                await self.stop()
                raise JanusStartError(f"janus did not answer within {timeout} s: {self.tail()}")
            await asyncio.sleep(0.1)

    async def _answers(self) -> bool:
        try:
            async with websockets.connect(
                self.settings.api_url, subprotocols=[Subprotocol("janus-protocol")], open_timeout=1
            ) as ws:
                await ws.send(json.dumps({"janus": "info", "transaction": "ready"}))
                reply = json.loads(await asyncio.wait_for(ws.recv(), 1))
                return reply.get("janus") == "server_info"
        except (TimeoutError, OSError, websockets.WebSocketException):
            return False

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then wait for the pid (Janus needs up to ~1.2 s), then SIGKILL."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while proc.poll() is None and loop.time() < deadline:
                await asyncio.sleep(0.05)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self._own_folder and not os.environ.get("KLASSE_KEEP_JANUS_FOLDER"):
            shutil.rmtree(self.folder, ignore_errors=True)
