"""The room service's gateway: one WebSocket per client, Janus behind it, and the
runner of the lesson core's effects (server/lesson.py holds the lessons).

Each frame goes decode_client -> the rules table (`Lessons.check`) -> a handler: the
lesson core for lesson actions, this module for what needs I/O (login, room
creation, join/resume with link and PIN, the SDP relay, a teacher's recordings).
Effects run in the order the core returned them. A refused message gets an Error
with its code and the refused type; a handler that fails gets INTERNAL and the
service, the connection and every other room carry on. Logs at the default level
carry random ids only: never names, addresses or chat text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import time
from collections.abc import Callable, Coroutine
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

import klasse.app.protocol as p
from klasse.app.names import TextRefused, clean_name, clean_title
from klasse.app.protocol import ErrorCode, ProtocolError

from . import lesson as core
from . import rules
from .accounts import Accounts
from .config import Config
from .janus_adapter import JanusError, JanusNode, JanusPeer, JanusRoom, moderate
from .janus_recovery import MediaRecovery
from .janus_supervisor import JanusSupervisor
from .lesson import Lessons
from .limits import Backoff, PinGuard, TokenBucket
from .links import Grant, LinkSigner, load_or_create_key, normalise_pin
from .login_pool import LoginPool
from .logs import Repeats
from .recording.hub import RecordingHub
from .room import DEVICE_KIND, Feed, Member, Room
from .rules import Action, Role, RoomState

log = logging.getLogger("klasse.server")
OUTBOX_LIMIT = 2000           # a client this far behind is dropped
LOGIN_BACKOFF_PER_CLIENT = (2, 1.0, 30.0, 600.0)
# Per account: 5 free failures, then an exponential delay (1 s .. 60 s) before the next
# check of that account's password, forgotten after 15 quiet minutes. Never a lock.
LOGIN_BACKOFF_PER_USER = (5, 1.0, 60.0, 900.0)
LOGINS_PER_SECOND = (5.0, 20.0)   # all connections together: rate, burst
# A participant list per room at most this often: changes in between are coalesced
# into one list that goes out when the interval is over (the first change after a
# quiet moment goes out at once).
PARTICIPANTS_EVERY_S = 0.1
SWEEP_S = 1.0                 # how often idle connections are looked for
# Frames read per connection (rate/s, burst). Beyond it the service stops reading
# that socket for a moment: TCP pushes back on the sender, and a flooding client
# costs the service this many frames a second at most, never the whole loop.
FRAMES_PER_CONNECTION = (50.0, 200.0)


class Client:
    """One WebSocket connection and what it has proven so far."""

    _ids = 0

    def __init__(self, ws: ServerConnection) -> None:
        Client._ids += 1
        self.cid = f"c{Client._ids}"
        self.ws = ws
        self.session: str | None = None
        self.roomless_since: float | None = time.monotonic()
        self.logging_in = False
        self.outbox: asyncio.Queue[bytes | int | None] = asyncio.Queue()
        # The newest participant list not yet written, and its number: a list queued
        # behind the socket is replaced by the next one, never sent twice over.
        self._list: tuple[int, bytes] | None = None
        self._lists = 0
        self.dropped = False
        self.frames = TokenBucket(*FRAMES_PER_CONNECTION)
        self.writer = asyncio.create_task(self._write(), name=f"writer-{self.cid}")

    def send(self, msg: p.ServerMessage) -> None:
        if self.dropped:
            return
        if self.outbox.qsize() > OUTBOX_LIMIT:
            log.warning("client %s is too slow; dropping it", self.cid)
            self.dropped = True
            self.outbox.put_nowait(None)
            return
        if isinstance(msg, p.Participants):
            self._lists += 1
            self._list = (self._lists, p.encode(msg))
            self.outbox.put_nowait(self._lists)
            return
        self.outbox.put_nowait(p.encode(msg))

    async def _write(self) -> None:
        while True:
            data = await self.outbox.get()
            if data is None:
                await self.ws.close(1008, "too slow")
                return
            if isinstance(data, int):
                # A participant list: only the newest one queued is written.
                if self._list is None or self._list[0] != data:
                    continue
                data, self._list = self._list[1], None
            try:
                await self.ws.send(data)
            except ConnectionClosed:
                return

    async def close(self) -> None:
        self.writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.writer


def _ref_of(raw: str | bytes) -> str | None:
    """Best effort: the `type` of a message that failed validation (after the same
    size, UTF-8 and depth checks as decoding, so this parse cannot blow up either)."""
    try:
        obj = json.loads(p.check_frame(raw))
    except (ProtocolError, ValueError, RecursionError):
        return None
    kind = obj.get("type") if isinstance(obj, dict) else None
    return kind if isinstance(kind, str) and len(kind) <= 32 else None


class RoomService:
    def __init__(self, config: Config, nodes: list[JanusNode] | None = None) -> None:
        self.config = config
        self.signer = LinkSigner(load_or_create_key(config.data))
        self.accounts = Accounts(config.data)
        self.nodes: list[JanusNode] = nodes or []
        self._creating: dict[str, asyncio.Future[Room]] = {}
        self._pins = PinGuard()
        self._login_client = Backoff(*LOGIN_BACKOFF_PER_CLIENT)
        self._login_user = Backoff(*LOGIN_BACKOFF_PER_USER)
        self._logins = TokenBucket(*LOGINS_PER_SECOND)
        self.login_pool = LoginPool(config.login_parallel, config.login_queue)
        self.repeats = Repeats(log)
        # Participant lists per room: when the last went out, and a pending trailing one.
        self._list_sent: dict[str, float] = {}
        self._list_timers: dict[str, asyncio.TimerHandle] = {}
        self._server: Server | None = None
        self._clients: set[Client] = set()
        self._conns: dict[str, Client] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._timers: dict[core.Timer, asyncio.TimerHandle] = {}
        # The Janus handles of the lessons' rooms and members: I/O, so the gateway's.
        self.janus: dict[Room, JanusRoom] = {}
        self.peers: dict[Member, JanusPeer] = {}
        self.recording = RecordingHub(config, self._tell_room, janus=self.janus,
                                      peers=self.peers)
        self.lessons = Lessons(config, self.recording)
        # A lost Janus is brought back and its rooms moved; the lessons go on.
        self.media = MediaRecovery(self)
        self.supervisor = JanusSupervisor([], self.media)

    # The lesson core's state, as the service's callers and tests look at it.
    @property
    def rooms(self) -> dict[str, Room]:
        return self.lessons.rooms

    @property
    def resumes(self) -> dict[str, Member]:
        return self.lessons.resumes

    @property
    def ended(self) -> dict[str, float]:
        return self.lessons.ended

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        scheme = "wss" if self.config.tls else "ws"
        return f"{scheme}://{self.config.listen}:{self.port}"

    @property
    def port(self) -> int:
        if self._server is not None:
            for sock in self._server.sockets:
                return int(sock.getsockname()[1])
        return self.config.port

    async def start(self) -> None:
        if not self.nodes:
            if self.config.janus:
                self.nodes = [JanusNode(inst, f"janus{i + 1}")
                              for i, inst in enumerate(self.config.janus)]
            else:
                if self.config.listen.startswith("127."):
                    log.warning("listening on loopback: Janus gathers no ICE candidates there, "
                                "so media will not flow; use --listen with the LAN address")
                self.nodes = [await JanusNode.spawn(self.config.listen)]
        for node in self.nodes:
            await node.open()
        self.supervisor.nodes = self.nodes
        self.supervisor.start()
        await self.recording.start()
        self._sweeper = asyncio.create_task(self._sweep(), name="sweep")
        ctx = None
        if self.config.tls_cert and self.config.tls_key:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.config.tls_cert, self.config.tls_key)
        ws_log = logging.getLogger("klasse.server.ws")  # quiet unless debug (server/logs.py)
        self._server = await serve(
            self._handle, self.config.listen, self.config.port, ssl=ctx,
            max_size=2 * p.MAX_MESSAGE_BYTES, logger=ws_log, server_header=None,
            compression=None)

    async def stop(self) -> None:
        await self.supervisor.stop()
        if self._sweeper is not None:
            self._sweeper.cancel()
        for room in list(self.rooms.values()):
            await self.close_room(room, "server_shutdown")
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await self.recording.stop()
        for node in self.nodes:
            await node.close()
        for task in list(self._tasks):
            task.cancel()
        self.login_pool.close()

    async def close_room(self, room: Room, reason: str) -> None:
        """End a lesson for everyone (its links can no longer reopen it)."""
        await self._run(self.lessons.close(room, reason, now=time.time()))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("background task failed: %s", type(exc).__name__)

    # ---------------------------------------------------------- connections
    async def _sweep(self) -> None:
        """Close connections that stay out of any room too long; report repeated logs."""
        while True:
            await asyncio.sleep(SWEEP_S)
            now = time.monotonic()
            for client in list(self._clients):
                if client.cid in self.lessons.by_conn:
                    client.roomless_since = None
                elif client.roomless_since is None:
                    client.roomless_since = now
                elif now - client.roomless_since > self.config.join_within_s \
                        and not client.logging_in:
                    client.roomless_since = now      # once: the close below takes a moment
                    client.send(p.Error(code=ErrorCode.BUSY,
                                        message="closed: no room joined in time"))
                    self._spawn(client.ws.close(1008, "no room joined in time"))
            self.repeats.flush(now)

    async def _handle(self, ws: ServerConnection) -> None:
        if len(self._clients) >= self.config.max_connections:
            # A clear refusal the client can show, then a close code that says "later".
            self.repeats.log(logging.WARNING, "conn-cap",
                             f"connection refused: {self.config.max_connections} open already")
            with contextlib.suppress(ConnectionClosed):
                await ws.send(p.encode(p.Error(code=ErrorCode.BUSY, message=(
                    "the server has too many connections; try again in a minute"))))
                await ws.close(1013, "too many connections")
            return
        client = Client(ws)
        self._clients.add(client)
        self._conns[client.cid] = client
        log.debug("client %s connected", client.cid)
        try:
            async for raw in ws:
                await self._on_frame(client, raw)
                if not client.frames.take():
                    await asyncio.sleep(1.0 / FRAMES_PER_CONNECTION[0])
        except ConnectionClosed:
            pass
        finally:
            self._clients.discard(client)
            self._conns.pop(client.cid, None)
            try:
                self._spawn(self._run(self.lessons.connection_lost(client.cid)))
            except Exception as exc:
                log.error("disconnect handling failed: %s", type(exc).__name__)
            await client.close()
            log.debug("client %s gone", client.cid)

    async def _on_frame(self, client: Client, raw: str | bytes) -> None:
        try:
            msg = p.decode_client(raw)
        except ProtocolError as exc:
            client.send(p.Error(code=exc.code, message=exc.message, ref=_ref_of(raw)))
            return
        except Exception as exc:      # a decoder surprise: still the sender's bad frame
            self.repeats.log(logging.WARNING, f"decode:{type(exc).__name__}",
                             f"undecodable frame: {type(exc).__name__}")
            client.send(p.Error(code=ErrorCode.BAD_MESSAGE, message="not a valid message"))
            return
        kind = type(msg).__name__
        try:
            await self._dispatch(client, msg)
        except ProtocolError as exc:
            client.send(p.Error(code=exc.code, message=exc.message, ref=_tag(msg), rid=msg.rid))
        except (JanusError, ConnectionError, TimeoutError) as exc:
            log.warning("media request %s failed: %s", kind, type(exc).__name__)
            client.send(p.Error(code=ErrorCode.MEDIA_FAILED,
                                message="the media server refused or failed the request",
                                ref=_tag(msg), rid=msg.rid))
        except Exception as exc:
            self.repeats.log(logging.ERROR, f"handler:{kind}:{type(exc).__name__}",
                             f"handler for {kind} failed: {type(exc).__name__}")
            log.debug("handler failure", exc_info=True)
            client.send(p.Error(code=ErrorCode.INTERNAL, message="internal error",
                                ref=_tag(msg), rid=msg.rid))

    async def _dispatch(self, client: Client, msg: p.ClientMessage) -> None:
        action = rules.ACTION_OF[type(msg)]
        self.lessons.check(client.cid, action)
        handler = self._handlers[action]
        await handler(self, client, msg)

    # -------------------------------------------------------- effect runner
    async def _run(self, effects: list[core.Effect]) -> None:
        """Carry out what the lesson core decided, in its order."""
        try:
            for effect in effects:
                await self._do(effect)
        finally:
            self.count_load()

    def count_load(self) -> None:
        """Janus load: the participants of each node's rooms (least_loaded reads it)."""
        for node in self.nodes:
            node.load = sum(len(r.members) for r, j in self.janus.items() if j.node is node)

    async def _do(self, effect: core.Effect) -> None:
        match effect:
            case core.Send(to=to, msg=msg):
                self.send(to, msg)
            case core.ListParticipants(room=room):
                self._broadcast_participants(room)
            case core.Disconnect(conn=conn):
                replaced = self._conns.get(conn)
                if replaced is not None:
                    self._spawn(replaced.ws.close(1000, "replaced"))
            case core.Moderate(member=m, device=device, mute=mute, best_effort=quiet):
                try:
                    await self._moderate(m, device, mute)
                except (JanusError, ConnectionError, TimeoutError):
                    if not quiet:
                        raise
            case core.StartTimer(timer=timer, after_s=after):
                old = self._timers.pop(timer, None)
                if old is not None:
                    old.cancel()
                self._timers[timer] = asyncio.get_running_loop().call_later(
                    after, lambda: self._spawn(self._fire(timer)))
            case core.CancelTimer(timer=timer):
                handle = self._timers.pop(timer, None)
                if handle is not None:
                    handle.cancel()
            case core.DropMedia(member=m):
                await self._drop_media(m)
            case core.Unpublish(member=m):
                await self._unpublish(m)
            case core.Publish(member=m, sdp=sdp, rid=rid):
                await self._publish(m, sdp, rid)
            case core.Subscribe(member=m, feed=target, rid=rid):
                await self._subscribe(m, target, rid)
            case core.Answer(member=m, feed=feed, sdp=sdp):
                if m not in self.peers:
                    raise ProtocolError(ErrorCode.OUT_OF_ORDER, "no subscription offer is waiting")
                await self.peers[m].answer(feed, sdp)
            case core.StopSubscription(member=m, feed=feed):
                if m in self.peers:
                    await self.peers[m].unsubscribe(feed)
            case core.OpenMedia(room=room):
                node = await self.media.healthy_node()
                self.janus[room] = await node.create_room()
                log.info("room %s on %s", room.id, node.name)
                self.lessons.open_room(room)
            case core.CloseMedia(room=room, members=members):
                await self._close_media(room, members)
            case core.Record(member=m, start=start):
                await self.recording.record(m, start)
                if start:
                    await self._run(self.lessons.recording_announced(m.room))
            case core.RecordingConsent(member=m):
                await self.recording.consent(m)
            case core.RecordingPublished(member=m):
                await self.recording.published(m)
            case core.RecordingShare(member=m):
                await self.recording.share_started(m)

    def _broadcast_participants(self, room: Room) -> None:
        """The room's list changed: it goes out now, or (within PARTICIPANTS_EVERY_S of
        the last) one list for all changes when the interval is over."""
        if room.id in self._list_timers:
            return
        loop = asyncio.get_running_loop()
        wait = self._list_sent.get(room.id, float("-inf")) + PARTICIPANTS_EVERY_S - loop.time()
        if wait > 0:
            self._list_timers[room.id] = loop.call_later(wait, self._flush_participants, room)
            return
        self._flush_participants(room)

    def _flush_participants(self, room: Room) -> None:
        self._list_timers.pop(room.id, None)
        if room.state is RoomState.CLOSED:
            self._list_sent.pop(room.id, None)
            return
        self._list_sent[room.id] = asyncio.get_running_loop().time()
        for send in core.lists(room):
            self.send(send.to, send.msg)

    def send(self, conn: str | None, msg: p.ServerMessage) -> None:
        client = self._conns.get(conn or "")
        if client is not None:
            client.send(msg)

    async def _fire(self, timer: core.Timer) -> None:
        self._timers.pop(timer, None)
        await self._run(self.lessons.timer_fired(timer, time.time()))

    def _tell_room(self, room: Room, state: p.RecordingState) -> None:
        msg = p.Recording(recording=state)
        for m in room.members.values():
            client = self._conns.get(m.conn or "")
            if client is not None:
                client.send(msg)

    async def _moderate(self, m: Member, device: Feed, mute: bool) -> None:
        peer, room = self.peers.get(m), self.janus.get(m.room)
        mid = peer.mids.get(DEVICE_KIND[device]) if peer is not None else None
        if peer is not None and peer.feed_id is not None and room is not None and mid is not None:
            await moderate(room, peer.feed_id, mid, mute)

    async def _drop_media(self, m: Member) -> None:
        await self.recording.media_gone(m)
        peer = self.peers.pop(m, None)
        if peer is not None:
            self._drop_subscriptions_to(m)
            await peer.close()

    async def _unpublish(self, m: Member) -> None:
        """The member's publisher connection went away; its subscriptions stay."""
        self.recording.unpublished(m)
        self._drop_subscriptions_to(m)
        if m in self.peers:
            await self.peers[m].unpublish()

    def _drop_subscriptions_to(self, m: Member) -> None:
        for other in m.room.members.values():
            peer = self.peers.get(other)
            if peer is not None and m.id in peer.subscribers:
                self._spawn(peer.unsubscribe(m.id))

    async def _close_media(self, room: Room, members: tuple[Member, ...]) -> None:
        """Destroying the Janus room cuts every stream at once; then every peer goes."""
        timer = self._list_timers.pop(room.id, None)
        if timer is not None:
            timer.cancel()
        self._list_sent.pop(room.id, None)
        self.media.room_closed(room)
        await self.recording.room_closing(room)
        janus = self.janus.pop(room, None)
        if janus is not None:
            await janus.node.destroy_room(janus)
        await asyncio.gather(*(self._close_peer(m) for m in members), return_exceptions=True)

    async def _close_peer(self, m: Member) -> None:
        peer = self.peers.pop(m, None)
        if peer is not None:
            await peer.close()

    # ------------------------------------------------------ account actions
    async def _ping(self, client: Client, msg: p.Ping) -> None:
        client.send(p.Pong(rid=msg.rid))

    async def _login(self, client: Client, msg: p.Login) -> None:
        if msg.v != p.PROTOCOL_VERSION:
            raise ProtocolError(ErrorCode.UNSUPPORTED_VERSION, "unsupported protocol version")
        if client.logging_in:
            raise ProtocolError(ErrorCode.RATE_LIMITED, "one login at a time")
        wait = max(self._login_client.wait(client.cid), self._login_user.wait(msg.user))
        if wait > 0:
            raise ProtocolError(ErrorCode.RATE_LIMITED,
                                f"too many failed logins; try again in {wait:.0f} s")
        if not self._logins.take():
            raise ProtocolError(ErrorCode.BUSY, "the server is busy with other logins; "
                                "try again in a few seconds")
        client.logging_in = True
        try:
            if len(msg.user) > 64 or len(msg.password) > 1024 or not self.accounts.has(msg.user):
                await self.login_pool.pretend()   # no argon2 for a name without an account
                info = None
            else:
                info = await self.login_pool.verify(
                    lambda: self.accounts.login(msg.user, msg.password))
        finally:
            client.logging_in = False
        if info is None:
            self._login_client.fail(client.cid)
            self._login_user.fail(msg.user)
            raise ProtocolError(ErrorCode.LOGIN_FAILED, "wrong user name or password")
        self._login_user.forget(msg.user)
        self._login_client.forget(client.cid)
        client.session = info.token
        client.send(p.Session(token=info.token, user=info.user, role=info.role,  # type: ignore[arg-type]
                              expires=info.expires, rid=msg.rid))

    async def _create_room(self, client: Client, msg: p.CreateRoom) -> None:
        info = self.accounts.session(msg.session)
        if info is None:
            raise ProtocolError(ErrorCode.SESSION_INVALID, "log in again")
        if info.role != "teacher":
            raise ProtocolError(ErrorCode.NOT_ALLOWED, "only teachers create rooms")
        if not 60 <= msg.expires_s <= 30 * 86400 or len(msg.title) > 200:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "expires_s is 60 s to 30 days; title "
                                "at most 200 characters")
        try:
            clean_title(msg.title)
        except TextRefused as exc:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, str(exc)) from None
        created = self.create_links(info.user, msg.title, float(msg.expires_s),
                                    waiting_room=msg.waiting_room)
        client.send(p.RoomCreated(rid=msg.rid, **created))
        log.info("room %s created from a client", created["room"])

    def create_links(self, teacher: str, title: str, expires_s: float,
                     waiting_room: bool = True) -> dict[str, Any]:
        room = self.signer.new_room_id()
        expires = float(int(time.time() + expires_s))
        t_link, s_link = self.signer.links(self.config.link_host, self.port, self.config.tls,
                                           room, clean_title(title), teacher, expires,
                                           waiting_room)
        return {"room": room, "teacher_link": t_link, "pupil_link": s_link,
                "pin": self.signer.pin(room), "expires": expires}

    async def _list_recordings(self, client: Client, msg: p.ListRecordings) -> None:
        client.send(self.recording.list_recordings(self.accounts, msg))

    async def _delete_recording(self, client: Client, msg: p.DeleteRecording) -> None:
        client.send(self.recording.delete_recording(self.accounts, msg))

    # ------------------------------------------------------------------ join
    async def _join(self, client: Client, msg: p.Join) -> None:
        if msg.resume and await self._resume(client, msg):
            return
        grant = self.signer.verify(msg.link)
        if grant.room in self.ended:
            raise ProtocolError(ErrorCode.ROOM_CLOSED, "this lesson has ended")
        try:
            name = clean_name(msg.name)
        except TextRefused as exc:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, str(exc)) from None
        self.lessons.may_join(client.cid, grant.room, grant.role == "teacher", time.time())
        via, account = self._authenticate(client, msg, grant)
        room = await self._room_for(grant)
        role = Role.TEACHER if grant.role == "teacher" else Role.PUPIL
        if role is Role.TEACHER and not room.owner:
            room.owner = grant.teacher      # pupil links do not name the teacher
        await self._run(self.lessons.enter(client.cid, room, name, role, via, account))

    async def _get_notice(self, client: Client, msg: p.GetNotice) -> None:
        """The notice before joining: the link is checked as for a join (forged,
        expired, ended), but no PIN is tried, no room or participant is made, and
        nothing is logged (the reply is the same for every room of this service)."""
        grant = self.signer.verify(msg.link)
        if grant.room in self.ended:
            raise ProtocolError(ErrorCode.ROOM_CLOSED, "this lesson has ended")
        client.send(p.NoticeInfo(notice=self.config.notice, rid=msg.rid))

    def _authenticate(self, client: Client, msg: p.Join, grant: Grant,
                      seat: str | None = None) -> tuple[str, str]:
        """("account", user) for a valid session, ("link", "") for the right PIN;
        `seat`: the member a resume token named."""
        if msg.session is not None:
            info = self.accounts.session(msg.session)
            if info is None:
                raise ProtocolError(ErrorCode.SESSION_INVALID, "log in again")
            if grant.role == "teacher" and info.role != "teacher":
                raise ProtocolError(ErrorCode.NOT_ALLOWED, "this is a teacher's link")
            return "account", info.user
        pin = normalise_pin(msg.pin)
        # A resume's seat has a backoff of its own instead of the room's budget; the
        # budget counts first joins through the pupil link only (a guesser cannot
        # lock out the teacher, nor the pupils already in the lesson).
        keys = [client.cid] + ([f"{grant.room}/{seat}"] if seat else [])
        budget = grant.room if grant.role != "teacher" and seat is None else None
        wait = self._pins.wait(keys, budget)
        if wait > 0:
            raise ProtocolError(ErrorCode.RATE_LIMITED,
                                f"too many wrong PINs; try again in {max(1.0, wait):.0f} s")
        if not self.signer.pin_matches(grant.room, pin):
            self._pins.failed(keys, budget)
            raise ProtocolError(ErrorCode.PIN_WRONG, "wrong PIN")
        self._pins.passed(keys)
        return "link", ""

    async def _room_for(self, grant: Grant) -> Room:
        room = self.rooms.get(grant.room)
        if room is not None:
            return room
        pending = self._creating.get(grant.room)
        if pending is not None:
            return await asyncio.shield(pending)
        fut: asyncio.Future[Room] = asyncio.get_running_loop().create_future()
        self._creating[grant.room] = fut
        try:
            await self._run(self.lessons.new_room(
                grant.room, grant.title, grant.expires, grant.waiting_room,
                owner=grant.teacher if grant.role == "teacher" else ""))
            room = self.rooms[grant.room]
            fut.set_result(room)
            return room
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: other waiters re-raise it
            raise
        finally:
            self._creating.pop(grant.room, None)

    async def _resume(self, client: Client, msg: p.Join) -> bool:
        try:
            grant = self.signer.verify(msg.link, now=0.0)   # expiry does not end a lesson
        except ProtocolError:
            return False
        m = self.lessons.resuming(msg.resume or "", grant.room)
        if m is None:
            return False
        # The token alone is no key: the join proves the link again (the PIN, or a
        # session of the same account), with the same limits as any join.
        if self._authenticate(client, msg, grant, seat=m.id) != (m.via, m.account):
            return False
        await self._run(self.lessons.resume(client.cid, m))
        return True

    # ------------------------------------------------------ lesson actions
    async def _lesson(self, client: Client, msg: p.ClientMessage) -> None:
        """A lesson action: the core decides, this runs what it decided."""
        await self._run(self.lessons.handle(client.cid, msg, time.time()))

    # ------------------------------------------------------------ SDP relay
    async def _publish(self, m: Member, sdp: str, rid: int | None) -> None:
        try:
            janus_room = await self.media.janus_room(m.room)
            peer = await self._peer(m, janus_room)

            async def on_event(kind: str) -> None:
                if self.peers.get(m) is not peer:
                    return
                if kind == "webrtcup":
                    await self._run(self.lessons.media_up(m))
                elif kind == "hangup":
                    await self._run(self.lessons.media_down(m))

            self.recording.before_publish(m, sdp)
            answer = await peer.publish(janus_room, sdp, on_event)
            await self._run(self.lessons.publish_answered(m, answer, rid))
        except BaseException:
            self.lessons.publish_failed(m)
            raise

    async def _peer(self, m: Member, janus_room: JanusRoom) -> JanusPeer:
        if m not in self.peers:
            self.peers[m] = await janus_room.node.new_peer(lambda p: self.media.peer_lost(m, p))
        return self.peers[m]

    async def _subscribe(self, m: Member, target: Member, rid: int | None) -> None:
        published = self.peers.get(target)
        if published is None or published.feed_id is None:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "this participant is not publishing")
        janus_room = await self.media.janus_room(m.room)
        offer = await (await self._peer(m, janus_room)).subscribe(
            janus_room, target.id, published.feed_id, self.media.subscription_hung_up(m))
        await self._run(self.lessons.subscription_offered(m, target.id, offer, rid))

    _handlers: dict[Action, Callable[..., Coroutine[Any, Any, None]]] = {
        Action.LOGIN: _login, Action.CREATE_ROOM: _create_room, Action.JOIN: _join,
        Action.GET_NOTICE: _get_notice, Action.PING: _ping,
        Action.LIST_RECORDINGS: _list_recordings, Action.DELETE_RECORDING: _delete_recording,
    } | dict.fromkeys(core.LESSON_ACTIONS, _lesson)


def _tag(msg: p.ClientMessage) -> str:
    return str(type(msg).__struct_config__.tag)
