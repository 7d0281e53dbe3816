"""Janus supervision: notice a lost Janus at once, bring it back, move its rooms.

A node is lost when a connection to it closes (a killed Janus closes them at once),
its process exits, it drops the service's control session, or it stops answering
keepalives. The supervisor then
1. tells the service (`MediaHooks.janus_lost`): the service forgets the node's media
   (peers, recordings) but keeps every lesson and tells its clients to reconnect
   their media;
2. places those rooms on a healthy node at once if there is one (`place_rooms`),
3. brings the node back (a spawned Janus is respawned, a listed one is reconnected
   to, retrying from every RETRY_S up to every RETRY_MAX_S) and places any room still waiting on it.

The lesson state (members, locks, mutes, waiting room, chat, hands) lives in the
service and is never touched here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from .janus_adapter import JanusNode

log = logging.getLogger("klasse.server.janus")
POLL_S = 0.5          # how often `trouble()` is looked at besides the close events
RETRY_S = 1.0         # first wait between attempts to bring a lost node back
RETRY_MAX_S = 10.0


class MediaHooks(Protocol):
    async def janus_lost(self, node: JanusNode) -> None:
        """`node` is gone: drop its media, keep the lessons, tell clients."""

    async def place_rooms(self) -> None:
        """Put every room without a Janus room on a healthy node."""


class JanusSupervisor:
    def __init__(self, nodes: list[JanusNode], hooks: MediaHooks) -> None:
        self.nodes = nodes
        self.hooks = hooks
        self.recoveries = 0           # nodes brought back (health, tests)
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._watch(node), name=f"janus-watch-{node.name}")
                       for node in self.nodes]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def status(self) -> list[dict[str, object]]:
        """Per node: name, up, load. No names of people, no addresses."""
        return [{"name": n.name, "up": n.up and n.trouble() is None, "participants": n.load}
                for n in self.nodes]

    async def _watch(self, node: JanusNode) -> None:
        while True:
            why = await self._until_lost(node)
            log.error("janus %s lost: %s; recovering", node.name, why)
            await self._recover(node)

    async def _until_lost(self, node: JanusNode) -> str:
        waits = [asyncio.ensure_future(ev.wait()) for ev in node.closed_events()]
        try:
            while True:
                why = node.trouble()
                if why is not None:
                    return why
                await asyncio.wait(waits, timeout=POLL_S, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    async def _recover(self, node: JanusNode) -> None:
        node.up = False
        try:
            await self.hooks.janus_lost(node)
        except Exception:
            log.exception("dropping the media of a lost janus failed")
        await node.abandon()
        if any(n.up and n.trouble() is None for n in self.nodes if n is not node):
            await self._place()     # the lessons need not wait for this node
        delay, tries = RETRY_S, 0
        while True:
            try:
                await node.reopen()
                break
            except Exception as exc:
                tries += 1
                if tries == 1 or tries % 30 == 0:   # a listed node may stay down for hours
                    log.warning("janus %s not back yet (%s, %d tries); retrying", node.name,
                                type(exc).__name__, tries)
                await asyncio.sleep(delay)
                delay = min(delay * 1.5, RETRY_MAX_S)
        self.recoveries += 1
        log.info("janus %s is back", node.name)
        await self._place()

    async def _place(self) -> None:
        try:
            await self.hooks.place_rooms()
        except Exception:
            log.exception("placing rooms after a janus loss failed")
