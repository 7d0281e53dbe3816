"""What the room service does when Janus loses its media (server/janus_supervisor.py).

The lessons live in the service, so a lost Janus costs only media: every room on it
loses its Janus room, every member its Janus peer, a running recording is stopped
and marked interrupted. Members, locks, Janus mutes (re-applied at the next
publish), waiting room, chat and hands stay as they are. Joined clients get
`media_reconnect` and publish and subscribe again; their `publish` waits here
(`janus_room`) until the room has a Janus room on a healthy node again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from .janus_adapter import (
    JanusHandle,
    JanusNode,
    JanusPeer,
    JanusRoom,
    SubscriptionLost,
    least_loaded,
)
from .room import Member, Room
from .rules import RoomState

if TYPE_CHECKING:
    from .service import RoomService

log = logging.getLogger("klasse.server")
MEDIA_BACK_WAIT_S = 15.0   # a publish or a new room waits this long for a healthy Janus
RESUBSCRIBE_S = 5.0        # a subscription Janus hung up is offered again at most this often


class MediaRecovery:
    """The supervisor's hooks into one RoomService (see janus_supervisor.MediaHooks)."""

    def __init__(self, service: RoomService) -> None:
        self.service = service
        self.waiting: dict[str, asyncio.Event] = {}   # room id -> set once it has media again
        self._placing = asyncio.Lock()
        self.moved = 0                                # rooms given a new Janus room (health)
        self._resubscribed: dict[tuple[str, str], float] = {}  # (member, feed) -> when

    async def janus_lost(self, node: JanusNode) -> None:
        svc = self.service
        for room in [r for r, j in svc.janus.items() if j.node is node]:
            del svc.janus[room]
            self.waiting.setdefault(room.id, asyncio.Event())
            for m in room.members.values():
                peer = svc.peers.pop(m, None)
                if peer is not None:
                    peer.abandon()
            # Clients first: they show "media reconnecting" (and the recording banner
            # as unknown) before the recording's `off` arrives.
            await svc._run(svc.lessons.media_lost(room))
            await svc.recording.janus_lost(room)
            await svc._run(svc.lessons.participants(room))
            log.warning("room %s: media server %s lost; media reconnecting", room.id, node.name)

    async def place_rooms(self) -> None:
        async with self._placing:
            for rid, back in list(self.waiting.items()):
                room = self.service.rooms.get(rid)
                if room is not None and room.state is not RoomState.CLOSED \
                        and room not in self.service.janus:
                    node = least_loaded(self.service.nodes)
                    self.service.janus[room] = await node.create_room()
                    self.service.count_load()
                    self.moved += 1
                    log.info("room %s now on %s", rid, node.name)
                self.waiting.pop(rid, None)
                back.set()

    async def janus_room(self, room: Room) -> JanusRoom:
        """The room's Janus room, waiting for it while the room is being moved."""
        back = self.waiting.get(room.id)
        if back is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(back.wait(), MEDIA_BACK_WAIT_S)
        janus = self.service.janus.get(room)
        if janus is None or not janus.node.up:
            raise ConnectionError("the room has no media server now")
        return janus

    async def healthy_node(self) -> JanusNode:
        """A node for a new room, waiting a while if every node is being recovered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MEDIA_BACK_WAIT_S
        while True:
            try:
                return least_loaded(self.service.nodes)
            except ConnectionError:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.2)

    async def peer_lost(self, m: Member, peer: JanusPeer) -> None:
        """Janus dropped one participant's session (its node is fine)."""
        if self.service.peers.get(m) is not peer:
            return
        log.warning("participant %s: janus dropped its session; media reconnecting", m.id)
        await self.service._run(self.service.lessons.peer_lost(m))

    def subscription_hung_up(self, m: Member) -> SubscriptionLost:
        return lambda feed, handle: self._resubscribe(m, feed, handle)

    async def _resubscribe(self, m: Member, feed: str, handle: JanusHandle) -> None:
        """Janus hung up one of `m`'s subscriptions: offer it afresh (at most every
        RESUBSCRIBE_S per feed), as if the client had asked again."""
        peers, room = self.service.peers, m.room
        peer, janus = peers.get(m), self.service.janus.get(room)
        if peer is None or peer.subscribers.get(feed) is not handle:
            return
        target = room.members.get(feed)
        published = peers.get(target) if target is not None else None
        loop = asyncio.get_running_loop()
        key = (m.id, feed)
        recent = loop.time() - self._resubscribed.get(key, -RESUBSCRIBE_S) < RESUBSCRIBE_S
        if recent or m.conn is None or target is None or not target.publishing \
                or published is None or published.feed_id is None or janus is None:
            await self.service._run(self.service.lessons.subscription_gone(m, feed))
            return
        for old in [k for k, t in self._resubscribed.items() if loop.time() - t > RESUBSCRIBE_S]:
            del self._resubscribed[old]
        self._resubscribed[key] = loop.time()
        log.info("participant %s: janus hung up a subscription; offering it again", m.id)
        offer = await peer.subscribe(janus, feed, published.feed_id, self.subscription_hung_up(m))
        await self.service._run(self.service.lessons.subscription_offered(m, feed, offer))

    def room_closed(self, room: Room) -> None:
        back = self.waiting.pop(room.id, None)
        if back is not None:
            back.set()

