"""The room service's view of Janus: nodes, lesson rooms and per-participant peers.

Each lesson is one private VideoRoom with a random id and secret that only the
service knows. Each participant gets its own Janus session created with its own
Janus token (token_auth), so a leaked Janus address is useless without a token the
service hands out and removes when the participant leaves. Participants never talk
to Janus directly: the service relays offers and answers (aiortc does not trickle,
so every jsep says trickle=false).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .config import JanusInstance
from .janus_client import JanusConnection, JanusError, JanusHandle, JanusSession
from .janus_config import JanusSettings
from .janus_process import JanusProcess
from .recording.janus import ROOM_CREATE_OPTIONS

log = logging.getLogger(__name__)
MAX_PUBLISHERS = 100


def sdp_mids(sdp: str) -> dict[str, str]:
    """{"audio": mid, "video": mid, "screen": mid} of an SDP: the first audio and video
    m-line, and a second video m-line (the shared screen) if there is one."""
    mids: dict[str, str] = {}
    kind: str | None = None
    for line in sdp.splitlines():
        if line.startswith("m="):
            kind = line[2:].split(" ", 1)[0]
        elif line.startswith("a=mid:") and kind in ("audio", "video"):
            key = "screen" if kind == "video" and "video" in mids else kind
            mids.setdefault(key, line[6:].strip())
    return mids


@dataclass
class JanusRoom:
    node: JanusNode
    id: int
    secret: str
    pin: str


class JanusNode:
    """One Janus instance: an API and an Admin API connection and a control handle."""

    def __init__(self, instance: JanusInstance, name: str,
                 process: JanusProcess | None = None) -> None:
        self.instance = instance
        self.name = name
        self.process = process
        self.load = 0                # participants in the rooms placed here (service counts)
        self.conn: JanusConnection | None = None       # the service's own (API secret)
        self.peer_conn: JanusConnection | None = None  # participants' sessions: token only
        self.admin: JanusConnection | None = None
        self._token = secrets.token_urlsafe(24)
        self._session: JanusSession | None = None
        self._control: JanusHandle | None = None
        # False from the moment the service notices this Janus is gone until it is
        # open again (server/janus_supervisor.py); nothing new is placed here meanwhile.
        self.up = False
        self.ice_address: str | None = None   # set for a spawned node: respawn binds there

    @classmethod
    async def spawn(cls, ice_address: str) -> JanusNode:
        """Spawn a private local Janus on free loopback ports."""
        node = cls(JanusInstance("", "", "", "", ""), "local")
        node.ice_address = ice_address
        await node._start_process()
        return node

    async def _start_process(self) -> None:
        assert self.ice_address is not None
        settings = JanusSettings(ice_address=self.ice_address, api_port=_free_port(),
                                 admin_port=_free_port())
        proc = JanusProcess(settings)
        await proc.start()
        self.process = proc
        self.instance = JanusInstance(settings.api_url, settings.api_secret, settings.admin_url,
                                      settings.admin_secret, settings.admin_secret)

    def trouble(self) -> str | None:
        """Why this node cannot serve now (None: it can). Cheap; polled by the supervisor."""
        if self.process is not None and (self.process.proc is None
                                         or self.process.proc.poll() is not None):
            return "the janus process exited"
        for conn in (self.admin, self.conn, self.peer_conn):
            if conn is None or conn.closed.is_set():
                return "a connection to janus closed"
        if self._session is None or self._session.lost.is_set():
            return "janus dropped the control session"
        if self._session.failures >= 3:
            return "janus stopped answering keepalives"
        return None

    def closed_events(self) -> list[asyncio.Event]:
        """Events set when this node is lost (the supervisor also polls `trouble`)."""
        out = [c.closed for c in (self.admin, self.conn, self.peer_conn) if c is not None]
        if self._session is not None:
            out.append(self._session.lost)
        return out

    async def abandon(self) -> None:
        """Forget a lost Janus without a word to it: close our connections, and stop
        (or kill) a spawned process. Its rooms, sessions and tokens died with it."""
        self.up = False
        self.load = 0
        if self._session is not None:
            self._session.stop_keepalive()
        self._session = self._control = None
        for conn in (self.admin, self.conn, self.peer_conn):
            if conn is not None:
                await conn.close(abort=True)
        self.admin = self.conn = self.peer_conn = None
        if self.process is not None:
            await self.process.stop(timeout=1.0)

    async def reopen(self) -> None:
        """Bring a lost node back: respawn a spawned Janus, reconnect to a listed one."""
        if self.ice_address is not None:
            await self._start_process()
        try:
            await self.open()
        except BaseException:
            await self.abandon()
            raise

    async def open(self) -> None:
        self._token = secrets.token_urlsafe(24)
        self.admin = await JanusConnection.open_admin(self.instance.admin_url,
                                                      self.instance.admin_secret)
        self.conn = await JanusConnection.open(self.instance.url, self.instance.api_secret)
        # Without the API secret here, each participant's session lives by its own
        # token alone: removing the token (at leave/kick/close) kills it for anyone.
        self.peer_conn = await JanusConnection.open(self.instance.url, None)
        await self.admin.add_token(self._token)
        self._session = await self.conn.create_session(self._token)
        self._control = await self._session.attach()
        self.up = True

    async def close(self) -> None:
        self.up = False
        if self._session is not None:
            await self._session.destroy()
        if self.admin is not None:
            with contextlib.suppress(JanusError, ConnectionError, TimeoutError):
                await self.admin.remove_token(self._token)
            await self.admin.close()
        for conn in (self.peer_conn, self.conn):
            if conn is not None:
                await conn.close()
        if self.process is not None:
            await self.process.stop()

    @property
    def control(self) -> JanusHandle:
        assert self._control is not None, "node not opened"
        return self._control

    async def create_room(self) -> JanusRoom:
        room = JanusRoom(self, secrets.randbelow(2**52) + 1, secrets.token_urlsafe(18),
                         secrets.token_urlsafe(12))
        await self.control.message({
            "request": "create", "room": room.id, "admin_key": self.instance.admin_key,
            "secret": room.secret, "pin": room.pin, "is_private": True, "permanent": False,
            "publishers": MAX_PUBLISHERS, "audiocodec": "opus", "videocodec": "vp8",
            "notify_joining": False, "require_pvtid": False,
            **ROOM_CREATE_OPTIONS,  # recording only with the room secret
        })
        return room

    async def destroy_room(self, room: JanusRoom) -> None:
        with contextlib.suppress(JanusError, ConnectionError, TimeoutError):
            await self.control.message({"request": "destroy", "room": room.id,
                                        "secret": room.secret})

    async def list_rooms(self) -> list[int]:
        data, _ = await self.control.message({"request": "list",
                                              "admin_key": self.instance.admin_key})
        return [int(r["room"]) for r in data.get("list", [])]

    async def new_peer(self, on_lost: Callable[[JanusPeer], Awaitable[None]] | None = None
                       ) -> JanusPeer:
        """A participant's own session. `on_lost` is called if Janus drops that session
        (timed out, unknown) while this node is up; a whole lost node is the
        supervisor's business."""
        if not self.up or self.peer_conn is None or self.admin is None:
            raise ConnectionError(f"janus {self.name} is not available")
        token = secrets.token_urlsafe(24)
        await self.admin.add_token(token)
        try:
            session = await self.peer_conn.create_session(token)
        except Exception:
            with contextlib.suppress(Exception):
                await self.admin.remove_token(token)
            raise
        peer = JanusPeer(self, session, token)
        if on_lost is not None:
            peer._lost_watch = asyncio.create_task(peer._watch_session(on_lost),
                                                   name="janus-peer-watch")
        return peer


