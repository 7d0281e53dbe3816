"""The room service: one WebSocket per client, the room rules, Janus behind it.

Each frame goes decode_client -> rules.check -> a handler. A refused message gets
an Error with its code and the refused type; a handler that fails gets INTERNAL and
the service, the connection and every other room carry on. Logs at the default
level carry random ids only: never names, addresses or chat text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import ssl
import time
from collections.abc import Callable, Coroutine
from typing import Any

import msgspec
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

import klasse.app.protocol as p
from klasse.app.names import TextRefused, clean_name, clean_title
from klasse.app.protocol import ErrorCode, ProtocolError

from . import rules, sdp_check
from .accounts import Accounts
from .config import Config
from .janus_adapter import JanusError, JanusNode, JanusPeer, moderate
from .janus_recovery import MediaRecovery
from .janus_supervisor import JanusSupervisor
from .limits import Backoff, Buckets, TokenBucket
from .links import Grant, LinkSigner, RateLimiter, load_or_create_key, normalise_pin
from .login_pool import LoginPool
from .logs import Repeats
from .recording.hub import RecordingHub
from .room import DEVICE_KIND, Member, Room
from .rules import Action, MemberEvent, PState, Role, RoomEvent, RoomState, Target

log = logging.getLogger("klasse.server")
OUTBOX_LIMIT = 2000           # a client this far behind is dropped
# Wrong PINs through a pupil link, per room; the teacher link and signed-in teachers
# do not count against it and are never refused by it.
PIN_FAILS_PER_ROOM = (10, 60.0)
# Per connection: 3 free tries, then 5 s, 10 s, ... at most 60 s between tries.
PIN_BACKOFF = (3, 5.0, 60.0, 600.0)      # free tries, base s, cap s, forget after s
LOGIN_BACKOFF_PER_CLIENT = (2, 1.0, 30.0, 600.0)
# Per account: 5 free failures, then an exponential delay (1 s .. 60 s) before the next
# check of that account's password, forgotten after 15 quiet minutes. Never a lock.
LOGIN_BACKOFF_PER_USER = (5, 1.0, 60.0, 900.0)
LOGINS_PER_SECOND = (5.0, 20.0)   # all connections together: rate, burst
CHATTER_PER_CLIENT = (20, 10.0)
# A participant list per room at most this often: changes in between are coalesced
# into one list that goes out when the interval is over (the first change after a
# quiet moment goes out at once).
PARTICIPANTS_EVERY_S = 0.1
# Device-state changes (`media`): per participant and per room (rate/s, burst).
MEDIA_PER_MEMBER = (5.0, 10.0)
MEDIA_PER_ROOM = (50.0, 100.0)
# Joins: per room (a class arriving at once fits the burst) and per connection (a
# join-leave-join loop); teachers are not limited.
JOINS_PER_ROOM = (20.0, 60.0)
JOINS_PER_CONNECTION = (0.5, 4.0)
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
        self.member: Member | None = None
        self.session: str | None = None
        self.roomless_since: float | None = time.monotonic()
        self.logging_in = False
        self.outbox: asyncio.Queue[bytes | int | None] = asyncio.Queue()
        # The newest participant list not yet written, and its number: a list queued
        # behind the socket is replaced by the next one, never sent twice over.
        self._list: tuple[int, bytes] | None = None
        self._lists = 0
        self.dropped = False
        # Chat lines and hand changes per connection (a flood gets rate_limited).
        self.chatter = RateLimiter(*CHATTER_PER_CLIENT)
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
        self.policy = rules.Policy(recording_allowed=config.recording_allowed)
        self.signer = LinkSigner(load_or_create_key(config.data))
        self.accounts = Accounts(config.data)
        self.nodes: list[JanusNode] = nodes or []
        self.rooms: dict[str, Room] = {}
        self.ended: dict[str, float] = {}      # room id -> link expiry: cannot reopen
        self.resumes: dict[str, Member] = {}
        self._creating: dict[str, asyncio.Future[Room]] = {}
        self._pin_room = RateLimiter(*PIN_FAILS_PER_ROOM)
        self._pin_client = Backoff(*PIN_BACKOFF)
        self._login_client = Backoff(*LOGIN_BACKOFF_PER_CLIENT)
        self._login_user = Backoff(*LOGIN_BACKOFF_PER_USER)
        self._logins = TokenBucket(*LOGINS_PER_SECOND)
        self.login_pool = LoginPool(config.login_parallel, config.login_queue)
        self.repeats = Repeats(log)
        self._media_member = Buckets(*MEDIA_PER_MEMBER)
        self._media_room = Buckets(*MEDIA_PER_ROOM)
        self._joins_room = Buckets(*JOINS_PER_ROOM)
        self._joins_conn = Buckets(*JOINS_PER_CONNECTION)
        self._server: Server | None = None
        self._clients: set[Client] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self.recording = RecordingHub(config, self._broadcast_participants)
        # A lost Janus is brought back and its rooms moved; the lessons go on.
        self.media = MediaRecovery(self)
        self.supervisor = JanusSupervisor([], self.media)

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
                if client.member is not None:
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
            try:
                self._on_disconnect(client)
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

    def _state_of(self, client: Client) -> tuple[Role, PState, RoomState]:
        m = client.member
        if m is None:
            return Role.NONE, PState.CONNECTED, RoomState.NONE
        return m.role, m.state, m.room.state

    async def _dispatch(self, client: Client, msg: p.ClientMessage) -> None:
        action = rules.ACTION_OF[type(msg)]
        code = rules.check(*self._state_of(client), action, self.policy)
        if code is not None:
            raise ProtocolError(code, _REFUSALS.get(code, "not possible now"))
        handler = self._handlers[action]
        await handler(self, client, msg)

    # --------------------------------------------------------------- helpers
    def _member(self, client: Client) -> Member:
        assert client.member is not None
        return client.member

    def _target(self, room: Room, pid: str | None, action: Action) -> Member:
        m = room.members.get(pid or "")
        target = Target.MISSING if m is None else (
            Target.JOINED if m.state is PState.JOINED else Target.WAITING)
        code = rules.check_target(action, target)
        if code is not None:
            raise ProtocolError(code, "no such participant" if code is ErrorCode.NO_SUCH_PARTICIPANT
                                else "not possible for this participant now")
        assert m is not None
        return m

    def _broadcast_participants(self, room: Room) -> None:
        """The room's participants changed: a list goes out now, or (within
        PARTICIPANTS_EVERY_S of the last) one list for all changes when it is over."""
        if room.list_timer is not None:
            return
        loop = asyncio.get_running_loop()
        wait = room.list_sent + PARTICIPANTS_EVERY_S - loop.time()
        if wait > 0:
            room.list_timer = loop.call_later(wait, self._flush_participants, room)
            return
        self._flush_participants(room)

    def _flush_participants(self, room: Room) -> None:
        room.list_timer = None
        if room.state is RoomState.CLOSED:
            return
        room.list_sent = asyncio.get_running_loop().time()
        self._send_participants(room)

    def _send_participants(self, room: Room) -> None:
        """Teachers see everyone; a pupil sees the joined, and only its own locks
        (whom the teacher locked is no classmate's business)."""
        everyone = [m.view() for m in room.members.values()]
        joined = [v for v in everyone if v.state == "joined"]
        public = [msgspec.structs.replace(v, camera_locked=False, mic_locked=False)
                  if v.role == "pupil" else v for v in joined]
        for m in room.joined():
            if m.client is None:
                continue
            if m.role is Role.TEACHER:
                view = everyone
            else:
                view = [own if own.id == m.id else pub for own, pub in zip(joined, public,
                                                                           strict=True)]
            m.client.send(p.Participants(participants=view))

    def _welcome(self, m: Member) -> p.Welcome:
        return p.Welcome(participant=m.id, role=m.role.value,  # type: ignore[arg-type]
                         room_title=m.room.title,
                         state="joined" if m.state is PState.JOINED else "waiting",
                         resume=m.resume, ice_servers=list(self.config.ice_servers),
                         notice=self.config.notice, recording=self.recording.state(m.room),
                         camera_locked=m.camera_locked, mic_locked=m.mic_locked)

    def _send_lesson(self, m: Member) -> None:
        """What a member gets on entering the lesson: the chat so far."""
        if m.client is not None:
            for line in m.room.chat:
                m.client.send(line)

    # ------------------------------------------------------ account actions
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
        if grant.role != "teacher" and not (self._joins_conn.take(client.cid)
                                            and self._joins_room.take(grant.room)):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many joins; try again in "
                                f"{1 / JOINS_PER_CONNECTION[0]:.0f} s")
        via, account = self._authenticate(client, msg, grant)
        room = await self._room_for(grant)
        if client.member is not None:   # joined meanwhile through another message
            raise ProtocolError(ErrorCode.ALREADY_JOINED, "already in a room")
        if room.state is RoomState.CLOSED:
            raise ProtocolError(ErrorCode.ROOM_CLOSED, "this lesson has ended")
        if len(room.members) >= p.MAX_ROOM_PARTICIPANTS:
            raise ProtocolError(ErrorCode.ROOM_FULL, "this lesson is full")
        role = Role.TEACHER if grant.role == "teacher" else Role.PUPIL
        if role is Role.PUPIL and room.locked:
            raise ProtocolError(ErrorCode.ROOM_LOCKED, "the teacher has locked this lesson")
        if role is Role.PUPIL and room.waiting_room \
                and len(room.waiting()) >= self.config.waiting_room_cap:
            raise ProtocolError(ErrorCode.ROOM_FULL, "the waiting room is full; try again later")
        if role is Role.TEACHER and not room.owner:
            room.owner = grant.teacher      # pupil links do not name the teacher
        state = rules.member_next(PState.CONNECTED, rules.entry_event(role, room.waiting_room))
        m = Member(id=_new_id(room), name=name, role=role, via=via, state=state,
                   room=room, client=client, account=account)
        room.members[m.id] = m
        if room.janus is not None:
            room.janus.node.load += 1
        self.resumes[m.resume] = m
        client.member = m
        client.send(self._welcome(m))
        log.info("participant %s entered room %s as %s (%s)", m.id, room.id, role.value,
                 m.state.value)
        if role is Role.TEACHER:
            self._teacher_back(room)
            if room.locked:
                client.send(p.LockState(locked=True))
        if m.state is PState.JOINED:
            self._send_lesson(m)
        self._broadcast_participants(room)

    async def _get_notice(self, client: Client, msg: p.GetNotice) -> None:
        """The notice before joining: the link is checked as for a join (forged,
        expired, ended), but no PIN is tried, no room or participant is made, and
        nothing is logged (the reply is the same for every room of this service)."""
        grant = self.signer.verify(msg.link)
        if grant.room in self.ended:
            raise ProtocolError(ErrorCode.ROOM_CLOSED, "this lesson has ended")
        client.send(p.NoticeInfo(notice=self.config.notice, rid=msg.rid))

    def _authenticate(self, client: Client, msg: p.Join, grant: Grant) -> tuple[str, str]:
        """("account", user) for a valid session, ("link", "") for the right PIN."""
        if msg.session is not None:
            info = self.accounts.session(msg.session)
            if info is None:
                raise ProtocolError(ErrorCode.SESSION_INVALID, "log in again")
            if grant.role == "teacher" and info.role != "teacher":
                raise ProtocolError(ErrorCode.NOT_ALLOWED, "this is a teacher's link")
            return "account", info.user
        pin = normalise_pin(msg.pin)
        wait = self._pin_client.wait(client.cid)
        if wait > 0:
            raise ProtocolError(ErrorCode.RATE_LIMITED,
                                f"too many wrong PINs; try again in {wait:.0f} s")
        # The room's budget stops many connections guessing together. It counts and
        # refuses pupil-link tries only: a guesser cannot lock the teacher out.
        pupil_link = grant.role != "teacher"
        if pupil_link and self._pin_room.blocked(grant.room):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many wrong PINs; wait a minute")
        if not self.signer.pin_matches(grant.room, pin):
            if pupil_link:
                self._pin_room.fail(grant.room)
            self._pin_client.fail(client.cid)
            raise ProtocolError(ErrorCode.PIN_WRONG, "wrong PIN")
        self._pin_client.forget(client.cid)
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
            room = Room(id=grant.room, title=_title_of(grant), expires=grant.expires,
                        waiting_room=grant.waiting_room,
                        owner=grant.teacher if grant.role == "teacher" else "")
            node = await self.media.healthy_node()
            room.janus = await node.create_room()
            self.rooms[room.id] = room
            fut.set_result(room)
            log.info("room %s opened on %s", room.id, node.name)
            return room
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: other waiters re-raise it
            raise
        finally:
            self._creating.pop(grant.room, None)

    async def _resume(self, client: Client, msg: p.Join) -> bool:
        m = self.resumes.get(msg.resume or "")
        if m is None or m.room.state is RoomState.CLOSED:
            return False
        try:
            grant = self.signer.verify(msg.link, now=0.0)   # expiry does not end a lesson
        except ProtocolError:
            return False
        if grant.room != m.room.id:
            return False
        # The token alone is no key: the join proves the link again (the PIN, or a
        # session of the same account), with the same limits as any join.
        via, account = self._authenticate(client, msg, grant)
        if via != m.via or account != m.account:
            return False
        old = m.client
        if old is not None and old is not client:
            # Its old connection still looks alive (a network change leaves it
            # half-open): the proven holder takes the seat back, the old one is told.
            old.member = None
            old.send(p.Closed(reason="replaced"))
            self._spawn(old.ws.close(1000, "replaced"))
            await self._drop_media(m)
        if m.gone_timer is not None:
            m.gone_timer.cancel()
            m.gone_timer = None
        # A used token is spent: the Welcome carries a new one.
        self.resumes.pop(m.resume, None)
        m.resume = secrets.token_urlsafe(24)
        self.resumes[m.resume] = m
        m.client = client
        client.member = m
        client.send(self._welcome(m))
        log.info("participant %s resumed in room %s", m.id, m.room.id)
        if m.role is Role.TEACHER:
            self._teacher_back(m.room)
            if m.room.locked:
                client.send(p.LockState(locked=True))
        if m.state is PState.JOINED:
            self._send_lesson(m)
        self._broadcast_participants(m.room)
        return True

    def _teacher_back(self, room: Room) -> None:
        if room.close_timer is not None:
            room.close_timer.cancel()
            room.close_timer = None
        if room.state is RoomState.CLOSING:
            log.info("room %s: a teacher is back", room.id)
        room.state = rules.room_next(room.state, RoomEvent.TEACHER_BACK)

    # -------------------------------------------------- leaving and closing
    def _on_disconnect(self, client: Client) -> None:
        m = client.member
        client.member = None
        if m is None or m.client is not client:
            return
        m.client = None
        if m.state is PState.WAITING:
            # A waiting seat is worth nothing to keep: it goes at once, so connections
            # dropped by a flood do not hold the (capped) waiting room for the grace.
            self._spawn(self.remove_member(m, None))
            return
        self._spawn(self._drop_media(m))
        loop = asyncio.get_running_loop()
        m.gone_timer = loop.call_later(self.config.resume_grace_s,
                                       lambda: self._spawn(self.remove_member(m, None)))
        log.info("participant %s disconnected from room %s", m.id, m.room.id)
        self._after_departure(m)

    async def _drop_media(self, m: Member) -> None:
        self._share_gone(m)
        await self.recording.media_gone(m)
        peer, m.peer = m.peer, None
        was_publishing = m.publishing
        m.publishing = m.publish_pending = False
        m.pending_answers.clear()
        if peer is not None:
            self._drop_subscriptions_to(m)
            await peer.close()
        if was_publishing:
            self._broadcast_participants(m.room)

    async def _unpublish(self, m: Member) -> None:
        """The member's publisher connection went away; its subscriptions stay."""
        self._share_gone(m)
        self.recording.unpublished(m)
        m.publishing = m.publish_pending = False
        self._drop_subscriptions_to(m)
        if m.peer is not None:
            await m.peer.unpublish()
        self._broadcast_participants(m.room)

    def _drop_subscriptions_to(self, m: Member) -> None:
        for other in m.room.members.values():
            other.pending_answers.discard(m.id)
            if other.peer is not None and m.id in other.peer.subscribers:
                self._spawn(other.peer.unsubscribe(m.id))

    async def remove_member(self, m: Member, reason: str | None) -> None:
        """Take a member out of its room; `reason` set: tell its client Closed."""
        room = m.room
        if room.members.get(m.id) is not m:
            return
        if m.gone_timer is not None:
            m.gone_timer.cancel()
            m.gone_timer = None
        del room.members[m.id]
        m.state = rules.member_next(m.state, MemberEvent.REMOVE)
        if room.janus is not None:
            room.janus.node.load -= 1
        self.resumes.pop(m.resume, None)
        client, m.client = m.client, None
        if client is not None:
            client.member = None
            if reason is not None:
                client.send(p.Closed(reason=reason))  # type: ignore[arg-type]
        await self._drop_media(m)
        log.info("participant %s left room %s", m.id, room.id)
        self._broadcast_participants(room)
        if not room.members and room.state is not RoomState.CLOSED:
            # Nobody left: free the Janus room. Its links may open it afresh later.
            await self.close_room(room, "ended", final=False)
            return
        self._after_departure(m)

    def _after_departure(self, m: Member) -> None:
        room = m.room
        if room.state is RoomState.CLOSED or m.role is not Role.TEACHER:
            return
        if not room.teachers_present() and room.close_timer is None:
            room.state = rules.room_next(room.state, RoomEvent.LAST_TEACHER_GONE)
            room.close_timer = asyncio.get_running_loop().call_later(
                self.config.teacher_grace_s, lambda: self._spawn(self.close_room(room, "ended")))
            log.info("room %s: no teacher present; closing in %.0f s", room.id,
                     self.config.teacher_grace_s)

    async def close_room(self, room: Room, reason: str, final: bool = True) -> None:
        """Destroy the Janus room, tell everyone to wipe, forget every datum of it.

        `final`: the lesson is over, so its links can no longer reopen it."""
        if room.state is RoomState.CLOSED:
            return
        room.state = rules.room_next(room.state, RoomEvent.CLOSE)
        if room.close_timer is not None:
            room.close_timer.cancel()
        if room.list_timer is not None:
            room.list_timer.cancel()
            room.list_timer = None
        self.media.room_closed(room)
        await self.recording.room_closing(room)
        members = list(room.members.values())
        # Media first: destroying the Janus room cuts every stream at once.
        if room.janus is not None:
            room.janus.node.load -= len(members)
            await room.janus.node.destroy_room(room.janus)
        await asyncio.gather(*(_close_peer(m) for m in members), return_exceptions=True)
        self.rooms.pop(room.id, None)
        if final:
            self.ended[room.id] = room.expires
        self._forget_ended()
        # Then tell everyone to wipe: when a client sees Closed, the room is gone.
        for m in members:
            if m.gone_timer is not None:
                m.gone_timer.cancel()
            self.resumes.pop(m.resume, None)
            m.state = rules.member_next(m.state, MemberEvent.REMOVE)
            if m.client is not None:
                m.client.send(p.Closed(reason=reason))  # type: ignore[arg-type]
                m.client.member = None
                m.client = None
        room.wipe()
        log.info("room %s closed (%s)", room.id, reason if final else "empty")

    def _forget_ended(self) -> None:
        now = time.time()
        for rid in [r for r, exp in self.ended.items() if exp <= now]:
            del self.ended[rid]

    # ------------------------------------------------------ lesson actions
    async def _ping(self, client: Client, msg: p.Ping) -> None:
        client.send(p.Pong(rid=msg.rid))

    async def _leave(self, client: Client, msg: p.Leave) -> None:
        await self.remove_member(self._member(client), "left")

    async def _publish(self, client: Client, msg: p.Publish) -> None:
        m = self._member(client)
        if m.publish_pending or m.publishing:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "already publishing")
        sdp_check.check_offer(msg.sdp)
        m.publish_pending = True
        try:
            janus_room = await self.media.janus_room(m.room)
            if m.peer is None:
                m.peer = await janus_room.node.new_peer(self._on_peer_lost(m))
            peer = m.peer

            async def on_event(kind: str) -> None:
                if m.peer is not peer:
                    return
                if kind == "webrtcup":
                    m.publish_pending = False
                    m.publishing = True
                    log.info("participant %s publishes in room %s", m.id, m.room.id)
                    self._broadcast_participants(m.room)
                    await self.recording.published(m)
                elif kind == "hangup" and (m.publishing or m.publish_pending):
                    await self._unpublish(m)

            self.recording.before_publish(m, msg.sdp)
            answer = await peer.publish(janus_room, msg.sdp, on_event)
            # A device the teacher turned off stays off in Janus from the first packet.
            for device in sorted(m.janus_muted):
                await self._moderate(m, device, True)
            # The screen m-line forwards only while the service lets this member share.
            if m.room.sharer != m.id:
                await self._moderate(m, "screen", True)
        except BaseException:
            m.publish_pending = False
            raise
        client.send(p.Published(sdp=answer, rid=msg.rid))

    def _on_peer_lost(self, m: Member) -> Callable[[JanusPeer], Coroutine[Any, Any, None]]:
        return lambda peer: self.media.peer_lost(m, peer)

    async def _moderate(self, m: Member, device: str, mute: bool) -> bool:
        peer, room = m.peer, m.room.janus
        if peer is None or peer.feed_id is None or room is None:
            return False
        mid = peer.mids.get(DEVICE_KIND[device])
        if mid is None:
            return False
        await moderate(room, peer.feed_id, mid, mute)
        return True

    async def _subscribe(self, client: Client, msg: p.Subscribe) -> None:
        m = self._member(client)
        target = self._target(m.room, msg.feed, Action.SUBSCRIBE)
        if not target.publishing or target.peer is None or target.peer.feed_id is None:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "this participant is not publishing")
        if target is m:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "you cannot subscribe to yourself")
        janus_room = await self.media.janus_room(m.room)
        if m.peer is None:
            m.peer = await janus_room.node.new_peer(self._on_peer_lost(m))
        offer = await m.peer.subscribe(janus_room, target.id, target.peer.feed_id,
                                       self.media.subscription_hung_up(m))
        m.pending_answers.add(target.id)
        client.send(p.Subscription(feed=target.id, sdp=offer, rid=msg.rid))

    async def _subscription_answer(self, client: Client, msg: p.SubscriptionAnswer) -> None:
        m = self._member(client)
        if msg.feed not in m.pending_answers or m.peer is None:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "no subscription offer is waiting")
        sdp_check.check_answer(msg.sdp)
        m.pending_answers.discard(msg.feed)
        await m.peer.answer(msg.feed, msg.sdp)

    async def _unsubscribe(self, client: Client, msg: p.Unsubscribe) -> None:
        m = self._member(client)
        m.pending_answers.discard(msg.feed)
        if m.peer is not None:
            await m.peer.unsubscribe(msg.feed)

    async def _media(self, client: Client, msg: p.MediaState) -> None:
        m = self._member(client)
        if not (self._media_member.take(f"{m.room.id}/{m.id}")
                and self._media_room.take(m.room.id)):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many device changes; slow down")
        self.recording.check_media(m, msg.camera, msg.mic)
        for device, on in (("camera", msg.camera), ("mic", msg.mic)):
            if on and not getattr(m, device):
                code = rules.check_media_on(m.locked(device))
                if code is not None:
                    raise ProtocolError(code, f"the teacher locked your {device} off")
        m.camera, m.mic = msg.camera, msg.mic
        # The member turned it on again: only now does Janus forward it again.
        for device, on in (("camera", msg.camera), ("mic", msg.mic)):
            if on and device in m.janus_muted:
                m.janus_muted.discard(device)
                if m.publishing:
                    await self._moderate(m, device, False)
        if m.state is PState.JOINED:
            self._broadcast_participants(m.room)

    def _chatter(self, client: Client) -> None:
        if client.chatter.blocked("x"):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many messages; slow down")
        client.chatter.fail("x")

    async def _chat(self, client: Client, msg: p.Chat) -> None:
        self._chatter(client)
        m = self._member(client)
        if not msg.text.strip():
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "empty chat message")
        line = p.ChatMessage(sender=m.id, name=m.name, text=msg.text, ts=time.time())
        m.room.add_chat(line)
        for other in m.room.joined():
            if other.client is not None:
                other.client.send(line)

    async def _hand(self, client: Client, msg: p.Hand) -> None:
        self._chatter(client)
        m = self._member(client)
        m.hand = msg.up
        self._broadcast_participants(m.room)

    async def _consent(self, client: Client, msg: p.Consent) -> None:
        self._member(client).consent = msg.recording
        await self.recording.consent(self._member(client))

    # ----------------------------------------------------- teacher actions
    async def _admit(self, client: Client, msg: p.Admit) -> None:
        room = self._member(client).room
        self._admit_member(self._target(room, msg.participant, Action.ADMIT))
        self._broadcast_participants(room)

    def _admit_member(self, m: Member) -> None:
        m.state = rules.member_next(m.state, MemberEvent.ADMIT)
        if m.client is not None:
            m.client.send(p.Admitted())
        self._send_lesson(m)
        log.info("participant %s admitted to room %s", m.id, m.room.id)

    async def _admit_all(self, client: Client, msg: p.AdmitAll) -> None:
        room = self._member(client).room
        for m in room.waiting():
            self._admit_member(m)
        self._broadcast_participants(room)

    async def _deny_all(self, client: Client, msg: p.DenyAll) -> None:
        room = self._member(client).room
        waiting = room.waiting()
        for m in waiting:
            if m.client is not None:
                m.client.send(p.Denied(reason="the teacher did not admit you"))
            await self.remove_member(m, "denied")
        log.info("room %s: %d waiting participant(s) denied", room.id, len(waiting))

    async def _lock_room(self, client: Client, msg: p.LockRoom) -> None:
        room = self._member(client).room
        room.locked = msg.locked
        for m in room.joined():
            if m.role is Role.TEACHER and m.client is not None:
                m.client.send(p.LockState(locked=msg.locked, rid=msg.rid if m.client is client
                                          else None))
        log.info("room %s %s", room.id, "locked" if msg.locked else "unlocked")

    async def _deny(self, client: Client, msg: p.Deny) -> None:
        room = self._member(client).room
        m = self._target(room, msg.participant, Action.DENY)
        if m.client is not None:
            m.client.send(p.Denied(reason="the teacher did not admit you"))
        await self.remove_member(m, "denied")

    async def _turn_off(self, client: Client, msg: p.TurnOff) -> None:
        teacher = self._member(client)
        room = teacher.room
        if msg.participant is None:
            targets = [m for m in room.joined() if m.role is Role.PUPIL]
        else:
            targets = [self._target(room, msg.participant, Action.TURN_OFF)]
        for m in targets:
            setattr(m, msg.device, False)
            if msg.lock:
                setattr(m, f"{msg.device}_locked", True)
            m.janus_muted.add(msg.device)
            # Tell the client first, then cut the stream in Janus regardless of it.
            if m.client is not None:
                m.client.send(p.Moderation(action="turn_off", device=msg.device,
                                           locked=m.locked(msg.device), by=teacher.id))
            if m.publishing:
                await self._moderate(m, msg.device, True)
        log.info("room %s: %s turned off for %d participant(s)", room.id, msg.device, len(targets))
        self._broadcast_participants(room)

    async def _unlock(self, client: Client, msg: p.Unlock) -> None:
        teacher = self._member(client)
        m = self._target(teacher.room, msg.participant, Action.UNLOCK)
        setattr(m, f"{msg.device}_locked", False)
        if m.client is not None:
            m.client.send(p.Moderation(action="unlock", device=msg.device, by=teacher.id))
        self._broadcast_participants(teacher.room)

    async def _ask_on(self, client: Client, msg: p.AskOn) -> None:
        teacher = self._member(client)
        m = self._target(teacher.room, msg.participant, Action.ASK_ON)
        if m.client is not None:
            m.client.send(p.Moderation(action="ask_on", device=msg.device, by=teacher.id))

    async def _kick(self, client: Client, msg: p.Kick) -> None:
        teacher = self._member(client)
        m = self._target(teacher.room, msg.participant, Action.KICK)
        if m is teacher:
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "use leave to leave")
        await self.remove_member(m, "kicked")

    async def _lower_hands(self, client: Client, msg: p.LowerHands) -> None:
        teacher = self._member(client)
        room = teacher.room
        if msg.participant is None:
            targets = [m for m in room.joined() if m.hand]
        else:
            targets = [self._target(room, msg.participant, Action.LOWER_HANDS)]
        for m in targets:
            m.hand = False
            if m.client is not None:
                m.client.send(p.Moderation(action="lower_hand", by=teacher.id))
        self._broadcast_participants(room)

    async def _end(self, client: Client, msg: p.End) -> None:
        await self.close_room(self._member(client).room, "ended")

    async def _record(self, client: Client, msg: p.Record) -> None:
        await self.recording.record(self._member(client), msg.start)

    # ------------------------------------------------------- screen share
    def _sharer_kind(self, m: Member) -> rules.Sharer:
        room = m.room
        current = room.members.get(room.sharer or "")
        if current is None:
            return rules.Sharer.NOBODY
        if current is m:
            return rules.Sharer.SELF
        return rules.Sharer.TEACHER if current.role is Role.TEACHER else rules.Sharer.PUPIL

    async def _share(self, client: Client, msg: p.Share) -> None:
        m = self._member(client)
        room = m.room
        if not msg.on:
            if room.sharer == m.id:
                await self._stop_share(m, None)
                self._broadcast_participants(room)
            return
        code = rules.check_share(m.role, m.may_share, self._sharer_kind(m), msg.replace)
        if code is ErrorCode.SHARE_BUSY:
            raise ProtocolError(code, "someone else is sharing; ask before replacing it")
        if code is not None:
            raise ProtocolError(code, "you may not share your screen now")
        previous = room.members.get(room.sharer or "")
        if previous is not None and previous is not m:
            await self._stop_share(previous, "share_off")
        room.sharer = m.id
        await self.recording.share_started(m)
        await self._moderate(m, "screen", False)   # no-op until it publishes a screen m-line
        log.info("room %s: participant %s shares", room.id, m.id)
        self._broadcast_participants(room)

    async def _stop_share(self, m: Member, tell: str | None) -> None:
        """Stop `m`'s share in Janus at once; `tell`: the moderation action to send it."""
        if m.room.sharer == m.id:
            m.room.sharer = None
        if tell is not None and m.client is not None:
            m.client.send(p.Moderation(action=tell))  # type: ignore[arg-type]
        with contextlib.suppress(JanusError, ConnectionError, TimeoutError):
            await self._moderate(m, "screen", True)

    def _share_gone(self, m: Member) -> None:
        """The sharer's media went away (left, dropped, unpublished): nobody shares."""
        if m.room.sharer == m.id:
            m.room.sharer = None
            log.info("room %s: the share ended with its publisher", m.room.id)

    async def _share_permission(self, client: Client, msg: p.SharePermission) -> None:
        teacher = self._member(client)
        m = self._target(teacher.room, msg.participant, Action.SHARE_PERMISSION)
        code = rules.check_share_permission(m.role)
        if code is not None:
            raise ProtocolError(code, "teachers may always share")
        m.may_share = msg.allow
        if m.client is not None:
            m.client.send(p.Moderation(action="share_allowed" if msg.allow else "share_revoked",
                                       by=teacher.id))
        if not msg.allow and m.room.sharer == m.id:
            await self._stop_share(m, "share_off")
        self._broadcast_participants(teacher.room)

    async def _list_recordings(self, client: Client, msg: p.ListRecordings) -> None:
        client.send(self.recording.list_recordings(self.accounts, msg))

    async def _delete_recording(self, client: Client, msg: p.DeleteRecording) -> None:
        client.send(self.recording.delete_recording(self.accounts, msg))

    _handlers: dict[Action, Callable[..., Coroutine[Any, Any, None]]] = {
        Action.LOGIN: _login, Action.CREATE_ROOM: _create_room, Action.JOIN: _join,
        Action.GET_NOTICE: _get_notice,
        Action.PUBLISH: _publish, Action.SUBSCRIBE: _subscribe,
        Action.SUBSCRIPTION_ANSWER: _subscription_answer, Action.UNSUBSCRIBE: _unsubscribe,
        Action.MEDIA: _media, Action.CHAT: _chat, Action.HAND: _hand, Action.CONSENT: _consent,
        Action.LEAVE: _leave, Action.PING: _ping, Action.ADMIT: _admit,
        Action.ADMIT_ALL: _admit_all, Action.DENY: _deny, Action.DENY_ALL: _deny_all,
        Action.LOCK_ROOM: _lock_room, Action.TURN_OFF: _turn_off,
        Action.UNLOCK: _unlock, Action.ASK_ON: _ask_on, Action.KICK: _kick,
        Action.LOWER_HANDS: _lower_hands, Action.END: _end, Action.RECORD: _record,
        Action.LIST_RECORDINGS: _list_recordings, Action.DELETE_RECORDING: _delete_recording,
        Action.SHARE: _share, Action.SHARE_PERMISSION: _share_permission,
    }


async def _close_peer(m: Member) -> None:
    peer, m.peer = m.peer, None
    m.publishing = m.publish_pending = False
    if peer is not None:
        await peer.close()


def _title_of(grant: Grant) -> str:
    """A link's title as shown in the room (links made before titles were cleaned)."""
    try:
        return clean_title(grant.title)
    except TextRefused:
        return clean_title(grant.title[:100])


def _tag(msg: p.ClientMessage) -> str:
    return str(type(msg).__struct_config__.tag)


def _new_id(room: Room) -> str:
    while True:
        pid = "p" + secrets.token_hex(4)
        if pid not in room.members:
            return pid


_REFUSALS = {
    ErrorCode.NOT_JOINED: "join the room (and be admitted) first",
    ErrorCode.ALREADY_JOINED: "already in a room",
    ErrorCode.NOT_ALLOWED: "your role may not do this",
    ErrorCode.ROOM_CLOSED: "this lesson has ended",
    ErrorCode.RECORDING_NOT_ALLOWED: "recording is not allowed on this server",
}
