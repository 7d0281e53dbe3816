"""Async client for Janus's WebSocket API (and its Admin API).

One connection multiplexes sessions; replies are matched by transaction. Plugin
requests that Janus handles asynchronously answer `ack` first and an `event` with
the same transaction later: `request` waits for the first reply that is not an ack,
unless the caller says an ack is the answer (a keepalive's only reply is an ack).
Events that answer nothing (webrtcup, media, hangup, moderation, publisher lists)
go to the queue of the handle that sent them.

Every session sends a keepalive at a third of the session timeout Janus reports in
its `info`, so one lost or late keepalive never lets Janus drop the session. A
keepalive that fails is logged and retried; a session Janus says it no longer has
(its `timeout` event, or "no such session") is marked lost and its handles hear of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
from collections.abc import Iterator
from typing import Any

import websockets
from websockets.typing import Subprotocol

log = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"
KEEPALIVE_MAX_S = 25.0     # Janus's default session timeout is 60 s
DEFAULT_SESSION_TIMEOUT_S = 60
ERR_SESSION_NOT_FOUND = 458
TEARDOWN_WAIT_S = 2.0  # answered requests take ms; never hold a room close behind one Janus drops


class JanusError(RuntimeError):
    """Janus or a plugin refused a request."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusConnection:
    """One WebSocket to Janus. Use `open()`; close with `close()`."""

    def __init__(self, ws: Any, secret_field: str, secret: str | None) -> None:
        self._ws = ws
        self._secret_field = secret_field
        self._secret = secret
        self._tx = itertools.count(1)
        # transaction -> (reply future, whether a bare `ack` answers it)
        self._pending: dict[str, tuple[asyncio.Future[dict[str, Any]], bool]] = {}
        self.session_timeout_s = DEFAULT_SESSION_TIMEOUT_S
        self._handles: dict[int, JanusHandle] = {}
        self._sessions: dict[int, JanusSession] = {}
        self._reader = asyncio.create_task(self._read(), name="janus-reader")
        self.closed = asyncio.Event()

    @classmethod
    async def open(cls, url: str, api_secret: str | None = None) -> JanusConnection:
        ws = await websockets.connect(url, subprotocols=[Subprotocol("janus-protocol")], max_size=2**22)
        conn = cls(ws, "apisecret", api_secret)
        try:
            info = await conn.request({"janus": "info"})
            conn.session_timeout_s = int(info.get("session-timeout", DEFAULT_SESSION_TIMEOUT_S))
        except BaseException:
            await conn.close()
            raise
        return conn

    @property
    def keepalive_s(self) -> float:
        """How often a session sends a keepalive: a third of Janus's session timeout
        (0 means sessions never time out there; keep them alive anyway)."""
        if self.session_timeout_s <= 0:
            return KEEPALIVE_MAX_S
        return max(0.5, min(KEEPALIVE_MAX_S, self.session_timeout_s / 3))

    @classmethod
    async def open_admin(cls, url: str, admin_secret: str) -> JanusConnection:
        ws = await websockets.connect(url, subprotocols=[Subprotocol("janus-admin-protocol")])
        return cls(ws, "admin_secret", admin_secret)

    async def request(self, msg: dict[str, Any], timeout: float = 10.0,
                      ack_answers: bool = False) -> dict[str, Any]:
        """Send `msg`, return its reply. `ack_answers`: the request's reply is a bare ack
        (keepalive); otherwise an ack only says Janus is working on it."""
        tx = f"t{next(self._tx)}"
        msg = dict(msg, transaction=tx)
        if self._secret is not None:
            msg[self._secret_field] = self._secret
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[tx] = (fut, ack_answers)
        try:
            try:
                await self._ws.send(json.dumps(msg))
            except websockets.ConnectionClosed:
                raise ConnectionError("janus connection closed") from None
            reply = await asyncio.wait_for(fut, timeout)
        finally:
            self._pending.pop(tx, None)
        if reply.get("janus") == "error":
            err = reply.get("error", {})
            raise JanusError(int(err.get("code", 0)), str(err.get("reason", "")))
        return reply

    async def create_session(self, token: str | None = None) -> JanusSession:
        body: dict[str, Any] = {"janus": "create"}
        if token:
            body["token"] = token
        reply = await self.request(body)
        session = JanusSession(self, int(reply["data"]["id"]), token)
        self._sessions[session.id] = session
        return session

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    log.warning("janus sent a frame that is not JSON")
                    continue
                self._dispatch(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed.set()
            for fut, _ in self._pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("janus connection closed"))
            for handle in self._handles.values():
                handle.events.put_nowait({"janus": "connection_closed"})

    def _dispatch(self, msg: dict[str, Any]) -> None:
        kind = msg.get("janus")
        entry = self._pending.get(str(msg.get("transaction")))
        if entry is not None:
            fut, ack_answers = entry
            if kind == "ack" and not ack_answers:
                return   # a plugin request: its answer is the event that follows
            if not fut.done():
                fut.set_result(msg)
            return
        if kind == "ack":
            return
        handle = self._handles.get(_int(msg.get("sender")))
        if handle is not None:
            handle.events.put_nowait(msg)
        elif kind == "timeout":
            session = self._sessions.get(_int(msg.get("session_id")))
            if session is not None:
                session.mark_lost("timed out in janus")
            else:
                log.info("a janus session no longer in use timed out")

    async def close(self, abort: bool = False) -> None:
        """Close the WebSocket; `abort`: drop it at once, for a Janus that is gone or
        hung (a close handshake with it would wait for its timeout)."""
        for session in list(self._sessions.values()):
            session.stop_keepalive()
        with contextlib.suppress(Exception):
            if abort:
                self._ws.transport.abort()
            else:
                await self._ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    # Admin API -------------------------------------------------------------
    async def add_token(self, token: str, plugins: list[str] | None = None) -> None:
        await self.request({"janus": "add_token", "token": token, "plugins": plugins or [VIDEOROOM]})

    async def remove_token(self, token: str) -> None:
        await self.request({"janus": "remove_token", "token": token})


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class _InFlight:
    """Counts requests under way, so teardown can wait until none is.

    Janus 1.1.2 frees a handle's plugin session on detach/destroy while its worker
    threads may still be handling a request for that handle; the next lookup then
    reads freed memory (seen as a segfault in janus_plugin_session_is_alive). So a
    handle or session is torn down only once our own requests on it have answered.
    """

    def __init__(self) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        self.idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if self.count == 0:
                self.idle.set()

    async def drained(self, timeout: float = TEARDOWN_WAIT_S) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle.wait(), timeout)


