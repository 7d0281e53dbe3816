"""The running service's health, for school IT and systemd.

- `GET /health` on 127.0.0.1:`status_port` (loopback only, nothing else is served)
  answers a JSON summary: Janus nodes up or down, rooms, participants, recordings in
  progress. Counts only: no names, no room ids, no addresses. `klasse-server status`
  prints it.
- systemd: `READY=1` once the service listens, `WATCHDOG=1` every half
  `WATCHDOG_USEC` from the event loop (a loop that stops answering stops the pings,
  and systemd restarts the service), `STOPPING=1` at shutdown. sd_notify is a
  datagram to the NOTIFY_SOCKET unix socket; no library needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from .rules import PState

if TYPE_CHECKING:
    from .service import RoomService

log = logging.getLogger("klasse.server")
STATUS_HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 2.0


def sd_notify(state: str) -> bool:
    """Send `state` (e.g. "READY=1") to systemd; False when not run by systemd."""
    addr = os.environ.get("NOTIFY_SOCKET", "")
    if not addr or addr[0] not in "/@":
        return False
    target = "\0" + addr[1:] if addr[0] == "@" else addr   # @: the abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            # Never block the service on a reader that is behind (a full datagram queue).
            s.setblocking(False)
            s.connect(target)
            s.send(state.encode())
        return True
    except BlockingIOError:
        log.debug("systemd's notify queue is full; dropped %s", state)
        return False
    except OSError as exc:
        log.warning("cannot notify systemd: %s", type(exc).__name__)
        return False


def watchdog_interval() -> float | None:
    """Half systemd's watchdog timeout, or None when no watchdog is asked for us."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) <= 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2e6


def status(service: RoomService) -> dict[str, Any]:
    """Counts only: what an administrator needs to see that lessons can run."""
    nodes = service.supervisor.status()
    members = [m for r in service.rooms.values() for m in r.members.values()]
    return {
        "ok": bool(nodes) and all(n["up"] for n in nodes),
        "janus": nodes,
        "rooms": len(service.rooms),
        "rooms_moving": len(service.media.waiting),
        "participants": sum(1 for m in members if m.state is PState.JOINED),
        "waiting": sum(1 for m in members if m.state is PState.WAITING),
        "publishing": sum(1 for m in members if m.publishing),
        "recordings_in_progress": len(service.recording.state_of_rooms()),
        "janus_recoveries": service.supervisor.recoveries,
        "rooms_moved": service.media.moved,
    }


class Health:
    """The status endpoint and the systemd watchdog of one running service."""

    def __init__(self, service: RoomService, port: int) -> None:
        self.service = service
        self._port = port
        self._server: asyncio.Server | None = None
        self._pinger: asyncio.Task[None] | None = None
        self.started = time.monotonic()

    @property
    def port(self) -> int:
        if self._server is not None and self._server.sockets:
            return int(self._server.sockets[0].getsockname()[1])
        return self._port

    async def start(self, status: bool = True) -> None:
        """Open the status endpoint (raises OSError if its port is taken), then tell
        systemd we are ready and start the watchdog pings."""
        if status and self._port >= 0:
            self._server = await asyncio.start_server(self._answer, STATUS_HOST, self._port)
        sd_notify("READY=1")
        interval = watchdog_interval()
        if interval is not None:
            self._pinger = asyncio.create_task(self._ping(interval), name="sd-watchdog")

    async def stop(self) -> None:
        sd_notify("STOPPING=1")
        if self._pinger is not None:
            self._pinger.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _ping(self, interval: float) -> None:
        while True:
            sd_notify("WATCHDOG=1")
            await asyncio.sleep(interval)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT_S)
            parts = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            if len(parts) >= 2 and parts[0] == "GET" and parts[1] == "/health":
                body = dict(status(self.service), uptime_s=round(time.monotonic() - self.started))
                _respond(writer, "200 OK", json.dumps(body).encode())
            else:
                _respond(writer, "404 Not Found", b'{"error": "only GET /health"}')
            await writer.drain()
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError):
            pass   # not a request we answer; the whole head is read, so close is clean
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


def _respond(writer: asyncio.StreamWriter, code: str, body: bytes) -> None:
    writer.write(f"HTTP/1.0 {code}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)


def fetch_status(port: int, timeout: float = 5.0) -> dict[str, Any]:
    """`GET /health` from the service on this machine (raises OSError if none answers)."""
    with socket.create_connection((STATUS_HOST, port), timeout=timeout) as s:
        s.sendall(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.0 200"):
        raise OSError("the service answered the status request with an error")
    result: dict[str, Any] = json.loads(body)
    return result