EventCallback = Callable[[str], Awaitable[None]]
SubscriptionLost = Callable[[str, JanusHandle], Awaitable[None]]


@dataclass
class JanusPeer:
    """One participant's Janus session: a publisher handle and subscriber handles."""
    node: JanusNode
    session: JanusSession
    token: str
    feed_id: int | None = None
    mids: dict[str, str] = field(default_factory=dict)
    publisher: JanusHandle | None = None
    subscribers: dict[str, JanusHandle] = field(default_factory=dict)
    _watch: asyncio.Task[None] | None = None
    _lost_watch: asyncio.Task[None] | None = None
    _sub_watches: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    closed: bool = False

    async def _watch_session(self, on_lost: Callable[[JanusPeer], Awaitable[None]]) -> None:
        await self.session.lost.wait()
        if not self.closed and self.node.up:
            try:
                await on_lost(self)
            except Exception:
                log.exception("handling a lost janus session failed")

    async def publish(self, room: JanusRoom, offer_sdp: str, on_event: EventCallback) -> str:
        """Join the room as a publisher and publish `offer_sdp`; return the answer SDP.

        `on_event` is called with "webrtcup" once media flows and "hangup" if the
        PeerConnection goes away.
        """
        await self.unpublish()
        handle = await self.session.attach()
        self.publisher = handle
        joined, _ = await handle.message({"request": "join", "ptype": "publisher",
                                          "room": room.id, "pin": room.pin})
        self.feed_id = int(joined["id"])
        self._watch = asyncio.create_task(self._watch_publisher(handle, on_event),
                                          name="janus-publisher-watch")
        self.mids = sdp_mids(offer_sdp)
        _, jsep = await handle.message(
            {"request": "publish"},
            jsep={"type": "offer", "sdp": offer_sdp, "trickle": False}, timeout=20)
        if jsep is None or jsep.get("type") != "answer":
            raise JanusError(0, "janus sent no answer")
        return str(jsep["sdp"])

    async def _watch_publisher(self, handle: JanusHandle, on_event: EventCallback) -> None:
        while True:
            msg = await handle.events.get()
            kind = msg.get("janus")
            try:
                if kind == "webrtcup":
                    await on_event("webrtcup")
                elif kind in ("hangup", "connection_closed", "detached", "session_lost"):
                    await on_event("hangup")
                    return
            except Exception:
                log.exception("publisher event handler failed")

    async def unpublish(self) -> None:
        """Drop the publisher handle (Janus tells the room the feed is gone)."""
        watch, self._watch = self._watch, None
        if watch is not None and watch is not asyncio.current_task():
            watch.cancel()
        handle, self.publisher = self.publisher, None
        self.feed_id = None
        self.mids = {}
        if handle is not None:
            await handle.detach()

    async def subscribe(self, room: JanusRoom, feed_key: str, feed_id: int,
                        on_hangup: SubscriptionLost | None = None) -> str:
        """Attach a subscriber handle to `feed_id`; return Janus's offer SDP.

        `on_hangup(feed_key, handle)`: Janus hung this subscription's PeerConnection
        up (ICE or DTLS failed, say) while nobody asked it to."""
        self._stop_sub_watch(feed_key)
        old = self.subscribers.pop(feed_key, None)
        if old is not None:
            await old.detach()
        handle = await self.session.attach()
        self.subscribers[feed_key] = handle
        try:
            _, jsep = await handle.message({"request": "join", "ptype": "subscriber",
                                            "room": room.id, "pin": room.pin,
                                            "streams": [{"feed": feed_id}]}, timeout=20)
        except Exception:
            self.subscribers.pop(feed_key, None)
            await handle.detach()
            raise
        if jsep is None or jsep.get("type") != "offer":
            raise JanusError(0, "janus sent no offer")
        # Also drains the handle's events, which would otherwise pile up all lesson.
        self._sub_watches[feed_key] = asyncio.create_task(
            self._watch_subscriber(feed_key, handle, on_hangup), name="janus-subscriber-watch")
        return str(jsep["sdp"])

    async def _watch_subscriber(self, key: str, handle: JanusHandle,
                                on_hangup: SubscriptionLost | None) -> None:
        while True:
            kind = (await handle.events.get()).get("janus")
            if kind in ("detached", "connection_closed", "session_lost"):
                return
            if kind == "hangup":
                if on_hangup is not None and self.subscribers.get(key) is handle \
                        and not self.closed and self.node.up:
                    self._sub_watches.pop(key, None)
                    try:
                        await on_hangup(key, handle)
                    except Exception:
                        log.exception("handling a hung up subscription failed")
                return

    def _stop_sub_watch(self, key: str) -> None:
        task = self._sub_watches.pop(key, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def answer(self, feed_key: str, answer_sdp: str) -> None:
        handle = self.subscribers[feed_key]
        await handle.message({"request": "start"},
                             jsep={"type": "answer", "sdp": answer_sdp, "trickle": False})

    async def unsubscribe(self, feed_key: str) -> None:
        self._stop_sub_watch(feed_key)
        handle = self.subscribers.pop(feed_key, None)
        if handle is not None:
            await handle.detach()

    def _stop_watching(self) -> None:
        for task in (self._watch, self._lost_watch):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        for key in list(self._sub_watches):
            self._stop_sub_watch(key)

    def abandon(self) -> None:
        """Forget this peer without a word to Janus (its session is gone already)."""
        self.closed = True
        self._stop_watching()
        self.session.closing = True
        self.session.stop_keepalive()
        for handle in [self.publisher, *self.subscribers.values()]:
            if handle is not None:
                handle.detached = True
                self.session.conn._handles.pop(handle.id, None)
        self.session.conn._sessions.pop(self.session.id, None)

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._stop_watching()
        if self.session.lost.is_set() or not self.node.up:
            self.abandon()
            return
        await self.session.destroy()
        if self.node.admin is not None:
            with contextlib.suppress(JanusError, ConnectionError, TimeoutError):
                await self.node.admin.remove_token(self.token)


async def moderate(room: JanusRoom, feed_id: int, mid: str, mute: bool) -> None:
    """Mute or unmute one m-line of a publisher in Janus (needs the room secret)."""
    await room.node.control.message({"request": "moderate", "room": room.id,
                                     "secret": room.secret, "id": feed_id, "mid": mid,
                                     "mute": mute})


def least_loaded(nodes: list[JanusNode]) -> JanusNode:
    live = [n for n in nodes if n.up and n.trouble() is None]
    if not live:
        raise ConnectionError("no Janus instance is reachable")
    return min(live, key=lambda n: n.load)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