class JanusSession:
    """A Janus session: kept alive by a periodic keepalive until destroyed."""

    def __init__(self, conn: JanusConnection, session_id: int, token: str | None) -> None:
        self.conn = conn
        self.id = session_id
        self.token = token
        self.closing = False
        self.lost = asyncio.Event()   # Janus no longer has this session
        self.keepalives = 0           # answered keepalives (health, tests)
        self.failures = 0             # keepalives failed in a row (the supervisor looks)
        self.inflight = _InFlight()
        self._keepalive = asyncio.create_task(self._keep_alive(), name=f"janus-ka-{session_id}")

    async def call(self, body: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """A request within this session; refused once the session is being torn down."""
        if self.closing:
            raise ConnectionError("janus session is closing")
        with self.inflight.track():
            return await self.conn.request(self._auth(body), timeout=timeout)

    def _auth(self, body: dict[str, Any]) -> dict[str, Any]:
        body["session_id"] = self.id
        if self.token:
            body["token"] = self.token
        return body

    async def _keep_alive(self) -> None:
        """Keep the session alive until it is destroyed or Janus lost it.

        A keepalive that fails is logged and retried at once (Janus may be busy for a
        moment); only a closed connection or a session Janus no longer knows ends it,
        and both mark the session lost so its owner can recover."""
        while not self.closing and not self.lost.is_set():
            interval = self.conn.keepalive_s
            await asyncio.sleep(interval if self.failures == 0 else min(1.0, interval))
            if self.closing:
                return
            try:
                await self.conn.request(self._auth({"janus": "keepalive"}),
                                        timeout=max(2.0, interval), ack_answers=True)
                self.keepalives += 1
                if self.failures:
                    log.info("janus keepalive answered again after %d failure(s)", self.failures)
                self.failures = 0
            except JanusError as exc:
                if exc.code == ERR_SESSION_NOT_FOUND:
                    self.mark_lost("unknown to janus")
                    return
                self.failures += 1
                log.warning("janus keepalive refused (%d); retrying", exc.code)
            except TimeoutError:
                self.failures += 1
                log.warning("janus keepalive unanswered (%d in a row); retrying", self.failures)
            except ConnectionError:
                if self.conn.closed.is_set():
                    self.mark_lost("its janus connection closed")
                    return
                self.failures += 1
                log.warning("janus keepalive could not be sent; retrying")

    def mark_lost(self, why: str) -> None:
        """Janus no longer has this session: stop its keepalive and tell its handles."""
        if self.lost.is_set() or self.closing:
            return
        self.lost.set()
        log.warning("a janus session was lost: %s", why)
        if self._keepalive is not asyncio.current_task():
            self._keepalive.cancel()
        for handle in self.conn._handles.values():
            if handle.session is self:
                handle.events.put_nowait({"janus": "session_lost"})

    async def attach(self, plugin: str = VIDEOROOM) -> JanusHandle:
        reply = await self.call({"janus": "attach", "plugin": plugin,
                                 "opaque_id": secrets.token_hex(4)})
        handle = JanusHandle(self, int(reply["data"]["id"]))
        self.conn._handles[handle.id] = handle
        return handle

    def stop_keepalive(self) -> None:
        self._keepalive.cancel()

    async def destroy(self) -> None:
        """Refuse new requests, let those under way answer, detach, then destroy."""
        if self.closing:
            return
        self.closing = True
        self.stop_keepalive()
        await self.inflight.drained()
        for handle in [hd for hd in self.conn._handles.values() if hd.session is self]:
            await handle._detach_now()
        self.conn._sessions.pop(self.id, None)
        with contextlib.suppress(JanusError, ConnectionError, asyncio.TimeoutError):
            await self.conn.request(self._auth({"janus": "destroy"}))


class JanusHandle:
    """A plugin handle. `message` returns (plugin data, jsep or None)."""

    def __init__(self, session: JanusSession, handle_id: int) -> None:
        self.session = session
        self.id = handle_id
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.inflight = _InFlight()
        self.detached = False

    async def _call(self, body: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        if self.detached:
            raise ConnectionError("janus handle is detached")
        with self.inflight.track():
            return await self.session.call(dict(body, handle_id=self.id), timeout=timeout)

    async def message(self, body: dict[str, Any], jsep: dict[str, Any] | None = None,
                      timeout: float = 10.0) -> tuple[dict[str, Any], dict[str, Any] | None]:
        req: dict[str, Any] = {"janus": "message", "body": body}
        if jsep is not None:
            req["jsep"] = jsep
        reply = await self._call(req, timeout=timeout)
        data = reply.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return data, reply.get("jsep")

    async def wait_event(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for an unsolicited event for which `predicate(msg)` is true."""
        async def _wait() -> dict[str, Any]:
            while True:
                msg = await self.events.get()
                if msg.get("janus") in ("connection_closed", "session_lost"):
                    raise ConnectionError("janus lost this handle's session")
                if predicate(msg):
                    return msg
        return await asyncio.wait_for(_wait(), timeout)

    async def hangup(self) -> None:
        with contextlib.suppress(JanusError, ConnectionError, asyncio.TimeoutError):
            await self._call({"janus": "hangup"})

    async def detach(self) -> None:
        """Detach once this handle's requests under way have answered."""
        if self.detached:
            return
        self.detached = True
        await self.inflight.drained()
        await self._detach_now()

    async def _detach_now(self) -> None:
        self.detached = True
        self.session.conn._handles.pop(self.id, None)
        with contextlib.suppress(JanusError, ConnectionError, asyncio.TimeoutError):
            await self.session.conn.request(
                self.session._auth({"janus": "detach", "handle_id": self.id}))
